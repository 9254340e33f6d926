import { schema } from '@alliance/db';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerLookupsPerOperatorHour } from '../services/adjustments';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { grantAdPoints, grantMerchantEcoPoints, nextPhone, signInConsumer } from './sales-fixtures';

/**
 * ADR 0017: operators suspend and reinstate merchants and suppliers (audited, exactly once); a
 * suspended merchant sells nothing new and a suspended supplier's products cannot be ordered, while
 * what was already agreed (confirmations, open fulfillments) goes on. And the operator's consumer
 * lookup for point adjustments.
 */
let t: TestApp;
const clock = testClock('2026-11-30T02:00:00Z');
/** A second operator, whose lookups this file counts from zero. */
const secondOperatorPhone = '+8613900000001';
type Who = { token: string; id: string };
let operator: Who;
const shipTo = { name: 'Li Lei', phone: '+8613800000009', region: 'Shanghai', address: '1 Nanjing Road' };

beforeAll(async () => {
  t = await createTestApp({
    clock,
    env: {
      AUTH_OTP_PER_IP_HOUR: '100000',
      AUTH_VERIFY_PER_IP_HOUR: '100000',
      OPERATOR_PHONES: `${operatorPhone},${secondOperatorPhone}`,
    },
  });
  const s = await t.signIn(operatorPhone);
  operator = { token: s.token, id: s.user.id };
});
afterAll(() => t.close());

async function user(): Promise<Who & { phone: string }> {
  const phone = nextPhone();
  const s = await t.signIn(phone);
  return { token: s.token, id: s.user.id, phone };
}

/** Applied and approved through the API, with one staff member besides the owner. */
async function activeOrg(kind: 'merchants' | 'suppliers') {
  const owner = await user();
  const staff = await user();
  const created = await t.request('POST', `/v1/${kind}`, { token: owner.token, body: { name: `A ${kind}` } });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect(
    (await t.request('POST', `/v1/platform/${kind}/${id}/approve`, { token: operator.token })).status,
  ).toBe(200);
  const added = await t.request('POST', `/v1/${kind}/${id}/staff`, {
    token: owner.token,
    body: { phone: staff.phone },
  });
  expect(added.status).toBe(201);
  return { id, owner, staff };
}

/** `token: undefined` calls anonymously; leave it out to call as the operator. */
const suspend = (kind: 'merchants' | 'suppliers', id: string, reason?: string, ...as: [string?]) =>
  t.request('POST', `/v1/platform/${kind}/${id}/suspend`, {
    token: as.length ? as[0] : operator.token,
    body: reason === undefined ? {} : { reason },
  });
const reinstate = (kind: 'merchants' | 'suppliers', id: string, ...as: [string?]) =>
  t.request('POST', `/v1/platform/${kind}/${id}/reinstate`, {
    token: as.length ? as[0] : operator.token,
    body: {},
  });

/** Rows of every table a blocked request could write to, and the ledger. */
async function footprint() {
  const tables = {
    sales: schema.sales,
    listings: schema.listings,
    orders: schema.orders,
    topups: schema.topups,
    reservations: schema.supplierReservations,
    statusChanges: schema.organisationStatusChanges,
    transfers: schema.ledgerTransfers,
  };
  const entries = await Promise.all(
    Object.entries(tables).map(async ([name, table]) => {
      const [row] = await t.db.select({ n: count() }).from(table);
      return [name, row!.n] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<keyof typeof tables, number>;
}

describe('suspend and reinstate: every role', () => {
  it('answers anonymous 401, consumers and every member 403, operators 200', async () => {
    const merchant = await activeOrg('merchants');
    const supplier = await activeOrg('suppliers');
    const consumer = await user();
    const callers = {
      anonymous: undefined,
      consumer: consumer.token,
      merchantOwner: merchant.owner.token,
      merchantStaff: merchant.staff.token,
      supplierOwner: supplier.owner.token,
      supplierStaff: supplier.staff.token,
    };
    const seen: Record<string, number[]> = {};
    for (const [who, token] of Object.entries(callers)) {
      seen[who] = [
        (await suspend('merchants', merchant.id, 'fraud', token)).status,
        (await reinstate('merchants', merchant.id, token)).status,
        (await t.request('GET', `/v1/platform/merchants/${merchant.id}/status-changes`, { token })).status,
        (await suspend('suppliers', supplier.id, 'fraud', token)).status,
        (await reinstate('suppliers', supplier.id, token)).status,
        (await t.request('GET', `/v1/platform/suppliers/${supplier.id}/status-changes`, { token })).status,
        (await t.request('POST', '/v1/platform/consumers/lookup', { token, body: { phone: consumer.phone } }))
          .status,
      ];
    }
    expect(seen).toEqual({
      anonymous: [401, 401, 401, 401, 401, 401, 401],
      consumer: [403, 403, 403, 403, 403, 403, 403],
      merchantOwner: [403, 403, 403, 403, 403, 403, 403],
      merchantStaff: [403, 403, 403, 403, 403, 403, 403],
      supplierOwner: [403, 403, 403, 403, 403, 403, 403],
      supplierStaff: [403, 403, 403, 403, 403, 403, 403],
    });
    const [org] = await t.db.select({ n: count() }).from(schema.organisationStatusChanges);
    expect(org!.n).toBe(0);

    expect((await suspend('merchants', merchant.id, 'fraud')).status).toBe(200);
    expect((await reinstate('merchants', merchant.id)).status).toBe(200);
    expect((await suspend('suppliers', supplier.id, 'fraud')).status).toBe(200);
    expect((await reinstate('suppliers', supplier.id)).status).toBe(200);
    const history = await t.request('GET', `/v1/platform/suppliers/${supplier.id}/status-changes`, {
      token: operator.token,
    });
    expect(history.status).toBe(200);
    expect(history.body.data).toHaveLength(2);
  });
});

describe('suspend and reinstate: exactly once, audited', () => {
  it('needs a reason, changes once, refuses a repeat with 409 and records who, when and why', async () => {
    const merchant = await activeOrg('merchants');
    const before = await footprint();
    const blank = await suspend('merchants', merchant.id, '   ');
    expect([blank.status, blank.body.error.code]).toEqual([422, 'reason_required']);
    const none = await suspend('merchants', merchant.id);
    expect([none.status, none.body.error.code]).toEqual([422, 'reason_required']);
    const notSuspended = await reinstate('merchants', merchant.id);
    expect([notSuspended.status, notSuspended.body.error.code]).toEqual([409, 'not_suspended']);
    expect(await footprint()).toEqual(before);

    const done = await suspend('merchants', merchant.id, '  Fake receipts  ');
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      id: merchant.id,
      status: 'suspended',
      suspensionReason: 'Fake receipts',
    });
    const again = await suspend('merchants', merchant.id, 'again');
    expect([again.status, again.body.error.code]).toEqual([409, 'already_suspended']);
    // Its staff read why.
    const seen = await t.request('GET', `/v1/merchants/${merchant.id}`, { token: merchant.staff.token });
    expect(seen.body).toMatchObject({
      status: 'suspended',
      suspensionReason: 'Fake receipts',
      vouchersActive: false,
    });
    const me = await t.request('GET', '/v1/me', { token: merchant.owner.token });
    expect(me.body.merchants).toEqual([expect.objectContaining({ id: merchant.id, status: 'suspended' })]);

    clock.advance(60_000);
    const back = await reinstate('merchants', merchant.id);
    expect(back.body).toMatchObject({ status: 'active', suspensionReason: null });
    const twice = await reinstate('merchants', merchant.id);
    expect([twice.status, twice.body.error.code]).toEqual([409, 'not_suspended']);

    const history = await t.request('GET', `/v1/platform/merchants/${merchant.id}/status-changes`, {
      token: operator.token,
    });
    expect(history.body.data).toEqual([
      expect.objectContaining({
        fromStatus: 'suspended',
        toStatus: 'active',
        reason: null,
        changedBy: operator.id,
      }),
      expect.objectContaining({
        fromStatus: 'active',
        toStatus: 'suspended',
        reason: 'Fake receipts',
        changedBy: operator.id,
        changedByPhone: '+86 139****0000',
      }),
    ]);
    expect((await footprint()).statusChanges).toBe(before.statusChanges + 2);
  });

  it('suspends only an active one, and only of its kind', async () => {
    const owner = await user();
    const pending = await t.request('POST', '/v1/merchants', {
      token: owner.token,
      body: { name: 'Waiting' },
    });
    const res = await suspend('merchants', pending.body.id, 'why');
    expect([res.status, res.body.error.code]).toEqual([409, 'not_active']);
    const supplier = await activeOrg('suppliers');
    const wrongKind = await suspend('merchants', supplier.id, 'why');
    expect([wrongKind.status, wrongKind.body.error.code]).toEqual([404, 'not_found']);
    const unknown = await t.request('GET', '/v1/platform/merchants/mer_nothing/status-changes', {
      token: operator.token,
    });
    expect(unknown.status).toBe(404);
    // A suspended one is not pending: approving it is refused, not a way around the suspension.
    await suspend('suppliers', supplier.id, 'Late shipments');
    const approve = await t.request('POST', `/v1/platform/suppliers/${supplier.id}/approve`, {
      token: operator.token,
    });
    expect([approve.status, approve.body.error.code]).toEqual([409, 'not_pending']);
  });
});

describe('a suspended merchant', () => {
  it('records no sale, listing, order or top-up, and its shop is empty and says so; nothing is written', async () => {
    const merchant = await activeOrg('merchants');
    await grantAdPoints(t, merchant.id, 100_000);
    const consumer = await signInConsumer(t);
    const item = await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
      token: merchant.owner.token,
      body: { title: 'Tea', price: 2_000, stock: 5 },
    });
    expect(item.status).toBe(201);
    // A sale recorded before the suspension: the consumer has paid at the till.
    const earlier = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
      token: merchant.staff.token,
      body: { memberCode: consumer.memberCode, amount: 10_000 },
    });
    expect(earlier.status).toBe(201);
    expect((await suspend('merchants', merchant.id, 'Fake receipts')).status).toBe(200);
    // Eco-points it received (a consumer paid with them earlier), which it may not turn into ad points now.
    await grantMerchantEcoPoints(t, merchant.id, 5_000);
    const before = await footprint();

    const refusals = [
      await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
        token: merchant.staff.token,
        body: { memberCode: consumer.memberCode, amount: 10_000 },
      }),
      await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
        token: merchant.owner.token,
        body: { title: 'More tea', price: 2_000, stock: 5 },
      }),
      await t.request('POST', `/v1/merchants/${merchant.id}/topups`, {
        token: merchant.owner.token,
        body: { amount: 10_000 },
      }),
      await t.request('POST', '/v1/orders', {
        token: consumer.token,
        body: { merchantId: merchant.id, items: [{ listingId: item.body.id, quantity: 1 }], shipTo },
      }),
      await t.request('POST', `/v1/merchants/${merchant.id}/eco-topups`, {
        token: merchant.owner.token,
        body: { ecoPoints: 1_000 },
      }),
    ];
    expect(refusals.map((r) => [r.status, r.body.error.code])).toEqual([
      [409, 'merchant_suspended'],
      [409, 'merchant_suspended'],
      [409, 'merchant_suspended'],
      [409, 'merchant_suspended'],
      [409, 'merchant_suspended'],
    ]);
    const quote = await t.request('GET', `/v1/merchants/${merchant.id}/voucher-quote?amount=1000`);
    expect(quote.status).toBe(404);
    expect(await footprint()).toEqual(before);

    // Consumers: gone from the directory; the shop says it takes no orders and lists nothing.
    const directory = await t.request('GET', '/v1/merchants?limit=100');
    expect(directory.body.data.map((m: { id: string }) => m.id)).not.toContain(merchant.id);
    const shop = await t.request('GET', `/v1/merchants/${merchant.id}/listings`, { token: consumer.token });
    expect(shop.status).toBe(200);
    expect(shop.body).toEqual({
      merchant: { id: merchant.id, name: 'A merchants', acceptingOrders: false },
      data: [],
    });
    // Its staff still read everything.
    const own = await t.request('GET', `/v1/merchants/${merchant.id}/listings`, {
      token: merchant.staff.token,
    });
    expect(own.body.data.map((l: { id: string }) => l.id)).toEqual([item.body.id]);
    for (const path of ['', '/sales', '/topups', '/statement', '/payouts']) {
      const res = await t.request('GET', `/v1/merchants/${merchant.id}${path}`, {
        token: merchant.staff.token,
      });
      expect([path, res.status]).toEqual([path, 200]);
    }

    // What it earned is still paid, so its owner may still set up where payouts go.
    const onboarding = await t.request('POST', `/v1/merchants/${merchant.id}/payout-account/onboarding`, {
      token: merchant.owner.token,
    });
    expect(onboarding.status).toBe(200);
    expect(onboarding.body.account.status).toBe('incomplete');

    // What was agreed before goes on: the consumer confirms the earlier sale and gets its vouchers.
    const confirmed = await t.request('POST', `/v1/sales/${earlier.body.id}/confirm`, {
      token: consumer.token,
      body: {},
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'completed', vouchersIssued: earlier.body.vouchers });

    // Reinstated, it sells again.
    expect((await reinstate('merchants', merchant.id)).status).toBe(200);
    const again = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
      token: merchant.staff.token,
      body: { memberCode: consumer.memberCode, amount: 10_000 },
    });
    expect(again.status).toBe(201);
    const reopened = await t.request('GET', `/v1/merchants/${merchant.id}/listings`);
    expect(reopened.body.merchant.acceptingOrders).toBe(true);
    expect(reopened.body.data).toHaveLength(1);
  });

  it('keeps consumers their vouchers', async () => {
    const merchant = await activeOrg('merchants');
    await grantAdPoints(t, merchant.id, 100_000);
    const consumer = await signInConsumer(t);
    const sale = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
      token: merchant.staff.token,
      body: { memberCode: consumer.memberCode, amount: 10_000 },
    });
    await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token, body: {} });
    const wallet = async () => (await t.request('GET', '/v1/me', { token: consumer.token })).body.wallet;
    const held = await wallet();
    expect(held.vouchers).toBe(sale.body.vouchers);
    await suspend('merchants', merchant.id, 'Fake receipts');
    expect(await wallet()).toEqual(held);
  });
});

describe('a suspended supplier', () => {
  it('cannot be listed or ordered from; its open fulfillments still ship', async () => {
    const supplier = await activeOrg('suppliers');
    const merchant = await activeOrg('merchants');
    const consumer = await user();
    const product = await t.request('POST', `/v1/suppliers/${supplier.id}/products`, {
      token: supplier.owner.token,
      body: { title: 'Tea set', wholesalePrice: 8_000, stock: 5 },
    });
    const listing = await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
      token: merchant.owner.token,
      body: { supplierProductId: product.body.id, price: 10_000 },
    });
    expect(listing.status).toBe(201);
    const paid = await t.request('POST', '/v1/orders', {
      token: consumer.token,
      body: { merchantId: merchant.id, items: [{ listingId: listing.body.id, quantity: 1 }], shipTo },
    });
    expect(paid.status).toBe(201);
    await t.fakeStripe.pay(paid.body.checkoutSessionId, { method: 'alipay' });

    expect((await suspend('suppliers', supplier.id, 'Counterfeit goods')).status).toBe(200);
    const before = await footprint();
    const order = await t.request('POST', '/v1/orders', {
      token: consumer.token,
      body: { merchantId: merchant.id, items: [{ listingId: listing.body.id, quantity: 1 }], shipTo },
    });
    expect([order.status, order.body.error.code]).toEqual([409, 'listing_unavailable']);
    const relist = await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
      token: merchant.owner.token,
      body: { supplierProductId: product.body.id, price: 12_000 },
    });
    expect([relist.status, relist.body.error.code]).toEqual([404, 'not_found']);
    expect(await footprint()).toEqual(before);
    const shop = await t.request('GET', `/v1/merchants/${merchant.id}/listings`);
    expect(shop.body.data).toEqual([
      expect.objectContaining({ id: listing.body.id, sellable: false, reason: 'supplier_inactive' }),
    ]);
    const catalog = await t.request('GET', '/v1/supply/products', { token: merchant.owner.token });
    expect(catalog.body.data.map((p: { id: string }) => p.id)).not.toContain(product.body.id);

    const open = await t.request('GET', `/v1/suppliers/${supplier.id}/fulfillments?status=to_ship`, {
      token: supplier.staff.token,
    });
    const fulfillment = open.body.data.find((f: { orderId: string }) => f.orderId === paid.body.id);
    const shipped = await t.request('POST', `/v1/fulfillments/${fulfillment.id}/ship`, {
      token: supplier.staff.token,
      body: { carrier: 'SF Express', trackingNumber: 'SF1234567890' },
    });
    expect([shipped.status, shipped.body.status]).toEqual([200, 'shipped']);
  });
});

describe('operator consumer lookup', () => {
  it('finds one consumer by full phone: masked phone and balances; the id adjusts their points', async () => {
    const consumer = await user();
    const found = await t.request('POST', '/v1/platform/consumers/lookup', {
      token: operator.token,
      body: { phone: consumer.phone },
    });
    expect(found.status).toBe(200);
    expect(found.body).toEqual({
      id: consumer.id,
      phone: `+86 137****${consumer.phone.slice(-4)}`,
      vouchers: 0,
      ecoPoints: 0,
      ecoPointsHeld: 0,
    });
    const adjusted = await t.request('POST', '/v1/platform/adjustments', {
      token: operator.token,
      body: {
        ownerType: 'consumer',
        ownerId: found.body.id,
        unit: 'eco_points',
        amount: 1_250,
        reason: 'Lost scan',
      },
    });
    expect([adjusted.status, adjusted.body.balance]).toEqual([201, 1_250]);
    const after = await t.request('POST', '/v1/platform/consumers/lookup', {
      token: operator.token,
      body: { phone: consumer.phone },
    });
    expect(after.body.ecoPoints).toBe(1_250);

    const unknown = await t.request('POST', '/v1/platform/consumers/lookup', {
      token: operator.token,
      body: { phone: '+8613000000999' },
    });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'consumer_not_found']);
    const malformed = await t.request('POST', '/v1/platform/consumers/lookup', {
      token: operator.token,
      body: { phone: '138' },
    });
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'validation_error']);
  });

  it('is rate-limited per operator, per hour', async () => {
    const second = (await t.signIn(secondOperatorPhone)).token;
    const lookup = (token: string) =>
      t.request('POST', '/v1/platform/consumers/lookup', { token, body: { phone: '+8613000000999' } });
    const statuses: number[] = [];
    for (let i = 0; i <= consumerLookupsPerOperatorHour; i++) statuses.push((await lookup(second)).status);
    expect(statuses.slice(0, -1).every((s) => s === 404)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // The other operator has its own count; the next hour starts afresh.
    expect((await lookup(operator.token)).status).toBe(404);
    clock.advance(60 * 60 * 1000);
    expect((await lookup(second)).status).toBe(404);
  });
});
