import { schema } from '@alliance/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../app';
import { composeDeps } from '../compose';
import { newId } from '../ids';
import { postTransaction, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { recordParameterChange } from '../services/parameters';
import { expireUnconfirmedSales } from '../services/sales';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { activeMerchant, adPoints, signInConsumer, vouchers } from './sales-fixtures';

const clock = testClock('2026-11-30T02:00:00Z');
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ clock, env: { AUTH_OTP_PER_IP_HOUR: '100000' } });
});
afterAll(() => t.close());

type Merchant = { id: string; owner: { token: string } };
type Consumer = { token: string; memberCode: string };

/** The merchant's owner records an in-store sale of `amount` fen for the consumer. */
const recordSale = (merchant: Merchant, consumer: Consumer, amount: number) =>
  t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
    token: merchant.owner.token,
    body: { memberCode: consumer.memberCode, amount },
  });

async function recordAndConfirm(merchant: Merchant, consumer: Consumer, amount: number) {
  const sale = await recordSale(merchant, consumer, amount);
  expect(sale.status).toBe(201);
  const confirmed = await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token });
  expect(confirmed.status).toBe(200);
  return { sale: sale.body, confirmed: confirmed.body };
}

describe('SPEC flow 2: an in-store purchase', () => {
  it('100 yuan at 15%: consumer vouchers +100.00, merchant ad points -15.00, in one confirmation', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);

    const sale = await recordSale(merchant, consumer, 10_000);
    expect(sale.status).toBe(201);
    expect(sale.body).toMatchObject({
      id: expect.stringMatching(/^sal_/),
      status: 'awaiting_confirmation',
      amount: 10_000,
      vouchers: 10_000,
      adPointsCharge: 1500,
      vouchersPaused: false,
      expiresAt: '2026-11-30T02:10:00.000Z',
    });
    // Nothing moves before the consumer confirms.
    expect(await vouchers(t, consumer.id)).toBe(0);
    expect(await adPoints(t, merchant.id)).toBe(10_000);

    const pending = await t.request('GET', '/v1/sales/pending', { token: consumer.token });
    expect(pending.status).toBe(200);
    expect(pending.body.data).toEqual([
      expect.objectContaining({ id: sale.body.id, amount: 10_000, vouchers: 10_000, vouchersPaused: false }),
    ]);

    const confirmed = await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({
      id: sale.body.id,
      status: 'completed',
      vouchersIssued: 10_000,
      adPointsCharged: 1500,
      reason: null,
      ecoPoints: 0,
      cashDue: 10_000,
    });
    expect(await vouchers(t, consumer.id)).toBe(10_000);
    expect(await adPoints(t, merchant.id)).toBe(8500);
    const me = await t.request('GET', '/v1/me', { token: consumer.token });
    expect(me.body.wallet.vouchers).toBe(10_000);

    // Confirming again is refused and issues nothing more.
    const again = await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_confirmed');
    expect(await vouchers(t, consumer.id)).toBe(10_000);
    expect(await adPoints(t, merchant.id)).toBe(8500);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('odd amounts follow the rounding rule: 0.07 yuan and 333.33 yuan', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const small = await recordAndConfirm(merchant, consumer, 7);
    expect(small.sale).toMatchObject({ vouchers: 7, adPointsCharge: 1 });
    expect(small.confirmed).toMatchObject({ vouchersIssued: 7, adPointsCharged: 1 });
    const odd = await recordAndConfirm(merchant, consumer, 33_333);
    expect(odd.sale).toMatchObject({ vouchers: 33_333, adPointsCharge: 5000 });
    expect(await vouchers(t, consumer.id)).toBe(33_340);
    expect(await adPoints(t, merchant.id)).toBe(10_000 - 1 - 5000);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('uses the parameters in force when the sale was recorded, and the merchant override', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    await recordParameterChange(
      { ...t.deps, user: undefined },
      {
        scope: merchant.id,
        name: 'merchantAdRateBp',
        value: 1000,
        changedBy: 'test',
      },
    );
    const sale = await recordSale(merchant, consumer, 10_000);
    expect(sale.body).toMatchObject({ adRateBp: 1000, adPointsCharge: 1000 });
    // A later change does not alter a sale already recorded.
    await recordParameterChange(
      { ...t.deps, user: undefined },
      {
        scope: merchant.id,
        name: 'merchantAdRateBp',
        value: 3000,
        changedBy: 'test',
      },
    );
    const confirmed = await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token });
    expect(confirmed.body.adPointsCharged).toBe(1000);
    expect(await adPoints(t, merchant.id)).toBe(9000);
  });

  it('a merchant without enough ad points: shown as paused, completes with no vouchers and the reason', async () => {
    const merchant = await activeMerchant(t, { adPoints: 1499 });
    const consumer = await signInConsumer(t);
    const sale = await recordSale(merchant, consumer, 10_000);
    expect(sale.body.vouchersPaused).toBe(true);
    const pending = await t.request('GET', '/v1/sales/pending', { token: consumer.token });
    expect(pending.body.data[0]).toMatchObject({ id: sale.body.id, vouchersPaused: true });
    const confirmed = await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({
      id: sale.body.id,
      status: 'completed',
      vouchersIssued: 0,
      adPointsCharged: 0,
      reason: 'merchant_insufficient_ad_points',
      ecoPoints: 0,
      cashDue: 10_000,
    });
    expect(await vouchers(t, consumer.id)).toBe(0);
    expect(await adPoints(t, merchant.id)).toBe(1499);
    const history = await t.request('GET', `/v1/merchants/${merchant.id}/sales`, {
      token: merchant.owner.token,
    });
    expect(history.body.data[0]).toMatchObject({
      status: 'completed',
      reason: 'merchant_insufficient_ad_points',
    });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('a declined sale issues nothing and cannot be confirmed afterwards', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const sale = await recordSale(merchant, consumer, 5000);
    const declined = await t.request('POST', `/v1/sales/${sale.body.id}/decline`, { token: consumer.token });
    expect(declined.status).toBe(200);
    expect(declined.body.status).toBe('declined');
    const confirm = await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token });
    expect(confirm.status).toBe(409);
    expect(confirm.body.error.code).toBe('sale_declined');
    expect(await vouchers(t, consumer.id)).toBe(0);
    expect(await adPoints(t, merchant.id)).toBe(10_000);
  });

  it('a sale not confirmed within 10 minutes expires: 409 sale_expired, nothing issued; the job marks the rest', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const body = { memberCode: consumer.memberCode, amount: 5000 };
    const first = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
      token: merchant.owner.token,
      body,
    });
    const second = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
      token: merchant.owner.token,
      body,
    });
    clock.advance(10 * 60 * 1000);
    const late = await t.request('POST', `/v1/sales/${first.body.id}/confirm`, { token: consumer.token });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('sale_expired');
    expect((await t.request('GET', '/v1/sales/pending', { token: consumer.token })).body.data).toEqual([]);

    const job = await expireUnconfirmedSales({ ...t.deps, user: undefined });
    expect(job.expired).toBeGreaterThanOrEqual(1);
    const [row] = await t.db.select().from(schema.sales).where(eq(schema.sales.id, second.body.id));
    expect(row?.status).toBe('expired');
    const [firstRow] = await t.db.select().from(schema.sales).where(eq(schema.sales.id, first.body.id));
    expect(firstRow?.status).toBe('expired');
    expect(await vouchers(t, consumer.id)).toBe(0);
    expect(await adPoints(t, merchant.id)).toBe(10_000);
  });
});

describe('confirming a sale this process recorded, from its memory of it (issue 14)', () => {
  it('the guard still requires the terms in the row: a row that says otherwise is confirmed on its own terms', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const sale = await recordSale(merchant, consumer, 10_000);
    expect(sale.body).toMatchObject({ vouchers: 10_000, adPointsCharge: 1500 });
    // No path of the product changes an awaiting sale's terms; this stands for any difference
    // between what the process remembers and the row.
    await t.db
      .update(schema.sales)
      .set({ amountFen: 5000, vouchers: 5000, adPointsCharge: 750 })
      .where(eq(schema.sales.id, sale.body.id));
    const taken = vi.spyOn(t.deps.caches.recordedSales, 'take');
    const confirmed = await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token });
    expect(taken).toHaveReturnedWith(expect.objectContaining({ id: sale.body.id, vouchers: 10_000 }));
    taken.mockRestore();
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ vouchersIssued: 5000, adPointsCharged: 750, cashDue: 5000 });
    expect(await vouchers(t, consumer.id)).toBe(5000);
    expect(await adPoints(t, merchant.id)).toBe(9250);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('another process confirms by reading the sale; this one then refuses it as already confirmed', async () => {
    const other = createApp(composeDeps({ ...t.deps }));
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const sale = await recordSale(merchant, consumer, 2000);
    const confirmed = await other.request(`/v1/sales/${sale.body.id}/confirm`, {
      method: 'POST',
      headers: { authorization: `Bearer ${consumer.token}` },
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({
      vouchersIssued: 2000,
      adPointsCharged: 300,
      reason: null,
    });
    const again = await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_confirmed');
    expect(await vouchers(t, consumer.id)).toBe(2000);
    expect(await adPoints(t, merchant.id)).toBe(9700);
  });
});

describe('retries', () => {
  it('a confirmation retried with the same Idempotency-Key replays the first answer and issues once', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const sale = await recordSale(merchant, consumer, 2000);
    const headers = { 'idempotency-key': 'confirm-once' };
    const first = await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, {
      token: consumer.token,
      headers,
    });
    const retry = await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, {
      token: consumer.token,
      headers,
    });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await vouchers(t, consumer.id)).toBe(2000);
    expect(await adPoints(t, merchant.id)).toBe(10_000 - 300);
  });
});

describe('recording a sale: refusals', () => {
  it('unknown member code 404, inactive merchant 409, amount <= 0 422, strings 400, own staff 422', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const path = `/v1/merchants/${merchant.id}/sales`;
    const token = merchant.owner.token;
    const unknown = await t.request('POST', path, { token, body: { memberCode: '0000000000', amount: 100 } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('member_not_found');
    for (const amount of [0, -100]) {
      const bad = await t.request('POST', path, { token, body: { memberCode: consumer.memberCode, amount } });
      expect(bad.status).toBe(422);
      expect(bad.body.error.code).toBe('amount_not_positive');
    }
    for (const amount of ['100', 1.5, null]) {
      const bad = await t.request('POST', path, { token, body: { memberCode: consumer.memberCode, amount } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('validation_error');
    }
    const self = await t.request('POST', path, {
      token,
      body: { memberCode: merchant.owner.memberCode, amount: 100 },
    });
    expect(self.status).toBe(422);
    expect(self.body.error.code).toBe('self_sale_not_allowed');

    const pending = await activeMerchant(t, { status: 'pending' });
    const inactive = await t.request('POST', `/v1/merchants/${pending.id}/sales`, {
      token: pending.owner.token,
      body: { memberCode: consumer.memberCode, amount: 100 },
    });
    expect(inactive.status).toBe(409);
    expect(inactive.body.error.code).toBe('merchant_not_active');
    expect(await t.db.select().from(schema.sales).where(eq(schema.sales.merchantId, pending.id))).toEqual([]);
  });
});

describe('who may do what', () => {
  it('anonymous 401; other consumers, other merchants and operators get 404 on what is not theirs', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const other = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const stranger = await signInConsumer(t);
    const operator = await t.signIn(operatorPhone);
    const body = { memberCode: consumer.memberCode, amount: 1000 };
    const path = `/v1/merchants/${merchant.id}/sales`;

    expect((await t.request('POST', path, { body })).status).toBe(401);
    for (const token of [consumer.token, other.owner.token, operator.token]) {
      const res = await t.request('POST', path, { token, body });
      expect(res.status).toBe(404);
    }
    expect((await t.request('GET', path)).status).toBe(401);
    for (const token of [consumer.token, other.owner.token]) {
      expect((await t.request('GET', path, { token })).status).toBe(404);
    }
    // Operators read every merchant's sales.
    expect((await t.request('GET', path, { token: operator.token })).status).toBe(200);

    const sale = await t.request('POST', path, { token: merchant.owner.token, body });
    const one = `/v1/sales/${sale.body.id}`;
    expect((await t.request('GET', one)).status).toBe(401);
    for (const token of [consumer.token, merchant.owner.token, operator.token]) {
      const res = await t.request('GET', one, { token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: sale.body.id, amount: 1000, vouchersPaused: false });
    }
    for (const token of [stranger.token, other.owner.token])
      expect((await t.request('GET', one, { token })).status).toBe(404);
    for (const action of ['confirm', 'decline']) {
      expect((await t.request('POST', `/v1/sales/${sale.body.id}/${action}`)).status).toBe(401);
      for (const token of [stranger.token, merchant.owner.token, other.owner.token, operator.token]) {
        const res = await t.request('POST', `/v1/sales/${sale.body.id}/${action}`, { token });
        expect(res.status).toBe(404);
      }
    }
    for (const p of ['/v1/sales', '/v1/sales/pending']) expect((await t.request('GET', p)).status).toBe(401);
    expect((await t.request('GET', '/v1/sales/pending', { token: stranger.token })).body.data).toEqual([]);
    expect((await t.request('GET', '/v1/sales', { token: stranger.token })).body.data).toEqual([]);

    await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token });
    const refund = `/v1/sales/${sale.body.id}/refund`;
    expect((await t.request('POST', refund, { body: { amount: 100 } })).status).toBe(401);
    for (const token of [consumer.token, other.owner.token, operator.token]) {
      const res = await t.request('POST', refund, { token, body: { amount: 100 } });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect(await vouchers(t, consumer.id)).toBe(1000);
  });

  it('lists: the merchant sees masked phones; the consumer sees merchant names; pages follow the cursor', async () => {
    const merchant = await activeMerchant(t, { adPoints: 100_000 });
    const consumer = await signInConsumer(t);
    for (const amount of [100, 200, 300]) {
      await recordAndConfirm(merchant, consumer, amount);
      clock.advance(1000);
    }
    const first = await t.request('GET', `/v1/merchants/${merchant.id}/sales?limit=2`, {
      token: merchant.owner.token,
    });
    expect(first.body.data.map((s: { amount: number }) => s.amount)).toEqual([300, 200]);
    expect(first.body.data[0].consumer).toMatch(/^\+86 137\*{4}\d{4}$/);
    const second = await t.request(
      'GET',
      `/v1/merchants/${merchant.id}/sales?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      {
        token: merchant.owner.token,
      },
    );
    expect(second.body.data.map((s: { amount: number }) => s.amount)).toEqual([100]);
    expect(second.body.nextCursor).toBeNull();
    const mine = await t.request('GET', '/v1/sales', { token: consumer.token });
    expect(mine.body.data).toHaveLength(3);
    expect(mine.body.data[0].merchantName).toMatch(/^Shop /);
    const badCursor = await t.request('GET', '/v1/sales?cursor=nonsense', { token: consumer.token });
    expect([badCursor.status, badCursor.body.error.code]).toEqual([400, 'validation_error']);
  });
});

describe('refunds of in-store sales', () => {
  it('after the consumer converted part of the vouchers: claws back what is still held, ad points in proportion', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const { sale } = await recordAndConfirm(merchant, consumer, 10_000);
    expect(await vouchers(t, consumer.id)).toBe(10_000);
    // The consumer converts 95.00 vouchers away (as videos would), keeping 5.00.
    await postTransaction(t.db, {
      key: `test:convert:${newId('tst')}`,
      kind: 'test_conversion',
      transfers: [
        {
          debit: accounts.consumerVouchers(consumer.id),
          credit: accounts.platformVouchersIssued(),
          amount: 9500,
        },
      ],
    });
    const path = `/v1/sales/${sale.id}/refund`;
    const token = merchant.owner.token;

    // 30 yuan back: 30.00 vouchers due, only 5.00 held → 5.00 clawed back; ad points floor(1500 x 500 / 10000) = 0.75.
    const first = await t.request('POST', path, { token, body: { amount: 3000 } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^rfd_/),
      refunded: 3000,
      vouchersClawedBack: 500,
      adPointsReturned: 75,
      ecoPointsReturned: 0,
      cashRefunded: 3000,
    });
    expect(await vouchers(t, consumer.id)).toBe(0);
    expect(await adPoints(t, merchant.id)).toBe(8500 + 75);

    // The consumer earns 100.00 elsewhere; the rest of the refund (70 yuan) claws back 70.00 due now.
    const elsewhere = await activeMerchant(t, { adPoints: 10_000 });
    await recordAndConfirm(elsewhere, consumer, 10_000);
    clock.advance(1000);
    const second = await t.request('POST', path, { token, body: { amount: 7000 } });
    expect(second.body).toEqual({
      id: expect.stringMatching(/^rfd_/),
      refunded: 7000,
      vouchersClawedBack: 7000,
      adPointsReturned: 1050,
      ecoPointsReturned: 0,
      cashRefunded: 7000,
    });
    expect(await vouchers(t, consumer.id)).toBe(3000);
    // 75.00 of 100.00 clawed back in total → 11.25 ad points returned in total.
    expect(await adPoints(t, merchant.id)).toBe(8500 + 1125);

    const over = await t.request('POST', path, { token, body: { amount: 1 } });
    expect(over.status).toBe(422);
    expect(over.body.error.code).toBe('refund_exceeds_amount');
    const history = await t.request('GET', `/v1/merchants/${merchant.id}/sales`, { token });
    expect(history.body.data[0]).toMatchObject({
      refunded: 10_000,
      vouchersClawedBack: 7500,
      adPointsReturned: 1125,
    });
    const detail = await t.request('GET', `/v1/sales/${sale.id}`, { token: consumer.token });
    expect(detail.body.refunds).toEqual([
      {
        id: first.body.id,
        refunded: 3000,
        vouchersClawedBack: 500,
        adPointsReturned: 75,
        ecoPointsReturned: 0,
        cashRefunded: 3000,
        createdAt: expect.any(String),
      },
      {
        id: second.body.id,
        refunded: 7000,
        vouchersClawedBack: 7000,
        adPointsReturned: 1050,
        ecoPointsReturned: 0,
        cashRefunded: 7000,
        createdAt: expect.any(String),
      },
    ]);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('partial refunds in odd steps add up exactly; over-refund and non-positive amounts write nothing', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const { sale } = await recordAndConfirm(merchant, consumer, 33_333);
    const path = `/v1/sales/${sale.id}/refund`;
    const token = merchant.owner.token;
    const tooMuch = await t.request('POST', path, { token, body: { amount: 33_334 } });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.code).toBe('refund_exceeds_amount');
    expect((await t.request('POST', path, { token, body: { amount: 0 } })).status).toBe(422);
    const parts = [];
    for (const amount of [11_111, 11_111, 11_111]) {
      parts.push((await t.request('POST', path, { token, body: { amount } })).body);
    }
    expect(parts.map((p) => p.vouchersClawedBack)).toEqual([11_111, 11_111, 11_111]);
    // 5000 charged: floor(5000 x 11111 / 33333) = 1666, then 3333 - 1666 = 1667, then 5000 - 3333 = 1667.
    expect(parts.map((p) => p.adPointsReturned)).toEqual([1666, 1667, 1667]);
    expect(await vouchers(t, consumer.id)).toBe(0);
    expect(await adPoints(t, merchant.id)).toBe(10_000);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('refusing an unconfirmed sale; a sale without vouchers refunds with nothing to claw back', async () => {
    const merchant = await activeMerchant(t, { adPoints: 100 });
    const consumer = await signInConsumer(t);
    const sale = await recordSale(merchant, consumer, 10_000);
    const early = await t.request('POST', `/v1/sales/${sale.body.id}/refund`, {
      token: merchant.owner.token,
      body: { amount: 100 },
    });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('sale_not_completed');
    await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token });
    const refund = await t.request('POST', `/v1/sales/${sale.body.id}/refund`, {
      token: merchant.owner.token,
      body: { amount: 10_000 },
    });
    expect(refund.body).toMatchObject({ refunded: 10_000, vouchersClawedBack: 0, adPointsReturned: 0 });
    expect(await adPoints(t, merchant.id)).toBe(100);
  });
});

describe('rotating member codes', () => {
  it('a rotating 8-digit member code names the consumer for five minutes, then no one; a new one replaces it', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const consumer = await signInConsumer(t);
    const issue = () => t.request('POST', '/v1/me/member-code', { token: consumer.token });
    const record = (memberCode: string) =>
      t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
        token: merchant.owner.token,
        body: { memberCode, amount: 1000 },
      });
    expect((await t.request('POST', '/v1/me/member-code')).status).toBe(401);
    const first = await issue();
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      code: expect.stringMatching(/^\d{8}$/),
      expiresAt: new Date(clock.now().getTime() + 5 * 60 * 1000).toISOString(),
    });
    const sale = await record(first.body.code);
    expect(sale.status).toBe(201);
    const pending = await t.request('GET', '/v1/sales/pending', { token: consumer.token });
    expect(pending.body.data.map((x: { id: string }) => x.id)).toEqual([sale.body.id]);
    // A new code replaces the old one at once.
    const second = await issue();
    expect((await record(first.body.code)).body.error.code).toBe('member_not_found');
    clock.advance(5 * 60 * 1000);
    expect((await record(second.body.code)).body.error.code).toBe('member_not_found');
    // The fixed member code keeps working.
    expect((await record(consumer.memberCode)).status).toBe(201);
  });
});
