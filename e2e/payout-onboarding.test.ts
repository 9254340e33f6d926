import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  launchBrowser,
  OPERATOR_PHONE,
  phonePage,
  screenshot,
  signInToBackOffice,
  startServer,
  type TestServer,
} from './server';

/**
 * A merchant owner sets up the payout account (ADR 0016): the payouts page says "未设置", the
 * button opens the fake Stripe's hosted onboarding form under /_stripe/, "complete" sends the owner
 * back and the page then says "可收款". Phone first, then a desktop window and the English page.
 */
const text = async (page: Page, testId: string) =>
  ((await page.textContent(`[data-testid="${testId}"]`)) ?? '').trim();

describe('payout account onboarding on the fake Stripe', () => {
  let server: TestServer;
  let browser: Browser;
  let merchantId = '';
  let staffPage: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    const api = apiClient(server.url);
    // The staff member signs in once so that the owner can add them by phone.
    const [operator, owner] = await Promise.all([
      api.signIn(OPERATOR_PHONE),
      api.signIn('+8613800000301'),
      api.signIn('+8613800000302'),
    ]);
    ({ id: merchantId } = await api.post<{ id: string }>('/v1/merchants', owner, {
      name: '巷口茶铺',
      category: '餐饮',
      address: '杭州市上城区河坊街 12 号',
    }));
    await api.post(`/v1/platform/merchants/${merchantId}/approve`, operator);
    await api.post(`/v1/merchants/${merchantId}/staff`, owner, { phone: '+8613800000302' });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the owner on a phone: 未设置 → Stripe form, later → 资料待完善 → continue, complete → 可收款', async () => {
    const { page } = await phonePage(browser);
    await signInToBackOffice(page, server.url, '13800000301');
    await page.goto(`${server.url}/biz/merchants/${merchantId}/payouts`);
    await page.waitForSelector('[data-testid="payout-account-status"]');
    expect(await text(page, 'payout-account-status')).toBe('未设置');
    expect(await text(page, 'payout-account-next')).toContain('银行转账');
    expect(await text(page, 'onboarding-start')).toBe('设置收款账户');
    await screenshot(page, 'payout-account-none-390');

    await page.click('[data-testid="onboarding-start"]');
    await page.waitForURL(/\/_stripe\/connect\/onboarding\//);
    await page.waitForSelector('#complete');
    expect(await page.textContent('#onboarding-title')).toContain('设置收款账户');
    await screenshot(page, 'payout-account-stripe-form-390');

    // Left for later: back on the payouts page, the account exists but cannot be paid yet.
    await page.click('#later');
    await page.waitForSelector('[data-testid="onboarding-returned"]');
    expect(await text(page, 'payout-account-status')).toBe('资料待完善');
    expect(await text(page, 'onboarding-start')).toBe('继续完善资料');
    await screenshot(page, 'payout-account-incomplete-390');

    await page.click('[data-testid="onboarding-start"]');
    await page.waitForURL(/\/_stripe\/connect\/onboarding\//);
    await page.click('#complete');
    await page.waitForURL(/\/biz\/merchants\/.+\/payouts/);
    await page.waitForSelector('[data-testid="onboarding-returned"]');
    expect(await text(page, 'payout-account-status')).toBe('可收款');
    expect(await text(page, 'payout-account-next')).toContain('直接转入该账户');
    // The return address is cleaned up, so a reload does not ask Stripe again.
    await page.waitForURL((url) => !url.search.includes('onboarding'));
    await screenshot(page, 'payout-account-enabled-390');
  });

  it('a used link sends the owner to a fresh one; staff see the status but no button', async () => {
    const { page } = await phonePage(browser);
    await signInToBackOffice(page, server.url, '13800000301');
    // Stripe's refresh_url: the page makes a new link and goes straight to it.
    await page.goto(`${server.url}/biz/merchants/${merchantId}/payouts?onboarding=refresh`);
    await page.waitForURL(/\/_stripe\/connect\/onboarding\//);
    await page.waitForSelector('#onboarding-status');
    expect(await page.textContent('#onboarding-status')).toContain('资料已提交');

    staffPage = (await phonePage(browser)).page;
    await signInToBackOffice(staffPage, server.url, '13800000302');
    await staffPage.goto(`${server.url}/biz/merchants/${merchantId}/payouts`);
    await staffPage.waitForSelector('[data-testid="payout-account-status"]');
    expect(await text(staffPage, 'payout-account-status')).toBe('可收款');
    expect(await staffPage.$('[data-testid="onboarding-start"]')).toBeNull();
  });

  it('on a desktop, in both languages', async () => {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    await signInToBackOffice(page, server.url, '13800000301');
    await page.goto(`${server.url}/biz/merchants/${merchantId}/payouts`);
    await page.waitForSelector('[data-testid="payout-account-status"]');
    expect(await text(page, 'payout-account-status')).toBe('可收款');
    await screenshot(page, 'payout-account-enabled-1440');
    await page.evaluate(() => localStorage.setItem('alliance.locale', 'en'));
    await page.reload();
    await page.waitForSelector('[data-testid="payout-account-status"]');
    expect(await text(page, 'payout-account-status')).toBe('Ready for payouts');
    expect(await text(page, 'onboarding-start')).toBe('View or change details');
    await screenshot(page, 'payout-account-enabled-1440-en');
    await context.close();
  });
});
