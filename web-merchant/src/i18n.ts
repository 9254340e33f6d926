import { createI18n, sharedEn, sharedZh } from '@alliance/web-shared';
import { en } from './i18n/en';
import { zh } from './i18n/zh';

export type Key = keyof typeof zh | keyof typeof sharedZh;

export const i18n = createI18n<Key>({ 'zh-CN': { ...sharedZh, ...zh }, en: { ...sharedEn, ...en } });
export const { t, locale } = i18n;
