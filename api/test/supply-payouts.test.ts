import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ctx, ctxOf } from '../context';
import { verifyLedger } from '../ledger';
import { runMerchantPayoutBatch } from '../services/payouts';
import { createTestApp, onboardPayoutAccount, operatorPhone, type TestApp, testClock } from './harness';
import { grantEcoPoints } from './sales-fixtures';
import { onPostgres } from './test-db';

// Merchant payouts of net proceeds, on this file's own database so every balance is exact.
const clock = testClock('2026-11-30T02:00:00Z');
const day = 24 * 60 * 60 * 1000;
let t: TestApp;
let seq = 0;
const phone = () => `+86135${String(10_000_000 + ++seq * 7907).slice(-8)}`;
const shipTo = {
  name: 'Han Meimei',
  phone: '+8613800000010',
  region: 'Hangzhou',
  address: '9 West Lake Road',
};

type Who = { token: string; id: string };
let operator: Who;
let consumer: Who;
let merchant: { id: string; owner: Who };
let otherMerchant: { id: string; owner: Who };
let supplier: { id: string; owner: Who };
let supplierListingId: string;
let ownListingId: string;

async function user(): Promise<Who> {
  const s = await t.signIn(phone());
  return { token: s.token, id: s.user.id };
}

async function activeOrg(kind: 'merchants' | 'suppliers', name: string) {
  const owner = await user();
  const created = await t.request('POST', `/v1/${kind}`, { token: owner.token, body: { name } });
  await t.request('POST', `/v1/platform/${kind}/${created.body.id}/approve`, { token: operator.token });
  return { id: created.body.id as string, owner };
}

async function paidOrder(listingId: string) {
  const created = await t.request('POST', '/v1/orders', {
    token: consumer.token,
    body: { merchantId: merchant.id, items: [{ listingId, quantity: 1 }], shipTo },
  });
  expect(created.status).toBe(201);
  await t.fakeStripe.pay(created.body.checkoutSessionId, { method: 'card' });
  return created.body.id as string;
}

async function fulfillmentOf(orderId: string) {
  const res = await t.request('GET', `/v1/orders/${orderId}/fulfillments`, { token: consumer.token });
  return res.body.data[0] as { id: string };
}

const ship = (fulfillmentId: string) =>
  t.request('POST', `/v1/fulfillments/${fulfillmentId}/ship`, {
    token: supplier.owner.token,
    body: { carrier: 'YTO', trackingNumber: 'YT100' },
  });
const payable = async () =>
  (await t.request('GET', `/v1/merchants/${merchant.id}/payable`, { token: merchant.owner.token })).body;
const run = () => t.request('POST', '/v1/platform/merchant-payouts/run', { token: operator.token });
const ctx = (): Ctx => ctxOf(t.deps);

beforeAll(async () => {
  t = await createTestApp({ clock, env: { AUTH_OTP_PER_PHONE_HOUR: '100', AUTH_OTP_PER_IP_HOUR: '10000' } });
  const op = await t.signIn(operatorPhone);
  operator = { token: op.token, id: op.user.id };
  consumer = await user();
  merchant = await activeOrg('merchants', 'Shop M');
  otherMerchant = await activeOrg('merchants', 'Shop N');
  supplier = await activeOrg('suppliers', 'Supplier P');
  const topup = await t.request('POST', `/v1/merchants/${merchant.id}/topups`, {
    token: merchant.owner.token,
    body: { amount: 10000 },
  });
  await t.fakeStripe.pay(topup.body.checkoutSessionId, { method: 'card' });
  const product = await t.request('POST', `/v1/suppliers/${supplier.id}/products`, {
    token: supplier.owner.token,
    body: { title: 'Silk scarf', wholesalePrice: 8000, stock: 10 },
  });
  supplierListingId = (
    await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
      token: merchant.owner.token,
      body: { supplierProductId: product.body.id, price: 10000 },
    })
  ).body.id;
  ownListingId = (
    await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
      token: merchant.owner.token,
      body: { title: 'Green tea', price: 5000, stock: 5 },
    })
  ).body.id;
});
afterAll(() => t.close());

describe('merchant payouts of net proceeds', () => {
  let shippedOrder: string;
  let waitingOrder: string;
  let ownOrder: string;

  it('holds orders for the return window and while a supplier line is open', async () => {
    shippedOrder = await paidOrder(supplierListingId);
    expect((await ship((await fulfillmentOf(shippedOrder)).id)).status).toBe(200);
    waitingOrder = await paidOrder(supplierListingId);
    ownOrder = await paidOrder(ownListingId);
    const refund = await t.request('POST', `/v1/orders/${ownOrder}/refund`, {
      token: merchant.owner.token,
      body: { amount: 1000 },
    });
    expect(refund.status).toBe(200);
    // 10000 + 10000 + 5000 paid, 8000 settled to the supplier, 1000 refunded.
    expect(await payable()).toEqual({ payable: 16000, paidOut: 0, inPayout: 0 });

    const early = await run();
    expect(early.status).toBe(200);
    expect(early.body.created).toEqual([]);
  });

  it('after the hold pays what is released, netted, and lists the orders; paid once', async () => {
    clock.advance(10 * day);
    const res = await run();
    expect(res.body.created).toHaveLength(1);
    const batch = res.body.created[0];
    expect(batch).toMatchObject({ merchantId: merchant.id, amount: 6000, status: 'pending' });
    expect(batch.items).toHaveLength(4);
    expect(batch.items).toEqual(
      expect.arrayContaining([
        { kind: 'order', sourceId: shippedOrder, orderId: shippedOrder, amount: 10000 },
        expect.objectContaining({ kind: 'settlement', orderId: shippedOrder, amount: -8000 }),
        { kind: 'order', sourceId: ownOrder, orderId: ownOrder, amount: 5000 },
        expect.objectContaining({ kind: 'refund', orderId: ownOrder, amount: -1000 }),
      ]),
    );
    expect(batch.items.map((i: { orderId: string }) => i.orderId)).not.toContain(waitingOrder);
    expect(await payable()).toEqual({ payable: 16000, paidOut: 0, inPayout: 6000 });
    expect((await run()).body.created).toEqual([]);

    const paid = await t.request('POST', `/v1/platform/merchant-payouts/${batch.id}/mark-paid`, {
      token: operator.token,
      body: { reference: 'CMB-0001' },
    });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid', paidVia: 'bank', reference: 'CMB-0001' });
    const again = await t.request('POST', `/v1/platform/merchant-payouts/${batch.id}/mark-paid`, {
      token: operator.token,
      body: { reference: 'CMB-0002' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_paid');
    expect(await payable()).toEqual({ payable: 10000, paidOut: 6000, inPayout: 0 });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('pays by Stripe transfer once the last supplier line settles', async () => {
    await onboardPayoutAccount(t, 'merchants', merchant.id, merchant.owner.token);
    expect((await ship((await fulfillmentOf(waitingOrder)).id)).status).toBe(200);
    clock.advance(60 * 1000);
    const res = await runMerchantPayoutBatch(ctx());
    expect(res.created).toHaveLength(1);
    expect(res.created[0]).toMatchObject({ amount: 2000 });
    expect(res.paid).toEqual([res.created[0]!.id]);
    expect(await payable()).toEqual({ payable: 0, paidOut: 8000, inPayout: 0 });
    const list = await t.request('GET', `/v1/merchants/${merchant.id}/payouts`, {
      token: merchant.owner.token,
    });
    expect(list.body.data[0]).toMatchObject({ status: 'paid', paidVia: 'stripe_transfer' });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('a return and a refund after payout are netted: the merchant may end up owing', async () => {
    const f = await fulfillmentOf(shippedOrder);
    const returned = await t.request('POST', `/v1/fulfillments/${f.id}/return`, {
      token: supplier.owner.token,
      body: {},
    });
    expect(returned.body.reversed).toBe(8000);
    const refund = await t.request('POST', `/v1/orders/${shippedOrder}/refund`, {
      token: merchant.owner.token,
      body: { amount: 10000 },
    });
    expect(refund.status).toBe(200);
    clock.advance(60 * 1000);
    expect((await run()).body.created).toEqual([]);
    expect(await payable()).toEqual({ payable: -2000, paidOut: 8000, inPayout: 0 });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('refuses everyone else: other merchant, consumer, supplier 404; platform routes 403; anonymous 401', async () => {
    for (const token of [otherMerchant.owner.token, consumer.token, supplier.owner.token]) {
      for (const path of ['payable', 'payouts']) {
        expect((await t.request('GET', `/v1/merchants/${merchant.id}/${path}`, { token })).status).toBe(404);
      }
      const account = await t.request('PUT', `/v1/merchants/${merchant.id}/payout-account`, {
        token,
        body: { stripeAccountId: 'acct_x' },
      });
      expect(account.status).toBe(403);
      expect((await t.request('GET', '/v1/platform/merchant-payouts', { token })).status).toBe(403);
      expect((await t.request('POST', '/v1/platform/merchant-payouts/run', { token })).status).toBe(403);
      const mark = await t.request('POST', '/v1/platform/merchant-payouts/mpb_x/mark-paid', {
        token,
        body: { reference: 'r' },
      });
      expect(mark.status).toBe(403);
    }
    expect((await t.request('GET', `/v1/merchants/${merchant.id}/payable`)).status).toBe(401);
    expect((await t.request('GET', '/v1/platform/merchant-payouts', { token: operator.token })).status).toBe(
      200,
    );
  });

  it('one payout model, kinds kept apart: a settlement is an event for both payees; ids stay on their paths', async () => {
    // The settlements already in the merchant's batches (as -) are still owed to the supplier (as +).
    const supplierRun = await t.request('POST', '/v1/platform/payouts/run', { token: operator.token });
    expect(supplierRun.body.created).toHaveLength(1);
    const supplierBatch = supplierRun.body.created[0];
    expect(supplierBatch).toMatchObject({ supplierId: supplier.id, amount: 8000, status: 'pending' });
    expect(supplierBatch.items.map((i: { kind: string }) => i.kind).sort()).toEqual([
      'reversal',
      'settlement',
      'settlement',
    ]);

    const merchantBatch = (
      await t.request('GET', `/v1/merchants/${merchant.id}/payouts`, { token: operator.token })
    ).body.data[0].id as string;
    const supplierPaths = await t.request('GET', '/v1/platform/payouts', { token: operator.token });
    expect(supplierPaths.body.data.map((b: { id: string }) => b.id)).toEqual([supplierBatch.id]);
    const wrongPath = await t.request('POST', `/v1/platform/payouts/${merchantBatch}/mark-paid`, {
      token: operator.token,
      body: { reference: 'CMB-0003' },
    });
    expect(wrongPath.status).toBe(404);
    const wrongKind = await t.request('POST', `/v1/platform/merchant-payouts/${supplierBatch.id}/mark-paid`, {
      token: operator.token,
      body: { reference: 'CMB-0004' },
    });
    expect(wrongKind.status).toBe(404);

    // A supplier's id on a merchant path (and the other way round) is unknown, even to its owner.
    for (const path of ['payable', 'payouts', 'staff']) {
      const res = await t.request('GET', `/v1/merchants/${supplier.id}/${path}`, {
        token: supplier.owner.token,
      });
      expect(res.status).toBe(404);
    }
    expect(
      (await t.request('GET', `/v1/suppliers/${merchant.id}/payouts`, { token: operator.token })).status,
    ).toBe(404);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});

// Real concurrency needs real connections: PGlite runs one query at a time.
describe.skipIf(!onPostgres)('merchant payouts under concurrency (PostgreSQL)', () => {
  it('two runs at the same time make one batch', async () => {
    await paidOrder(ownListingId);
    await paidOrder(ownListingId);
    clock.advance(10 * day);
    const [a, b] = await Promise.all([runMerchantPayoutBatch(ctx()), runMerchantPayoutBatch(ctx())]);
    const batches = [...a.created, ...b.created];
    expect(batches).toHaveLength(1);
    // 2 x 5000 released, less the 2000 the merchant owed.
    expect(batches[0]!.amount).toBe(8000);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});

// Last in the file: it adds orders that the tests above would count.
describe('payout runs on a clock that stands still', () => {
  it('a run at the very instant of the one before makes no batch, and the next run batches what it left', async () => {
    // The test clock stands still between requests, as a Worker's does within one.
    const runSuppliers = () => t.request('POST', '/v1/platform/payouts/run', { token: operator.token });
    const shipNew = async () => {
      const f = await fulfillmentOf(await paidOrder(supplierListingId));
      expect((await ship(f.id)).status).toBe(200);
    };
    clock.advance(1000);
    await shipNew();
    const first = await runSuppliers();
    expect(first.status).toBe(200);
    expect(first.body.created.map((b: { supplierId: string }) => b.supplierId)).toEqual([supplier.id]);
    await shipNew();
    const second = await runSuppliers();
    expect([second.status, second.body.created]).toEqual([200, []]);
    clock.advance(1000);
    const third = await runSuppliers();
    expect(
      third.body.created.map((b: { supplierId: string; amount: number }) => [b.supplierId, b.amount]),
    ).toEqual([[supplier.id, 8000]]);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});

describe('merchant payouts of orders paid partly with eco-points', () => {
  it('pay out the money the merchant took, not the eco-points part it already holds as eco-points', async () => {
    // Another merchant, so that only this order's events are in its batch.
    const listing = await t.request('POST', `/v1/merchants/${otherMerchant.id}/listings`, {
      token: otherMerchant.owner.token,
      body: { title: 'Oolong', price: 5000, stock: 5, ships: false },
    });
    expect(listing.status).toBe(201);
    await grantEcoPoints(t, consumer.id, 2000);
    // 50.00 yuan: 20.00 eco-points (20 yuan at 1 yuan each) and 30 yuan of money.
    const created = await t.request('POST', '/v1/orders', {
      token: consumer.token,
      body: {
        merchantId: otherMerchant.id,
        items: [{ listingId: listing.body.id, quantity: 1 }],
        ecoPoints: 2000,
      },
    });
    expect(created.status).toBe(201);
    await t.fakeStripe.pay(created.body.checkoutSessionId, { method: 'card' });
    // 10 yuan back: 4.00 eco-points and 6 yuan of money.
    const refund = await t.request('POST', `/v1/orders/${created.body.id}/refund`, {
      token: otherMerchant.owner.token,
      body: { amount: 1000 },
    });
    expect([refund.status, refund.body.cashRefunded, refund.body.ecoPointsReturned]).toEqual([200, 600, 400]);
    const owed = async () =>
      (
        await t.request('GET', `/v1/merchants/${otherMerchant.id}/payable`, {
          token: otherMerchant.owner.token,
        })
      ).body;
    expect(await owed()).toEqual({ payable: 2400, paidOut: 0, inPayout: 0 });
    // The statement says the same: 24 yuan of proceeds, the eco-points apart (20.00 in, 4.00 back).
    const statement = await t.request('GET', `/v1/merchants/${otherMerchant.id}/statement`, {
      token: otherMerchant.owner.token,
    });
    expect(statement.body).toMatchObject({ proceeds: 2400, net: 2400, ecoPointsReceived: 2000 });
    expect(statement.body.daily.reduce((sum: number, d: { proceeds: number }) => sum + d.proceeds, 0)).toBe(
      2400,
    );

    clock.advance(11 * day);
    const ran = await t.request('POST', '/v1/platform/merchant-payouts/run', { token: operator.token });
    expect(ran.status).toBe(200);
    const batch = ran.body.created.find((b: { merchantId: string }) => b.merchantId === otherMerchant.id);
    expect(batch.amount).toBe(2400);
    expect(batch.items.map((i: { kind: string; amount: number }) => [i.kind, i.amount]).sort()).toEqual([
      ['order', 3000],
      ['refund', -600],
    ]);
    expect(await owed()).toEqual({ payable: 2400, paidOut: 0, inPayout: 2400 });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});
