import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  launchBrowser,
  OPERATOR_PHONE,
  pickDate,
  screenshot,
  signInToBackOffice,
  startServer,
  type TestServer,
} from './server';

/** A desktop page (the back office is a desktop app), zh-CN, in a fresh context. */
async function desktopPage(browser: Browser) {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return { context, page: await context.newPage() };
}

describe('back office: sign-in and navigation by role (issue 2)', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an operator signs in with the dev SMS code and sees the platform navigation, in Chinese then English', async () => {
    const { context, page } = await desktopPage(browser);
    await page.goto(`${server.url}/biz/`);
    await page.waitForSelector('[data-testid="signin"]');
    expect(await page.textContent('.signin-box h2')).toBe('登录商家后台');
    await screenshot(page, 'biz-signin');

    await signInToBackOffice(page, server.url, OPERATOR_PHONE.slice(3));
    await page.waitForSelector('[data-testid="sidebar-nav"] >> text=入驻审核');
    expect(new URL(page.url()).pathname).toBe('/biz/platform');
    const nav = await page.textContent('[data-testid="sidebar-nav"]');
    for (const item of [
      '经营与对账',
      '入驻审核',
      '参数设置',
      '激励视频',
      '拒绝统计',
      '账本校验',
      '支付异常',
      '供应商打款',
    ]) {
      expect(nav).toContain(item);
    }
    expect(nav).not.toContain('广告积分充值');
    // The operator lands on the reconciliation dashboard; applications are one click away.
    await page.waitForSelector('[data-testid="reconciliation"]');
    await page.click('[data-testid="sidebar-nav"] >> text=入驻审核');
    await page.waitForSelector('[data-testid="applications"], .empty');
    await screenshot(page, 'biz-operator-applications');

    // The parameters page reads the real values in force (defaults on a fresh database).
    await page.click('[data-testid="sidebar-nav"] >> text=参数设置');
    await page.waitForSelector('[data-testid="parameters"]');
    const params = await page.textContent('[data-testid="parameters"]');
    expect(params).toContain('商户广告费率');
    expect(params).toContain('15.00%');
    await screenshot(page, 'biz-operator-parameters');

    // A change scheduled for tomorrow 09:00 Beijing time, picked in Chinese (no mm/dd/yyyy), reaches
    // the API as 01:00 UTC after the confirmation.
    const tomorrow = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
      Date.now() + 86_400_000,
    );
    expect(await page.locator('input[type="date"], input[type="datetime-local"]').count()).toBe(0);
    await page.selectOption('select[name="name"]', 'deliveryAutoConfirmDays');
    await page.fill('input[name="value"]', '12');
    await pickDate(page, 'effective-date', tomorrow);
    await page.selectOption('select[name="effectiveHour"]', '9');
    expect(await page.textContent('select[name="effectiveHour"] option:checked')).toBe('09:00');
    await screenshot(page, 'biz-operator-parameter-scheduled');
    const sent = page.waitForRequest(
      (r) => r.url().endsWith('/v1/platform/parameters') && r.method() === 'POST',
    );
    await page.click('button:has-text("保存")');
    await page.click('[data-testid="confirm-yes"]');
    expect((await sent).postDataJSON()).toEqual({
      name: 'deliveryAutoConfirmDays',
      value: 12,
      effectiveFrom: `${tomorrow}T01:00:00.000Z`,
    });
    await page.waitForSelector('text=已保存');

    await page.click('[data-testid="sidebar-nav"] >> text=账本校验');
    await page.waitForSelector('[data-testid="ledger-verdict"]');
    expect(await page.textContent('[data-testid="ledger-verdict"]')).toContain('账本校验通过');
    await screenshot(page, 'biz-operator-ledger');

    // On a narrow screen the navigation is a strip of tabs above the page, still usable.
    await page.setViewportSize({ width: 420, height: 860 });
    await page.click('[data-testid="sidebar-nav"] >> text=入驻审核');
    await page.waitForSelector('[data-testid="tab-merchants"]');
    await screenshot(page, 'biz-operator-narrow');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.click('[data-testid="sidebar-nav"] >> text=账本校验');
    await page.waitForSelector('[data-testid="ledger-verdict"]');

    await page.click('[data-testid="lang-switch"]');
    await page.waitForSelector('[data-testid="sidebar-nav"] >> text=Ledger check');
    expect(await page.textContent('[data-testid="ledger-verdict"]')).toContain('The ledger checks out');
    await page.reload();
    await page.waitForSelector('[data-testid="sidebar-nav"] >> text=Applications');
    await screenshot(page, 'biz-operator-ledger-en');
    await context.close();
  });

  it('a user with no membership is offered to apply as a merchant or a supplier, and no platform pages', async () => {
    const { context, page } = await desktopPage(browser);
    await signInToBackOffice(page, server.url, '13800000077');
    await page.waitForSelector('[data-testid="no-membership"]');
    expect(new URL(page.url()).pathname).toBe('/biz/apply');
    expect(await page.textContent('[data-testid="apply-merchant"]')).toContain('我是商户');
    expect(await page.textContent('[data-testid="apply-supplier"]')).toContain('我是供应商');
    await screenshot(page, 'biz-apply-empty');

    // The platform pages are not there for a non-operator, even by typing the address.
    await page.goto(`${server.url}/biz/platform/parameters`);
    await page.waitForSelector('.notfound');
    expect(await page.$('[data-testid="parameters"]')).toBeNull();
    // And the API agrees.
    const token = await apiClient(server.url).signIn('+8613800000077');
    await expect(apiClient(server.url).get('/v1/platform/parameters', token)).rejects.toThrow(/403/);
    await context.close();
  });
});
