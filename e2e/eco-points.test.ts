// money.ts alone: the package index also exports Solid components, which Node cannot load.
import { formatFen, formatPoints } from '@alliance/web-shared/money';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  launchBrowser,
  OPERATOR_PHONE,
  phonePage,
  screenshot,
  signInThroughUi,
  signInToBackOffice,
  startServer,
  type TestServer,
  tokenOf,
} from './server';

/**
 * Eco-points in both apps (issue 11, SPEC flow 4), one server for the file: a consumer spends
 * eco-points in the cart (part, then all of an order), pays part of an in-store sale with them
 * while the merchant's counter shows the cash to collect, and the operator approves a merchant's
 * withdrawal and rejects a consumer's. Each step builds on the balances the previous one left.
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

/** Waits until the element's text contains `want` (the page re-reads from the server). */
const waitForText = (page: Page, testId: string, want: string) =>
  page.waitForFunction(
    ([id, w]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.includes(w) ?? false,
    [testId, want] as const,
  );

interface Wallet {
  vouchers: number;
  ecoPoints: number;
  ecoPointsHeld: number;
}
interface MerchantView {
  adPoints: number;
  ecoPoints: number;
  ecoPointsHeld: number;
}

describe('eco-points in the apps (issue 11)', () => {
  let server: TestServer;
  let browser: Browser;
  let api: ReturnType<typeof apiClient>;
  let operator: string;
  let owner: string;
  let merchantId: string;
  let consumer: Page;
  let consumerToken: string;
  let consumerId: string;
  let memberCode: string;

  const wallet = () => api.get<Wallet>('/v1/wallet', consumerToken);
  const merchant = () => api.get<MerchantView>(`/v1/merchants/${merchantId}`, owner);
  const grantEcoPoints = (amount: number) =>
    api.post('/v1/platform/adjustments', operator, {
      ownerType: 'consumer',
      ownerId: consumerId,
      unit: 'eco_points',
      amount,
      reason: '测试发放',
    });

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    api = apiClient(server.url);
    [operator, owner] = await Promise.all([api.signIn(OPERATOR_PHONE), api.signIn('+8613800000300')]);
    ({ id: merchantId } = await api.post<{ id: string }>('/v1/merchants', owner, {
      name: '绿叶小馆',
      category: '餐饮',
      address: '杭州市西湖区文三路 1 号',
    }));
    await api.post(`/v1/platform/merchants/${merchantId}/approve`, operator);
    // 100.00 ad points through the fake Stripe checkout, so sales issue vouchers.
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
    for (const [title, price] of [
      ['招牌套餐', 10_000],
      ['桂花糕', 2000],
    ] as const) {
      await api.post(`/v1/merchants/${merchantId}/listings`, owner, {
        title,
        price,
        stock: 20,
        ships: false,
      });
    }

    ({ page: consumer } = await phonePage(browser));
    await signInThroughUi(consumer, server.url, '13800000021');
    consumerToken = await tokenOf(consumer);
    const me = await api.get<{ memberCode: string; user: { id: string } }>('/v1/me', consumerToken);
    ({ memberCode } = me);
    consumerId = me.user.id;
    await grantEcoPoints(5000);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Puts one listing (by title) in an empty cart and opens the cart. */
  async function cartWith(title: string) {
    await consumer.goto(`${server.url}/shop/${merchantId}`);
    await consumer.waitForSelector('[data-testid="listing"]');
    await consumer.click(`[data-testid="listing"]:has-text("${title}") [data-testid="add-to-cart"]`);
    await consumer.click('[data-testid="cart-link"]');
    await consumer.waitForSelector('[data-testid="eco-toggle"]');
  }

  it('spends eco-points in the cart: 30.00 of a 100-yuan order, then a 20-yuan order paid with them whole', async () => {
    await consumer.goto(`${server.url}/`);
    await consumer.click('[data-testid="wallet-eco-link"]');
    await waitForText(consumer, 'eco-usable', '50.00');
    expect(await text(consumer, 'eco-held')).toBe('0.00');
    await waitForText(consumer, 'eco-where', '1.00 生态积分抵 ¥1.00');
    expect(await text(consumer, 'withdrawals-off')).toContain('暂未开放');
    await screenshot(consumer, 'consumer-eco-points');

    // Part: 30.00 eco-points on 100 yuan leave 70 yuan to pay and earn 70.00 vouchers.
    await cartWith('招牌套餐');
    expect(await text(consumer, 'eco-apply')).toContain('可用 50.00，本单最多 50.00');
    await consumer.click('[data-testid="eco-toggle"]');
    await consumer.fill('input[name="ecoPoints"]', '30');
    await waitForText(consumer, 'eco-cash', '¥70.00');
    expect(await text(consumer, 'eco-vouchers')).toBe('+70.00');
    expect(await text(consumer, 'pay')).toBe('去支付 ¥70.00');
    // More than the order is worth is refused before asking the server.
    await consumer.fill('input[name="ecoPoints"]', '120');
    await waitForText(consumer, 'eco-apply', '请输入 0 到 50.00 之间的数量');
    await consumer.fill('input[name="ecoPoints"]', '30');
    await waitForText(consumer, 'eco-cash', '¥70.00');
    await screenshot(consumer, 'consumer-cart-eco-partial');
    await consumer.click('[data-testid="pay"]');
    await consumer.waitForSelector('#pay');
    // Held while the order waits for its money part.
    expect(await wallet()).toMatchObject({ ecoPoints: 2000, ecoPointsHeld: 3000, vouchers: 0 });
    await consumer.click('#pay');
    await consumer.waitForSelector('[data-testid="paid-banner"]');
    expect(await wallet()).toMatchObject({ ecoPoints: 2000, ecoPointsHeld: 0, vouchers: 7000 });
    // SPEC flow 4: the merchant receives 30.00 eco-points and pays 15% of the 70 yuan: 10.50 ad points.
    expect(await merchant()).toMatchObject({ ecoPoints: 3000, ecoPointsHeld: 0, adPoints: 10_000 - 1050 });

    // Whole: 20.00 eco-points pay a 20-yuan order at once, with no checkout page.
    await cartWith('桂花糕');
    await consumer.click('[data-testid="eco-toggle"]');
    expect(await consumer.inputValue('input[name="ecoPoints"]')).toBe('20.00');
    await waitForText(consumer, 'eco-cash', '¥0.00');
    expect(await text(consumer, 'eco-vouchers')).toBe('+0.00');
    expect(await text(consumer, 'pay')).toBe('用生态积分全额支付');
    await screenshot(consumer, 'consumer-cart-eco-full');
    await consumer.click('[data-testid="pay"]');
    await consumer.waitForSelector('[data-testid="paid-banner"]');
    expect(await text(consumer, 'status')).toBe('已支付');
    expect(await text(consumer, 'order-eco')).toContain('其中生态积分抵扣 20.00');
    expect(await text(consumer, 'order-eco')).toContain('现金支付 ¥0.00');
    expect(await wallet()).toMatchObject({ ecoPoints: 0, ecoPointsHeld: 0, vouchers: 7000 });
    expect(await merchant()).toMatchObject({ ecoPoints: 5000, adPoints: 8950 });
    await screenshot(consumer, 'consumer-order-paid-eco');
  });

  it('pays part of an in-store sale with eco-points; the counter shows the cash to collect', async () => {
    await grantEcoPoints(1500);
    const { page: counter } = await desktopPage(browser);
    await signInToBackOffice(counter, server.url, '13800000300');
    await counter.goto(`${server.url}/biz/merchants/${merchantId}/sales`);
    await counter.fill('input[name="memberCode"]', memberCode);
    await counter.fill('input[name="amount"]', '50');
    await counter.click('[data-testid="record-sale"]');
    await counter.waitForSelector('[data-testid="sale-status"][data-status="awaiting_confirmation"]');

    await consumer.goto(`${server.url}/`);
    await consumer.waitForSelector('[data-testid="pending-sale"] [data-testid="eco-toggle"]');
    await consumer.click('[data-testid="pending-sale"] [data-testid="eco-toggle"]');
    expect(await consumer.inputValue('[data-testid="pending-sale"] input[name="ecoPoints"]')).toBe('15.00');
    await waitForText(consumer, 'eco-cash', '¥35.00');
    expect(await text(consumer, 'eco-vouchers')).toBe('+35.00');
    await screenshot(consumer, 'consumer-pending-eco');
    await consumer.click('[data-testid="confirm-sale"]');
    await waitForText(consumer, 'pending-message', '请向商家支付 ¥35.00');
    expect(await text(consumer, 'pending-message')).toBe(
      '已确认：生态积分抵扣 15.00，请向商家支付 ¥35.00，获得 35.00 广告券',
    );

    // The merchant's screen notices the confirmation by itself and says what to collect.
    await counter.waitForSelector('[data-testid="cash-due"]', { timeout: 15_000 });
    expect(await text(counter, 'cash-due')).toBe('顾客用 15.00 生态积分抵扣，请收取现金 ¥35.00');
    await screenshot(counter, 'biz-sale-cash-due');
    expect(await wallet()).toMatchObject({ ecoPoints: 0, vouchers: 7000 + 3500 });
    // 15% of the 35-yuan money part: 5.25 ad points.
    expect(await merchant()).toMatchObject({ ecoPoints: 6500, adPoints: 8950 - 525 });
    await counter.context().close();
  });

  it('an operator approves a merchant withdrawal and rejects a consumer one, each after a confirmation', async () => {
    await api.post('/v1/platform/parameters', operator, { name: 'withdrawalsEnabled', value: 1 });
    await api.post('/v1/platform/parameters', operator, { name: 'withdrawalFeeBp', value: 100 });

    // Staff see the balances and the history, not the owner's actions.
    const staffPhone = '+8613800000301';
    await api.signIn(staffPhone);
    await api.post(`/v1/merchants/${merchantId}/staff`, owner, { phone: staffPhone });
    const { page: staff } = await desktopPage(browser);
    await signInToBackOffice(staff, server.url, staffPhone.slice(3));
    await staff.goto(`${server.url}/biz/merchants/${merchantId}/eco-points`);
    await waitForText(staff, 'eco-usable', '65.00');
    await staff.waitForSelector('[data-testid="eco-owner-only"]');
    await waitForText(staff, 'eco-history', '到店消费收到');
    expect(await staff.$('[data-testid="eco-topup"]')).toBeNull();
    expect(await staff.$('[data-testid="eco-withdraw"]')).toBeNull();
    await screenshot(staff, 'biz-staff-eco-points');
    await staff.context().close();

    // The merchant's owner turns 5.00 eco-points into ad points, then withdraws 40.00.
    const { page: biz } = await desktopPage(browser);
    await signInToBackOffice(biz, server.url, '13800000300');
    await biz.goto(`${server.url}/biz/merchants/${merchantId}/eco-points`);
    await waitForText(biz, 'eco-usable', '65.00');
    await biz.waitForSelector('[data-testid="eco-topup"]');
    await biz.fill('input[name="ecoTopupPoints"]', '5');
    await waitForText(biz, 'eco-topup-preview', '可兑换 5.00 广告积分');
    await biz.click('[data-testid="eco-topup-submit"]');
    expect(await text(biz, 'eco-topup-confirm')).toContain('确认用 5.00 生态积分兑换 5.00 广告积分？');
    await biz.click('[data-testid="eco-topup-yes"]');
    await biz.waitForSelector('[data-testid="eco-topup-receipt"]');
    expect(await text(biz, 'eco-topup-ad-points')).toBe('+5.00');
    await waitForText(biz, 'ad-points', formatPoints(8425 + 500));

    await biz.fill('input[name="withdrawPoints"]', '40');
    await waitForText(biz, 'eco-withdraw-preview', '手续费 0.40 生态积分，到账 ¥39.60');
    await biz.click('[data-testid="eco-withdraw-submit"]');
    await biz.click('[data-testid="eco-withdraw-yes"]');
    await biz.waitForSelector('[data-testid="eco-withdraw-done"]');
    await waitForText(biz, 'eco-usable', '20.00');
    await waitForText(biz, 'eco-held', '40.00');
    await waitForText(biz, 'eco-history', '兑换广告积分（收据');
    expect(await text(biz, 'eco-history')).toContain('到店消费收到');
    expect(await text(biz, 'eco-history')).toContain('网上订单收到');
    expect(await text(biz, 'eco-withdrawals')).toContain('待审核');
    await screenshot(biz, 'biz-merchant-eco-points');

    // A consumer with 20.00 eco-points asks for 12.00: fee 0.12, 11.88 yuan.
    await grantEcoPoints(2000);
    await consumer.goto(`${server.url}/eco-points`);
    await waitForText(consumer, 'eco-usable', '20.00');
    await consumer.fill('input[name="withdrawPoints"]', '5');
    await consumer.click('[data-testid="withdraw-submit"]');
    await waitForText(consumer, 'withdraw-form', '每次至少提现 10.00 生态积分');
    await consumer.fill('input[name="withdrawPoints"]', '12');
    await waitForText(consumer, 'withdraw-amount', formatFen(1188));
    expect(await text(consumer, 'withdraw-fee')).toBe('0.12');
    await consumer.click('[data-testid="withdraw-submit"]');
    expect(await text(consumer, 'withdraw-confirm')).toContain(
      '确认提现 12.00 生态积分？手续费 0.12，到账 ¥11.88。',
    );
    await screenshot(consumer, 'consumer-withdraw-confirm');
    await consumer.click('[data-testid="withdraw-confirm-yes"]');
    await consumer.waitForSelector('[data-testid="withdraw-done"]');
    await waitForText(consumer, 'eco-usable', '8.00');
    await waitForText(consumer, 'eco-held', '12.00');
    expect(await text(consumer, 'withdrawals')).toContain('审核中');

    const queue = await api.get<{ data: Array<{ id: string; holderType: string }> }>(
      '/v1/platform/withdrawals?status=pending',
      operator,
    );
    const ofMerchant = queue.data.find((w) => w.holderType === 'merchant')!.id;
    const ofConsumer = queue.data.find((w) => w.holderType === 'consumer')!.id;

    const { page: ops } = await desktopPage(browser);
    await signInToBackOffice(ops, server.url, OPERATOR_PHONE.slice(3));
    await ops.click('[data-testid="sidebar-nav"] >> text=提现审核');
    await ops.waitForSelector(`[data-testid="wd-approve-${ofMerchant}"]`);
    expect(await text(ops, 'payout-partner')).toContain('持牌');
    expect(await text(ops, 'withdrawal-switch')).toContain('提现开关：已开启');
    expect(await text(ops, 'wd-table')).toContain('商户「绿叶小馆」');
    await screenshot(ops, 'biz-operator-withdrawals');

    await ops.click(`[data-testid="wd-approve-${ofMerchant}"]`);
    expect(await text(ops, 'wd-confirm-text')).toContain('¥39.60');
    expect(await ops.isDisabled('[data-testid="wd-confirm"]')).toBe(true);
    await ops.fill('input[name="payoutReference"]', 'ICBC-20261202-0001');
    await screenshot(ops, 'biz-operator-withdrawal-approve');
    await ops.click('[data-testid="wd-confirm"]');
    await waitForText(ops, 'wd-notice', '已批准');

    await ops.click(`[data-testid="wd-reject-${ofConsumer}"]`);
    expect(await text(ops, 'wd-confirm-text')).toContain('12.00 生态积分将退回');
    await ops.fill('input[name="reason"]', '收款账户信息不符');
    await ops.click('[data-testid="wd-confirm"]');
    await waitForText(ops, 'wd-notice', '已驳回');
    await ops.waitForSelector('[data-testid="wd-table"]', { state: 'detached' });
    await ops.click('[data-testid="wd-tab-paid"]');
    await waitForText(ops, 'wd-table', 'ICBC-20261202-0001');
    await screenshot(ops, 'biz-operator-withdrawals-paid');

    // Paid: the merchant's held points are gone; rejected: the consumer's are back.
    expect(await merchant()).toMatchObject({ ecoPoints: 2000, ecoPointsHeld: 0, adPoints: 8925 });
    expect(await wallet()).toMatchObject({ ecoPoints: 2000, ecoPointsHeld: 0 });
    const verify = await api.get<{ ok: boolean }>('/v1/platform/ledger/verify', operator);
    expect(verify.ok).toBe(true);

    await consumer.reload();
    await waitForText(consumer, 'withdrawals', '驳回原因：收款账户信息不符');
    expect(await text(consumer, 'eco-usable')).toBe('20.00');
    await screenshot(consumer, 'consumer-withdrawal-rejected');
    await biz.reload();
    await waitForText(biz, 'eco-withdrawals', '已打款');
    await waitForText(biz, 'eco-history', '提现已打款');

    // The same pages in English.
    await consumer.click('[data-testid="lang-switch"]');
    await waitForText(consumer, 'withdrawals', 'Rejected because: 收款账户信息不符');
    expect(await text(consumer, 'withdraw-form')).toContain(
      'At least 10.00 eco-points at a time; the fee is 1.00%',
    );
    await screenshot(consumer, 'consumer-eco-points-en');
    await consumer.click('[data-testid="lang-switch"]');
    await ops.click('[data-testid="lang-switch"]');
    await waitForText(ops, 'withdrawal-switch', 'Withdrawal switch: on.');
    expect(await text(ops, 'payout-partner')).toContain('licensed payment / payout partner');
    await screenshot(ops, 'biz-operator-withdrawals-en');

    // The back office on a phone.
    await biz.setViewportSize({ width: 390, height: 844 });
    await screenshot(biz, 'biz-merchant-eco-points-phone');
    await ops.setViewportSize({ width: 390, height: 844 });
    await screenshot(ops, 'biz-operator-withdrawals-phone');
  });

  it('cancels an unpaid order from its page: the held eco-points come back at once', async () => {
    const before = await wallet();
    await grantEcoPoints(1000);
    await cartWith('桂花糕');
    await consumer.click('[data-testid="eco-toggle"]');
    await consumer.fill('input[name="ecoPoints"]', '10');
    await waitForText(consumer, 'eco-cash', '¥10.00');
    await consumer.click('[data-testid="pay"]');
    await consumer.waitForSelector('#cancel');
    expect(await wallet()).toMatchObject({ ecoPoints: before.ecoPoints, ecoPointsHeld: 1000 });
    // Back from the checkout page unpaid: the order page offers to pay later or to cancel.
    await consumer.click('#cancel');
    await consumer.waitForSelector('[data-testid="order-detail"]');
    await consumer.click('button:has-text("取消订单")');
    await consumer.waitForSelector('[data-testid="cancel-ask"]');
    await screenshot(consumer, 'consumer-order-cancel-ask');
    await consumer.click('button:has-text("确定取消")');
    await waitForText(consumer, 'cancelled-notice', '订单已取消，10.00 生态积分已退回钱包');
    expect(await text(consumer, 'status')).toBe('已取消');
    expect(await consumer.locator('button:has-text("取消订单")').count()).toBe(0);
    expect(await wallet()).toMatchObject({ ecoPoints: before.ecoPoints + 1000, ecoPointsHeld: 0 });
    await screenshot(consumer, 'consumer-order-cancelled');
    await consumer.click('[data-testid="lang-switch"]');
    await waitForText(
      consumer,
      'cancelled-notice',
      'Order cancelled: 10.00 eco-points are back in your wallet',
    );
    await screenshot(consumer, 'consumer-order-cancelled-en');
    await consumer.click('[data-testid="lang-switch"]');
  });

  it('an operator applies a Stripe dashboard refund of an eco-point order as a refund, and marks another handled', async () => {
    // A 100-yuan order paid with 30.00 eco-points and 70 yuan, then 10 yuan refunded in Stripe's
    // dashboard (the embedded fake's own API, as the dashboard would): Stripe cannot say which
    // part of the order that is, so the platform leaves it for operators.
    await grantEcoPoints(3000);
    const listings = await api.get<{ data: Array<{ id: string; title: string }> }>(
      `/v1/merchants/${merchantId}/listings`,
    );
    const meal = listings.data.find((l) => l.title === '招牌套餐')!;
    const created = await api.post<{ id: string; checkoutUrl: string }>('/v1/orders', consumerToken, {
      merchantId,
      items: [{ listingId: meal.id, quantity: 1 }],
      ecoPoints: 3000,
    });
    const paid = await fetch(`${created.checkoutUrl}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'method=card',
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    const stripeUrl = /embedded fake at (http:\/\/\S+)/.exec(server.output())![1]!;
    const charges = (await (await fetch(`${stripeUrl}/v1/charges?limit=100`)).json()) as {
      data: Array<{ id: string; metadata: { order_id?: string } }>;
    };
    const charge = charges.data.find((c) => c.metadata.order_id === created.id)!;
    const dashboardRefund = (amount: number) =>
      fetch(`${stripeUrl}/v1/refunds`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `charge=${charge.id}&amount=${amount}`,
      });
    expect((await dashboardRefund(1000)).status).toBe(200);
    const before = await wallet();

    const { page: ops } = await desktopPage(browser);
    await signInToBackOffice(ops, server.url, OPERATOR_PHONE.slice(3));
    await ops.goto(`${server.url}/biz/platform/stripe`);
    await ops.waitForSelector('[data-testid="anomaly-table"] [data-testid^="anomaly-apply-"]');
    const detail = await ops.textContent('[data-testid^="anomaly-detail-"]');
    expect(detail).toBe('Stripe 累计退款 ¥10.00；其中未入账 ¥10.00；订单已退 ¥0.00');
    // biome-ignore lint/performance/useDomNodeTextContent: only the text a person can see counts
    const shown = await ops.evaluate(() => document.body.innerText);
    expect(shown).toContain('绿叶小馆');
    expect(shown).toContain('线上订单');
    expect(shown).not.toMatch(/\b[a-z]{2,}_[a-z0-9_]+\b|\bfen\b|\d{4}-\d{2}-\d{2}T/);
    await screenshot(ops, 'operator-anomalies-open');

    await ops.click('[data-testid^="anomaly-apply-"]');
    await ops.waitForSelector('[data-testid="anomaly-apply-explain"]');
    await ops.fill('[data-testid="anomaly-action"] textarea', '商户在 Stripe 后台退了 10 元');
    await screenshot(ops, 'operator-anomaly-apply');
    await ops.click('[data-testid="anomaly-confirm"]');
    // 14.28 yuan of the order has exactly 10 yuan of money in it; its 4.28 eco-points come back.
    await waitForText(
      ops,
      'anomaly-notice',
      '已按退款入账：订单 ¥14.28，其中现金 ¥10.00，退回生态积分 4.28。',
    );
    expect(await wallet()).toMatchObject({ ecoPoints: before.ecoPoints + 428 });
    await ops.waitForSelector('.empty >> text=暂无异常事件');

    // A second dashboard refund, handled another way: marked handled with a note, who and when kept.
    expect((await dashboardRefund(500)).status).toBe(200);
    await ops.reload();
    await ops.click('[data-testid^="anomaly-resolve-"]');
    expect(await ops.isDisabled('[data-testid="anomaly-confirm"]')).toBe(true);
    await ops.fill('[data-testid="anomaly-action"] textarea', '与商户核对后线下补偿');
    await ops.click('[data-testid="anomaly-confirm"]');
    await waitForText(ops, 'anomaly-notice', '已标记为已处理');
    await ops.click('[data-testid="anomaly-tab-resolved"]');
    await ops.waitForSelector('[data-testid^="anomaly-resolution-"] >> text=说明：与商户核对后线下补偿');
    const resolutions = await ops.locator('[data-testid^="anomaly-resolution-"]').allTextContents();
    expect(
      resolutions.some((r) => r.includes('已按退款入账：订单 ¥14.28（现金 ¥10.00，生态积分 4.28）')),
    ).toBe(true);
    expect(resolutions.every((r) => /139\*{4}0000 于 \d{4}\/\d{2}\/\d{2} \d{2}:\d{2} 处理/.test(r))).toBe(
      true,
    );
    await screenshot(ops, 'operator-anomalies-resolved');
    await ops.click('[data-testid="lang-switch"]');
    await ops.waitForSelector('[data-testid^="anomaly-resolution-"] >> text=Note: 与商户核对后线下补偿');
    // biome-ignore lint/performance/useDomNodeTextContent: only the text a person can see counts
    const english = await ops.evaluate(() => document.body.innerText);
    expect(english).toContain('Applied as a refund: ¥14.28 of the order (¥10.00 money, 4.28 eco-points)');
    expect(english).not.toMatch(/\b[a-z]{2,}_[a-z0-9_]+\b|\bfen\b|\d{4}-\d{2}-\d{2}T/);
    await screenshot(ops, 'operator-anomalies-resolved-en');
    await ops.context().close();
  });
});
