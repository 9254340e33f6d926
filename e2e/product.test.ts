import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  launchBrowser,
  OPERATOR_PHONE,
  phonePage,
  screenshot,
  signInThroughUi,
  startServer,
  type TestServer,
} from './server';

/** A desktop-sized page (1440×900), zh-CN, in a fresh context. */
async function desktopPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return { context, page: await context.newPage() };
}

/**
 * What merchants and consumers hit in their first hour (issue 15), on a phone and a desktop,
 * against one real server for the file: the scene is set through the API, people only click.
 */
describe('first hour (issue 15)', () => {
  let server: TestServer;
  let browser: Browser;
  let api: ReturnType<typeof apiClient>;
  let operator: string;
  let owner: string;
  let merchantId: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    api = apiClient(server.url);
    [operator, owner] = await Promise.all([api.signIn(OPERATOR_PHONE), api.signIn('+8613800000300')]);
    ({ id: merchantId } = await api.post<{ id: string }>('/v1/merchants', owner, {
      name: '街角咖啡',
      category: '餐饮',
      address: '上海市徐汇区衡山路 8 号',
    }));
    await api.post(`/v1/platform/merchants/${merchantId}/approve`, operator);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('tells the consumer before paying that the vouchers are paused; Cancel keeps the cart; the paid order says why none', async () => {
    // The merchant holds no ad points: its vouchers cannot be covered.
    await api.post(`/v1/merchants/${merchantId}/listings`, owner, {
      title: '手冲咖啡豆 1kg',
      price: 36_000,
      stock: 5,
      ships: false,
    });
    for (const open of [phonePage, desktopPage]) {
      const { context, page } = await open(browser);
      const wide = open === desktopPage;
      await signInThroughUi(page, server.url, wide ? '13800000302' : '13800000301');
      await page.goto(`${server.url}/shop/${merchantId}`);
      await page.click('[data-testid="add-to-cart"]');
      const quote = await page.waitForSelector('[data-testid="voucher-quote"]');
      expect(await quote.getAttribute('data-paused')).toBe('yes');
      expect(await quote.textContent()).toContain('本单付款后不会获得广告券');
      await screenshot(page, `product-shop-paused-${wide ? 'desktop' : 'phone'}`);

      await page.click('[data-testid="cart-link"]');
      await page.waitForSelector('[data-testid="cart-line"]');
      expect(await page.getAttribute('[data-testid="voucher-quote"]', 'data-paused')).toBe('yes');
      await screenshot(page, `product-cart-paused-${wide ? 'desktop' : 'phone'}`);

      // Cancel on the checkout page: back on the order, and the cart is still there.
      await page.click('[data-testid="pay"]');
      await page.click('#cancel');
      await page.waitForURL(/checkout=cancelled/);
      await page.goto(`${server.url}/cart`);
      await page.waitForSelector('[data-testid="cart-line"]');

      await page.click('[data-testid="pay"]');
      await page.click('#pay');
      const outcome = await page.waitForSelector('[data-testid="order-vouchers"]');
      expect(await outcome.textContent()).toBe('本单未获得广告券：商家广告点数不足');
      await screenshot(page, `product-order-no-vouchers-${wide ? 'desktop' : 'phone'}`);
      // Paid: the cart is empty now.
      expect(await page.evaluate(() => localStorage.getItem('alliance.consumer.cart'))).toBeNull();
      await context.close();
    }

    // After a top-up the same cart says how many vouchers it earns, and the order says it got them.
    const topup = await api.post<{ checkoutUrl: string }>(`/v1/merchants/${merchantId}/topups`, owner, {
      amount: 100_000,
    });
    await fetch(`${topup.checkoutUrl}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'method=card',
      redirect: 'manual',
    });
    const { context, page } = await phonePage(browser);
    await signInThroughUi(page, server.url, '13800000303');
    await page.goto(`${server.url}/shop/${merchantId}`);
    await page.click('[data-testid="add-to-cart"]');
    await page.waitForSelector('[data-testid="voucher-quote"][data-paused="no"]');
    expect(await page.textContent('[data-testid="voucher-quote"]')).toBe('本单可得 360.00 广告券');
    await page.click('[data-testid="cart-link"]');
    await page.click('[data-testid="pay"]');
    await page.click('#pay');
    const outcome = await page.waitForSelector('[data-testid="order-vouchers"]');
    expect(await outcome.textContent()).toBe('本单获得 360.00 广告券');
    await screenshot(page, 'product-order-vouchers-phone');
    await context.close();
  });
});
