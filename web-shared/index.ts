export * from './api';
export * from './auth';
export * from './Consent';
export * from './i18n';
export * from './LangSwitch';
export * from './money';
export * from './privacy';
export * from './SignIn';
