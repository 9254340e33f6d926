import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
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

/**
 * The reconciliation pages (issue 12): an operator lands on the dashboard, reconciles today, reads
 * the figures and the charts, opens a difference and downloads the CSV; a merchant sees the new
 * statement figures and its daily chart. One server for the file; the scene is set through the API.
 */
const WEBHOOK_SECRET = 'whsec_e2e_reconciliation';
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

async function signInBiz(browser: Browser, base: string, phone11: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: DESKTOP,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  await signInToBackOffice(page, base, phone11);
  return page;
}

const text = async (page: Page, testId: string) =>
  ((await page.textContent(`[data-testid="${testId}"]`)) ?? '').trim();

/** How many pixels of a canvas inside `selector` are close to an RGB colour: a drawn series, not just axes. */
const pixelsOf = (page: Page, selector: string, rgb: [number, number, number]) =>
  page.evaluate(
    ([sel, [r, g, b]]) => {
      let n = 0;
      for (const canvas of document.querySelectorAll<HTMLCanvasElement>(`${sel} canvas`)) {
        const ctx = canvas.getContext('2d');
        if (!ctx || canvas.width === 0) continue;
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < data.length; i += 4) {
          const near = Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) < 60;
          if (near && data[i + 3]! > 200) n++;
        }
      }
      return n;
    },
    [selector, rgb] as const,
  );

/** After a resize to a phone: the chart has followed its box (uPlot resizes on the observer's call). */
const narrowCharts = (page: Page, testId: string) =>
  page.waitForFunction(
    (id) => (document.querySelector(`[data-testid="${id}"] canvas`)?.clientWidth ?? 999) <= 390,
    testId,
  );

describe('reconciliation in the back office (issue 12)', () => {
  let server: TestServer;
  let browser: Browser;
  let api: ReturnType<typeof apiClient>;
  let owner: string;
  let operatorToken: string;
  let merchantId: string;
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startServer({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }),
      launchBrowser(),
    ]);
    api = apiClient(server.url);
    const [operator, consumer] = await Promise.all([
      api.signIn(OPERATOR_PHONE),
      api.signIn('+8613800000501'),
    ]);
    operatorToken = operator;
    owner = await api.signIn('+8613800000500');
    ({ id: merchantId } = await api.post<{ id: string }>('/v1/merchants', owner, {
      name: '对账小馆',
      category: '餐饮',
      address: '杭州市西湖区文三路 9 号',
    }));
    await api.post(`/v1/platform/merchants/${merchantId}/approve`, operator);
    // 100.00 ad points through the fake Stripe checkout: a charge Stripe lists and the ledger holds.
    const topup = await api.post<{ checkoutUrl: string }>(`/v1/merchants/${merchantId}/topups`, owner, {
      amount: 10_000,
    });
    const paid = await fetch(`${topup.checkoutUrl}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'method=card',
      redirect: 'manual',
    });
    expect(paid.status).toBeGreaterThanOrEqual(300);
    // A 50-yuan sale in store, confirmed by the consumer: vouchers issued, 7.50 ad points charged.
    const { memberCode } = await api.get<{ memberCode: string }>('/v1/me', consumer);
    const sale = await api.post<{ id: string }>(`/v1/merchants/${merchantId}/sales`, owner, {
      memberCode,
      amount: 5_000,
    });
    await api.post(`/v1/sales/${sale.id}/confirm`, consumer);
    // A correctly signed Stripe event that matches nothing: one difference in today's report.
    const payload = JSON.stringify({
      id: 'evt_e2e_stray',
      object: 'event',
      api_version: '2025-01-01',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: 'cs_e2e_unknown',
          object: 'checkout.session',
          payment_status: 'paid',
          amount_total: 100,
          currency: 'cny',
          metadata: {},
        },
      },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'checkout.session.completed',
    });
    const stamp = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', WEBHOOK_SECRET).update(`${stamp}.${payload}`).digest('hex');
    const delivered = await fetch(`${server.url}/v1/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': `t=${stamp},v1=${v1}` },
      body: payload,
    });
    expect(delivered.status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an operator lands on the dashboard, reconciles today, reads figures and charts, opens a difference and downloads the CSV', async () => {
    const page = await signInBiz(browser, server.url, OPERATOR_PHONE.slice(3));
    await page.waitForSelector('[data-testid="reconciliation"]');
    expect(new URL(page.url()).pathname).toBe('/biz/platform');
    // Yesterday has no report on a fresh server: said in words, with the way to make one.
    await page.waitForSelector('[data-testid="recon-none"]');

    await pickDate(page, 'recon-date', today);
    await page.waitForSelector('[data-testid="recon-none"]');
    await page.click('[data-testid="recon-run"]');
    expect(await text(page, 'recon-confirm-text')).toContain('确定开始吗');
    await page.click('[data-testid="recon-confirm"]');
    await page.waitForSelector('[data-testid="recon-verdict"]');
    expect(await text(page, 'recon-notice')).toContain('对账报告已生成');
    expect(await text(page, 'recon-verdict')).toContain('发现 1 处差异');

    expect(await text(page, 'recon-gmv-instore')).toBe('¥50.00');
    expect(await text(page, 'recon-gmv-online')).toBe('¥0.00');
    expect(await text(page, 'recon-topups')).toBe('¥100.00');
    expect(await text(page, 'recon-ad-bought')).toBe('100.00');
    expect(await text(page, 'recon-stripe')).toContain('¥100.00');
    const merchants = await text(page, 'recon-merchants');
    expect(merchants).toContain('对账小馆');
    expect(merchants).toContain('¥50.00');
    expect(merchants).toContain('7.50');

    // The trends now hold today's report: each chart is a canvas with its series drawn on it.
    await page.waitForSelector('[data-testid="recon-chart-gmv"] canvas');
    const charts = await page.$$('[data-testid^="recon-chart-"] canvas');
    expect(charts.length).toBeGreaterThanOrEqual(6);
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="recon-chart-gmv"] .u-legend')
        ?.textContent?.includes('门店成交额'),
    );
    expect(await pixelsOf(page, '[data-testid="recon-chart-gmv"]', [37, 99, 235])).toBeGreaterThan(4);

    // The difference opens to the facts and the page behind it, with no id on the page.
    await page.click('[data-testid="recon-diff"]');
    const detail = await text(page, 'recon-diff-detail');
    expect(detail).toContain('Stripe');
    expect(await page.$('[data-testid="recon-diff-detail"] a[href="/biz/platform/stripe"]')).not.toBeNull();
    const body = (await page.textContent('.page')) ?? '';
    expect(body).not.toMatch(/evt_|cs_e2e|mrc_|\d{4}-\d{2}-\d{2}T|stripe_event_unmatched/);
    await screenshot(page, 'biz-operator-reconciliation');

    // The CSV is the server's: BOM for Excel, Chinese headers, yuan with two decimals.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid="recon-csv"]'),
    ]);
    expect(download.suggestedFilename()).toBe(`reconciliation-${today}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('销售额（元）');
    expect(csv).toContain('对账小馆');
    expect(csv).toContain('50.00');

    // In English, the same page in English words, charts included.
    await page.click('[data-testid="lang-switch"]');
    await page.waitForSelector('[data-testid="recon-verdict"] >> text=Differences found: 1');
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="recon-chart-gmv"] .u-legend')
        ?.textContent?.includes('In-store sales'),
    );
    expect(await text(page, 'recon-gmv-instore')).toBe('¥50.00');
    await screenshot(page, 'biz-operator-reconciliation-en');
    await page.click('[data-testid="lang-switch"]');
    await page.waitForSelector('[data-testid="recon-verdict"] >> text=发现 1 处差异');

    await page.click('[data-testid="recon-days-90"]');
    await page.waitForSelector('[data-testid="recon-days-90"].active');
    await page.waitForSelector('[data-testid="recon-chart-gmv"] canvas');
    await page.setViewportSize(PHONE);
    await narrowCharts(page, 'recon-chart-gmv');
    await screenshot(page, 'biz-operator-reconciliation-phone');
    await page.context().close();
  });

  it("the payment anomaly handled since reads as handled in the day's report: who, when and the note", async () => {
    const open = await api.get<{ data: Array<{ id: string; eventId: string }> }>(
      '/v1/platform/stripe/anomalies?status=open',
      operatorToken,
    );
    const stray = open.data.find((a) => a.eventId === 'evt_e2e_stray')!;
    await api.post(`/v1/platform/stripe/anomalies/${stray.id}/resolve`, operatorToken, {
      note: '测试事件，已与 Stripe 核实',
    });
    const page = await signInBiz(browser, server.url, OPERATOR_PHONE.slice(3));
    await page.waitForSelector('[data-testid="reconciliation"]');
    await pickDate(page, 'recon-date', today);
    await page.waitForSelector('[data-testid="recon-verdict"]');
    // Still the day's record (one difference), now said to be handled.
    expect(await text(page, 'recon-verdict')).toContain('发现 1 处差异');
    expect(await text(page, 'recon-verdict')).toContain('其中 1 处已由运营处理');
    expect(await text(page, 'recon-diff')).toContain('已处理');
    await page.click('[data-testid="recon-diff"]');
    const handled = await text(page, 'recon-diff-handled');
    expect(handled).toContain('+86 139****0000');
    expect(handled).toContain('测试事件，已与 Stripe 核实');
    const body = (await page.textContent('.page')) ?? '';
    expect(body).not.toMatch(/evt_|san_|\d{4}-\d{2}-\d{2}T|stripe_event_unmatched|resolvedAt/);
    await screenshot(page, 'biz-operator-reconciliation-handled');
    await page.click('[data-testid="lang-switch"]');
    await page.waitForSelector(
      '[data-testid="recon-verdict"] >> text=1 of them handled by an operator since',
    );
    expect(await text(page, 'recon-diff-handled')).toContain('Handled by +86 139****0000');
    await screenshot(page, 'biz-operator-reconciliation-handled-en');
    await page.context().close();
  });

  it('a merchant sees the statement with in-store sales, eco-points received, the ad-point balance and a daily chart', async () => {
    const page = await signInBiz(browser, server.url, '13800000500');
    await page.goto(`${server.url}/biz/merchants/${merchantId}/statement`);
    await page.waitForSelector('[data-testid="statement"]');
    expect(await text(page, 'st-instore')).toBe('¥50.00');
    expect(await text(page, 'st-eco-received')).toBe('0.00');
    expect(await text(page, 'st-adpoints-end')).toBe('92.50');
    await page.waitForSelector('[data-testid="st-daily-chart"] canvas');
    expect(await pixelsOf(page, '[data-testid="st-daily-chart"]', [37, 99, 235])).toBeGreaterThan(4);
    await screenshot(page, 'biz-merchant-statement');
    await page.setViewportSize(PHONE);
    await narrowCharts(page, 'st-daily-chart');
    await screenshot(page, 'biz-merchant-statement-phone');
    await page.context().close();
  });

  it("dates are picked in the page's language, not the browser's: an English Chromium shows no mm/dd/yyyy on a Chinese page", async () => {
    const english = await launchBrowser({ lang: 'en-US' });
    try {
      const context = await english.newContext({
        viewport: PHONE,
        locale: 'en-US',
        timezoneId: 'Asia/Shanghai',
      });
      const page = await context.newPage();
      await signInToBackOffice(page, server.url, '13800000500');
      await page.goto(`${server.url}/biz/merchants/${merchantId}/statement`);
      await page.waitForSelector('[data-testid="statement"]');
      expect(await page.evaluate(() => navigator.language)).toBe('en-US');
      expect(await page.locator('input[type="date"]').count()).toBe(0);
      const from = page.locator('[data-testid="statement-from"]');
      // Chinese order and words: year, month, day, each named for a screen reader.
      expect(
        await from.locator('select').evaluateAll((s) => s.map((e) => e.getAttribute('aria-label'))),
      ).toEqual(['开始日期（年）', '开始日期（月）', '开始日期（日）']);
      await pickDate(page, 'statement-from', '2026-11-30');
      await pickDate(page, 'statement-to', today);
      expect(
        await from
          .locator('select')
          .evaluateAll((s) => s.map((e) => (e as HTMLSelectElement).selectedOptions[0]?.text)),
      ).toEqual(['2026年', '11月', '30日']);
      // The keyboard moves a part: ArrowUp on the day picks the one before.
      await from.locator('select[data-part="day"]').focus();
      await page.keyboard.press('ArrowUp');
      expect(await from.locator('select[data-part="day"]').inputValue()).toBe('29');
      const asked = page.waitForRequest(
        (r) => r.url().includes('/statement?') && r.url().includes('from=2026-11-29'),
      );
      await page.click('text=查询');
      expect(new URL((await asked).url()).searchParams.get('to')).toBe(today);
      const words = (await page.textContent('body')) ?? '';
      expect(words).not.toMatch(/mm\/dd\/yyyy|\d{2}\/\d{2}\/\d{4}/i);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, 'biz-statement-dates-en-browser-phone');
      await page.setViewportSize(DESKTOP);
      expect(await page.textContent('body')).not.toMatch(/mm\/dd\/yyyy|\d{2}\/\d{2}\/\d{4}/i);
      await screenshot(page, 'biz-statement-dates-en-browser-desktop');
      await page.setViewportSize(PHONE);

      // In English the same field reads day, month, year: "30 Nov 2026".
      await page.click('[data-testid="lang-switch"]');
      await page.waitForSelector('text=Show');
      expect(
        await page
          .locator('[data-testid="statement-to"] select')
          .evaluateAll((s) => s.map((e) => e.getAttribute('data-part'))),
      ).toEqual(['day', 'month', 'year']);
      expect(
        await from
          .locator('select')
          .evaluateAll((s) => s.map((e) => (e as HTMLSelectElement).selectedOptions[0]?.text)),
      ).toEqual(['29', 'Nov', '2026']);
      expect(
        await from.locator('select').evaluateAll((s) => s.map((e) => e.getAttribute('aria-label'))),
      ).toEqual(['From (Day)', 'From (Month)', 'From (Year)']);
      await screenshot(page, 'biz-statement-dates-en-phone');
      await context.close();
    } finally {
      await english.close();
    }
  });
});
