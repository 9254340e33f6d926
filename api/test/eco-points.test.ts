import { schema } from '@alliance/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../ids';
import { runSalesExpiry } from '../jobs/sales';
import { balanceOf, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { ecoPointsConservation } from '../services/eco-points';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import {
  activeMerchant,
  adPoints,
  grantEcoPoints,
  grantMerchantEcoPoints,
  signInConsumer,
  vouchers,
} from './sales-fixtures';
import { onPostgres } from './test-db';

/** SPEC flow 4 over HTTP: spending eco-points online and in store, eco-topups, withdrawals. */
const clock = testClock('2026-11-30T02:00:00Z');
let t: TestApp;
let operator: string;

beforeAll(async () => {
  t = await createTestApp({ clock, env: { AUTH_OTP_PER_IP_HOUR: '100000' } });
  operator = (await t.signIn(operatorPhone)).token;
});
afterAll(() => t.close());

type Merchant = Awaited<ReturnType<typeof activeMerchant>>;
type Consumer = Awaited<ReturnType<typeof signInConsumer>>;

const ecoOf = async (userId: string) => (await balanceOf(t.db, accounts.consumerEcoPoints(userId))).available;
const merchantEco = async (merchantId: string) =>
  (await balanceOf(t.db, accounts.merchantEcoPoints(merchantId))).available;
const proceeds = async (merchantId: string) =>
  (await balanceOf(t.db, accounts.merchantProceeds(merchantId))).posted;
const stockOf = async (listingId: string) =>
  (await t.db.select().from(schema.listings).where(eq(schema.listings.id, listingId)))[0]!.stock;

/** A parameter change from now on; the clock moves on so that later changes are distinct in time. */
async function setParameter(name: string, value: number) {
  clock.advance(1000);
  const res = await t.request('POST', '/v1/platform/parameters', { token: operator, body: { name, value } });
  expect(res.status).toBe(201);
}

async function listing(merchant: Merchant, price: number) {
  const res = await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
    token: merchant.owner.token,
    body: { title: 'Green tea', price, stock: 100, ships: false },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function order(consumer: Consumer, merchant: Merchant, listingId: string, ecoPoints?: number) {
  return t.request('POST', '/v1/orders', {
    token: consumer.token,
    body: { merchantId: merchant.id, items: [{ listingId, quantity: 1 }], ecoPoints },
  });
}

async function expectBooksHold() {
  const verified = await t.request('GET', '/v1/platform/ledger/verify', { token: operator });
  expect(verified.body.checks.find((c: { name: string }) => c.name === 'eco_points_conserved')).toMatchObject(
    {
      ok: true,
    },
  );
  expect(verified.body.ok).toBe(true);
}

/** SPEC flow 4's example: C holds 30.00 eco-points and pays 100 yuan at B with 30.00 of them and 70 yuan. */
async function flow4Setup() {
  const merchant = await activeMerchant(t, { adPoints: 10_000 });
  const consumer = await signInConsumer(t);
  await grantEcoPoints(t, consumer.id, 3000);
  return { merchant, consumer, listingId: await listing(merchant, 10_000) };
}

describe('SPEC flow 4: spending eco-points online', () => {
  it('30.00 eco-points + 70 yuan: C vouchers +70.00, eco-points 0; B eco-points +30.00, ad points -10.50', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    // The app shows the split before paying, from the server's own rules.
    const quote = await t.request(
      'GET',
      `/v1/eco-points/quote?merchantId=${merchant.id}&amount=10000&ecoPoints=3000`,
      { token: consumer.token },
    );
    expect(quote.body).toEqual({
      amount: 10_000,
      ecoPoints: 3000,
      ecoPointsValue: 3000,
      cashAmount: 7000,
      vouchers: 7000,
      ecoPointsUsable: 3000,
      ecoPointsMax: 3000,
    });
    // The most the cart may apply: all 30.00 usable here, and no more than 5.00 yuan's worth on 5 yuan.
    const small = await t.request(
      'GET',
      `/v1/eco-points/quote?merchantId=${merchant.id}&amount=500&ecoPoints=0`,
      { token: consumer.token },
    );
    expect(small.body).toMatchObject({ cashAmount: 500, ecoPointsUsable: 3000, ecoPointsMax: 500 });
    const created = await order(consumer, merchant, listingId, 3000);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'pending_payment',
      amount: 10_000,
      ecoPoints: 3000,
      cashAmount: 7000,
      checkoutSessionId: expect.any(String),
    });
    // Held, not usable, not yet the merchant's.
    const wallet = await t.request('GET', '/v1/wallet', { token: consumer.token });
    expect(wallet.body).toMatchObject({ ecoPoints: 0, ecoPointsHeld: 3000 });
    const me = await t.request('GET', '/v1/me', { token: consumer.token });
    expect(me.body.wallet).toEqual({ vouchers: 0, ecoPoints: 0, ecoPointsHeld: 3000 });
    expect(await merchantEco(merchant.id)).toBe(0);
    expect(t.fakeStripe.sessions.get(created.body.checkoutSessionId)?.amount_total).toBe(7000);
    await expectBooksHold();

    await t.fakeStripe.pay(created.body.checkoutSessionId, { method: 'alipay' });
    const paid = await t.request('GET', `/v1/orders/${created.body.id}`, { token: consumer.token });
    expect(paid.body).toMatchObject({ status: 'paid', ecoPoints: 3000, cashAmount: 7000 });
    expect(await vouchers(t, consumer.id)).toBe(7000);
    expect(await ecoOf(consumer.id)).toBe(0);
    expect((await t.request('GET', '/v1/wallet', { token: consumer.token })).body).toMatchObject({
      ecoPoints: 0,
      ecoPointsHeld: 0,
    });
    expect(await merchantEco(merchant.id)).toBe(3000);
    expect(await adPoints(t, merchant.id)).toBe(10_000 - 1050);
    expect(await proceeds(merchant.id)).toBe(7000);
    const view = await t.request('GET', `/v1/merchants/${merchant.id}`, { token: merchant.owner.token });
    expect(view.body).toMatchObject({ ecoPoints: 3000, ecoPointsHeld: 0, adPoints: 8950 });
    const sale = await t.request('GET', `/v1/sales/${paid.body.saleId}`, { token: merchant.owner.token });
    expect(sale.body).toMatchObject({ amount: 10_000, ecoPoints: 3000, cashDue: 7000, vouchersIssued: 7000 });
    const history = await t.request('GET', `/v1/merchants/${merchant.id}/eco-points/history`, {
      token: merchant.owner.token,
    });
    expect(history.body.data[0]).toMatchObject({ type: 'post', amount: 3000, balanceAfter: 3000 });
    await expectBooksHold();
  });

  it('a webhook whose amount is the whole amount, not the money part, credits nothing', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 3000);
    const session = t.fakeStripe.sessions.get(created.body.checkoutSessionId)!;
    session.amount_total = 10_000;
    await t.fakeStripe.pay(created.body.checkoutSessionId, { method: 'alipay' });
    const after = await t.request('GET', `/v1/orders/${created.body.id}`, { token: consumer.token });
    expect(after.body.status).toBe('pending_payment');
    expect(await merchantEco(merchant.id)).toBe(0);
    expect(await vouchers(t, consumer.id)).toBe(0);
  });

  it('an order the eco-points cover whole is paid at once, with no checkout; a full refund returns them all', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    await grantEcoPoints(t, consumer.id, 5000);
    const listingId = await listing(merchant, 5000);
    const sessionsBefore = t.fakeStripe.sessions.size;
    const created = await order(consumer, merchant, listingId, 5000);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'paid',
      amount: 5000,
      ecoPoints: 5000,
      cashAmount: 0,
      checkoutSessionId: null,
      checkoutUrl: null,
    });
    expect(t.fakeStripe.sessions.size).toBe(sessionsBefore);
    expect(await ecoOf(consumer.id)).toBe(0);
    expect(await merchantEco(merchant.id)).toBe(5000);
    // The eco-point part earns nothing: no vouchers, no ad-point charge.
    expect(await vouchers(t, consumer.id)).toBe(0);
    expect(await adPoints(t, merchant.id)).toBe(10_000);

    const refund = await t.request('POST', `/v1/orders/${created.body.id}/refund`, {
      token: merchant.owner.token,
      body: { amount: 5000 },
    });
    expect(refund.status).toBe(200);
    expect(refund.body).toEqual({
      id: expect.stringMatching(/^rfd_/),
      refunded: 5000,
      vouchersClawedBack: 0,
      adPointsReturned: 0,
      ecoPointsReturned: 5000,
      cashRefunded: 0,
    });
    expect(await ecoOf(consumer.id)).toBe(5000);
    expect(await merchantEco(merchant.id)).toBe(0);
    expect(await proceeds(merchant.id)).toBe(0);
    await expectBooksHold();
  });

  it('partial refunds return eco-points and money in proportion (floor), adding up to the whole', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 3000);
    await t.fakeStripe.pay(created.body.checkoutSessionId, { method: 'alipay' });
    const path = `/v1/orders/${created.body.id}/refund`;
    // 33.33 yuan: eco-points floor(3000 x 3333 / 10000) = 9.99, money 3333 - 999 = 2334 fen;
    // vouchers floor(7000 x 3333 / 10000) = 23.33, ad points floor(1050 x 2333 / 7000) = 3.49.
    const first = await t.request('POST', path, { token: merchant.owner.token, body: { amount: 3333 } });
    expect(first.body).toEqual({
      id: expect.stringMatching(/^rfd_/),
      refunded: 3333,
      vouchersClawedBack: 2333,
      adPointsReturned: 349,
      ecoPointsReturned: 999,
      cashRefunded: 2334,
    });
    expect(await ecoOf(consumer.id)).toBe(999);
    expect(await merchantEco(merchant.id)).toBe(2001);
    const rest = await t.request('POST', path, { token: merchant.owner.token, body: { amount: 6667 } });
    expect(rest.body).toEqual({
      id: expect.stringMatching(/^rfd_/),
      refunded: 6667,
      vouchersClawedBack: 4667,
      adPointsReturned: 701,
      ecoPointsReturned: 2001,
      cashRefunded: 4666,
    });
    const charge = [...t.fakeStripe.charges.values()].find((c) => c.metadata?.order_id === created.body.id)!;
    expect(charge.amount_refunded).toBe(7000);
    expect(await ecoOf(consumer.id)).toBe(3000);
    expect(await merchantEco(merchant.id)).toBe(0);
    expect(await vouchers(t, consumer.id)).toBe(0);
    expect(await adPoints(t, merchant.id)).toBe(10_000);
    expect(await proceeds(merchant.id)).toBe(0);
    await expectBooksHold();
  });

  it('a refund made in the Stripe dashboard is left for operators, even after a back-office refund whose eco-points exceed it', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 3000);
    await t.fakeStripe.pay(created.body.checkoutSessionId, { method: 'alipay' });
    // 50 yuan from the back office: 15.00 eco-points and 35 yuan of money back.
    const refund = await t.request('POST', `/v1/orders/${created.body.id}/refund`, {
      token: merchant.owner.token,
      body: { amount: 5000 },
    });
    expect(refund.body).toMatchObject({ ecoPointsReturned: 1500, cashRefunded: 3500 });
    const charge = [...t.fakeStripe.charges.values()].find((c) => c.metadata?.order_id === created.body.id)!;
    expect(charge.amount_refunded).toBe(3500);
    const before = {
      proceeds: await proceeds(merchant.id),
      vouchers: await vouchers(t, consumer.id),
      eco: await ecoOf(consumer.id),
    };
    expect(before).toEqual({ proceeds: 3500, vouchers: 3500, eco: 1500 });
    // Then 10 yuan more in Stripe's dashboard: the charge's refunded total 45 yuan, below the
    // order's 50 yuan refunded but 10 yuan above the money this platform refunded.
    const dashboard = await t.fakeStripe.sendEvent('charge.refunded', { ...charge, amount_refunded: 4500 });
    expect(dashboard.status).toBe(200);
    const [event] = await t.db
      .select({ outcome: schema.stripeEvents.outcome })
      .from(schema.stripeEvents)
      .where(eq(schema.stripeEvents.id, dashboard.eventId));
    expect(event!.outcome).toBe('anomaly');
    const [anomaly] = await t.db
      .select()
      .from(schema.stripeAnomalies)
      .where(eq(schema.stripeAnomalies.eventId, dashboard.eventId));
    expect(anomaly).toMatchObject({ kind: 'order_refund_unmatched', merchantId: merchant.id });
    expect(anomaly!.detail).toMatchObject({
      orderId: created.body.id,
      refundedTotalFen: 4500,
      unrecordedFen: 1000,
    });
    // The back office's own refund, reported again, is acknowledged; nothing moved.
    const again = await t.fakeStripe.sendEvent('charge.refunded', { ...charge });
    const [acknowledged] = await t.db
      .select({ outcome: schema.stripeEvents.outcome })
      .from(schema.stripeEvents)
      .where(eq(schema.stripeEvents.id, again.eventId));
    expect(acknowledged!.outcome).toBe('order_refund_acknowledged');
    expect({
      proceeds: await proceeds(merchant.id),
      vouchers: await vouchers(t, consumer.id),
      eco: await ecoOf(consumer.id),
    }).toEqual(before);
    await expectBooksHold();
  });

  it('eco-points the merchant no longer holds are charged to its proceeds at the unit price', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 3000);
    await t.fakeStripe.pay(created.body.checkoutSessionId, { method: 'alipay' });
    const topup = await t.request('POST', `/v1/merchants/${merchant.id}/eco-topups`, {
      token: merchant.owner.token,
      body: { ecoPoints: 2000 },
    });
    expect(topup.status).toBe(201);
    const refund = await t.request('POST', `/v1/orders/${created.body.id}/refund`, {
      token: merchant.owner.token,
      body: { amount: 10_000 },
    });
    expect(refund.body).toMatchObject({ ecoPointsReturned: 3000, cashRefunded: 7000 });
    expect(await ecoOf(consumer.id)).toBe(3000);
    expect(await merchantEco(merchant.id)).toBe(0);
    // 70.00 yuan back through Stripe, and 20.00 eco-points it had spent at 1 yuan each.
    expect(await proceeds(merchant.id)).toBe(-2000);
    await expectBooksHold();
  });

  it('an unpaid order that expires releases its held eco-points', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 1000);
    expect(await ecoOf(consumer.id)).toBe(2000);
    clock.advance(32 * 60 * 1000);
    await runSalesExpiry({ ...t.deps, user: undefined });
    const after = await t.request('GET', `/v1/orders/${created.body.id}`, { token: consumer.token });
    expect(after.body.status).toBe('expired');
    expect((await t.request('GET', '/v1/wallet', { token: consumer.token })).body).toMatchObject({
      ecoPoints: 3000,
      ecoPointsHeld: 0,
    });
    expect(await merchantEco(merchant.id)).toBe(0);
    await runSalesExpiry({ ...t.deps, user: undefined });
    expect(await ecoOf(consumer.id)).toBe(3000);
    await expectBooksHold();
  });

  it('the consumer cancels an unpaid order: eco-points and stock back at once, its checkout can no longer be paid', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 1000);
    const path = `/v1/orders/${created.body.id}/cancel`;
    expect(await ecoOf(consumer.id)).toBe(2000);
    expect(await stockOf(listingId)).toBe(99);

    expect((await t.request('POST', path)).status).toBe(401);
    for (const token of [merchant.owner.token, operator]) {
      const refused = await t.request('POST', path, { token });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
    }
    const stranger = await signInConsumer(t);
    expect((await t.request('POST', path, { token: stranger.token })).status).toBe(404);
    expect((await t.request('POST', '/v1/orders/ord_nope/cancel', { token: consumer.token })).status).toBe(
      404,
    );
    expect(await ecoOf(consumer.id)).toBe(2000);

    const cancelled = await t.request('POST', path, { token: consumer.token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: created.body.id, status: 'cancelled', ecoPoints: 1000 });
    expect((await t.request('GET', '/v1/wallet', { token: consumer.token })).body).toMatchObject({
      ecoPoints: 3000,
      ecoPointsHeld: 0,
    });
    expect(await stockOf(listingId)).toBe(100);
    expect(t.fakeStripe.sessions.get(created.body.checkoutSessionId)?.status).toBe('expired');
    const again = await t.request('POST', path, { token: consumer.token });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('cancelled');

    // The checkout page no longer takes the payment; the expiry job leaves the order as it is.
    const page = await fetch(`${t.fakeStripe.url}/checkout/${created.body.checkoutSessionId}/pay`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(page.status).toBe(303);
    clock.advance(32 * 60 * 1000);
    await runSalesExpiry({ ...t.deps, user: undefined });
    const after = await t.request('GET', `/v1/orders/${created.body.id}`, { token: consumer.token });
    expect(after.body.status).toBe('cancelled');
    expect(await ecoOf(consumer.id)).toBe(3000);
    expect(await stockOf(listingId)).toBe(100);
    expect(await merchantEco(merchant.id)).toBe(0);
    expect(await vouchers(t, consumer.id)).toBe(0);
    await expectBooksHold();
  });

  it('a paid order is not cancelled (409 order_paid), even before its webhook arrives; an expired one neither', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 1000);
    const path = `/v1/orders/${created.body.id}/cancel`;
    await t.fakeStripe.pay(created.body.checkoutSessionId, { deliver: false });
    const early = await t.request('POST', path, { token: consumer.token });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('order_paid');
    expect(
      (await t.request('GET', `/v1/orders/${created.body.id}`, { token: consumer.token })).body.status,
    ).toBe('pending_payment');
    expect(await ecoOf(consumer.id)).toBe(2000);
    expect(await stockOf(listingId)).toBe(99);

    const late = await order(consumer, merchant, listingId, 1000);
    await t.fakeStripe.pay(late.body.checkoutSessionId, { method: 'alipay' });
    const paid = await t.request('POST', `/v1/orders/${late.body.id}/cancel`, { token: consumer.token });
    expect(paid.status).toBe(409);
    expect(paid.body.error.code).toBe('order_paid');

    const lapsed = await order(consumer, merchant, listingId);
    clock.advance(32 * 60 * 1000);
    await runSalesExpiry({ ...t.deps, user: undefined });
    const expired = await t.request('POST', `/v1/orders/${lapsed.body.id}/cancel`, { token: consumer.token });
    expect(expired.status).toBe(409);
    expect(expired.body.error.code).toBe('order_expired');
    await expectBooksHold();
  });

  it('when Stripe cannot expire the checkout, the order stays as it was (502)', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 1000);
    t.fakeStripe.sessions.delete(created.body.checkoutSessionId);
    const refused = await t.request('POST', `/v1/orders/${created.body.id}/cancel`, {
      token: consumer.token,
    });
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe('payment_provider_error');
    const after = await t.request('GET', `/v1/orders/${created.body.id}`, { token: consumer.token });
    expect(after.body.status).toBe('pending_payment');
    expect(await ecoOf(consumer.id)).toBe(2000);
    expect(await stockOf(listingId)).toBe(99);
  });

  it('refuses eco-points worth more than the order (eco_points_exceed_amount) or more than held', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const tooMuch = await order(consumer, merchant, listingId, 10_001);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.code).toBe('eco_points_exceed_amount');
    const notHeld = await order(consumer, merchant, listingId, 3001);
    expect(notHeld.status).toBe(422);
    expect(notHeld.body.error.code).toBe('insufficient_eco_points');
    const malformed = await order(consumer, merchant, listingId, '100' as unknown as number);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('validation_error');
    expect(await ecoOf(consumer.id)).toBe(3000);
    expect((await t.request('GET', '/v1/orders', { token: consumer.token })).body.data).toEqual([]);
  });
});

describe('SPEC flow 4: spending eco-points in store', () => {
  async function recordSale(merchant: Merchant, consumer: Consumer, amount: number) {
    const sale = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
      token: merchant.owner.token,
      body: { memberCode: consumer.memberCode, amount },
    });
    expect(sale.status).toBe(201);
    return sale.body.id as string;
  }

  it('30.00 eco-points + 70 yuan at the counter: the same balances; the merchant sees cashDue', async () => {
    const { merchant, consumer } = await flow4Setup();
    const saleId = await recordSale(merchant, consumer, 10_000);
    const quote = (query: string, token = consumer.token) =>
      t.request('GET', `/v1/eco-points/quote?${query}`, { token });
    expect((await quote(`saleId=${saleId}&ecoPoints=3000`)).body).toMatchObject({
      cashAmount: 7000,
      vouchers: 7000,
    });
    expect((await quote(`saleId=${saleId}&ecoPoints=3000`, merchant.owner.token)).status).toBe(404);
    const over = await quote(`saleId=${saleId}&ecoPoints=10001`);
    expect([over.status, over.body.error.code]).toEqual([422, 'eco_points_exceed_amount']);
    expect((await quote(`merchantId=${merchant.id}&ecoPoints=1`)).body.error.code).toBe('amount_required');
    expect((await quote(`merchantId=mer_nope&amount=100&ecoPoints=1`)).status).toBe(404);
    expect((await quote(`merchantId=${merchant.id}&amount=abc&ecoPoints=1`)).status).toBe(400);
    const confirmed = await t.request('POST', `/v1/sales/${saleId}/confirm`, {
      token: consumer.token,
      body: { ecoPoints: 3000 },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({
      id: saleId,
      status: 'completed',
      vouchersIssued: 7000,
      adPointsCharged: 1050,
      reason: null,
      ecoPoints: 3000,
      cashDue: 7000,
    });
    expect(await vouchers(t, consumer.id)).toBe(7000);
    expect(await ecoOf(consumer.id)).toBe(0);
    expect(await merchantEco(merchant.id)).toBe(3000);
    expect(await adPoints(t, merchant.id)).toBe(8950);
    const seen = await t.request('GET', `/v1/sales/${saleId}`, { token: merchant.owner.token });
    expect(seen.body).toMatchObject({ status: 'completed', amount: 10_000, ecoPoints: 3000, cashDue: 7000 });
    const list = await t.request('GET', `/v1/merchants/${merchant.id}/sales`, {
      token: merchant.owner.token,
    });
    expect(list.body.data[0]).toMatchObject({ id: saleId, ecoPoints: 3000, cashDue: 7000 });

    // A refund of an in-store sale gives the eco-points back in proportion too.
    const refund = await t.request('POST', `/v1/sales/${saleId}/refund`, {
      token: merchant.owner.token,
      body: { amount: 5000 },
    });
    expect(refund.body).toMatchObject({
      ecoPointsReturned: 1500,
      cashRefunded: 3500,
      vouchersClawedBack: 3500,
    });
    expect(await ecoOf(consumer.id)).toBe(1500);
    await expectBooksHold();
  });

  it('a merchant without the ad points still takes the eco-points (no vouchers); errors write nothing', async () => {
    const merchant = await activeMerchant(t, { adPoints: 100 });
    const consumer = await signInConsumer(t);
    await grantEcoPoints(t, consumer.id, 3000);
    const saleId = await recordSale(merchant, consumer, 10_000);
    const path = `/v1/sales/${saleId}/confirm`;
    const tooMuch = await t.request('POST', path, { token: consumer.token, body: { ecoPoints: 10_001 } });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.code).toBe('eco_points_exceed_amount');
    const notHeld = await t.request('POST', path, { token: consumer.token, body: { ecoPoints: 3001 } });
    expect(notHeld.status).toBe(422);
    expect(notHeld.body.error.code).toBe('insufficient_eco_points');
    const negative = await t.request('POST', path, { token: consumer.token, body: { ecoPoints: -1 } });
    expect(negative.status).toBe(400);
    expect((await t.request('GET', `/v1/sales/${saleId}`, { token: consumer.token })).body.status).toBe(
      'awaiting_confirmation',
    );
    const confirmed = await t.request('POST', path, { token: consumer.token, body: { ecoPoints: 3000 } });
    expect(confirmed.body).toMatchObject({
      vouchersIssued: 0,
      adPointsCharged: 0,
      reason: 'merchant_insufficient_ad_points',
      ecoPoints: 3000,
      cashDue: 7000,
    });
    expect(await merchantEco(merchant.id)).toBe(3000);
    expect(await ecoOf(consumer.id)).toBe(0);
    const again = await t.request('POST', path, { token: consumer.token, body: { ecoPoints: 3000 } });
    expect(again.body.error.code).toBe('already_confirmed');
  });
});

describe('operators: money Stripe returned on an order paid partly with eco-points', () => {
  async function paidEcoOrder() {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 3000);
    await t.fakeStripe.pay(created.body.checkoutSessionId, { method: 'alipay' });
    const charge = [...t.fakeStripe.charges.values()].find((c) => c.metadata?.order_id === created.body.id)!;
    return { merchant, consumer, orderId: created.body.id as string, charge };
  }
  const anomalyOf = async (eventId: string) =>
    (await t.db.select().from(schema.stripeAnomalies).where(eq(schema.stripeAnomalies.eventId, eventId)))[0]!;
  const balances = async (merchantId: string, consumerId: string) => ({
    proceeds: await proceeds(merchantId),
    merchantEco: await merchantEco(merchantId),
    merchantAdPoints: await adPoints(t, merchantId),
    consumerEco: await ecoOf(consumerId),
    consumerVouchers: await vouchers(t, consumerId),
  });

  it('a dashboard refund is applied by an operator as the part of the order with that money: eco-points back too, once', async () => {
    const { merchant, consumer, orderId, charge } = await paidEcoOrder();
    expect(await balances(merchant.id, consumer.id)).toEqual({
      proceeds: 7000,
      merchantEco: 3000,
      merchantAdPoints: 8950,
      consumerEco: 0,
      consumerVouchers: 7000,
    });
    // 10 yuan refunded in Stripe's dashboard.
    charge.amount_refunded = 1000;
    const event = await t.fakeStripe.sendEvent('charge.refunded', { ...charge });
    const anomaly = await anomalyOf(event.eventId);
    expect(anomaly.kind).toBe('order_refund_unmatched');

    const open = await t.request('GET', '/v1/platform/stripe/anomalies?status=open', { token: operator });
    expect(open.status).toBe(200);
    const [shop] = await t.db
      .select({ name: schema.organisations.name })
      .from(schema.organisations)
      .where(eq(schema.organisations.id, merchant.id));
    expect(open.body.data.find((a: { id: string }) => a.id === anomaly.id)).toMatchObject({
      merchantName: shop!.name,
      refundable: true,
      resolvedAt: null,
      resolvedByPhone: null,
      refund: null,
    });
    const path = `/v1/platform/stripe/anomalies/${anomaly.id}/apply-refund`;
    for (const token of [merchant.owner.token, consumer.token]) {
      expect((await t.request('POST', path, { token, body: {} })).status).toBe(403);
    }
    expect((await t.request('POST', path, { body: {} })).status).toBe(401);

    // 14.28 yuan of the order: money 1428 - floor(3000 x 1428 / 10000 = 428.4) = 1000 fen, and 4.28
    // eco-points; 14.29 would be 1001 fen. Vouchers floor(7000 x 1428 / 10000) = 9.99 back, ad
    // points floor(1050 x 999 / 7000) = 1.49 back.
    const applied = await t.request('POST', path, {
      token: operator,
      body: { note: 'Merchant refunded by phone' },
    });
    expect(applied.status).toBe(200);
    expect(applied.body.refund).toEqual({
      id: expect.stringMatching(/^rfd_/),
      refunded: 1428,
      vouchersClawedBack: 999,
      adPointsReturned: 149,
      ecoPointsReturned: 428,
      cashRefunded: 1000,
    });
    expect(applied.body.anomaly).toMatchObject({
      id: anomaly.id,
      refundable: false,
      resolvedAt: clock.now().toISOString(),
      resolvedByPhone: expect.stringMatching(/\*/),
      resolutionNote: 'Merchant refunded by phone',
      refund: { id: applied.body.refund.id, refunded: 1428, cashRefunded: 1000, ecoPointsReturned: 428 },
    });
    expect(await balances(merchant.id, consumer.id)).toEqual({
      proceeds: 6000,
      merchantEco: 2572,
      merchantAdPoints: 9099,
      consumerEco: 428,
      consumerVouchers: 6001,
    });
    const seen = await t.request('GET', `/v1/orders/${orderId}`, { token: consumer.token });
    expect(seen.body.refunded).toBe(1428);

    // Once: again is 409 and moves nothing; Stripe's event again is acknowledged.
    const again = await t.request('POST', path, { token: operator, body: {} });
    expect([again.status, again.body.error.code]).toEqual([409, 'already_resolved']);
    const resent = await t.fakeStripe.sendEvent('charge.refunded', { ...charge });
    expect(
      (await t.db.select().from(schema.stripeEvents).where(eq(schema.stripeEvents.id, resent.eventId)))[0]!
        .outcome,
    ).toBe('order_refund_acknowledged');
    const stillOpen = await t.request('GET', '/v1/platform/stripe/anomalies?status=open', {
      token: operator,
    });
    expect(stillOpen.body.data.some((a: { id: string }) => a.id === anomaly.id)).toBe(false);

    // The merchant refunds the rest from the back office: everything adds up to the whole order.
    const rest = await t.request('POST', `/v1/orders/${orderId}/refund`, {
      token: merchant.owner.token,
      body: { amount: 8572 },
    });
    expect(rest.body).toMatchObject({ ecoPointsReturned: 2572, cashRefunded: 6000 });
    expect(charge.amount_refunded).toBe(7000);
    expect(await balances(merchant.id, consumer.id)).toEqual({
      proceeds: 0,
      merchantEco: 0,
      merchantAdPoints: 10_000,
      consumerEco: 3000,
      consumerVouchers: 0,
    });
    await expectBooksHold();
  });

  it('a lost dispute is applied the same way and counted as disputed; money already recorded is refused', async () => {
    const { merchant, consumer, orderId, charge } = await paidEcoOrder();
    const lost = await t.fakeStripe.closeDispute(charge.id, { id: `dp_eco_${orderId}`, amount: 2000 });
    const anomaly = await anomalyOf(lost.eventId);
    expect(anomaly.kind).toBe('order_dispute_unmatched');
    // 28.57 yuan: 2857 - floor(857.1) = 2000 fen of money, 8.57 eco-points.
    const applied = await t.request('POST', `/v1/platform/stripe/anomalies/${anomaly.id}/apply-refund`, {
      token: operator,
      body: {},
    });
    expect(applied.status).toBe(200);
    expect(applied.body.refund).toMatchObject({ refunded: 2857, cashRefunded: 2000, ecoPointsReturned: 857 });
    expect(applied.body.anomaly.resolutionNote).toBeNull();
    const [row] = await t.db.select().from(schema.orders).where(eq(schema.orders.id, orderId));
    expect(row).toMatchObject({ refundedFen: 2857, disputedFen: 2857 });
    const [refund] = await t.db
      .select()
      .from(schema.refunds)
      .where(eq(schema.refunds.id, applied.body.refund.id));
    expect(refund!.createdBy).toBe(`stripe_dispute:dp_eco_${orderId}`);
    expect(await proceeds(merchant.id)).toBe(5000);
    expect(await ecoOf(consumer.id)).toBe(857);
    // The same dispute named by a second anomaly (however it came about) is not applied again.
    const copy = { ...anomaly, id: newId('san'), eventId: `evt_copy_${orderId}` };
    await t.db.insert(schema.stripeAnomalies).values(copy);
    const again = await t.request('POST', `/v1/platform/stripe/anomalies/${copy.id}/apply-refund`, {
      token: operator,
      body: {},
    });
    expect([again.status, again.body.error.code]).toEqual([409, 'nothing_to_apply']);
    expect(await proceeds(merchant.id)).toBe(5000);

    // Stripe's refunded total leaves the dispute out: a 10-yuan dashboard refund is 10 yuan more,
    // and an operator applies it; the same money twice is refused.
    charge.amount_refunded = 1000;
    const dashboard = await anomalyOf(
      (await t.fakeStripe.sendEvent('charge.refunded', { ...charge })).eventId,
    );
    expect(dashboard.detail).toMatchObject({ unrecordedFen: 1000 });
    const twice = await anomalyOf(
      (await t.fakeStripe.sendEvent('charge.refunded', { ...charge, id: charge.id })).eventId,
    );
    const first = await t.request('POST', `/v1/platform/stripe/anomalies/${dashboard.id}/apply-refund`, {
      token: operator,
      body: {},
    });
    expect(first.body.refund).toMatchObject({ cashRefunded: 1000 });
    expect(await proceeds(merchant.id)).toBe(4000);
    const second = await t.request('POST', `/v1/platform/stripe/anomalies/${twice.id}/apply-refund`, {
      token: operator,
      body: {},
    });
    expect([second.status, second.body.error.code]).toEqual([409, 'nothing_to_apply']);
    expect(await proceeds(merchant.id)).toBe(4000);
    const handled = await t.request('POST', `/v1/platform/stripe/anomalies/${twice.id}/resolve`, {
      token: operator,
      body: { note: 'Same refund as the one applied' },
    });
    expect(handled.status).toBe(200);
    await expectBooksHold();
  });

  it('refuses while Stripe does not answer (502) or a refund of the order is being recorded (409), writing nothing', async () => {
    const { merchant, consumer, orderId, charge } = await paidEcoOrder();
    charge.amount_refunded = 1000;
    const anomaly = await anomalyOf((await t.fakeStripe.sendEvent('charge.refunded', { ...charge })).eventId);
    const path = `/v1/platform/stripe/anomalies/${anomaly.id}/apply-refund`;
    const before = await balances(merchant.id, consumer.id);

    t.fakeStripe.charges.delete(charge.id);
    const unreachable = await t.request('POST', path, { token: operator, body: {} });
    expect([unreachable.status, unreachable.body.error.code]).toEqual([502, 'payment_provider_error']);
    t.fakeStripe.charges.set(charge.id, charge);

    // A back-office refund reserved on the order and not yet recorded (its Stripe call in flight).
    await t.db.update(schema.orders).set({ refundedFen: 500 }).where(eq(schema.orders.id, orderId));
    const inFlight = await t.request('POST', path, { token: operator, body: {} });
    expect([inFlight.status, inFlight.body.error.code]).toEqual([409, 'refund_in_progress']);
    await t.db.update(schema.orders).set({ refundedFen: 0 }).where(eq(schema.orders.id, orderId));

    expect((await anomalyOf(anomaly.eventId)).resolvedAt).toBeNull();
    expect(await balances(merchant.id, consumer.id)).toEqual(before);
    const applied = await t.request('POST', path, { token: operator, body: {} });
    expect(applied.body.refund).toMatchObject({ refunded: 1428, cashRefunded: 1000 });
  });

  it('any anomaly is marked handled with a note, once; only money on an order can be applied', async () => {
    const unknown = await t.fakeStripe.sendEvent('charge.refunded', {
      id: `ch_nowhere_${newId('tst')}`,
      object: 'charge',
      amount: 5000,
      amount_refunded: 5000,
      currency: 'cny',
      payment_intent: null,
      metadata: {},
    });
    const anomaly = await anomalyOf(unknown.eventId);
    expect(anomaly.kind).toBe('unknown_charge');
    const base = `/v1/platform/stripe/anomalies/${anomaly.id}`;
    const apply = await t.request('POST', `${base}/apply-refund`, { token: operator, body: {} });
    expect([apply.status, apply.body.error.code]).toEqual([409, 'not_refundable']);
    const blank = await t.request('POST', `${base}/resolve`, { token: operator, body: { note: '   ' } });
    expect([blank.status, blank.body.error.code]).toEqual([422, 'note_required']);
    expect((await anomalyOf(unknown.eventId)).resolvedAt).toBeNull();
    const resolved = await t.request('POST', `${base}/resolve`, {
      token: operator,
      body: { note: ' Test charge from the Stripe dashboard ' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      resolutionNote: 'Test charge from the Stripe dashboard',
      resolvedAt: clock.now().toISOString(),
      refundable: false,
      refund: null,
    });
    const again = await t.request('POST', `${base}/resolve`, { token: operator, body: { note: 'again' } });
    expect([again.status, again.body.error.code]).toEqual([409, 'already_resolved']);
    const resolvedList = await t.request('GET', '/v1/platform/stripe/anomalies?status=resolved', {
      token: operator,
    });
    expect(resolvedList.body.data.some((a: { id: string }) => a.id === anomaly.id)).toBe(true);
    const missing = await t.request('POST', '/v1/platform/stripe/anomalies/san_nothere/resolve', {
      token: operator,
      body: { note: 'x' },
    });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
  });
});

describe('merchants: eco-topups', () => {
  it('the owner turns eco-points into ad points with a receipt in the ad-point history; staff 403, others 404', async () => {
    const merchant = await activeMerchant(t);
    await grantMerchantEcoPoints(t, merchant.id, 3000);
    const staff = await signInConsumer(t);
    await t.request('POST', `/v1/merchants/${merchant.id}/staff`, {
      token: merchant.owner.token,
      body: { phone: (await t.request('GET', '/v1/me', { token: staff.token })).body.user.phone },
    });
    const stranger = await signInConsumer(t);
    const path = `/v1/merchants/${merchant.id}/eco-topups`;
    expect(
      (await t.request('POST', path, { token: staff.token, body: { ecoPoints: 100 } })).body.error.code,
    ).toBe('owner_only');
    expect((await t.request('POST', path, { token: stranger.token, body: { ecoPoints: 100 } })).status).toBe(
      404,
    );
    expect((await t.request('POST', path, { token: operator, body: { ecoPoints: 100 } })).status).toBe(404);
    expect(
      (await t.request('POST', path, { token: merchant.owner.token, body: { ecoPoints: 0 } })).status,
    ).toBe(400);
    const over = await t.request('POST', path, { token: merchant.owner.token, body: { ecoPoints: 3001 } });
    expect(over.status).toBe(422);
    expect(over.body.error.code).toBe('insufficient_eco_points');

    // At 1.50 yuan per eco-point and 1.20 yuan per ad point: 10.01 eco-points are worth 1501 fen,
    // which buy floor(1501 x 100 / 120) = 1250 hundredths of an ad point.
    await setParameter('ecoPointUnitPriceFen', 150);
    await setParameter('adPointPriceFen', 120);
    const done = await t.request('POST', path, { token: merchant.owner.token, body: { ecoPoints: 1001 } });
    await setParameter('ecoPointUnitPriceFen', 100);
    await setParameter('adPointPriceFen', 100);
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({
      id: expect.stringMatching(/^eto_/),
      ecoPoints: 1001,
      adPoints: 1250,
      receiptNumber: expect.stringMatching(/^R\d{8}-/),
    });
    expect(await merchantEco(merchant.id)).toBe(1999);
    expect(await adPoints(t, merchant.id)).toBe(1250);
    const adHistory = await t.request('GET', `/v1/merchants/${merchant.id}/ad-points/history`, {
      token: staff.token,
    });
    expect(adHistory.body.data[0]).toMatchObject({
      kind: 'eco_topup',
      amount: 1250,
      meta: {
        receiptNumber: done.body.receiptNumber,
        ecoPoints: 1001,
        adPoints: 1250,
        ecoPointUnitPriceFen: 150,
      },
    });
    const ecoHistory = await t.request('GET', `/v1/merchants/${merchant.id}/eco-points/history`, {
      token: staff.token,
    });
    expect(ecoHistory.body.data[0]).toMatchObject({ kind: 'eco_topup', amount: -1001, balanceAfter: 1999 });
    expect(
      (await t.request('GET', `/v1/merchants/${merchant.id}/eco-points/history`, { token: stranger.token }))
        .status,
    ).toBe(404);
    await expectBooksHold();
  });
});

describe('withdrawals', () => {
  it('are off by default, then checked in the contract order', async () => {
    const consumer = await signInConsumer(t);
    const stranger = await activeMerchant(t);
    await grantEcoPoints(t, consumer.id, 1500);
    const ask = (body: unknown) => t.request('POST', '/v1/withdrawals', { token: consumer.token, body });
    // Disabled comes first, even with a merchant the caller does not own and too few points.
    const off = await ask({ ecoPoints: 1, merchantId: stranger.id });
    expect([off.status, off.body.error.code]).toEqual([409, 'withdrawals_disabled']);
    const terms = await t.request('GET', '/v1/eco-points/terms', { token: consumer.token });
    expect(terms.body).toMatchObject({ withdrawalsEnabled: false, preview: null });
    expect((await ask({ ecoPoints: 0 })).status).toBe(400);
    expect((await ask({ ecoPoints: '1000' })).status).toBe(400);
    await setParameter('withdrawalsEnabled', 1);
    try {
      const foreign = await ask({ ecoPoints: 1, merchantId: stranger.id });
      expect([foreign.status, foreign.body.error.code]).toEqual([404, 'not_found']);
      const small = await ask({ ecoPoints: 999 });
      expect([small.status, small.body.error.code]).toEqual([422, 'below_minimum']);
      const much = await ask({ ecoPoints: 1501 });
      expect([much.status, much.body.error.code]).toEqual([422, 'insufficient_eco_points']);
      expect((await t.request('GET', '/v1/withdrawals', { token: consumer.token })).body.data).toEqual([]);
      expect(await ecoOf(consumer.id)).toBe(1500);
    } finally {
      await setParameter('withdrawalsEnabled', 0);
    }
  });

  it('a consumer withdraws with the fee; the operator pays (once) or rejects (points back)', async () => {
    const consumer = await signInConsumer(t);
    const other = await signInConsumer(t);
    await grantEcoPoints(t, consumer.id, 5000);
    await setParameter('withdrawalsEnabled', 1);
    await setParameter('withdrawalFeeBp', 150);
    try {
      // The apps show the fee and the cash before the holder confirms, by the same rounding.
      const terms = await t.request('GET', '/v1/eco-points/terms?ecoPoints=2001', { token: consumer.token });
      expect(terms.body).toEqual({
        ecoPointUnitPriceFen: 100,
        adPointPriceFen: 100,
        withdrawalsEnabled: true,
        withdrawalMinimumEcoPoints: 1000,
        withdrawalFeeBp: 150,
        preview: {
          ecoPoints: 2001,
          value: 2001,
          withdrawalFee: 31,
          withdrawalAmount: 1970,
          ecoTopupAdPoints: 2001,
        },
      });
      const created = await t.request('POST', '/v1/withdrawals', {
        token: consumer.token,
        body: { ecoPoints: 2001 },
      });
      expect(created.status).toBe(201);
      // fee = ceil(2001 x 150 / 10000) = ceil(30.015) = 31 hundredths; amount = value(1970) = 1970 fen.
      expect(created.body).toMatchObject({
        id: expect.stringMatching(/^wdr_/),
        status: 'pending',
        ecoPoints: 2001,
        fee: 31,
        amount: 1970,
        holderType: 'consumer',
        merchantId: null,
      });
      const id = created.body.id as string;
      expect((await t.request('GET', '/v1/wallet', { token: consumer.token })).body).toMatchObject({
        ecoPoints: 2999,
        ecoPointsHeld: 2001,
      });
      await expectBooksHold();
      expect((await t.request('GET', `/v1/withdrawals/${id}`, { token: consumer.token })).body.status).toBe(
        'pending',
      );
      expect((await t.request('GET', `/v1/withdrawals/${id}`, { token: other.token })).status).toBe(404);
      expect((await t.request('GET', `/v1/withdrawals/${id}`, { token: operator })).status).toBe(404);
      const queue = await t.request('GET', '/v1/platform/withdrawals?status=pending', { token: operator });
      expect(queue.body.data.find((w: { id: string }) => w.id === id)).toMatchObject({
        ecoPoints: 2001,
        requestedBy: expect.stringMatching(/^\+86 \d{3}\*{4}\d{4}$/),
        merchantName: null,
      });
      expect((await t.request('GET', '/v1/platform/withdrawals', { token: consumer.token })).status).toBe(
        403,
      );

      const approve = `/v1/platform/withdrawals/${id}/approve`;
      const blank = await t.request('POST', approve, { token: operator, body: { payoutReference: '  ' } });
      expect([blank.status, blank.body.error.code]).toEqual([422, 'payout_reference_required']);
      expect(
        (await t.request('POST', approve, { token: consumer.token, body: { payoutReference: 'x' } })).status,
      ).toBe(403);
      const paid = await t.request('POST', approve, {
        token: operator,
        body: { payoutReference: 'ICBC-20261130-7' },
      });
      expect(paid.status).toBe(200);
      expect(paid.body).toMatchObject({ id, status: 'paid', payoutReference: 'ICBC-20261130-7' });
      const twice = await t.request('POST', approve, { token: operator, body: { payoutReference: 'again' } });
      expect([twice.status, twice.body.error.code]).toEqual([409, 'already_decided']);
      const late = await t.request('POST', `/v1/platform/withdrawals/${id}/reject`, {
        token: operator,
        body: { reason: 'no' },
      });
      expect([late.status, late.body.error.code]).toEqual([409, 'already_decided']);
      expect((await t.request('GET', '/v1/wallet', { token: consumer.token })).body).toMatchObject({
        ecoPoints: 2999,
        ecoPointsHeld: 0,
      });
      const fees = await balanceOf(t.db, accounts.platformEcoPointsWithdrawalFees());
      expect(fees.posted).toBeGreaterThanOrEqual(31);
      await expectBooksHold();

      clock.advance(1000);
      const second = await t.request('POST', '/v1/withdrawals', {
        token: consumer.token,
        body: { ecoPoints: 1000 },
      });
      const reject = `/v1/platform/withdrawals/${second.body.id}/reject`;
      const noReason = await t.request('POST', reject, { token: operator, body: { reason: '' } });
      expect([noReason.status, noReason.body.error.code]).toEqual([422, 'reason_required']);
      const rejected = await t.request('POST', reject, {
        token: operator,
        body: { reason: 'Bank account closed' },
      });
      expect(rejected.body).toMatchObject({ status: 'rejected', rejectionReason: 'Bank account closed' });
      expect((await t.request('GET', '/v1/wallet', { token: consumer.token })).body).toMatchObject({
        ecoPoints: 2999,
        ecoPointsHeld: 0,
      });
      const mine = await t.request('GET', '/v1/withdrawals', { token: consumer.token });
      expect(mine.body.data.map((w: { status: string }) => w.status)).toEqual(['rejected', 'paid']);
      expect(
        (
          await t.request('POST', '/v1/platform/withdrawals/wdr_nope/approve', {
            token: operator,
            body: { payoutReference: 'x' },
          })
        ).status,
      ).toBe(404);
      await expectBooksHold();
    } finally {
      await setParameter('withdrawalsEnabled', 0);
      await setParameter('withdrawalFeeBp', 0);
    }
  });

  it('a retried request with the same Idempotency-Key holds the points once', async () => {
    const consumer = await signInConsumer(t);
    await grantEcoPoints(t, consumer.id, 3000);
    await setParameter('withdrawalsEnabled', 1);
    try {
      const ask = (ecoPoints: number) =>
        t.request('POST', '/v1/withdrawals', {
          token: consumer.token,
          body: { ecoPoints },
          headers: { 'idempotency-key': 'withdraw-once' },
        });
      const first = await ask(2000);
      const again = await ask(2000);
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(first.body.id);
      expect((await ask(2500)).body.error.code).toBe('idempotency_key_reused');
      expect((await t.request('GET', '/v1/wallet', { token: consumer.token })).body).toMatchObject({
        ecoPoints: 1000,
        ecoPointsHeld: 2000,
      });
    } finally {
      await setParameter('withdrawalsEnabled', 0);
    }
  });

  it("a merchant's owner withdraws the merchant's eco-points; staff and others cannot see or ask", async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 3000);
    await t.fakeStripe.pay(created.body.checkoutSessionId, { method: 'alipay' });
    const staff = await signInConsumer(t);
    await t.request('POST', `/v1/merchants/${merchant.id}/staff`, {
      token: merchant.owner.token,
      body: { phone: (await t.request('GET', '/v1/me', { token: staff.token })).body.user.phone },
    });
    await setParameter('withdrawalsEnabled', 1);
    try {
      const byStaff = await t.request('POST', '/v1/withdrawals', {
        token: staff.token,
        body: { ecoPoints: 1000, merchantId: merchant.id },
      });
      expect(byStaff.status).toBe(404);
      const asked = await t.request('POST', '/v1/withdrawals', {
        token: merchant.owner.token,
        body: { ecoPoints: 2000, merchantId: merchant.id },
      });
      expect(asked.body).toMatchObject({
        status: 'pending',
        holderType: 'merchant',
        merchantId: merchant.id,
        amount: 2000,
      });
      const view = await t.request('GET', `/v1/merchants/${merchant.id}`, { token: merchant.owner.token });
      expect(view.body).toMatchObject({ ecoPoints: 1000, ecoPointsHeld: 2000 });
      const list = await t.request('GET', `/v1/withdrawals?merchantId=${merchant.id}`, {
        token: merchant.owner.token,
      });
      expect(list.body.data.map((w: { id: string }) => w.id)).toEqual([asked.body.id]);
      expect(
        (await t.request('GET', `/v1/withdrawals?merchantId=${merchant.id}`, { token: staff.token })).status,
      ).toBe(404);
      expect(
        (await t.request('GET', `/v1/withdrawals/${asked.body.id}`, { token: staff.token })).status,
      ).toBe(404);
      expect((await t.request('GET', '/v1/withdrawals', { token: merchant.owner.token })).body.data).toEqual(
        [],
      );
      const queue = await t.request('GET', '/v1/platform/withdrawals?status=pending', { token: operator });
      expect(queue.body.data.find((w: { id: string }) => w.id === asked.body.id)?.merchantName).toMatch(
        /^Shop /,
      );
      await t.request('POST', `/v1/platform/withdrawals/${asked.body.id}/approve`, {
        token: operator,
        body: { payoutReference: 'BANK-1' },
      });
      expect(await merchantEco(merchant.id)).toBe(1000);
      await expectBooksHold();
    } finally {
      await setParameter('withdrawalsEnabled', 0);
    }
  });
});

describe.skipIf(!onPostgres)('eco-points under concurrency (PostgreSQL)', () => {
  it('two orders racing for the same eco-points: exactly one holds them', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const results = await Promise.all([1, 2].map(() => order(consumer, merchant, listingId, 3000)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(results.find((r) => r.status === 422)?.body.error.code).toBe('insufficient_eco_points');
    expect(await ecoOf(consumer.id)).toBe(0);
    expect((await balanceOf(t.db, accounts.consumerEcoPoints(consumer.id))).debitsPending).toBe(3000);
    expect((await verifyLedger(t.db)).ok).toBe(true);
    expect((await ecoPointsConservation({ ...t.deps })).ok).toBe(true);
  });

  it('two operators applying the same dashboard refund at once, beside a back-office refund: applied once', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 3000);
    await t.fakeStripe.pay(created.body.checkoutSessionId, { method: 'alipay' });
    const charge = [...t.fakeStripe.charges.values()].find((c) => c.metadata?.order_id === created.body.id)!;
    charge.amount_refunded = 1000;
    const event = await t.fakeStripe.sendEvent('charge.refunded', { ...charge });
    const [anomaly] = await t.db
      .select()
      .from(schema.stripeAnomalies)
      .where(eq(schema.stripeAnomalies.eventId, event.eventId));
    const path = `/v1/platform/stripe/anomalies/${anomaly!.id}/apply-refund`;
    const [one, two, backOffice] = await Promise.all([
      t.request('POST', path, { token: operator, body: {} }),
      t.request('POST', path, { token: operator, body: {} }),
      t.request('POST', `/v1/orders/${created.body.id}/refund`, {
        token: merchant.owner.token,
        body: { amount: 5000 },
      }),
    ]);
    expect(backOffice.status).toBe(200);
    // A refund being recorded makes an apply wait for it (409 refund_in_progress): the operator
    // tries again. Of all attempts exactly one applies; the others say why not.
    const later = await t.request('POST', path, { token: operator, body: {} });
    const attempts = [one, two, later];
    expect(attempts.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of attempts.filter((a) => a.status !== 200)) {
      expect(r.status).toBe(409);
      expect(['already_resolved', 'refund_in_progress']).toContain(r.body.error.code);
    }
    // The back office took 35 yuan of money, the operator applied the dashboard's 10 yuan: 25 left.
    expect(await proceeds(merchant.id)).toBe(7000 - 3500 - 1000);
    expect(charge.amount_refunded).toBe(4500);
    expect((await verifyLedger(t.db)).ok).toBe(true);
    expect((await ecoPointsConservation({ ...t.deps })).ok).toBe(true);
  });

  it('a cancel racing the expiry job: the order ends once, its eco-points and stock back once', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 1000);
    clock.advance(32 * 60 * 1000);
    const [cancel] = await Promise.all([
      t.request('POST', `/v1/orders/${created.body.id}/cancel`, { token: consumer.token }),
      runSalesExpiry({ ...t.deps, user: undefined }),
    ]);
    const after = await t.request('GET', `/v1/orders/${created.body.id}`, { token: consumer.token });
    if (cancel.status === 200) expect(after.body.status).toBe('cancelled');
    else {
      expect(cancel.status).toBe(409);
      expect(cancel.body.error.code).toBe('order_expired');
      expect(after.body.status).toBe('expired');
    }
    expect(await ecoOf(consumer.id)).toBe(3000);
    expect(await stockOf(listingId)).toBe(100);
    expect((await verifyLedger(t.db)).ok).toBe(true);
    expect((await ecoPointsConservation({ ...t.deps })).ok).toBe(true);
  });

  it('50 concurrent approve/reject clicks on one withdrawal: exactly one decides', async () => {
    const consumer = await signInConsumer(t);
    await grantEcoPoints(t, consumer.id, 5000);
    await setParameter('withdrawalsEnabled', 1);
    try {
      const created = await t.request('POST', '/v1/withdrawals', {
        token: consumer.token,
        body: { ecoPoints: 5000 },
      });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          i % 2 === 0
            ? t.request('POST', `/v1/platform/withdrawals/${created.body.id}/approve`, {
                token: operator,
                body: { payoutReference: `BANK-${i}` },
              })
            : t.request('POST', `/v1/platform/withdrawals/${created.body.id}/reject`, {
                token: operator,
                body: { reason: `click ${i}` },
              }),
        ),
      );
      const winners = results.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.status === 409 && r.body.error.code === 'already_decided')).toHaveLength(
        49,
      );
      const held = await balanceOf(t.db, accounts.consumerEcoPoints(consumer.id));
      expect(held.debitsPending).toBe(0);
      expect(held.posted).toBe(winners[0]!.body.status === 'paid' ? 0 : 5000);
      expect((await verifyLedger(t.db)).ok).toBe(true);
      expect((await ecoPointsConservation({ ...t.deps })).ok).toBe(true);
    } finally {
      await setParameter('withdrawalsEnabled', 0);
    }
  });

  it('a refund racing an eco-topup of the same points: the refund is recorded, the consumer made whole', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 3000);
    await t.fakeStripe.pay(created.body.checkoutSessionId, { method: 'alipay' });
    const [refund, topup] = await Promise.all([
      t.request('POST', `/v1/orders/${created.body.id}/refund`, {
        token: merchant.owner.token,
        body: { amount: 10_000 },
      }),
      t.request('POST', `/v1/merchants/${merchant.id}/eco-topups`, {
        token: merchant.owner.token,
        body: { ecoPoints: 3000 },
      }),
    ]);
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({ ecoPointsReturned: 3000, cashRefunded: 7000 });
    expect([201, 422]).toContain(topup.status);
    expect(await ecoOf(consumer.id)).toBe(3000);
    expect(await merchantEco(merchant.id)).toBe(0);
    // Points the merchant turned into ad points first are paid for from its proceeds.
    expect(await proceeds(merchant.id)).toBe(topup.status === 201 ? -3000 : 0);
    expect((await verifyLedger(t.db)).ok).toBe(true);
    expect((await ecoPointsConservation({ ...t.deps })).ok).toBe(true);
  });

  it('an eco-topup racing a withdrawal of the same points: exactly one wins, nothing negative', async () => {
    const { merchant, consumer, listingId } = await flow4Setup();
    const created = await order(consumer, merchant, listingId, 3000);
    await t.fakeStripe.pay(created.body.checkoutSessionId, { method: 'alipay' });
    await setParameter('withdrawalsEnabled', 1);
    try {
      const [topup, withdrawal] = await Promise.all([
        t.request('POST', `/v1/merchants/${merchant.id}/eco-topups`, {
          token: merchant.owner.token,
          body: { ecoPoints: 3000 },
        }),
        t.request('POST', '/v1/withdrawals', {
          token: merchant.owner.token,
          body: { ecoPoints: 3000, merchantId: merchant.id },
        }),
      ]);
      expect([topup.status, withdrawal.status].sort()).toEqual([201, 422]);
      const loser = topup.status === 422 ? topup : withdrawal;
      expect(loser.body.error.code).toBe('insufficient_eco_points');
      const balance = await balanceOf(t.db, accounts.merchantEcoPoints(merchant.id));
      expect(balance.available).toBe(0);
      expect(balance.posted).toBeGreaterThanOrEqual(0);
      expect((await verifyLedger(t.db)).ok).toBe(true);
      expect((await ecoPointsConservation({ ...t.deps })).ok).toBe(true);
    } finally {
      await setParameter('withdrawalsEnabled', 0);
    }
  });
});
