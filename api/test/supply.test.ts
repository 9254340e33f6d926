import { schema } from '@alliance/db';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ctx, ctxOf } from '../context';
import { dispatchDueJobs } from '../jobs';
import { scheduledJobs } from '../jobs/schedules';
import { balanceOf, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { expireUnpaidOrders } from '../services/orders';
import { runPayoutBatch } from '../services/payouts';
import { createStripeClient } from '../services/stripe';
import { autoConfirmDeliveries } from '../services/supply-fulfillments';
import { createTestApp, onboardPayoutAccount, operatorPhone, type TestApp, testClock } from './harness';
import { grantEcoPoints } from './sales-fixtures';
import { onPostgres } from './test-db';

const clock = testClock('2026-11-30T02:00:00Z');
let t: TestApp;
let phoneSeq = 0;
const phone = () => `+86136${String(10_000_000 + ++phoneSeq * 7877).slice(-8)}`;
const shipTo = { name: 'Li Lei', phone: '+8613800000009', region: 'Shanghai', address: '1 Nanjing Road' };

type Who = { token: string; id: string };
let operator: Who;
let consumer: Who;
let otherConsumer: Who;
let merchant: { id: string; owner: Who };
let otherMerchant: { id: string; owner: Who };
let supplier: { id: string; owner: Who };
let otherSupplier: { id: string; owner: Who };

async function user(): Promise<Who> {
  const s = await t.signIn(phone());
  return { token: s.token, id: s.user.id };
}

async function activeOrg(kind: 'merchants' | 'suppliers', name: string) {
  const owner = await user();
  const created = await t.request('POST', `/v1/${kind}`, { token: owner.token, body: { name } });
  expect(created.status).toBe(201);
  const approved = await t.request('POST', `/v1/platform/${kind}/${created.body.id}/approve`, {
    token: operator.token,
  });
  expect(approved.status).toBe(200);
  return { id: created.body.id as string, owner };
}

/** Pays a Checkout Session on the fake Stripe, which delivers the signed webhook into the app. */
async function pay(checkoutSessionId: string) {
  await t.fakeStripe.pay(checkoutSessionId, { method: 'alipay' });
  expect(t.fakeStripe.deliveries.at(-1)).toMatchObject({ type: 'checkout.session.completed', status: 200 });
}

async function product(body: Record<string, unknown> = {}, who = supplier) {
  const res = await t.request('POST', `/v1/suppliers/${who.id}/products`, {
    token: who.owner.token,
    body: { title: 'Tea set', wholesalePrice: 8000, stock: 5, ...body },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; stock: number };
}

async function listing(supplierProductId: string, price = 10000, m = merchant) {
  const res = await t.request('POST', `/v1/merchants/${m.id}/listings`, {
    token: m.owner.token,
    body: { supplierProductId, price },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

async function order(listingId: string, quantity = 1, who = consumer, m = merchant) {
  return t.request('POST', '/v1/orders', {
    token: who.token,
    body: { merchantId: m.id, items: [{ listingId, quantity }], shipTo },
  });
}

async function paidOrder(listingId: string, quantity = 1) {
  const created = await order(listingId, quantity);
  expect(created.status).toBe(201);
  await pay(created.body.checkoutSessionId);
  return created.body.id as string;
}

async function toShip(orderId: string, s = supplier) {
  const res = await t.request('GET', `/v1/suppliers/${s.id}/fulfillments?status=to_ship`, {
    token: s.owner.token,
  });
  expect(res.status).toBe(200);
  return res.body.data.find((f: { orderId: string }) => f.orderId === orderId) as {
    id: string;
    orderId: string;
    items: Array<{ title: string; quantity: number }>;
    shipTo: typeof shipTo;
  };
}

const ship = (fulfillmentId: string, token = supplier.owner.token, trackingNumber = 'SF1234567890') =>
  t.request('POST', `/v1/fulfillments/${fulfillmentId}/ship`, {
    token,
    body: { carrier: 'SF Express', trackingNumber },
  });

const payable = async (s = supplier) =>
  (await t.request('GET', `/v1/suppliers/${s.id}/payable`, { token: s.owner.token })).body;
const proceeds = async (merchantId = merchant.id) =>
  (await balanceOf(t.db, accounts.merchantProceeds(merchantId))).posted;
const stockOf = async (productId: string, s = supplier) =>
  (await t.request('GET', `/v1/suppliers/${s.id}/products`, { token: s.owner.token })).body.data.find(
    (p: { id: string }) => p.id === productId,
  ).stock as number;
const ctx = (): Ctx => ctxOf(t.deps);

beforeAll(async () => {
  t = await createTestApp({ clock, env: { AUTH_OTP_PER_PHONE_HOUR: '100', AUTH_OTP_PER_IP_HOUR: '10000' } });
  const op = await t.signIn(operatorPhone);
  operator = { token: op.token, id: op.user.id };
  consumer = await user();
  otherConsumer = await user();
  merchant = await activeOrg('merchants', 'Shop A');
  otherMerchant = await activeOrg('merchants', 'Shop B');
  supplier = await activeOrg('suppliers', 'Supplier S');
  otherSupplier = await activeOrg('suppliers', 'Supplier T');
  // Merchant A buys 100.00 ad points (10000 fen) through Stripe Checkout.
  const topup = await t.request('POST', `/v1/merchants/${merchant.id}/topups`, {
    token: merchant.owner.token,
    body: { amount: 10000 },
  });
  expect(topup.status).toBe(201);
  await pay(topup.body.checkoutSessionId);
});
afterAll(() => t.close());

describe('SPEC flow 5: a supplier product sold by a merchant, shipped, settled, returned, paid out', () => {
  let productId: string;
  let listingId: string;
  let firstOrderId: string;
  let firstFulfillmentId: string;

  it('lists an 80-yuan product at 100 yuan, never below wholesale', async () => {
    const created = await product();
    productId = created.id;
    expect(created).toMatchObject({
      supplierId: supplier.id,
      wholesalePrice: 8000,
      stock: 5,
      status: 'active',
    });
    const below = await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
      token: merchant.owner.token,
      body: { supplierProductId: productId, price: 7999 },
    });
    expect(below.status).toBe(422);
    expect(below.body.error.code).toBe('price_below_wholesale');
    listingId = (await listing(productId)).id;
    const browse = await t.request('GET', '/v1/supply/products', { token: merchant.owner.token });
    expect(browse.status).toBe(200);
    expect(browse.body.data.map((p: { id: string }) => p.id)).toContain(productId);
  });

  it('pays: consumer vouchers +100.00, merchant ad points -15.00, the supplier gets a fulfillment to ship', async () => {
    const created = await order(listingId);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending_payment', amount: 10000 });
    expect(await stockOf(productId)).toBe(4);
    await pay(created.body.checkoutSessionId);
    firstOrderId = created.body.id;

    const wallet = await t.request('GET', '/v1/wallet', { token: consumer.token });
    expect(wallet.body.vouchers).toBe(10000);
    const m = await t.request('GET', `/v1/merchants/${merchant.id}`, { token: merchant.owner.token });
    expect(m.body.adPoints).toBe(10000 - 1500);
    expect(await proceeds()).toBe(10000);

    const f = await toShip(firstOrderId);
    expect(f).toMatchObject({
      orderId: firstOrderId,
      shipTo,
      items: [{ title: 'Tea set', quantity: 1, wholesalePrice: 8000 }],
    });
    firstFulfillmentId = f.id;
    expect(await payable()).toMatchObject({ payable: 0, paidOut: 0 });
  });

  it('on shipment moves 80 yuan of the proceeds to the supplier payable, once', async () => {
    const shipped = await ship(firstFulfillmentId);
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({ id: firstFulfillmentId, status: 'shipped' });
    const again = await ship(firstFulfillmentId);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_shipped');

    expect(await payable()).toMatchObject({ payable: 8000, paidOut: 0 });
    expect(await proceeds()).toBe(2000);
    const statement = await t.request('GET', `/v1/merchants/${merchant.id}/statement`, {
      token: merchant.owner.token,
    });
    expect(statement.status).toBe(200);
    expect(statement.body).toMatchObject({
      proceeds: 10000,
      wholesaleSettled: 8000,
      net: 2000,
      adPointsCharged: 1500,
      vouchersIssued: 10000,
      topups: 10000,
    });
    // The business date range covers today only when asked for it.
    const today = await t.request(
      'GET',
      `/v1/merchants/${merchant.id}/statement?from=2026-11-30&to=2026-11-30`,
      {
        token: operator.token,
      },
    );
    expect(today.body).toMatchObject({ proceeds: 10000, wholesaleSettled: 8000, net: 2000 });
    const before = await t.request('GET', `/v1/merchants/${merchant.id}/statement?to=2026-11-29`, {
      token: operator.token,
    });
    expect(before.body).toMatchObject({
      proceeds: 0,
      wholesaleSettled: 0,
      net: 0,
      adPointsCharged: 0,
      vouchersIssued: 0,
      topups: 0,
    });
    const backwards = await t.request(
      'GET',
      `/v1/merchants/${merchant.id}/statement?from=2026-12-01&to=2026-11-30`,
      {
        token: operator.token,
      },
    );
    expect(backwards.status).toBe(422);

    // Consumer and merchant see carrier and tracking number.
    for (const token of [consumer.token, merchant.owner.token]) {
      const seen = await t.request('GET', `/v1/orders/${firstOrderId}/fulfillments`, { token });
      expect(seen.status).toBe(200);
      expect(seen.body.data[0]).toMatchObject({
        status: 'shipped',
        carrier: 'SF Express',
        trackingNumber: 'SF1234567890',
      });
    }
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('a return reverses the settlement exactly once', async () => {
    const orderId = await paidOrder(listingId);
    const f = await toShip(orderId);
    expect((await ship(f.id)).status).toBe(200);
    expect(await payable()).toMatchObject({ payable: 16000 });
    expect(await proceeds()).toBe(4000);

    const returned = await t.request('POST', `/v1/fulfillments/${f.id}/return`, {
      token: supplier.owner.token,
      body: { reason: 'damaged in transit' },
    });
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({ id: f.id, status: 'returned', reversed: 8000 });
    const twice = await t.request('POST', `/v1/fulfillments/${f.id}/return`, {
      token: supplier.owner.token,
      body: {},
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('not_returnable');

    expect(await payable()).toMatchObject({ payable: 8000 });
    expect(await proceeds()).toBe(12000);
    const statement = await t.request('GET', `/v1/merchants/${merchant.id}/statement`, {
      token: merchant.owner.token,
    });
    expect(statement.body).toMatchObject({ proceeds: 20000, wholesaleSettled: 8000, net: 12000 });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('a payout batch pays 8000 once and lists the orders it covers', async () => {
    const run = await t.request('POST', '/v1/platform/payouts/run', { token: operator.token });
    expect(run.status).toBe(200);
    const batch = run.body.created.find((b: { supplierId: string }) => b.supplierId === supplier.id);
    expect(batch).toMatchObject({ amount: 8000, status: 'pending' });
    expect(batch.items).toContainEqual({
      fulfillmentId: firstFulfillmentId,
      orderId: firstOrderId,
      kind: 'settlement',
      amount: 8000,
    });
    expect(batch.items.reduce((sum: number, i: { amount: number }) => sum + i.amount, 0)).toBe(8000);
    // Owed until paid; nothing new for a second run.
    expect(await payable()).toEqual({ payable: 8000, paidOut: 0, inPayout: 8000 });
    const rerun = await t.request('POST', '/v1/platform/payouts/run', { token: operator.token });
    expect(rerun.body.created).toEqual([]);

    const paid = await t.request('POST', `/v1/platform/payouts/${batch.id}/mark-paid`, {
      token: operator.token,
      body: { reference: 'ICBC-20261130-0001' },
    });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({
      id: batch.id,
      status: 'paid',
      paidVia: 'bank',
      reference: 'ICBC-20261130-0001',
    });
    const again = await t.request('POST', `/v1/platform/payouts/${batch.id}/mark-paid`, {
      token: operator.token,
      body: { reference: 'ICBC-20261130-0002' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_paid');
    expect(await payable()).toEqual({ payable: 0, paidOut: 8000, inPayout: 0 });

    const mine = await t.request('GET', `/v1/suppliers/${supplier.id}/payouts`, {
      token: supplier.owner.token,
    });
    expect(mine.body.data.map((b: { id: string }) => b.id)).toEqual([batch.id]);
    const all = await t.request('GET', '/v1/platform/payouts?status=paid', { token: operator.token });
    expect(all.body.data.map((b: { id: string }) => b.id)).toContain(batch.id);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('pays by Stripe Connect transfer (transfer group = batch) once the connected account has payouts enabled', async () => {
    const notOwner = await t.request('POST', `/v1/suppliers/${supplier.id}/payout-account/onboarding`, {
      token: merchant.owner.token,
    });
    expect(notOwner.status).toBe(404);
    // Onboarding started, the form not finished: Stripe does not pay out to the account yet.
    const started = await t.request('POST', `/v1/suppliers/${supplier.id}/payout-account/onboarding`, {
      token: supplier.owner.token,
    });
    expect(started.body.account).toMatchObject({ status: 'incomplete', payoutsEnabled: false });

    const orderId = await paidOrder(listingId, 2);
    const f = await toShip(orderId);
    expect((await ship(f.id)).status).toBe(200);
    expect(await payable()).toEqual({ payable: 16000, paidOut: 8000, inPayout: 0 });
    // A later run: batches are unique per supplier and period end. The batch waits, not failed.
    clock.advance(60 * 1000);
    const waiting = await runPayoutBatch(ctx());
    expect(waiting.created).toHaveLength(1);
    expect(waiting.created[0]).toMatchObject({ supplierId: supplier.id, amount: 16000, status: 'pending' });
    expect(waiting.paid).toEqual([]);
    expect(waiting.failed).toEqual([]);
    expect(await payable()).toEqual({ payable: 16000, paidOut: 8000, inPayout: 16000 });

    await onboardPayoutAccount(t, 'suppliers', supplier.id, supplier.owner.token);
    clock.advance(60 * 1000);
    const result = await runPayoutBatch(ctx());
    expect(result.created).toEqual([]);
    expect(result.paid).toEqual([waiting.created[0]!.id]);
    expect(await payable()).toEqual({ payable: 0, paidOut: 24000, inPayout: 0 });
    const batch = (
      await t.request('GET', `/v1/suppliers/${supplier.id}/payouts`, { token: supplier.owner.token })
    ).body.data[0];
    expect(batch).toMatchObject({
      status: 'paid',
      paidVia: 'stripe_transfer',
      stripeTransferId: expect.stringMatching(/^tr_/),
    });
    expect((await runPayoutBatch(ctx())).created).toEqual([]);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('a refused transfer leaves the batch pending, still owed; the next run pays it once', async () => {
    const orderId = await paidOrder(listingId);
    expect((await ship((await toShip(orderId)).id)).status).toBe(200);
    clock.advance(60 * 1000);
    // Stripe unreachable: nothing answers on this port.
    const down = createStripeClient('sk_test_down', { host: '127.0.0.1', port: 9, protocol: 'http' });
    const failed = await runPayoutBatch({ ...ctx(), stripe: down });
    expect(failed.created).toHaveLength(1);
    expect(failed.paid).toEqual([]);
    expect(failed.failed).toEqual([{ batchId: failed.created[0]!.id, error: expect.any(String) }]);
    expect(await payable()).toEqual({ payable: 8000, paidOut: 24000, inPayout: 8000 });
    clock.advance(60 * 1000);
    const retried = await runPayoutBatch(ctx());
    expect(retried.created).toEqual([]);
    expect(retried.paid).toEqual([failed.created[0]!.id]);
    expect(await payable()).toEqual({ payable: 0, paidOut: 32000, inPayout: 0 });
    expect((await runPayoutBatch(ctx())).paid).toEqual([]);
  });

  it('a return after the payout leaves the supplier owing; the next batch nets it', async () => {
    const paidOut = (
      await t.request('GET', `/v1/suppliers/${supplier.id}/fulfillments?status=shipped`, {
        token: supplier.owner.token,
      })
    ).body.data[0];
    const returned = await t.request('POST', `/v1/fulfillments/${paidOut.id}/return`, {
      token: operator.token,
      body: { reason: 'refused' },
    });
    expect(returned.body).toMatchObject({ status: 'returned', reversed: paidOut.wholesaleCost });
    expect(await payable()).toEqual({ payable: -paidOut.wholesaleCost, paidOut: 32000, inPayout: 0 });
    clock.advance(60 * 1000);
    expect((await runPayoutBatch(ctx())).created).toEqual([]);

    await t.request('PATCH', `/v1/suppliers/${supplier.id}/products/${productId}`, {
      token: supplier.owner.token,
      body: { stock: 10 },
    });
    const orderId = await paidOrder(listingId, 3);
    expect((await ship((await toShip(orderId)).id)).status).toBe(200);
    clock.advance(60 * 1000);
    const run = await runPayoutBatch(ctx());
    expect(run.created[0]).toMatchObject({ amount: 24000 - paidOut.wholesaleCost });
    expect(run.created[0]!.items).toContainEqual(
      expect.objectContaining({
        fulfillmentId: paidOut.id,
        kind: 'reversal',
        amount: -paidOut.wholesaleCost,
      }),
    );
    expect(await payable()).toEqual({ payable: 0, paidOut: 56000 - paidOut.wholesaleCost, inPayout: 0 });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});

describe('listings follow the supplier product', () => {
  it('a wholesale price above the listing price, or no stock, makes it unorderable and says why', async () => {
    const p = await product({ title: 'Kettle', wholesalePrice: 5000, stock: 1 });
    const l = await listing(p.id, 6000);
    const raise = await t.request('PATCH', `/v1/suppliers/${supplier.id}/products/${p.id}`, {
      token: supplier.owner.token,
      body: { wholesalePrice: 6001 },
    });
    expect(raise.status).toBe(200);
    const shop = await t.request('GET', `/v1/merchants/${merchant.id}/listings`, { token: consumer.token });
    expect(shop.body.data.find((x: { id: string }) => x.id === l.id)).toMatchObject({
      sellable: false,
      reason: 'price_below_wholesale',
    });
    const refused = await order(l.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('listing_unavailable');
    expect(await stockOf(p.id)).toBe(1);

    await t.request('PATCH', `/v1/suppliers/${supplier.id}/products/${p.id}`, {
      token: supplier.owner.token,
      body: { wholesalePrice: 5000, stock: 0 },
    });
    const empty = await t.request('GET', `/v1/merchants/${merchant.id}/listings`, { token: consumer.token });
    expect(empty.body.data.find((x: { id: string }) => x.id === l.id)).toMatchObject({
      sellable: false,
      reason: 'out_of_stock',
    });
    const none = await order(l.id);
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('out_of_stock');
  });

  it('a product ships only to its regions', async () => {
    const p = await product({ title: 'Local honey', stock: 2, shippingRegions: ['Beijing'] });
    const l = await listing(p.id);
    const refused = await order(l.id);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('region_not_served');
    expect(await stockOf(p.id)).toBe(2);
    const beijing = await t.request('POST', '/v1/orders', {
      token: consumer.token,
      body: {
        merchantId: merchant.id,
        items: [{ listingId: l.id, quantity: 1 }],
        shipTo: { ...shipTo, region: 'Beijing' },
      },
    });
    expect(beijing.status).toBe(201);
    expect(await stockOf(p.id)).toBe(1);
  });

  it('refuses bad catalog input', async () => {
    const zero = await t.request('POST', `/v1/suppliers/${supplier.id}/products`, {
      token: supplier.owner.token,
      body: { title: 'Free', wholesalePrice: 0, stock: 1 },
    });
    expect(zero.status).toBe(422);
    const negative = await t.request('POST', `/v1/suppliers/${supplier.id}/products`, {
      token: supplier.owner.token,
      body: { title: 'Minus', wholesalePrice: 100, stock: -1 },
    });
    expect(negative.status).toBe(422);
    const asString = await t.request('POST', `/v1/suppliers/${supplier.id}/products`, {
      token: supplier.owner.token,
      body: { title: 'Str', wholesalePrice: '100', stock: 1 },
    });
    expect(asString.status).toBe(400);
    expect(asString.body.error.code).toBe('validation_error');
  });

  it('an unpaid order that expires gives its units back, once', async () => {
    const p = await product({ title: 'Vase', stock: 2 });
    const l = await listing(p.id);
    const created = await order(l.id, 2);
    expect(created.status).toBe(201);
    expect(await stockOf(p.id)).toBe(0);
    clock.advance(32 * 60 * 1000);
    await expireUnpaidOrders(ctx());
    await expireUnpaidOrders(ctx());
    expect(await stockOf(p.id)).toBe(2);
  });
});

describe('fulfillment life cycle', () => {
  it('cancel before shipment puts units back; a cancelled fulfillment cannot ship', async () => {
    const p = await product({ title: 'Bowl', stock: 3 });
    const l = await listing(p.id);
    const orderId = await paidOrder(l.id, 2);
    expect(await stockOf(p.id)).toBe(1);
    const f = await toShip(orderId);
    const cancelled = await t.request('POST', `/v1/fulfillments/${f.id}/cancel`, {
      token: supplier.owner.token,
      body: { reason: 'cannot source' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      orderId,
      refundDue: 20000,
      refunded: 0,
      refundError: null,
    });
    expect(await stockOf(p.id)).toBe(3);
    const shipped = await ship(f.id);
    expect(shipped.status).toBe(409);
    expect(shipped.body.error.code).toBe('fulfillment_cancelled');
    const again = await t.request('POST', `/v1/fulfillments/${f.id}/cancel`, {
      token: supplier.owner.token,
      body: { reason: 'x' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('not_cancellable');
  });

  it("the merchant's cancel refunds the consumer at once: money, vouchers and ad points in proportion", async () => {
    const p = await product({ title: 'Spoon', wholesalePrice: 1000, stock: 2 });
    const l = await listing(p.id, 2000);
    const vouchersBefore = (await t.request('GET', '/v1/wallet', { token: consumer.token })).body.vouchers;
    const adPointsBefore = (
      await t.request('GET', `/v1/merchants/${merchant.id}`, { token: merchant.owner.token })
    ).body.adPoints;
    const proceedsBefore = await proceeds();
    const orderId = await paidOrder(l.id);
    expect((await t.request('GET', '/v1/wallet', { token: consumer.token })).body.vouchers).toBe(
      vouchersBefore + 2000,
    );
    expect(await proceeds()).toBe(proceedsBefore + 2000);
    const f = await toShip(orderId);
    const cancelled = await t.request('POST', `/v1/fulfillments/${f.id}/cancel`, {
      token: merchant.owner.token,
      body: { reason: 'customer asked' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      refunded: 2000,
      refundDue: 0,
      refundError: null,
    });
    expect((await t.request('GET', '/v1/wallet', { token: consumer.token })).body.vouchers).toBe(
      vouchersBefore,
    );
    expect(
      (await t.request('GET', `/v1/merchants/${merchant.id}`, { token: merchant.owner.token })).body.adPoints,
    ).toBe(adPointsBefore);
    expect(await proceeds()).toBe(proceedsBefore);
    expect(await stockOf(p.id)).toBe(2);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('a cancelled line of an order already refunded in part is due only what is left of the order', async () => {
    const p = await product({ title: 'Cup', wholesalePrice: 1000, stock: 4 });
    const l = await listing(p.id, 2000);
    // Two cups (40 yuan); the merchant gives 30 yuan back as a goodwill refund first.
    const supplierCancels = await paidOrder(l.id, 2);
    const goodwill = await t.request('POST', `/v1/orders/${supplierCancels}/refund`, {
      token: merchant.owner.token,
      body: { amount: 3000 },
    });
    expect(goodwill.status).toBe(200);
    const bySupplier = await t.request(
      'POST',
      `/v1/fulfillments/${(await toShip(supplierCancels)).id}/cancel`,
      {
        token: supplier.owner.token,
        body: { reason: 'out of glaze' },
      },
    );
    expect(bySupplier.body).toMatchObject({ status: 'cancelled', refunded: 0, refundDue: 1000 });
    // The merchant's own cancel refunds what is left at once rather than failing on the lines' 40 yuan.
    const merchantCancels = await paidOrder(l.id, 2);
    await t.request('POST', `/v1/orders/${merchantCancels}/refund`, {
      token: merchant.owner.token,
      body: { amount: 3000 },
    });
    const byMerchant = await t.request(
      'POST',
      `/v1/fulfillments/${(await toShip(merchantCancels)).id}/cancel`,
      {
        token: merchant.owner.token,
        body: { reason: 'customer asked' },
      },
    );
    expect(byMerchant.body).toMatchObject({ refunded: 1000, refundDue: 0, refundError: null });
    const order = await t.request('GET', `/v1/orders/${merchantCancels}`, { token: consumer.token });
    expect(order.body.refunded).toBe(4000);
    expect(await stockOf(p.id)).toBe(4);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('a supply-chain order paid partly with eco-points ships and settles on wholesale like any other', async () => {
    const buyer = await user();
    await grantEcoPoints(t, buyer.id, 3000);
    const listed = await listing((await product()).id);
    const created = await t.request('POST', '/v1/orders', {
      token: buyer.token,
      body: {
        merchantId: merchant.id,
        items: [{ listingId: listed.id, quantity: 1 }],
        shipTo,
        ecoPoints: 3000,
      },
    });
    expect(created.body).toMatchObject({ status: 'pending_payment', amount: 10000, cashAmount: 7000 });
    const proceedsBefore = await proceeds();
    const payableBefore = (await payable()).payable;
    await pay(created.body.checkoutSessionId);
    expect(await proceeds()).toBe(proceedsBefore + 7000);
    const fulfillment = await toShip(created.body.id);
    expect((await ship(fulfillment.id)).status).toBe(200);
    // The wholesale 80 yuan moves to the supplier whatever paid the order; the merchant holds 30.00 eco-points.
    expect((await payable()).payable).toBe(payableBefore + 8000);
    expect(await proceeds()).toBe(proceedsBefore + 7000 - 8000);
    expect((await balanceOf(t.db, accounts.merchantEcoPoints(merchant.id))).available).toBeGreaterThanOrEqual(
      3000,
    );
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('under on_delivery the consumer confirmation settles; the auto-confirm job does it after deliveryAutoConfirmDays', async () => {
    const change = await t.request('POST', '/v1/platform/parameters', {
      token: operator.token,
      body: { name: 'supplierSettlementTrigger', value: 'on_delivery' },
    });
    expect(change.status).toBe(201);
    const p = await product({ title: 'Cup', wholesalePrice: 3000, stock: 5 });
    const l = await listing(p.id, 4000);
    const before = (await payable()).payable;

    const confirmedId = await paidOrder(l.id);
    const f1 = await toShip(confirmedId);
    expect(f1.shipTo.phone).toBe('+8613800000009');
    expect((await ship(f1.id)).body).toMatchObject({ status: 'shipped', settled: false });
    expect((await payable()).payable).toBe(before);
    const notYours = await t.request(
      'POST',
      `/v1/orders/${confirmedId}/fulfillments/${f1.id}/confirm-delivery`,
      {
        token: otherConsumer.token,
      },
    );
    expect(notYours.status).toBe(404);
    const confirmed = await t.request(
      'POST',
      `/v1/orders/${confirmedId}/fulfillments/${f1.id}/confirm-delivery`,
      {
        token: consumer.token,
      },
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'delivered', settled: true });
    // The courier needs the full phone until delivery; after it the supplier sees it masked (ADR 0014).
    const delivered = await t.request('GET', `/v1/suppliers/${supplier.id}/fulfillments?status=delivered`, {
      token: supplier.owner.token,
    });
    expect(delivered.body.data.find((f: { id: string }) => f.id === f1.id).shipTo).toEqual({
      ...shipTo,
      phone: '+86 138****0009',
    });
    expect((await payable()).payable).toBe(before + 3000);
    const twice = await t.request(
      'POST',
      `/v1/orders/${confirmedId}/fulfillments/${f1.id}/confirm-delivery`,
      {
        token: consumer.token,
      },
    );
    expect(twice.status).toBe(409);

    const autoId = await paidOrder(l.id);
    const f2 = await toShip(autoId);
    await ship(f2.id);
    clock.advance(9 * 24 * 60 * 60 * 1000);
    expect((await autoConfirmDeliveries(ctx())).confirmed).not.toContain(f2.id);
    clock.advance(24 * 60 * 60 * 1000);
    expect((await autoConfirmDeliveries(ctx())).confirmed).toContain(f2.id);
    expect((await payable()).payable).toBe(before + 6000);

    await t.request('POST', '/v1/platform/parameters', {
      token: operator.token,
      body: { name: 'supplierSettlementTrigger', value: 'on_shipment' },
    });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});

describe('who may do what', () => {
  let fulfillmentId: string;
  let orderId: string;

  beforeAll(async () => {
    const p = await product({ title: 'Plate', stock: 5 });
    const l = await listing(p.id);
    orderId = await paidOrder(l.id);
    fulfillmentId = (await toShip(orderId)).id;
  });

  it('another supplier, the merchant, the consumer and an operator cannot ship: 404; anonymous 401', async () => {
    for (const token of [otherSupplier.owner.token, merchant.owner.token, consumer.token, operator.token]) {
      const res = await ship(fulfillmentId, token);
      expect(res.status).toBe(404);
    }
    const anonymous = await t.request('POST', `/v1/fulfillments/${fulfillmentId}/ship`, {
      body: { carrier: 'SF', trackingNumber: '1' },
    });
    expect(anonymous.status).toBe(401);
    const otherMerchantCancel = await t.request('POST', `/v1/fulfillments/${fulfillmentId}/cancel`, {
      token: otherMerchant.owner.token,
      body: { reason: 'x' },
    });
    expect(otherMerchantCancel.status).toBe(404);
    const consumerReturn = await t.request('POST', `/v1/fulfillments/${fulfillmentId}/return`, {
      token: consumer.token,
      body: {},
    });
    expect(consumerReturn.status).toBe(404);
  });

  it("the supplier's staff (not only its owner) see the queue and ship", async () => {
    const staffPhone = phone();
    const added = await t.request('POST', `/v1/suppliers/${supplier.id}/staff`, {
      token: supplier.owner.token,
      body: { phone: staffPhone },
    });
    expect(added.status).toBe(201);
    const staff = await t.signIn(staffPhone);
    const queue = await t.request('GET', `/v1/suppliers/${supplier.id}/fulfillments?status=to_ship`, {
      token: staff.token,
    });
    expect(queue.body.data.map((f: { id: string }) => f.id)).toContain(fulfillmentId);
    const shipped = await ship(fulfillmentId, staff.token);
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({ id: fulfillmentId, status: 'shipped' });
  });

  it("a supplier's fulfillments, products, payable and payouts are its own: others get 404", async () => {
    for (const token of [otherSupplier.owner.token, merchant.owner.token, consumer.token]) {
      for (const path of ['fulfillments?status=to_ship', 'products', 'payable', 'payouts']) {
        const res = await t.request('GET', `/v1/suppliers/${supplier.id}/${path}`, { token });
        expect(res.status).toBe(404);
      }
    }
    const patch = await t.request('PATCH', `/v1/suppliers/${supplier.id}/products/spr_nothing`, {
      token: otherSupplier.owner.token,
      body: { stock: 1 },
    });
    expect(patch.status).toBe(404);
    expect(
      (await t.request('GET', `/v1/suppliers/${supplier.id}/payable`, { token: operator.token })).status,
    ).toBe(200);
    expect((await t.request('GET', `/v1/suppliers/${supplier.id}/payable`)).status).toBe(401);
  });

  it('platform payout routes are for operators only: 403, anonymous 401', async () => {
    for (const token of [consumer.token, merchant.owner.token, supplier.owner.token]) {
      expect((await t.request('GET', '/v1/platform/payouts', { token })).status).toBe(403);
      expect((await t.request('POST', '/v1/platform/payouts/run', { token })).status).toBe(403);
      const mark = await t.request('POST', '/v1/platform/payouts/pob_x/mark-paid', {
        token,
        body: { reference: 'r' },
      });
      expect(mark.status).toBe(403);
    }
    expect((await t.request('GET', '/v1/platform/payouts')).status).toBe(401);
    const missing = await t.request('POST', '/v1/platform/payouts/pob_x/mark-paid', {
      token: operator.token,
      body: { reference: 'r' },
    });
    expect(missing.status).toBe(404);
  });

  it('statements are for the merchant staff and operators; order shipments for the consumer and the merchant', async () => {
    for (const token of [otherMerchant.owner.token, consumer.token, supplier.owner.token]) {
      expect((await t.request('GET', `/v1/merchants/${merchant.id}/statement`, { token })).status).toBe(404);
    }
    expect((await t.request('GET', `/v1/merchants/${merchant.id}/statement`)).status).toBe(401);
    for (const token of [otherConsumer.token, otherMerchant.owner.token, supplier.owner.token]) {
      expect((await t.request('GET', `/v1/orders/${orderId}/fulfillments`, { token })).status).toBe(404);
    }
    expect((await t.request('GET', '/v1/supply/products', { token: consumer.token })).status).toBe(403);
    expect((await t.request('GET', '/v1/supply/products', { token: supplier.owner.token })).status).toBe(403);
  });
});

// Real concurrency needs real connections: PGlite runs one query at a time.
describe.skipIf(!onPostgres)('under concurrency (PostgreSQL)', () => {
  it('concurrent orders for the last units never oversell', async () => {
    const p = await product({ title: 'Last ones', stock: 3 });
    const l = await listing(p.id);
    const buyers = await Promise.all(Array.from({ length: 8 }, () => user()));
    const results = await Promise.all(buyers.map((b) => order(l.id, 1, b)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r.body.error.code).toBe('out_of_stock');
    expect(await stockOf(p.id)).toBe(0);
  });

  it('a fulfillment shipped by several requests at once settles once', async () => {
    const p = await product({ title: 'Race', stock: 2 });
    const l = await listing(p.id);
    const orderId = await paidOrder(l.id);
    const f = await toShip(orderId);
    const before = (await payable()).payable;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => ship(f.id, supplier.owner.token, `T${i}`)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200))
      expect(r.body.error.code).toBe('already_shipped');
    expect((await payable()).payable).toBe(before + 8000);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('two payout runs at the same time make one batch', async () => {
    const s = await activeOrg('suppliers', 'Supplier Race');
    const p = await product({ title: 'Payout race', stock: 2 }, s);
    const l = await listing(p.id);
    const orderId = await paidOrder(l.id);
    const f = await toShip(orderId, s);
    expect((await ship(f.id, s.owner.token)).status).toBe(200);
    const [a, b] = await Promise.all([runPayoutBatch(ctx()), runPayoutBatch(ctx())]);
    const mine = [...a.created, ...b.created].filter((x) => x.supplierId === s.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.amount).toBe(8000);
    expect(await payable(s)).toEqual({ payable: 8000, paidOut: 0, inPayout: 8000 });
    const [x, y] = await Promise.all([
      t.request('POST', `/v1/platform/payouts/${mine[0]!.id}/mark-paid`, {
        token: operator.token,
        body: { reference: 'A' },
      }),
      t.request('POST', `/v1/platform/payouts/${mine[0]!.id}/mark-paid`, {
        token: operator.token,
        body: { reference: 'B' },
      }),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    expect(await payable(s)).toEqual({ payable: 0, paidOut: 8000, inPayout: 0 });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});

describe('API description and schedules', () => {
  it('publishes every supply-chain route in the OpenAPI document', async () => {
    const doc = await t.request('GET', '/openapi.json');
    for (const path of [
      '/v1/suppliers/{id}/products',
      '/v1/suppliers/{id}/products/{productId}',
      '/v1/supply/products',
      '/v1/suppliers/{id}/fulfillments',
      '/v1/fulfillments/{id}/ship',
      '/v1/fulfillments/{id}/cancel',
      '/v1/fulfillments/{id}/return',
      '/v1/orders/{orderId}/fulfillments/{id}/confirm-delivery',
      '/v1/merchants/{id}/statement',
      '/v1/suppliers/{id}/payable',
      '/v1/suppliers/{id}/payouts',
      '/v1/platform/payouts',
      '/v1/platform/payouts/{id}/mark-paid',
    ]) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
  });

  it('a ship retried with the same Idempotency-Key replays the first 200', async () => {
    const p = await product({ title: 'Retry', stock: 1 });
    const l = await listing(p.id);
    const f = await toShip(await paidOrder(l.id));
    const before = (await payable()).payable;
    const headers = { 'idempotency-key': `ship-${f.id}` };
    const body = { carrier: 'SF Express', trackingNumber: 'SF1' };
    const first = await t.request('POST', `/v1/fulfillments/${f.id}/ship`, {
      token: supplier.owner.token,
      body,
      headers,
    });
    const retry = await t.request('POST', `/v1/fulfillments/${f.id}/ship`, {
      token: supplier.owner.token,
      body,
      headers,
    });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect((await payable()).payable).toBe(before + 8000);
  });

  it('runs each job in the minutes its schedule names, the payouts by the parameter, once per minute', async () => {
    const ran: string[] = [];
    const probes = scheduledJobs.map((job) => ({
      ...job,
      run: async () => {
        ran.push(job.name);
      },
    }));
    const dispatch = async (at: string) => {
      ran.length = 0;
      const result = await dispatchDueJobs(t.deps, new Date(at), probes);
      expect(result.ran).toEqual(ran);
      return result;
    };
    // Default supplierPayoutCron: Monday 02:00 in Asia/Shanghai, which is Sunday 18:00 UTC.
    expect((await dispatch('2027-06-06T18:00:42Z')).ran).toEqual([
      'pending-timeout',
      'sales-expiry',
      'payouts',
    ]);
    const again = await dispatch('2027-06-06T18:00:05Z');
    expect([again.ran, again.claimedElsewhere]).toEqual([[], ['pending-timeout', 'sales-expiry', 'payouts']]);
    expect((await dispatch('2027-06-06T18:01:00Z')).ran).toEqual(['pending-timeout', 'sales-expiry']);
    expect((await dispatch('2027-06-06T18:17:00Z')).ran).toEqual([
      'pending-timeout',
      'sales-expiry',
      'delivery-auto-confirm',
    ]);

    // The operator moves the payouts; the next dispatch follows, on Node and Workers alike.
    const change = await t.request('PUT', '/v1/platform/parameters', {
      token: operator.token,
      body: { name: 'supplierPayoutCron', value: '30 9 * * 3', reason: 'bank cut-off' },
    });
    expect(change.status).toBe(201);
    expect((await dispatch('2027-06-13T18:00:00Z')).ran).toEqual(['pending-timeout', 'sales-expiry']);
    expect((await dispatch('2027-06-16T01:30:00Z')).ran).toEqual([
      'pending-timeout',
      'sales-expiry',
      'payouts',
    ]);

    // A failing body is recorded for its minute and does not stop the jobs after it.
    const failing = [{ ...probes[0]!, run: () => Promise.reject(new Error('boom')) }, probes[1]!];
    ran.length = 0;
    const failed = await dispatchDueJobs(t.deps, new Date('2027-06-16T01:31:00Z'), failing);
    expect([failed.failed, failed.ran]).toEqual([['pending-timeout'], ['sales-expiry']]);
    const [run] = await t.db
      .select()
      .from(schema.jobRuns)
      .where(
        and(
          eq(schema.jobRuns.job, 'pending-timeout'),
          eq(schema.jobRuns.slot, new Date('2027-06-16T01:31:00Z')),
        ),
      );
    expect(run?.error).toBe('boom');
    expect(run?.finishedAt).not.toBeNull();
  });
});
