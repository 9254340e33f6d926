import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  launchBrowser,
  OPERATOR_PHONE,
  screenshot,
  signInThroughUi,
  signInToBackOffice,
  startServer,
  type TestServer,
} from './server';

/** ADR 0017 in the apps: suspend → banner → reinstate, and a consumer's point adjustment. */
const sizes = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

async function pageOf(browser: Browser, size: { width: number; height: number }) {
  const context = await browser.newContext({
    viewport: { width: size.width, height: size.height },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return { context, page: await context.newPage() };
}

describe('suspension and consumer adjustments in the back office', () => {
  let server: TestServer;
  let browser: Browser;
  let operatorToken: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    operatorToken = await apiClient(server.url).signIn(OPERATOR_PHONE);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [i, size] of sizes.entries()) {
    it(`an operator suspends a merchant with a reason, its staff see why, the shop takes no orders, then it is reinstated (${size.name})`, async () => {
      const api = apiClient(server.url);
      const ownerPhone = `1380000021${i}`;
      const owner = await api.signIn(`+86${ownerPhone}`);
      const name = `Tea house ${size.name}`;
      const merchant = await api.post<{ id: string }>('/v1/merchants', owner, { name, category: 'Tea' });
      await api.post(`/v1/platform/merchants/${merchant.id}/approve`, operatorToken);

      const ops = await pageOf(browser, size);
      await signInToBackOffice(ops.page, server.url, OPERATOR_PHONE.slice(3));
      await ops.page.goto(`${server.url}/biz/platform/organisations`);
      await ops.page.click(`[data-testid="suspend-${merchant.id}"]`);
      await ops.page.waitForSelector('[data-testid="confirm-dialog"]');
      // The reason is required: the dialog's button waits for it.
      expect(await ops.page.isDisabled('[data-testid="confirm-yes"]')).toBe(true);
      await ops.page.fill('[data-testid="confirm-dialog"] input[name="reason"]', '营业执照过期');
      await screenshot(ops.page, `suspension-dialog-${size.name}`);
      await ops.page.click('[data-testid="confirm-yes"]');
      await ops.page.waitForSelector(`[data-testid="orgs-notice"] >> text=已暂停「${name}」`);
      await ops.page.click('[data-testid="orgs-status-suspended"]');
      await ops.page.waitForSelector(`[data-testid="reinstate-${merchant.id}"]`);
      expect(await ops.page.textContent('[data-testid="orgs"]')).toContain('营业执照过期');

      const staff = await pageOf(browser, size);
      await signInToBackOffice(staff.page, server.url, ownerPhone);
      await staff.page.goto(`${server.url}/biz/merchants/${merchant.id}/statement`);
      await staff.page.waitForSelector('[data-testid="suspended-banner"]');
      expect(await staff.page.textContent('[data-testid="suspension-reason"]')).toBe('营业执照过期');
      expect(await staff.page.textContent('[data-testid="suspended-banner"]')).toContain('不能记录门店消费');
      await screenshot(staff.page, `suspension-banner-${size.name}`);

      // What a suspension stops is greyed out, with why beside it, even with the form filled in.
      const paused = async (path: string, fill: Array<[string, string]>, button: string) => {
        await staff.page.goto(`${server.url}/biz/merchants/${merchant.id}/${path}`);
        await staff.page.waitForSelector('[data-testid="paused-while-suspended"]');
        for (const [selector, value] of fill) await staff.page.fill(selector, value);
        expect(await staff.page.isDisabled(`[data-testid="${button}"]`)).toBe(true);
      };
      const addTitle = 'form:has([data-testid="product-add"]) input[name="title"]';
      await paused(
        'sales',
        [
          ['input[name="memberCode"]', '12345678'],
          ['input[name="amount"]', '10'],
        ],
        'record-sale',
      );
      expect(await staff.page.textContent('[data-testid="paused-while-suspended"]')).toBe(
        '账户暂停期间不能进行此操作',
      );
      await screenshot(staff.page, `suspension-sales-${size.name}`);
      await paused('topups', [['input[name="amount"]', '100']], 'topup-submit');
      await paused('products', [[addTitle, '茶']], 'product-add');

      const shopper = await pageOf(browser, size);
      await signInThroughUi(shopper.page, server.url, `1380000022${i}`);
      await shopper.page.goto(`${server.url}/shop/${merchant.id}`);
      await shopper.page.waitForSelector('[data-testid="shop-closed"]');
      expect(await shopper.page.textContent('[data-testid="shop-closed"]')).toContain('不接受订单');
      await screenshot(shopper.page, `suspension-shop-${size.name}`);

      await ops.page.click(`[data-testid="reinstate-${merchant.id}"]`);
      await ops.page.click('[data-testid="confirm-yes"]');
      await ops.page.waitForSelector(`[data-testid="orgs-notice"] >> text=已恢复「${name}」`);
      await ops.page.click('[data-testid="orgs-status-active"]');
      await ops.page.click(`[data-testid="history-${merchant.id}"]`);
      await ops.page.waitForSelector('[data-testid="orgs-history"]');
      const history = await ops.page.$$eval('[data-testid="orgs-history"] tbody tr', (rows) =>
        rows.map((r) => r.textContent ?? ''),
      );
      expect(history).toHaveLength(2);
      expect(history[0]).toContain('已暂停 → 已生效');
      expect(history[1]).toContain('营业执照过期');
      expect(history.join()).toContain('+86 139****0000');
      await screenshot(ops.page, `suspension-history-${size.name}`);

      await staff.page.reload();
      await staff.page.waitForSelector('.page');
      expect(await staff.page.$('[data-testid="suspended-banner"]')).toBeNull();
      // Reinstated: adding a product is open again.
      await staff.page.fill(addTitle, '茶');
      expect(await staff.page.isDisabled('[data-testid="product-add"]')).toBe(false);
      expect(await staff.page.$('[data-testid="paused-while-suspended"]')).toBeNull();
      await Promise.all([ops.context.close(), staff.context.close(), shopper.context.close()]);
    });

    it(`a supplier signed in when it is suspended sees why on its next page, without a reload (${size.name})`, async () => {
      const api = apiClient(server.url);
      const ownerPhone = `1380000024${i}`;
      const owner = await api.signIn(`+86${ownerPhone}`);
      const supplier = await api.post<{ id: string }>('/v1/suppliers', owner, {
        name: `山野茶园 ${size.name}`,
      });
      await api.post(`/v1/platform/suppliers/${supplier.id}/approve`, operatorToken);
      const staff = await pageOf(browser, size);
      await signInToBackOffice(staff.page, server.url, ownerPhone);
      await staff.page.goto(`${server.url}/biz/suppliers/${supplier.id}`);
      await staff.page.waitForSelector('.page');
      expect(await staff.page.$('[data-testid="suspended-banner"]')).toBeNull();

      await api.post(`/v1/platform/suppliers/${supplier.id}/suspend`, operatorToken, {
        reason: '发货严重延误',
      });
      await staff.page.click(`a[href$="/suppliers/${supplier.id}/to-ship"]`);
      await staff.page.waitForSelector('[data-testid="suspended-banner"]');
      expect(await staff.page.textContent('[data-testid="suspension-reason"]')).toBe('发货严重延误');
      await screenshot(staff.page, `suspension-supplier-banner-${size.name}`);
      await staff.context.close();
    });

    it(`an operator finds a consumer by phone and adds eco-points after a confirmation (${size.name})`, async () => {
      const consumerPhone = `1380000023${i}`;
      await apiClient(server.url).signIn(`+86${consumerPhone}`);
      const ops = await pageOf(browser, size);
      await signInToBackOffice(ops.page, server.url, OPERATOR_PHONE.slice(3));
      await ops.page.goto(`${server.url}/biz/platform/adjustments`);
      await ops.page.fill('input[name="consumerPhone"]', consumerPhone);
      await ops.page.click('[data-testid="consumer-find"]');
      const found = await ops.page.waitForSelector('[data-testid="consumer-found"]');
      expect(await found.textContent()).toBe(`用户 +86 138****023${i}：消费券 0.00，环保积分 0.00`);
      await ops.page.selectOption('select[name="unit"]', 'eco_points');
      await ops.page.fill('input[name="consumerAmount"]', '12.50');
      await ops.page.fill('input[name="consumerReason"]', '扫码失败补发');
      await ops.page.click('[data-testid="consumer-adjust-submit"]');
      await ops.page.waitForSelector('[data-testid="confirm-dialog"]');
      expect(await ops.page.textContent('#confirm-title')).toBe(
        `给用户 +86 138****023${i} 增加 12.50 环保积分？`,
      );
      await screenshot(ops.page, `consumer-adjust-confirm-${size.name}`);
      await ops.page.click('[data-testid="confirm-yes"]');
      const done = await ops.page.waitForSelector('[data-testid="consumer-adjust-done"]');
      expect(await done.textContent()).toBe(`已调整用户 +86 138****023${i} 的环保积分，现余额 12.50`);
      expect(await ops.page.textContent('[data-testid="consumer-found"]')).toContain('环保积分 12.50');
      await screenshot(ops.page, `consumer-adjust-done-${size.name}`);

      // Nobody is listed: an unknown number says so in words.
      await ops.page.fill('input[name="consumerPhone"]', '13000000999');
      await ops.page.click('[data-testid="consumer-find"]');
      await ops.page.waitForSelector('.alert-error >> text=没有使用这个手机号的用户');
      await ops.context.close();
    });
  }
});
