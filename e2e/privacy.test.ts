import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptPrivacyNotice,
  apiClient,
  artifacts,
  launchBrowser,
  OPERATOR_PHONE,
  phonePage,
  screenshot,
  signInThroughUi,
  startServer,
  type TestServer,
  tokenOf,
} from './server';

interface Me {
  memberCode: string;
  consent: { required: boolean; version: string; acceptedVersion: string | null; acceptedAt: string | null };
}

/** Phone, "get code", the dev code, submit: up to where the app answers (the notice or the app). */
async function submitCode(page: Page, path: string, phone11: string) {
  await page.goto(path);
  await page.fill('input[name="phone"]', phone11);
  await page.click('[data-testid="send-code"]');
  const hint = await page.waitForSelector('[data-testid="dev-code"]');
  await page.fill('input[name="code"]', /(\d{6})/.exec((await hint.textContent()) ?? '')![1]!);
  await page.click('[data-testid="signin-submit"]');
}

/** The whole page, attributes included: a phone number must not hide in a tooltip either. */
const bodyText = (page: Page) => page.evaluate(() => document.body.outerHTML);

/**
 * Personal data in the apps (issue 13, SPEC section 7): the privacy notice on first sign-in in both
 * apps, the export and the deletion on the consumer's Me page, and phone numbers masked on every page.
 */
describe('personal data in the apps', () => {
  let server: TestServer;
  let browser: Browser;
  let api: ReturnType<typeof apiClient>;
  let page: Page;
  let token = '';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    api = apiClient(server.url);
    ({ page } = await phonePage(browser));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a new user sees the privacy notice before anything else, in both languages; declining signs out', async () => {
    await submitCode(page, `${server.url}/`, '13800000021');
    await page.waitForSelector('[data-testid="privacy-notice"]');
    expect(await page.$('[data-testid="tabbar"]')).toBeNull();
    expect(await page.$('[data-testid="member-code"]')).toBeNull();
    const zh = await page.textContent('[data-testid="privacy-notice"]');
    for (const words of [
      '隐私政策',
      '2026年12月1日',
      '手机号',
      '收货信息',
      'IP 地址',
      '下载你的全部数据',
      '注销账号',
    ]) {
      expect(zh).toContain(words);
    }
    // What the phone shows (a full-page capture would misplace the sticky buttons).
    const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`) });
    await shot('consumer-privacy-notice');

    await page.click('[data-testid="lang-switch"]');
    await page.waitForSelector('text=Privacy notice');
    const en = await page.textContent('[data-testid="privacy-notice"]');
    for (const words of [
      'December 1, 2026',
      'phone number',
      'Ship-to details',
      'network (IP) address',
      'delete your account',
    ]) {
      expect(en).toContain(words);
    }
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await shot('consumer-privacy-notice-en-end');
    await page.click('[data-testid="lang-switch"]');

    await page.click('[data-testid="privacy-decline"]');
    await page.waitForSelector('[data-testid="signin"]');
    expect(await page.evaluate(() => localStorage.getItem('alliance.consumer.session'))).toBeNull();
    const me = await api.get<Me>('/v1/me', await api.signIn('+8613800000021'));
    expect(me.consent).toEqual({
      required: true,
      version: '2026-12-01',
      acceptedVersion: null,
      acceptedAt: null,
    });
  });

  it('accepting lets the person in once; their phone is masked on every page', async () => {
    await submitCode(page, `${server.url}/`, '13800000021');
    await page.waitForSelector('[data-testid="privacy-notice"]');
    await page.click('[data-testid="privacy-accept"]');
    await page.waitForSelector('[data-testid="member-code"]');
    token = await tokenOf(page);
    const me = await api.get<Me>('/v1/me', token);
    expect(me.consent.required).toBe(false);
    expect(me.consent.acceptedVersion).toBe('2026-12-01');

    await page.reload();
    await page.waitForSelector('[data-testid="member-code"]');
    expect(await page.$('[data-testid="privacy-notice"]')).toBeNull();
    expect(await page.textContent('[data-testid="home-phone"]')).toBe('+86 138****0021');

    for (const path of ['/', '/merchants', '/tasks', '/orders', '/history?unit=vouchers', '/me']) {
      await page.goto(`${server.url}${path}`);
      await page.waitForSelector('[data-testid="tabbar"]');
      await page.waitForLoadState('networkidle');
      expect(await bodyText(page)).not.toMatch(/13800000021/);
    }
    expect(await page.textContent('[data-testid="me-phone"]')).toBe('+86 138****0021');
  });

  it('downloads everything kept about the person as a JSON file', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid="export-data"]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^alliance-my-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
      user: { phone: string; memberCode: string; consent: Me['consent'] };
      wallet: { vouchers: number; ecoPoints: number };
      orders: unknown[];
    };
    const me = await api.get<Me>('/v1/me', token);
    expect(data.user.phone).toBe('+8613800000021');
    expect(data.user.memberCode).toBe(me.memberCode);
    expect(data.user.consent.acceptedVersion).toBe('2026-12-01');
    expect(data.wallet).toEqual({ vouchers: 0, ecoPoints: 0 });
    expect(data.orders).toEqual([]);
    expect(await page.textContent('[data-testid="export-done"]')).toBe(
      `已下载：${download.suggestedFilename()}`,
    );
  });

  it('deletes the account after a confirmation that says what is erased and kept, then signs out', async () => {
    const { memberCode } = await api.get<Me>('/v1/me', token);
    await page.click('[data-testid="delete-account"]');
    const confirmation = await page.textContent('[data-testid="delete-confirmation"]');
    expect(confirmation).toContain('将删除：手机号、会员码、订单中的收货信息、观看视频时的网络地址');
    expect(confirmation).toContain('以匿名编号保存');
    await page.waitForSelector('[data-testid="delete-confirm"]');
    await screenshot(page, 'consumer-delete-account');

    await page.click('[data-testid="delete-confirm"]');
    await page.waitForSelector('[data-testid="signin"]');
    expect(await page.textContent('[data-testid="account-deleted"]')).toBe(
      '账号已注销，你的个人信息已删除。',
    );
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.evaluate(() => localStorage.getItem('alliance.consumer.session'))).toBeNull();
    await expect(api.get('/v1/me', token)).rejects.toThrow(/401/);

    // The number can sign up again, as a new account that is asked for consent again.
    await submitCode(page, `${server.url}/`, '13800000021');
    await acceptPrivacyNotice(page, '[data-testid="member-code"]');
    expect(await page.$('[data-testid="account-deleted"]')).toBeNull();
    const again = await api.get<Me>('/v1/me', await tokenOf(page));
    expect(again.memberCode).not.toBe(memberCode);
  });

  it('refuses to delete the account of someone who runs a business, in words', async () => {
    const { context, page } = await phonePage(browser);
    await signInThroughUi(page, server.url, '13800000022');
    const owner = await tokenOf(page);
    const operator = await api.signIn(OPERATOR_PHONE);
    const { id } = await api.post<{ id: string }>('/v1/merchants', owner, {
      name: '小李水果店',
      category: '生鲜',
      address: '上海市徐汇区漕溪北路 1 号',
    });
    await api.post(`/v1/platform/merchants/${id}/approve`, operator);

    await page.click('a[href="/me"]');
    await page.click('[data-testid="delete-account"]');
    await page.click('[data-testid="delete-confirm"]');
    expect(await (await page.waitForSelector('[data-testid="my-data-error"]')).textContent()).toBe(
      '你是一家正在营业的商家或供应商的负责人，请先转交或关闭后再注销账号。',
    );
    expect(await api.get<Me>('/v1/me', owner)).toMatchObject({ consent: { required: false } });
    await context.close();
  });

  it('the back office asks for consent too: declining signs out, accepting opens it', async () => {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 860 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const biz = await context.newPage();
    await submitCode(biz, `${server.url}/biz/`, '13800000023');
    await biz.waitForSelector('[data-testid="privacy-notice"]');
    expect(await biz.$('.shell')).toBeNull();
    await screenshot(biz, 'biz-privacy-notice');
    await biz.click('[data-testid="privacy-decline"]');
    await biz.waitForSelector('[data-testid="signin"]');

    await submitCode(biz, `${server.url}/biz/`, '13800000023');
    await biz.click('[data-testid="privacy-accept"]');
    await biz.waitForSelector('[data-testid="no-membership"]');
    expect(await bodyText(biz)).not.toMatch(/13800000023/);
    await context.close();
  });
});
