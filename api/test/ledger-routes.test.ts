import { schema } from '@alliance/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceOf, postTransaction, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';

const clock = testClock('2026-11-30T02:00:00Z');
let t: TestApp;
let operator: { token: string; user: { id: string } };
let consumer: { token: string; user: { id: string } };
let other: { token: string; user: { id: string } };
let merchantOwner: { token: string; user: { id: string } };
let merchantId: string;

beforeAll(async () => {
  t = await createTestApp({ clock, env: { AUTH_OTP_PER_PHONE_HOUR: '100', AUTH_OTP_PER_IP_HOUR: '1000' } });
  operator = await t.signIn(operatorPhone);
  consumer = await t.signIn('+8613800001001');
  other = await t.signIn('+8613800001002');
  merchantOwner = await t.signIn('+8613800001003');
  // Inserted directly: this file tests the ledger routes, not merchant onboarding.
  merchantId = 'mer_ledgerroutestest0001';
  await t.db.insert(schema.organisations).values({
    id: merchantId,
    kind: 'merchant',
    name: 'Tea House',
    status: 'active',
    ownerUserId: merchantOwner.user.id,
  });
  await t.db
    .insert(schema.organisationMembers)
    .values({ organisationId: merchantId, userId: merchantOwner.user.id, role: 'owner' });
});
afterAll(() => t.close());

const adjust = (token: string | undefined, body: Record<string, unknown>, headers?: Record<string, string>) =>
  t.request('POST', '/v1/platform/adjustments', { token, body, headers });

describe('POST /v1/platform/adjustments', () => {
  it('refuses every role but operator', async () => {
    const body = {
      ownerType: 'consumer',
      ownerId: consumer.user.id,
      unit: 'vouchers',
      amount: 100,
      reason: 'x',
    };
    expect((await adjust(undefined, body)).status).toBe(401);
    for (const caller of [consumer, other, merchantOwner]) {
      const res = await adjust(caller.token, body);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect((await balanceOf(t.db, accounts.consumerVouchers(consumer.user.id))).posted).toBe(0);
  });

  it('refuses amounts past 10^12 (400) and balances past the ledger limit (422 limit_exceeded)', async () => {
    const rich = 'mer_ledgerlimitstest0001';
    await t.db
      .insert(schema.organisations)
      .values({ id: rich, kind: 'merchant', name: 'Rich', status: 'active', ownerUserId: other.user.id });
    const body = { ownerType: 'merchant', ownerId: rich, unit: 'ad_points', reason: 'limits' };
    for (const amount of [1e15, -1e15, 1e12 + 1]) {
      const res = await adjust(operator.token, { ...body, amount });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
    // The account's running credits are brought next to the limit directly, then one more adjustment.
    for (let batch = 0; batch < 10; batch++) {
      await postTransaction(t.db, {
        key: `limits-fill-${batch}`,
        kind: 'x',
        transfers: Array.from({ length: 100 }, () => ({
          debit: accounts.platformAdPointsIssued(),
          credit: accounts.merchantAdPoints(rich),
          amount: 1e12 - 1e8,
        })),
      });
    }
    const before = (await balanceOf(t.db, accounts.merchantAdPoints(rich))).posted;
    const over = await adjust(operator.token, { ...body, amount: 1e12 });
    expect(over.status).toBe(422);
    expect(over.body.error.code).toBe('limit_exceeded');
    expect((await balanceOf(t.db, accounts.merchantAdPoints(rich))).posted).toBe(before);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('adds and removes points with the operator and reason recorded, and refuses overdrawing', async () => {
    const add = await adjust(operator.token, {
      ownerType: 'consumer',
      ownerId: consumer.user.id,
      unit: 'vouchers',
      amount: 1234,
      reason: 'Compensation for a failed video',
    });
    expect(add.status).toBe(201);
    expect(add.body).toEqual({
      id: expect.stringMatching(/^adj_/),
      ownerType: 'consumer',
      ownerId: consumer.user.id,
      unit: 'vouchers',
      amount: 1234,
      reason: 'Compensation for a failed video',
      operatorId: operator.user.id,
      balance: 1234,
    });
    const remove = await adjust(operator.token, {
      ownerType: 'consumer',
      ownerId: consumer.user.id,
      unit: 'vouchers',
      amount: -234,
      reason: 'Duplicate credit',
    });
    expect(remove.status).toBe(201);
    expect(remove.body.balance).toBe(1000);
    const overdraw = await adjust(operator.token, {
      ownerType: 'consumer',
      ownerId: consumer.user.id,
      unit: 'vouchers',
      amount: -1001,
      reason: 'Too much',
    });
    expect(overdraw.status).toBe(422);
    expect(overdraw.body.error.code).toBe('insufficient_balance');
    expect(await balanceOf(t.db, accounts.consumerVouchers(consumer.user.id))).toEqual({
      posted: 1000,
      available: 1000,
      debitsPending: 0,
      creditsPending: 0,
    });
    expect((await balanceOf(t.db, accounts.platformAdjustments('vouchers'))).posted).toBe(-1000);

    const merchant = await adjust(operator.token, {
      ownerType: 'merchant',
      ownerId: merchantId,
      unit: 'ad_points',
      amount: 50,
      reason: 'Goodwill',
    });
    expect(merchant.status).toBe(201);
    expect(merchant.body.balance).toBe(50);

    const rows = await t.db.execute(
      sql`select meta from ledger_transactions where kind = 'operator_adjustment' order by id`,
    );
    const metas = (Array.isArray(rows) ? rows : (rows as { rows: Array<{ meta: unknown }> }).rows).map(
      (r) => (r as { meta: unknown }).meta,
    );
    expect(metas).toEqual([
      { adjustmentId: add.body.id, operatorId: operator.user.id, reason: 'Compensation for a failed video' },
      { adjustmentId: remove.body.id, operatorId: operator.user.id, reason: 'Duplicate credit' },
      { adjustmentId: merchant.body.id, operatorId: operator.user.id, reason: 'Goodwill' },
    ]);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('requires a reason, a non-zero amount, a unit the holder has, and an existing holder', async () => {
    const base = { ownerType: 'consumer', ownerId: consumer.user.id, unit: 'eco_points', amount: 100 };
    for (const reason of [undefined, '', '   ']) {
      const res = await adjust(operator.token, { ...base, reason });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('reason_required');
    }
    const zero = await adjust(operator.token, { ...base, amount: 0, reason: 'r' });
    expect([zero.status, zero.body.error.code]).toEqual([422, 'invalid_amount']);
    const unit = await adjust(operator.token, { ...base, unit: 'ad_points', reason: 'r' });
    expect([unit.status, unit.body.error.code]).toEqual([422, 'unsupported_unit']);
    const missing = await adjust(operator.token, { ...base, ownerId: 'usr_nobody', reason: 'r' });
    expect(missing.status).toBe(404);
    const malformed = await adjust(operator.token, { ...base, amount: '100', reason: 'r' });
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'validation_error']);
    const fraction = await adjust(operator.token, { ...base, amount: 1.5, reason: 'r' });
    expect(fraction.status).toBe(400);
    expect((await balanceOf(t.db, accounts.consumerEcoPoints(consumer.user.id))).posted).toBe(0);
  });

  it('honours Idempotency-Key: one adjustment for two identical requests', async () => {
    const body = {
      ownerType: 'consumer',
      ownerId: other.user.id,
      unit: 'eco_points',
      amount: 700,
      reason: 'Promo',
    };
    const headers = { 'idempotency-key': 'adj-other-1' };
    const first = await adjust(operator.token, body, headers);
    const second = await adjust(operator.token, body, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect((await balanceOf(t.db, accounts.consumerEcoPoints(other.user.id))).posted).toBe(700);
    const reused = await adjust(operator.token, { ...body, amount: 701 }, headers);
    expect([reused.status, reused.body.error.code]).toEqual([409, 'idempotency_key_reused']);
  });
});

describe('GET /v1/platform/ledger/verify', () => {
  it('is for operators only and reports every check', async () => {
    expect((await t.request('GET', '/v1/platform/ledger/verify')).status).toBe(401);
    for (const caller of [consumer, merchantOwner]) {
      expect((await t.request('GET', '/v1/platform/ledger/verify', { token: caller.token })).status).toBe(
        403,
      );
    }
    const res = await t.request('GET', '/v1/platform/ledger/verify', { token: operator.token });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
      ['ledgers_balance', true],
      ['balances_match_transfers', true],
      ['no_overdraft', true],
      ['hash_chain', true],
      ['eco_points_conserved', true],
    ]);
  });
});

describe('GET /v1/wallet/history', () => {
  it("shows the caller's own movements only, paginated", async () => {
    const me = accounts.consumerEcoPoints(consumer.user.id);
    for (let i = 1; i <= 3; i++) {
      await postTransaction(t.db, {
        key: `eco-${i}`,
        kind: 'ad_view_reward',
        transfers: [{ debit: accounts.platformEcoPointsIssued(), credit: me, amount: i * 10 }],
      });
    }
    expect((await t.request('GET', '/v1/wallet/history?unit=eco_points')).status).toBe(401);
    const page1 = await t.request('GET', '/v1/wallet/history?unit=eco_points&limit=2', {
      token: consumer.token,
    });
    expect(page1.status).toBe(200);
    expect(
      page1.body.data.map((e: { kind: string; amount: number; balanceAfter: number }) => [
        e.kind,
        e.amount,
        e.balanceAfter,
      ]),
    ).toEqual([
      ['ad_view_reward', 30, 60],
      ['ad_view_reward', 20, 30],
    ]);
    const page2 = await t.request(
      'GET',
      `/v1/wallet/history?unit=eco_points&limit=2&cursor=${page1.body.nextCursor}`,
      { token: consumer.token },
    );
    expect(page2.body.data.map((e: { amount: number }) => e.amount)).toEqual([10]);
    expect(page2.body.nextCursor).toBeNull();

    const vouchers = await t.request('GET', '/v1/wallet/history?unit=vouchers', { token: consumer.token });
    expect(
      vouchers.body.data.map((e: { amount: number; reason: string | null }) => [e.amount, e.reason]),
    ).toEqual([
      [-234, 'Duplicate credit'],
      [1234, 'Compensation for a failed video'],
    ]);
    // Another consumer sees only their own (the 7.00 eco-points adjustment), never this one's.
    const theirs = await t.request('GET', '/v1/wallet/history?unit=eco_points', { token: other.token });
    expect(theirs.body.data.map((e: { amount: number }) => e.amount)).toEqual([700]);
    for (const query of [
      'unit=cny',
      'unit=eco_points&limit=0',
      'unit=eco_points&cursor=abc',
      'unit=eco_points&cursor=-1',
    ]) {
      const bad = await t.request('GET', `/v1/wallet/history?${query}`, { token: consumer.token });
      expect([bad.status, bad.body.error.code], query).toEqual([400, 'validation_error']);
    }
  });
});

describe('OpenAPI', () => {
  it('lists the ledger routes', async () => {
    const doc = await t.request('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/platform/adjustments',
        '/v1/platform/ledger/verify',
        '/v1/wallet/history',
      ]),
    );
  });
});
