import { schema } from '@alliance/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../ids';
import { runSalesExpiry } from '../jobs/sales';
import { balanceOf, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { activeMerchant, adPoints, signInConsumer, vouchers } from './sales-fixtures';

const clock = testClock('2026-11-30T02:00:00Z');
let t: TestApp;
const shipTo = { name: 'Wang Fang', phone: '+8613800000123', region: 'Shanghai', address: '1 Nanjing Road' };

beforeAll(async () => {
  t = await createTestApp({ clock, env: { AUTH_OTP_PER_IP_HOUR: '100000' } });
});
afterAll(() => t.close());

const proceeds = async (merchantId: string) =>
  (await balanceOf(t.db, accounts.merchantProceeds(merchantId))).posted;
const stockOf = async (listingId: string) =>
  (await t.db.select().from(schema.listings).where(eq(schema.listings.id, listingId)))[0]!.stock;

async function listing(merchant: { id: string; owner: { token: string } }, body: Record<string, unknown>) {
  const res = await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
    token: merchant.owner.token,
    body,
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; stock: number };
}

describe('catalog', () => {
  it("staff list the merchant's own products; the shop is public; edits are staff-only", async () => {
    const merchant = await activeMerchant(t);
    const other = await activeMerchant(t);
    const consumer = await signInConsumer(t);
    const body = { title: 'Green tea 250 g', price: 5000, stock: 3, imageUrl: '/img/tea.jpg' };
    const path = `/v1/merchants/${merchant.id}/listings`;
    expect((await t.request('POST', path, { body })).status).toBe(401);
    for (const token of [consumer.token, other.owner.token]) {
      expect((await t.request('POST', path, { token, body })).status).toBe(404);
    }
    const created = await listing(merchant, body);
    expect(created).toMatchObject({
      title: 'Green tea 250 g',
      price: 5000,
      stock: 3,
      ships: true,
      supplierProductId: null,
    });
    expect(
      (await t.request('POST', path, { token: merchant.owner.token, body: { ...body, price: 0 } })).status,
    ).toBe(422);
    expect(
      (await t.request('POST', path, { token: merchant.owner.token, body: { ...body, price: '50' } })).status,
    ).toBe(400);

    const shop = await t.request('GET', path);
    expect(shop.status).toBe(200);
    expect(shop.body.data.map((l: { id: string }) => l.id)).toEqual([created.id]);

    const patchPath = `${path}/${created.id}`;
    for (const token of [consumer.token, other.owner.token]) {
      expect((await t.request('PATCH', patchPath, { token, body: { price: 1 } })).status).toBe(404);
    }
    const patched = await t.request('PATCH', patchPath, {
      token: merchant.owner.token,
      body: { price: 4500, active: false },
    });
    expect(patched.body).toMatchObject({ price: 4500, active: false });
    expect((await t.request('GET', path)).body.data).toEqual([]);
    expect((await t.request('GET', path, { token: merchant.owner.token })).body.data).toHaveLength(1);

    const pending = await activeMerchant(t, { status: 'pending' });
    expect((await t.request('GET', `/v1/merchants/${pending.id}/listings`)).status).toBe(404);
  });

  it('a supplier product is listed at or above wholesale (422 price_below_wholesale)', async () => {
    const merchant = await activeMerchant(t);
    const supplierOwner = await signInConsumer(t);
    const supplierId = newId('sup');
    await t.db.insert(schema.organisations).values({
      id: supplierId,
      kind: 'supplier',
      name: 'Tea farm',
      status: 'active',
      ownerUserId: supplierOwner.id,
    });
    const productId = newId('spr');
    await t.db
      .insert(schema.supplierProducts)
      .values({ id: productId, supplierId, title: 'Oolong 500 g', wholesalePriceFen: 8000, stock: 10 });
    const path = `/v1/merchants/${merchant.id}/listings`;
    const low = await t.request('POST', path, {
      token: merchant.owner.token,
      body: { supplierProductId: productId, price: 7999 },
    });
    expect(low.status).toBe(422);
    expect(low.body.error.code).toBe('price_below_wholesale');
    const ok = await t.request('POST', path, {
      token: merchant.owner.token,
      body: { supplierProductId: productId, price: 10_000 },
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      title: 'Oolong 500 g',
      price: 10_000,
      supplierProductId: productId,
      ships: true,
    });
    const patch = await t.request('PATCH', `${path}/${ok.body.id}`, {
      token: merchant.owner.token,
      body: { price: 7000 },
    });
    expect(patch.status).toBe(422);
    expect(patch.body.error.code).toBe('price_below_wholesale');
    const unknown = await t.request('POST', path, {
      token: merchant.owner.token,
      body: { supplierProductId: 'spr_nope', price: 10_000 },
    });
    expect(unknown.status).toBe(404);
  });
});

/** A 100-yuan teapot ordered and paid through the fake Stripe, with the charge Stripe made for it. */
async function paidTeapot() {
  const merchant = await activeMerchant(t, { adPoints: 10_000 });
  const consumer = await signInConsumer(t);
  const item = await listing(merchant, { title: 'Teapot', price: 10_000, stock: 1 });
  const order = await t.request('POST', '/v1/orders', {
    token: consumer.token,
    body: { merchantId: merchant.id, items: [{ listingId: item.id, quantity: 1 }], shipTo },
  });
  await t.fakeStripe.pay(order.body.checkoutSessionId, { method: 'alipay' });
  const charge = [...t.fakeStripe.charges.values()].find((c) => c.metadata?.order_id === order.body.id)!;
  return { merchant, consumer, order, charge };
}

describe('online orders (SPEC flow 2, online)', () => {
  it('100 yuan paid through Stripe: vouchers +100.00, ad points -15.00, proceeds +100 yuan; the webhook acts once', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const item = await listing(merchant, { title: 'Teapot', price: 5000, stock: 2 });

    const order = await t.request('POST', '/v1/orders', {
      token: consumer.token,
      body: { merchantId: merchant.id, items: [{ listingId: item.id, quantity: 2 }], shipTo },
    });
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({
      id: expect.stringMatching(/^ord_/),
      status: 'pending_payment',
      amount: 10_000,
      checkoutSessionId: expect.stringMatching(/^cs_/),
      checkoutUrl: expect.stringContaining('/checkout/'),
    });
    expect(await stockOf(item.id)).toBe(0);
    const session = t.fakeStripe.sessions.get(order.body.checkoutSessionId)!;
    expect(session.metadata).toEqual({ order_id: order.body.id, merchant_id: merchant.id });
    expect(session.amount_total).toBe(10_000);

    await t.fakeStripe.pay(order.body.checkoutSessionId, { method: 'alipay' });
    const paid = await t.request('GET', `/v1/orders/${order.body.id}`, { token: consumer.token });
    expect(paid.body).toMatchObject({ status: 'paid', saleId: expect.stringMatching(/^sal_/) });
    expect(await vouchers(t, consumer.id)).toBe(10_000);
    expect(await adPoints(t, merchant.id)).toBe(8500);
    expect(await proceeds(merchant.id)).toBe(10_000);

    // Stripe may deliver the completion again, under another event id: nothing more happens.
    const replay = await t.fakeStripe.sendEvent('checkout.session.completed', {
      ...t.fakeStripe.sessions.get(order.body.checkoutSessionId)!,
    });
    expect(replay.status).toBe(200);
    expect(await vouchers(t, consumer.id)).toBe(10_000);
    expect(await adPoints(t, merchant.id)).toBe(8500);
    expect(await proceeds(merchant.id)).toBe(10_000);

    const sales = await t.request('GET', '/v1/sales', { token: consumer.token });
    expect(sales.body.data[0]).toMatchObject({
      channel: 'online',
      orderId: order.body.id,
      vouchersIssued: 10_000,
      adPointsCharged: 1500,
    });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('a merchant without enough ad points: paid, no vouchers, the reason recorded, proceeds still owed', async () => {
    const merchant = await activeMerchant(t, { adPoints: 100 });
    const consumer = await signInConsumer(t);
    const item = await listing(merchant, { title: 'Cup', price: 10_000, stock: 5, ships: false });
    // The shop and the cart ask before paying: 100.00 yuan costs 15.00 ad points, more than it holds.
    const quote = (amount: number | string, id = merchant.id) =>
      t.request('GET', `/v1/merchants/${id}/voucher-quote?amount=${amount}`);
    expect((await quote(10_000)).body).toEqual({ amount: 10_000, vouchers: 10_000, vouchersPaused: true });
    expect((await quote(500)).body).toEqual({ amount: 500, vouchers: 500, vouchersPaused: false });
    expect((await quote(0)).body.error.code).toBe('amount_not_positive');
    expect((await quote('x')).status).toBe(400);
    expect((await quote(500, 'mer_nope')).status).toBe(404);
    const order = await t.request('POST', '/v1/orders', {
      token: consumer.token,
      body: { merchantId: merchant.id, items: [{ listingId: item.id, quantity: 1 }] },
    });
    expect(order.status).toBe(201);
    await t.fakeStripe.pay(order.body.checkoutSessionId, { method: 'alipay' });
    const sales = await t.request('GET', '/v1/sales', { token: consumer.token });
    expect(sales.body.data[0]).toMatchObject({
      vouchersIssued: 0,
      adPointsCharged: 0,
      reason: 'merchant_insufficient_ad_points',
    });
    const paid = await t.request('GET', `/v1/orders/${order.body.id}`, { token: consumer.token });
    expect(paid.body).toMatchObject({
      status: 'paid',
      vouchersIssued: 0,
      vouchersReason: 'merchant_insufficient_ad_points',
    });
    expect(await vouchers(t, consumer.id)).toBe(0);
    expect(await adPoints(t, merchant.id)).toBe(100);
    expect(await proceeds(merchant.id)).toBe(10_000);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('own delivered products: the merchant ships them itself, the consumer sees the tracking and confirms', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const other = await activeMerchant(t);
    const consumer = await signInConsumer(t);
    const kettle = await listing(merchant, { title: 'Kettle', price: 3000, stock: 2 });
    const pickup = await listing(merchant, { title: 'Mooncake', price: 1000, stock: 2, ships: false });
    const order = await t.request('POST', '/v1/orders', {
      token: consumer.token,
      body: {
        merchantId: merchant.id,
        items: [
          { listingId: kettle.id, quantity: 1 },
          { listingId: pickup.id, quantity: 1 },
        ],
        shipTo,
      },
    });
    await t.fakeStripe.pay(order.body.checkoutSessionId, { method: 'alipay' });
    const list = await t.request('GET', `/v1/merchants/${merchant.id}/fulfillments`, {
      token: merchant.owner.token,
    });
    expect(list.body.data).toHaveLength(1);
    const own = list.body.data[0];
    expect(own).toMatchObject({
      orderId: order.body.id,
      supplierId: merchant.id,
      status: 'to_ship',
      shipTo,
      wholesaleCost: 0,
    });
    const ship = (token: string) =>
      t.request('POST', `/v1/fulfillments/${own.id}/ship`, {
        token,
        body: { carrier: 'SF Express', trackingNumber: 'SF0001' },
      });
    for (const token of [consumer.token, other.owner.token]) expect((await ship(token)).status).toBe(404);
    expect((await ship(merchant.owner.token)).body).toMatchObject({ id: own.id, status: 'shipped' });
    expect((await ship(merchant.owner.token)).body.error.code).toBe('already_shipped');
    const seen = await t.request('GET', `/v1/orders/${order.body.id}/fulfillments`, {
      token: consumer.token,
    });
    expect(seen.body.data[0]).toMatchObject({ carrier: 'SF Express', trackingNumber: 'SF0001' });
    const confirmed = await t.request(
      'POST',
      `/v1/orders/${order.body.id}/fulfillments/${own.id}/confirm-delivery`,
      { token: consumer.token },
    );
    expect(confirmed.body.status).toBe('delivered');
    expect(await proceeds(merchant.id)).toBe(4000);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('the merchant cancels its own shipment: its lines refunded at once and back in stock; it returns another', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const other = await activeMerchant(t);
    const consumer = await signInConsumer(t);
    const kettle = await listing(merchant, { title: 'Kettle', price: 3000, stock: 5 });
    const pickup = await listing(merchant, { title: 'Mooncake', price: 1000, stock: 5, ships: false });
    const paidOrder = async () => {
      const order = await t.request('POST', '/v1/orders', {
        token: consumer.token,
        body: {
          merchantId: merchant.id,
          items: [
            { listingId: kettle.id, quantity: 2 },
            { listingId: pickup.id, quantity: 1 },
          ],
          shipTo,
        },
      });
      expect(order.status).toBe(201);
      await t.fakeStripe.pay(order.body.checkoutSessionId, { method: 'alipay' });
      const list = await t.request('GET', `/v1/orders/${order.body.id}/fulfillments`, {
        token: consumer.token,
      });
      expect(list.body.data).toHaveLength(1);
      return {
        orderId: order.body.id as string,
        own: list.body.data[0] as { id: string; supplierId: string },
      };
    };
    const first = await paidOrder();
    expect(first.own.supplierId).toBe(merchant.id);
    expect(await stockOf(kettle.id)).toBe(3);
    expect(await proceeds(merchant.id)).toBe(7000);
    expect(await vouchers(t, consumer.id)).toBe(7000);
    const cancel = (token: string | undefined, id = first.own.id) =>
      t.request('POST', `/v1/fulfillments/${id}/cancel`, { token, body: { reason: 'out of kettles' } });
    expect((await cancel(undefined)).status).toBe(401);
    for (const token of [consumer.token, other.owner.token]) expect((await cancel(token)).status).toBe(404);
    const cancelled = await cancel(merchant.owner.token);
    expect(cancelled.status).toBe(200);
    // The two kettles (2 × 30.00 yuan) are refunded; the pickup line stays sold.
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      refunded: 6000,
      refundDue: 0,
      refundError: null,
    });
    expect(await stockOf(kettle.id)).toBe(5);
    expect(await stockOf(pickup.id)).toBe(4);
    expect(await proceeds(merchant.id)).toBe(1000);
    expect(await vouchers(t, consumer.id)).toBe(1000);
    const order = await t.request('GET', `/v1/orders/${first.orderId}`, { token: consumer.token });
    expect(order.body).toMatchObject({ status: 'paid', refunded: 6000 });
    expect((await cancel(merchant.owner.token)).body.error.code).toBe('not_cancellable');

    // Shipped goods that come back are recorded as returned: nothing was settled, nothing reverses.
    const second = await paidOrder();
    const ret = (token: string) =>
      t.request('POST', `/v1/fulfillments/${second.own.id}/return`, { token, body: { reason: 'damaged' } });
    expect((await ret(merchant.owner.token)).body.error.code).toBe('not_returnable');
    await t.request('POST', `/v1/fulfillments/${second.own.id}/ship`, {
      token: merchant.owner.token,
      body: { carrier: 'SF Express', trackingNumber: 'SF0002' },
    });
    for (const token of [consumer.token, other.owner.token]) expect((await ret(token)).status).toBe(404);
    const returned = await ret(merchant.owner.token);
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({ status: 'returned', reversed: 0 });
    expect(await proceeds(merchant.id)).toBe(8000);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('refusals: ship_to_required, out_of_stock, unknown listing, own staff; none of them keeps anything', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const item = await listing(merchant, { title: 'Kettle', price: 3000, stock: 1 });
    const pickup = await listing(merchant, { title: 'Mooncake', price: 1000, stock: 1, ships: false });
    const order = (body: object, token = consumer.token) =>
      t.request('POST', '/v1/orders', { token, body: { merchantId: merchant.id, ...body } });

    const noAddress = await order({ items: [{ listingId: item.id, quantity: 1 }] });
    expect(noAddress.status).toBe(422);
    expect(noAddress.body.error.code).toBe('ship_to_required');
    const tooMany = await order({
      items: [
        { listingId: pickup.id, quantity: 1 },
        { listingId: item.id, quantity: 2 },
      ],
      shipTo,
    });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.code).toBe('out_of_stock');
    // The pickup line's reservation was rolled back with the rest.
    expect(await stockOf(pickup.id)).toBe(1);
    expect(await stockOf(item.id)).toBe(1);
    const unknown = await order({ items: [{ listingId: 'lst_unknown', quantity: 1 }] });
    expect(unknown.status).toBe(404);
    expect((await order({ items: [{ listingId: item.id, quantity: 0 }], shipTo })).status).toBe(400);
    const self = await order({ items: [{ listingId: pickup.id, quantity: 1 }] }, merchant.owner.token);
    expect(self.status).toBe(422);
    expect(self.body.error.code).toBe('self_sale_not_allowed');
    expect(
      (
        await t.request('POST', '/v1/orders', {
          body: { merchantId: merchant.id, items: [{ listingId: item.id, quantity: 1 }] },
        })
      ).status,
    ).toBe(401);
    expect(await t.db.select().from(schema.orders).where(eq(schema.orders.merchantId, merchant.id))).toEqual(
      [],
    );
  });

  it('an unpaid order expires after its window and gives its stock back', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const item = await listing(merchant, { title: 'Vase', price: 2000, stock: 3 });
    const order = await t.request('POST', '/v1/orders', {
      token: consumer.token,
      body: { merchantId: merchant.id, items: [{ listingId: item.id, quantity: 2 }], shipTo },
    });
    expect(await stockOf(item.id)).toBe(1);
    clock.advance(30 * 60 * 1000);
    await runSalesExpiry({ ...t.deps, user: undefined });
    expect(await stockOf(item.id)).toBe(1);
    clock.advance(60 * 1000);
    const run = await runSalesExpiry({ ...t.deps, user: undefined });
    expect(run.ordersExpired).toBeGreaterThanOrEqual(1);
    expect(await stockOf(item.id)).toBe(3);
    const after = await t.request('GET', `/v1/orders/${order.body.id}`, { token: consumer.token });
    expect(after.body.status).toBe('expired');
    // Running it again releases nothing twice.
    await runSalesExpiry({ ...t.deps, user: undefined });
    expect(await stockOf(item.id)).toBe(3);
  });

  it('refunds through Stripe: vouchers and ad points in proportion, proceeds reduced; roles', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const other = await activeMerchant(t);
    const consumer = await signInConsumer(t);
    const stranger = await signInConsumer(t);
    const operator = await t.signIn(operatorPhone);
    const item = await listing(merchant, { title: 'Tea set', price: 10_000, stock: 1 });
    const order = await t.request('POST', '/v1/orders', {
      token: consumer.token,
      body: { merchantId: merchant.id, items: [{ listingId: item.id, quantity: 1 }], shipTo },
    });
    const path = `/v1/orders/${order.body.id}/refund`;
    const early = await t.request('POST', path, { token: merchant.owner.token, body: { amount: 100 } });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('order_not_paid');
    await t.fakeStripe.pay(order.body.checkoutSessionId, { method: 'alipay' });

    // Who may see and refund the order.
    const get = `/v1/orders/${order.body.id}`;
    expect((await t.request('GET', get)).status).toBe(401);
    for (const token of [consumer.token, merchant.owner.token, operator.token])
      expect((await t.request('GET', get, { token })).status).toBe(200);
    for (const token of [stranger.token, other.owner.token])
      expect((await t.request('GET', get, { token })).status).toBe(404);
    expect((await t.request('POST', path, { body: { amount: 100 } })).status).toBe(401);
    for (const token of [consumer.token, other.owner.token, operator.token]) {
      expect((await t.request('POST', path, { token, body: { amount: 100 } })).status).toBe(404);
    }
    const merchantOrders = await t.request('GET', `/v1/merchants/${merchant.id}/orders`, {
      token: merchant.owner.token,
    });
    expect(merchantOrders.body.data.map((o: { id: string }) => o.id)).toEqual([order.body.id]);
    expect(
      (await t.request('GET', `/v1/merchants/${merchant.id}/orders`, { token: other.owner.token })).status,
    ).toBe(404);
    expect((await t.request('GET', '/v1/orders', { token: stranger.token })).body.data).toEqual([]);
    expect((await t.request('GET', '/v1/orders', { token: consumer.token })).body.data).toHaveLength(1);

    const refund = await t.request('POST', path, { token: merchant.owner.token, body: { amount: 3000 } });
    expect(refund.status).toBe(200);
    expect(refund.body).toEqual({
      id: expect.stringMatching(/^rfd_/),
      refunded: 3000,
      vouchersClawedBack: 3000,
      adPointsReturned: 450,
      ecoPointsReturned: 0,
      cashRefunded: 3000,
    });
    const charge = [...t.fakeStripe.charges.values()].find((c) => c.metadata?.order_id === order.body.id)!;
    expect(charge.amount_refunded).toBe(3000);
    expect(await vouchers(t, consumer.id)).toBe(7000);
    expect(await adPoints(t, merchant.id)).toBe(8500 + 450);
    expect(await proceeds(merchant.id)).toBe(7000);

    const over = await t.request('POST', path, { token: merchant.owner.token, body: { amount: 7001 } });
    expect(over.status).toBe(422);
    expect(over.body.error.code).toBe('refund_exceeds_amount');
    const rest = await t.request('POST', path, { token: merchant.owner.token, body: { amount: 7000 } });
    expect(rest.body).toMatchObject({ refunded: 7000, vouchersClawedBack: 7000, adPointsReturned: 1050 });
    expect(charge.amount_refunded).toBe(10_000);
    expect(await vouchers(t, consumer.id)).toBe(0);
    expect(await adPoints(t, merchant.id)).toBe(10_000);
    expect(await proceeds(merchant.id)).toBe(0);
    // In-store refunds do not take online sales.
    const saleRefund = await t.request(
      'POST',
      `/v1/sales/${(await t.request('GET', get, { token: consumer.token })).body.saleId}/refund`,
      {
        token: merchant.owner.token,
        body: { amount: 1 },
      },
    );
    expect(saleRefund.status).toBe(409);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('concurrent refunds past the amount: one is refunded, the other gets 422 refund_exceeds_amount', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const item = await listing(merchant, { title: 'Kettle', price: 10_000, stock: 1 });
    const order = await t.request('POST', '/v1/orders', {
      token: consumer.token,
      body: { merchantId: merchant.id, items: [{ listingId: item.id, quantity: 1 }], shipTo },
    });
    await t.fakeStripe.pay(order.body.checkoutSessionId, { method: 'alipay' });
    const path = `/v1/orders/${order.body.id}/refund`;
    const results = await Promise.all(
      [6000, 6000].map((amount) =>
        t.request('POST', path, { token: merchant.owner.token, body: { amount } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 422]);
    expect(results.find((r) => r.status === 422)!.body.error.code).toBe('refund_exceeds_amount');
    expect(await proceeds(merchant.id)).toBe(4000);
    const rest = await t.request('POST', path, { token: merchant.owner.token, body: { amount: 4000 } });
    expect(rest.status).toBe(200);
    expect(await proceeds(merchant.id)).toBe(0);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('a refund made in the Stripe dashboard is applied once like an order refund; an unmatched one is left for operators', async () => {
    const { merchant, consumer, order, charge } = await paidTeapot();
    expect(await vouchers(t, consumer.id)).toBe(10_000);
    expect(await adPoints(t, merchant.id)).toBe(8500);

    // The dashboard refunds 40 yuan: Stripe tells us the charge's refunded total, possibly more than once.
    charge.amount_refunded = 4000;
    const first = await t.fakeStripe.sendEvent('charge.refunded', { ...charge });
    const again = await t.fakeStripe.sendEvent('charge.refunded', { ...charge });
    expect([first.status, again.status]).toEqual([200, 200]);
    const outcomes = await t.db
      .select({ id: schema.stripeEvents.id, outcome: schema.stripeEvents.outcome })
      .from(schema.stripeEvents)
      .where(eq(schema.stripeEvents.type, 'charge.refunded'));
    expect(outcomes.find((e) => e.id === first.eventId)!.outcome).toBe('order_refund_recorded');
    expect(outcomes.find((e) => e.id === again.eventId)!.outcome).toBe('order_refund_acknowledged');
    expect(await vouchers(t, consumer.id)).toBe(6000);
    expect(await adPoints(t, merchant.id)).toBe(8500 + 600);
    expect(await proceeds(merchant.id)).toBe(6000);

    // What is left is refundable here, and no more.
    const path = `/v1/orders/${order.body.id}/refund`;
    const over = await t.request('POST', path, { token: merchant.owner.token, body: { amount: 6001 } });
    expect(over.status).toBe(422);
    const rest = await t.request('POST', path, { token: merchant.owner.token, body: { amount: 6000 } });
    expect(rest.status).toBe(200);
    expect(await proceeds(merchant.id)).toBe(0);
    expect(await vouchers(t, consumer.id)).toBe(0);

    // A refund of a charge that pays for nothing here is an anomaly, credited to no one.
    const unknown = await t.fakeStripe.sendEvent('charge.refunded', {
      id: 'ch_unknown_dashboard',
      object: 'charge',
      amount: 5000,
      amount_refunded: 5000,
      payment_intent: 'pi_unknown_dashboard',
      metadata: {},
    });
    expect(unknown.status).toBe(200);
    const [anomaly] = await t.db
      .select()
      .from(schema.stripeAnomalies)
      .where(eq(schema.stripeAnomalies.eventId, unknown.eventId));
    expect(anomaly!.kind).toBe('unknown_charge');

    // A refund reported for an order that was never paid cannot be applied: operators see it.
    const spare = await listing(merchant, { title: 'Spare lid', price: 10_000, stock: 1 });
    const unpaid = await t.request('POST', '/v1/orders', {
      token: consumer.token,
      body: { merchantId: merchant.id, items: [{ listingId: spare.id, quantity: 1 }], shipTo },
    });
    expect(unpaid.status).toBe(201);
    const stray = await t.fakeStripe.sendEvent('charge.refunded', {
      id: 'ch_stray_dashboard',
      object: 'charge',
      amount: 10_000,
      amount_refunded: 100,
      payment_intent: null,
      metadata: { order_id: unpaid.body.id },
    });
    expect(stray.status).toBe(200);
    const [strayAnomaly] = await t.db
      .select()
      .from(schema.stripeAnomalies)
      .where(eq(schema.stripeAnomalies.eventId, stray.eventId));
    expect(strayAnomaly!.kind).toBe('order_refund_unmatched');
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it("a lost dispute of an order's charge takes its money back once, like a refund; a later dashboard refund still counts", async () => {
    const { merchant, consumer, order, charge } = await paidTeapot();
    const closed = (id: string, status: 'lost' | 'won', amount = 4000) =>
      t.fakeStripe.closeDispute(charge.id, { id, amount, status });
    const outcomeOf = async (eventId: string) =>
      (
        await t.db
          .select({ outcome: schema.stripeEvents.outcome })
          .from(schema.stripeEvents)
          .where(eq(schema.stripeEvents.id, eventId))
      )[0]!.outcome;

    expect(await outcomeOf((await closed('dp_test_order_won', 'won')).eventId)).toBe('dispute_not_lost');
    expect(await proceeds(merchant.id)).toBe(10_000);
    // Lost: 40 yuan back to the card holder, twice announced, taken once.
    expect(await outcomeOf((await closed('dp_test_order_lost', 'lost')).eventId)).toBe('dispute_lost');
    expect(await outcomeOf((await closed('dp_test_order_lost', 'lost')).eventId)).toBe('duplicate_dispute');
    expect(await proceeds(merchant.id)).toBe(6000);
    expect(await vouchers(t, consumer.id)).toBe(6000);
    expect(await adPoints(t, merchant.id)).toBe(8500 + 600);
    const after = await t.request('GET', `/v1/orders/${order.body.id}`, { token: consumer.token });
    expect(after.body.refunded).toBe(4000);

    // Stripe's refunded total leaves the dispute out: a 10-yuan dashboard refund is 10 yuan more.
    charge.amount_refunded = 1000;
    const refunded = await t.fakeStripe.sendEvent('charge.refunded', { ...charge });
    expect(await outcomeOf(refunded.eventId)).toBe('order_refund_recorded');
    expect(await proceeds(merchant.id)).toBe(5000);
    expect(
      (await t.request('GET', `/v1/orders/${order.body.id}`, { token: consumer.token })).body.refunded,
    ).toBe(5000);
    // More than is left to take back is not applied: operators see it.
    const tooMuch = await closed('dp_test_order_over', 'lost', 5001);
    expect(await outcomeOf(tooMuch.eventId)).toBe('anomaly');
    const [anomaly] = await t.db
      .select()
      .from(schema.stripeAnomalies)
      .where(eq(schema.stripeAnomalies.eventId, tooMuch.eventId));
    expect(anomaly!.kind).toBe('order_dispute_unmatched');
    expect(await proceeds(merchant.id)).toBe(5000);
    const rest = await t.request('POST', `/v1/orders/${order.body.id}/refund`, {
      token: merchant.owner.token,
      body: { amount: 5000 },
    });
    expect(rest.status).toBe(200);
    expect(await proceeds(merchant.id)).toBe(0);
    expect(await vouchers(t, consumer.id)).toBe(0);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('an account with an order unpaid or on its way is not deleted (409 pending_order); once delivered, its ship-to is erased', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const item = await listing(merchant, { title: 'Cup', price: 2000, stock: 1 });
    const order = await t.request('POST', '/v1/orders', {
      token: consumer.token,
      body: { merchantId: merchant.id, items: [{ listingId: item.id, quantity: 1 }], shipTo },
    });
    const refused = await t.request('DELETE', '/v1/me', { token: consumer.token, body: { confirm: true } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('pending_order');
    await t.fakeStripe.pay(order.body.checkoutSessionId, { method: 'alipay' });
    // Paid, the cup still has to reach the consumer: deletion waits for the delivery too.
    const waiting = await t.request('DELETE', '/v1/me', { token: consumer.token, body: { confirm: true } });
    expect(waiting.body.error.code).toBe('pending_order');
    const own = (
      await t.request('GET', `/v1/merchants/${merchant.id}/fulfillments`, { token: merchant.owner.token })
    ).body.data[0];
    await t.request('POST', `/v1/fulfillments/${own.id}/ship`, {
      token: merchant.owner.token,
      body: { carrier: 'SF Express', trackingNumber: 'SF0002' },
    });
    await t.request('POST', `/v1/orders/${order.body.id}/fulfillments/${own.id}/confirm-delivery`, {
      token: consumer.token,
    });
    const deleted = await t.request('DELETE', '/v1/me', { token: consumer.token, body: { confirm: true } });
    expect(deleted.status).toBe(200);
    const [row] = await t.db.select().from(schema.orders).where(eq(schema.orders.id, order.body.id));
    expect(row!.shipTo).toBeNull();
    expect(row!.status).toBe('paid');
    expect(await proceeds(merchant.id)).toBe(2000);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});

describe('voucher quote rate limit', () => {
  it('limits public quotes per client address (VOUCHER_QUOTE_PER_IP_MINUTE) with 429 rate_limited', async () => {
    const quoteClock = testClock('2026-11-30T02:00:30Z');
    const t2 = await createTestApp({
      clock: quoteClock,
      env: { VOUCHER_QUOTE_PER_IP_MINUTE: '3', TRUST_PROXY: 'true' },
    });
    try {
      const merchant = await activeMerchant(t2, { adPoints: 10_000 });
      const quote = (from: string) =>
        t2.request('GET', `/v1/merchants/${merchant.id}/voucher-quote?amount=500`, {
          headers: { 'x-forwarded-for': from },
        });
      for (let i = 0; i < 3; i++) {
        const ok = await quote('203.0.113.7');
        expect(ok.status).toBe(200);
        expect(ok.body).toEqual({ amount: 500, vouchers: 500, vouchersPaused: false });
      }
      const limited = await quote('203.0.113.7');
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      // Another address is counted on its own; the next minute starts a new count.
      expect((await quote('203.0.113.8')).status).toBe(200);
      quoteClock.advance(60_000);
      expect((await quote('203.0.113.7')).status).toBe(200);

      // Signed in, each consumer behind the same address has a count of their own.
      const signedIn = (token: string) =>
        t2.request('GET', `/v1/merchants/${merchant.id}/voucher-quote?amount=500`, {
          token,
          headers: { 'x-forwarded-for': '203.0.113.7' },
        });
      const [ann, bob] = [await signInConsumer(t2), await signInConsumer(t2)];
      for (let i = 0; i < 3; i++) expect((await signedIn(ann.token)).status).toBe(200);
      expect((await signedIn(ann.token)).body.error.code).toBe('rate_limited');
      expect((await signedIn(bob.token)).status).toBe(200);
      // The address's own count is untouched by them: two left of three this minute.
      expect((await quote('203.0.113.7')).status).toBe(200);
      expect((await quote('203.0.113.7')).status).toBe(200);
      expect((await quote('203.0.113.7')).status).toBe(429);
    } finally {
      await t2.close();
    }
  });
});
