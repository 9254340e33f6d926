import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  launchBrowser,
  OPERATOR_PHONE,
  screenshot,
  signInToBackOffice,
  startServer,
  type TestServer,
} from './server';

/**
 * The back office end to end, in one server: a merchant applies and an operator approves (issue 4),
 * the merchant tops up through the hosted checkout (issue 4), records an in-store sale that the
 * consumer confirms (issue 5), and a supplier ships a drop-ship order that the merchant's statement
 * then settles (issue 7). Each step builds on the previous one, so they run in order.
 */
async function desktopPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return { context, page: await context.newPage() };
}

const text = async (page: Page, testId: string) =>
  ((await page.textContent(`[data-testid="${testId}"]`)) ?? '').trim();

describe('back office flows (issues 4, 5 and 7)', () => {
  let server: TestServer;
  let browser: Browser;
  let api: ReturnType<typeof apiClient>;
  let merchant: Page;
  let operator: Page;
  let merchantId = '';
  let operatorToken = '';
  let merchantToken = '';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    api = apiClient(server.url);
    merchant = (await desktopPage(browser)).page;
    operator = (await desktopPage(browser)).page;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('issue 4: a merchant applies, sees it pending; an operator approves; the merchant sees the dashboard', async () => {
    await signInToBackOffice(merchant, server.url, '13800000101');
    await merchant.waitForSelector('[data-testid="no-membership"]');
    await merchant.fill('input[name="name"]', '老街面馆');
    await merchant.selectOption('select[name="category"]', 'food');
    await merchant.fill('input[name="address"]', '杭州市西湖区文三路 88 号');
    await merchant.fill('input[name="contact"]', '王老板 13800000101');
    await merchant.click('[data-testid="apply-submit"]');
    await merchant.waitForSelector('[data-testid="apply-done"]');
    await merchant.click('[data-testid="apply-done"] a');
    await merchant.waitForSelector('[data-testid="application-status"]');
    expect(await text(merchant, 'application-status')).toContain('审核中');
    merchantId = /\/biz\/merchants\/([^/]+)/.exec(merchant.url())![1]!;
    await screenshot(merchant, 'biz-merchant-pending');

    await signInToBackOffice(operator, server.url, OPERATOR_PHONE.slice(3));
    // The operator lands on the reconciliation dashboard; applications are in the navigation.
    await operator.waitForSelector('[data-testid="reconciliation"]');
    await operator.click('[data-testid="sidebar-nav"] >> text=入驻审核');
    await operator.waitForSelector(`[data-testid="approve-${merchantId}"]`);
    expect(await text(operator, 'applications')).toContain('老街面馆');
    await screenshot(operator, 'biz-operator-pending-application');
    await operator.click(`[data-testid="approve-${merchantId}"]`);
    await operator.click('[data-testid="confirm-yes"]');
    await operator.waitForSelector('[data-testid="ops-notice"]');
    expect(await text(operator, 'ops-notice')).toContain('已通过「老街面馆」');

    // The waiting merchant's page notices the approval by itself (no reload).
    await merchant.waitForSelector('[data-testid="ad-points"]', { timeout: 15_000 });
    await merchant.waitForSelector('.topbar >> text=已生效');
    expect(await text(merchant, 'ad-points')).toBe('0.00');
    // 0.00 ad points is below the default alert of 100.00: the banner is on every merchant page.
    await merchant.waitForSelector('[data-testid="low-balance"]');
    expect(await text(merchant, 'vouchers-active')).toBe('已暂停');
    expect(await merchant.textContent('[data-testid="sidebar-nav"]')).toContain('广告积分充值');
    await screenshot(merchant, 'biz-merchant-dashboard-new');
  });

  it('issue 4: the merchant tops up 100 yuan through the hosted checkout and sees 100.00 ad points and a receipt', async () => {
    await merchant.click('[data-testid="sidebar-nav"] >> text=广告积分充值');
    await merchant.waitForSelector('[data-testid="topup-submit"]');
    expect(await merchant.$('[data-testid="low-balance"]')).not.toBeNull();
    await merchant.fill('input[name="amount"]', '100');
    await Promise.all([merchant.waitForURL(/\/checkout\//), merchant.click('[data-testid="topup-submit"]')]);
    await merchant.waitForSelector('#pay');
    await screenshot(merchant, 'biz-topup-checkout');
    await Promise.all([
      merchant.waitForURL(/\/biz\/merchants\/.+\/topups\/.+checkout=success/),
      merchant.click('#pay'),
    ]);

    await merchant.waitForSelector('[data-testid="topup-paid"]');
    expect(await text(merchant, 'topup-paid')).toContain('¥100.00');
    await merchant.waitForFunction(() =>
      document.querySelector('[data-testid="balance"]')?.textContent?.startsWith('100.00'),
    );
    await merchant.waitForSelector('[data-testid="receipt"]');
    expect(await text(merchant, 'receipt-amount')).toBe('¥100.00');
    expect(await text(merchant, 'receipt-number')).not.toBe('');
    // 100.00 is not below the 100.00 alert: the banner is gone.
    expect(await merchant.$('[data-testid="low-balance"]')).toBeNull();
    expect(await text(merchant, 'topups-table')).toContain('已支付');
    await screenshot(merchant, 'biz-topup-paid-receipt');

    merchantToken = JSON.parse(
      (await merchant.evaluate(() => localStorage.getItem('alliance.biz.session')))!,
    ).token;
    const m = await api.get<{ adPoints: number; lowBalance: boolean }>(
      `/v1/merchants/${merchantId}`,
      merchantToken,
    );
    expect(m.adPoints).toBe(10000);

    // The history shows the credit from the ledger.
    await merchant.click('[data-testid="sidebar-nav"] >> text=积分明细');
    await merchant.waitForSelector('[data-testid="points-table"]');
    expect(await text(merchant, 'points-table')).toContain('+100.00');
  });

  it('issue 5: the merchant records a sale by member code, the consumer confirms, both see new balances', async () => {
    const consumerToken = await api.signIn('+8613800000201');
    const me = await api.get<{ memberCode: string }>('/v1/me', consumerToken);

    await merchant.click('[data-testid="sidebar-nav"] >> text=门店收款');
    await merchant.waitForSelector('[data-testid="record-sale"]');
    // A member code nobody has is refused in words.
    await merchant.fill('input[name="memberCode"]', 'ZZZZZZZZ');
    await merchant.fill('input[name="amount"]', '100.00');
    await merchant.click('[data-testid="record-sale"]');
    await merchant.waitForSelector('.alert-error');
    expect(await merchant.textContent('.alert-error')).toMatch(/会员码|输入有误/);

    await merchant.fill('input[name="memberCode"]', me.memberCode);
    await merchant.fill('input[name="amount"]', '100.00');
    await merchant.click('[data-testid="record-sale"]');
    await merchant.waitForSelector('[data-testid="sale-status"][data-status="awaiting_confirmation"]');
    expect(await text(merchant, 'sale-status')).toContain('¥100.00');
    expect(await text(merchant, 'sale-status')).toContain('100.00 广告券');
    expect(await text(merchant, 'sale-status')).toContain('15.00 广告积分');
    await screenshot(merchant, 'biz-sale-awaiting');

    const pending = await api.get<{ data: Array<{ id: string; amount: number }> }>(
      '/v1/sales/pending',
      consumerToken,
    );
    expect(pending.data).toHaveLength(1);
    const confirmed = await api.post<{ status: string; vouchersIssued: number; adPointsCharged: number }>(
      `/v1/sales/${pending.data[0]!.id}/confirm`,
      consumerToken,
    );
    expect(confirmed).toMatchObject({ status: 'completed', vouchersIssued: 10000, adPointsCharged: 1500 });

    // The page picks up the confirmation by itself and shows the merchant's new balance.
    await merchant.waitForSelector('[data-testid="sale-status"][data-status="completed"]', {
      timeout: 15_000,
    });
    await merchant.waitForFunction(() =>
      document.querySelector('[data-testid="sale-status"]')?.textContent?.includes('85.00'),
    );
    // 85.00 is below the 100.00 alert: the low-balance banner is back.
    await merchant.waitForSelector('[data-testid="low-balance"]');
    expect(await text(merchant, 'sales-table')).toContain('已完成');
    await screenshot(merchant, 'biz-sale-completed');

    const wallet = await api.get<{ vouchers: number }>('/v1/wallet', consumerToken);
    expect(wallet.vouchers).toBe(10000);
    // A partial refund of 50 yuan claws back half the vouchers and returns half the ad points.
    await merchant.click('[data-testid="sales-table"] button:has-text("退款")');
    await merchant.fill('input[name="refundAmount"]', '50');
    await merchant.click('button:has-text("确认退款")');
    await merchant.click('[data-testid="confirm-yes"]');
    await merchant.waitForSelector('.alert-ok');
    expect(await merchant.textContent('.alert-ok')).toContain(
      '已退款 ¥50.00，收回广告券 50.00，返还广告积分 7.50',
    );
    await merchant.waitForSelector('[data-testid="sales-table"] >> text=¥50.00');
    expect((await api.get<{ vouchers: number }>('/v1/wallet', consumerToken)).vouchers).toBe(5000);

    await merchant.click('[data-testid="sidebar-nav"] >> text=经营概览');
    await merchant.waitForSelector('[data-testid="ad-points"]');
    expect(await text(merchant, 'ad-points')).toBe('92.50');
    await screenshot(merchant, 'biz-merchant-dashboard-low-balance');
  });

  it('issue 7: a supplier ships a drop-ship order and the merchant statement shows the settlement', async () => {
    operatorToken = await api.signIn(OPERATOR_PHONE);
    // The supplier applies in the back office and an operator approves it there.
    const supplierPage = (await desktopPage(browser)).page;
    await signInToBackOffice(supplierPage, server.url, '13800000301');
    await supplierPage.click('[data-testid="apply-supplier"]');
    await supplierPage.fill('input[name="name"]', '江南茶厂');
    await supplierPage.fill('input[name="address"]', '浙江省安吉县溪龙乡');
    await supplierPage.fill('input[name="contact"]', '李经理 13800000301');
    await supplierPage.click('[data-testid="apply-submit"]');
    await supplierPage.click('[data-testid="apply-done"] a');
    await supplierPage.waitForSelector('[data-testid="application-status"] >> text=审核中');
    const supplierId = /\/biz\/suppliers\/([^/?]+)/.exec(supplierPage.url())![1]!;
    await operator.click('[data-testid="sidebar-nav"] >> text=入驻审核');
    await operator.click('[data-testid="tab-suppliers"]');
    await operator.click('.segmented >> text=待审核');
    await operator.click(`[data-testid="approve-${supplierId}"]`);
    await operator.click('[data-testid="confirm-yes"]');
    await operator.waitForSelector('[data-testid="ops-notice"] >> text=已通过「江南茶厂」');
    // The waiting supplier's page moves on to its catalog by itself.
    await supplierPage.waitForSelector('input[name="wholesalePrice"]', { timeout: 15_000 });

    // The supplier publishes a product in its catalog page: wholesale 80 yuan, 10 in stock.
    await supplierPage.fill('input[name="title"]', '安吉白茶 250g');
    await supplierPage.fill('input[name="wholesalePrice"]', '80');
    await supplierPage.fill('input[name="stock"]', '10');
    await supplierPage.click('button[type="submit"]');
    await supplierPage.waitForSelector('[data-testid="supplier-products"] >> text=安吉白茶 250g');
    expect(await text(supplierPage, 'supplier-products')).toContain('¥80.00');
    await screenshot(supplierPage, 'biz-supplier-catalog');

    // The merchant lists it: below wholesale is refused in words, then 100 yuan is accepted.
    await merchant.click('[data-testid="sidebar-nav"] >> text=供应链选品');
    await merchant.waitForSelector('[data-testid="supply-table"] >> text=安吉白茶 250g');
    const products = await api.get<{ data: Array<{ id: string }> }>('/v1/supply/products', merchantToken);
    const productId = products.data[0]!.id;
    await merchant.fill(`[data-testid="price-${productId}"]`, '79.99');
    await merchant.click('[data-testid="supply-table"] button');
    await merchant.waitForSelector('.alert-error');
    expect(await merchant.textContent('.alert-error')).toContain('售价不能低于供应商批发价');
    await screenshot(merchant, 'biz-supply-below-wholesale');
    await merchant.fill(`[data-testid="price-${productId}"]`, '100');
    await merchant.click('[data-testid="supply-table"] button');
    await merchant.waitForSelector('[data-testid="supply-table"] >> text=已上架');

    // A consumer buys it online and pays on the hosted checkout page.
    const consumerToken = await api.signIn('+8613800000202');
    const listings = await api.get<{ data: Array<{ id: string; supplierProductId: string | null }> }>(
      `/v1/merchants/${merchantId}/listings`,
      merchantToken,
    );
    const listing = listings.data.find((l) => l.supplierProductId === productId)!;
    const order = await api.post<{ id: string; checkoutUrl: string }>('/v1/orders', consumerToken, {
      merchantId,
      items: [{ listingId: listing.id, quantity: 1 }],
      shipTo: { name: '张三', phone: '+8613800000202', region: '浙江省杭州市', address: '西湖区文一路 1 号' },
    });
    const buyer = await (await browser.newContext()).newPage();
    await buyer.goto(order.checkoutUrl);
    await Promise.all([buyer.waitForURL((u) => !u.pathname.startsWith('/checkout/')), buyer.click('#pay')]);

    // The supplier ships it from the to-ship queue.
    await supplierPage.click('[data-testid="sidebar-nav"] >> text=待发货');
    await supplierPage.waitForSelector(
      `[data-testid="to-ship"] >> text=${order.id.slice(-8).toUpperCase()}`,
      { timeout: 15_000 },
    );
    expect(await text(supplierPage, 'to-ship')).toContain('张三');
    await supplierPage.click('[data-testid="to-ship"] button');
    await supplierPage.fill('input[name="carrier"]', '顺丰速运');
    await supplierPage.fill('input[name="trackingNumber"]', 'SF1234567890');
    await screenshot(supplierPage, 'biz-supplier-to-ship');
    await supplierPage.click('[data-testid="confirm-ship"]');
    await supplierPage.waitForSelector('[data-testid="shipped-ok"]');
    await supplierPage.click('[data-testid="sidebar-nav"] >> text=已发货');
    await supplierPage.waitForSelector('[data-testid="shipped"] >> text=SF1234567890');
    await supplierPage.click('[data-testid="sidebar-nav"] >> text=应付与结算');
    await supplierPage.waitForSelector('[data-testid="payable"]');
    expect(await text(supplierPage, 'payable')).toBe('¥80.00');
    await screenshot(supplierPage, 'biz-supplier-payable');
    await supplierPage.setViewportSize({ width: 390, height: 844 });
    await screenshot(supplierPage, 'biz-supplier-payable-phone');
    expect(await supplierPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await supplierPage.setViewportSize({ width: 1440, height: 900 });

    // The merchant's statement: 100 proceeds, 80 settled to the supplier, 20 net; 100 of top-ups.
    await merchant.click('[data-testid="sidebar-nav"] >> text=对账单');
    await merchant.waitForSelector('[data-testid="statement"]');
    expect(await text(merchant, 'st-proceeds')).toBe('¥100.00');
    expect(await text(merchant, 'st-wholesale')).toBe('¥80.00');
    expect(await text(merchant, 'st-net')).toBe('¥20.00');
    expect(await text(merchant, 'st-topups')).toBe('¥100.00');
    await screenshot(merchant, 'biz-merchant-statement');

    // The statement downloads as CSV with the same figures, as decimal text.
    const [download] = await Promise.all([
      merchant.waitForEvent('download'),
      merchant.click('[data-testid="statement-csv"]'),
    ]);
    const csv = await new Promise<string>((resolve, reject) => {
      download.createReadStream().then((stream) => {
        let body = '';
        stream.on('data', (c) => {
          body += c;
        });
        stream.on('end', () => resolve(body));
        stream.on('error', reject);
      }, reject);
    });
    expect(csv).toContain('线上销售收入（元）,100.00');
    expect(csv).toContain('供应链结算（元）,80.00');
    expect(csv).toContain('净收入（元）,20.00');

    await merchant.click('[data-testid="sidebar-nav"] >> text=线上订单');
    await merchant.waitForSelector(
      `[data-testid="orders-table"] >> text=${order.id.slice(-8).toUpperCase()}`,
    );
    await merchant.waitForSelector('[data-testid="orders-table"] >> text=SF1234567890');
    expect(await text(merchant, 'orders-table')).toContain('已结算');
    await screenshot(merchant, 'biz-merchant-orders');

    // The operator runs the payout batch and records the bank transfer; the supplier sees it paid.
    await operator.click('[data-testid="sidebar-nav"] >> text=供应商打款');
    await operator.click('[data-testid="run-payouts"]');
    await operator.click('[data-testid="confirm-yes"]');
    await operator.waitForSelector('[data-testid="payouts-notice"]');
    await operator.waitForSelector('[data-testid="payouts"] >> text=¥80.00');
    // It waits for a bank transfer because the supplier has not set up its payout account.
    await operator.waitForSelector('[data-testid="payouts"] >> text=未设置');
    await screenshot(operator, 'biz-operator-payouts-waiting');
    await operator.click('[data-testid="payouts"] >> text=登记已打款');
    await operator.fill('input[name="reference"]', 'BANK-20261130-001');
    await operator.click('[data-testid="confirm-paid"]');
    // The second look, on a phone too.
    await operator.waitForSelector('[data-testid="confirm-dialog"]');
    await operator.setViewportSize({ width: 390, height: 844 });
    await screenshot(operator, 'biz-operator-payout-confirm-phone');
    await operator.setViewportSize({ width: 1440, height: 900 });
    await operator.click('[data-testid="confirm-yes"]');
    await operator.waitForSelector('[data-testid="payouts"] >> text=BANK-20261130-001');
    await screenshot(operator, 'biz-operator-payouts');
    await supplierPage.reload();
    await supplierPage.waitForSelector('[data-testid="paid-out"]');
    expect(await text(supplierPage, 'paid-out')).toBe('¥80.00');
    expect(await text(supplierPage, 'payable')).toBe('¥0.00');
    await screenshot(supplierPage, 'biz-supplier-paid-out');

    const verify = await api.get<{ ok: boolean }>('/v1/platform/ledger/verify', operatorToken);
    expect(verify.ok).toBe(true);
  });

  it('an operator rejects an application with a reason, which the applicant sees', async () => {
    const applicantToken = await api.signIn('+8613800000401');
    const applied = await api.post<{ id: string }>('/v1/merchants', applicantToken, { name: '无证小摊' });
    await operator.click('[data-testid="sidebar-nav"] >> text=入驻审核');
    await operator.click('[data-testid="tab-merchants"]');
    await operator.click(`[data-testid="reject-${applied.id}"]`);
    await operator.fill('input[name="reason"]', '缺少营业执照');
    await operator.click('button:has-text("确认驳回")');
    await operator.waitForSelector('[data-testid="ops-notice"] >> text=已驳回「无证小摊」');

    const applicant = (await desktopPage(browser)).page;
    await signInToBackOffice(applicant, server.url, '13800000401');
    await applicant.goto(`${server.url}/biz/merchants/${applied.id}`);
    await applicant.waitForSelector('[data-testid="rejection-reason"]');
    expect(await text(applicant, 'rejection-reason')).toBe('缺少营业执照');
    await screenshot(applicant, 'biz-merchant-rejected');
  });

  it('every back-office page loads from the real API without an error (tour with screenshots)', async () => {
    // Staff: the owner adds a signed-up phone as staff, then removes it.
    await api.signIn('+8613800000109');
    await merchant.click('[data-testid="sidebar-nav"] >> text=员工管理');
    await merchant.fill('input[name="phone"]', '13800000109');
    await merchant.click('button:has-text("添加")');
    await merchant.waitForSelector('text=+86 138****0109');
    await screenshot(merchant, 'biz-merchant-staff');
    merchant.once('dialog', (d) => d.accept());
    await merchant.click('button:has-text("移除")');
    await merchant.waitForFunction(() => !document.body.textContent?.includes('+86 138****0109'));

    // The operator creates a video campaign; it is listed with its budget and the daily chart.
    await operator.click('[data-testid="sidebar-nav"] >> text=激励视频');
    await operator.fill('input[name="title"]', '春季新品 30 秒');
    await operator.fill('input[name="advertiser"]', '联盟品牌部');
    await operator.fill('input[name="mediaUrl"]', 'https://cdn.example.com/spring.mp4');
    await operator.fill('input[name="durationSeconds"]', '30');
    await operator.fill('input[name="price"]', '0.50');
    await operator.fill('input[name="budget"]', '1000');
    await operator.click('button:has-text("创建")');
    await operator.waitForSelector('[data-testid="campaigns"] >> text=春季新品 30 秒');
    expect(await text(operator, 'campaigns')).toContain('¥0.00 / ¥1,000.00');
    await operator.waitForSelector('[data-testid="completions-chart"]');

    // A consumer without vouchers asks for a video: refused, and counted by reason for the operator.
    const noVouchers = await api.signIn('+8613800000501');
    await expect(api.post('/v1/ad-views', noVouchers)).rejects.toThrow(/409/);
    await operator.click('[data-testid="sidebar-nav"] >> text=拒绝统计');
    await operator.waitForSelector('[data-testid="refusals"]');
    expect(await text(operator, 'refusals')).toContain('广告券不足');

    const pages: Array<[Page, string, string]> = [
      [merchant, '商品管理', 'biz-merchant-products'],
      [merchant, '积分明细', 'biz-merchant-points'],
      [merchant, '广告积分充值', 'biz-merchant-topups'],
      [operator, '参数设置', 'biz-operator-parameters-full'],
      [operator, '激励视频', 'biz-operator-campaigns'],
      [operator, '拒绝统计', 'biz-operator-refusals'],
      [operator, '支付异常', 'biz-operator-stripe'],
      [operator, '账本校验', 'biz-operator-ledger-full'],
    ];
    for (const [page, item, shot] of pages) {
      await page.click(`[data-testid="sidebar-nav"] >> text=${item}`);
      await page.waitForSelector('.page .card');
      await page.waitForFunction(() => document.querySelectorAll('.skeleton').length === 0);
      expect(await page.$('.alert-error'), `${item} shows an error`).toBeNull();
      await screenshot(page, shot);
    }

    // The operator gives this merchant its own ad rate; the merchant's dashboard shows it.
    await operator.click('[data-testid="sidebar-nav"] >> text=入驻审核');
    await operator.click('[data-testid="tab-merchants"]');
    await operator.click('.segmented >> text=已生效');
    await operator.waitForSelector('[data-testid="applications"] >> text=老街面馆');
    await operator.click('[data-testid="applications"] >> text=调整费率');
    await operator.fill('input[name="adRate"]', '12.50');
    await operator.click('button:has-text("保存")');
    await operator.click('[data-testid="confirm-yes"]');
    await operator.waitForSelector('[data-testid="ops-notice"] >> text=已更新「老街面馆」的广告费率');
    await operator.waitForSelector('[data-testid="applications"] >> text=12.50%');
    await screenshot(operator, 'biz-operator-merchants-ad-rate');

    // The whole merchant workspace in English: navigation, figures and the low-balance banner.
    await merchant.click('[data-testid="lang-switch"]');
    await merchant.click('[data-testid="sidebar-nav"] >> text=Overview');
    await merchant.waitForSelector('text=Ad points balance');
    expect(await text(merchant, 'low-balance')).toContain('Ad points are running low');
    // 100.00 topped up − 15.00 (in-store sale) + 7.50 (its half refund) − 15.00 (the online order).
    expect(await text(merchant, 'ad-points')).toBe('77.50');
    // The workspace re-reads the merchant on the page change; the new rate shows once that answer is in.
    await merchant.waitForSelector('.page >> text=12.50%');
    await screenshot(merchant, 'biz-merchant-dashboard-en');
  });
});
