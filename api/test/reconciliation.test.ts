import { schema } from '@alliance/db';
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Ctx, ctxOf } from '../context';
import { lockLedgerCheckpoints } from '../ledger';
import { runNightlyReconciliation } from '../services/reconciliation';
import { csvCell } from '../services/reconciliation-csv';
import { creditPaidTopup } from '../services/topups';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { holdOpen, onPostgres } from './test-db';

// Several business days (Asia/Shanghai, UTC+8) of one platform, reconciled day by day: every
// figure below is worked out by hand from the flows' rules (API.md, SPEC section 4).
const clock = testClock('2026-11-28T02:00:00Z');
let t: TestApp;
let seq = 0;
const phone = () => `+86136${String(10_000_000 + ++seq * 7901).slice(-8)}`;
const shipTo = { name: 'Li Lei', phone: '+8613800000011', region: 'Beijing', address: '3 Chang An Avenue' };

type Who = { token: string; id: string };
let operator: Who;
let merchant: { id: string; owner: Who };
let formulaMerchant: { id: string; owner: Who };
let supplier: { id: string; owner: Who };
let shopper: Who & { memberCode: string };
let buyer: Who;
let ownListingId: string;
let supplierListingId: string;

async function user(): Promise<Who> {
  const s = await t.signIn(phone());
  return { token: s.token, id: s.user.id };
}

async function activeOrg(kind: 'merchants' | 'suppliers', name: string) {
  const owner = await user();
  const created = await t.request('POST', `/v1/${kind}`, { token: owner.token, body: { name } });
  expect(created.status).toBe(201);
  await t.request('POST', `/v1/platform/${kind}/${created.body.id}/approve`, { token: operator.token });
  return { id: created.body.id as string, owner };
}

const pay = (checkoutSessionId: string, deliver = true) => t.fakeStripe.pay(checkoutSessionId, { deliver });

async function topup(m: { id: string; owner: Who }, amount: number) {
  const res = await t.request('POST', `/v1/merchants/${m.id}/topups`, {
    token: m.owner.token,
    body: { amount },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; checkoutSessionId: string };
}

async function inStoreSale(amount: number) {
  const recorded = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
    token: merchant.owner.token,
    body: { memberCode: shopper.memberCode, amount },
  });
  expect(recorded.status).toBe(201);
  const confirmed = await t.request('POST', `/v1/sales/${recorded.body.id}/confirm`, {
    token: shopper.token,
  });
  expect(confirmed.status).toBe(200);
  return recorded.body.id as string;
}

async function paidOrder(listingId: string) {
  const created = await t.request('POST', '/v1/orders', {
    token: buyer.token,
    body: { merchantId: merchant.id, items: [{ listingId, quantity: 1 }], shipTo },
  });
  expect(created.status).toBe(201);
  await pay(created.body.checkoutSessionId);
  return created.body.id as string;
}

const run = (date?: string) =>
  t.request('POST', '/v1/platform/reconciliation/runs', {
    token: operator.token,
    body: date === undefined ? undefined : { date },
  });
const read = (date: string) =>
  t.request('GET', `/v1/platform/reconciliation/${date}`, { token: operator.token });
const lineOf = (report: { merchants: Array<{ merchantId: string }> }, id: string) =>
  report.merchants.find((m) => m.merchantId === id);
const ctx = (): Ctx => ctxOf(t.deps);

beforeAll(async () => {
  t = await createTestApp({ clock, env: { AUTH_OTP_PER_PHONE_HOUR: '100', AUTH_OTP_PER_IP_HOUR: '100000' } });
  const op = await t.signIn(operatorPhone);
  operator = { token: op.token, id: op.user.id };
  merchant = await activeOrg('merchants', 'Tea House');
  formulaMerchant = await activeOrg('merchants', '=HYPERLINK("http://x","Shop")');
  supplier = await activeOrg('suppliers', 'Silk Farm');
  const s = await user();
  shopper = { ...s, memberCode: (await t.request('GET', '/v1/me', { token: s.token })).body.memberCode };
  buyer = await user();
  ownListingId = (
    await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
      token: merchant.owner.token,
      body: { title: 'Green tea', price: 5000, stock: 10 },
    })
  ).body.id;
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
  for (let i = 1; i <= 6; i++) {
    const campaign = await t.request('POST', '/v1/platform/campaigns', {
      token: operator.token,
      body: {
        title: `Video ${i}`,
        mediaUrl: '/v.webm',
        durationSeconds: 10,
        pricePerCompletion: 50,
        budget: 10_000,
      },
    });
    expect(campaign.status).toBe(201);
  }
});
afterAll(() => t.close());

describe('reconciliation report', () => {
  let dayOne: unknown;

  it('day 1: a top-up, an in-store sale and an online order add up, Stripe equals the ledger', async () => {
    clock.set('2026-11-28T02:00:00Z'); // 10:00 on 2026-11-28
    await pay((await topup(merchant, 10_000)).checkoutSessionId);
    await inStoreSale(10_000);
    await paidOrder(ownListingId);

    const res = await run('2026-11-28');
    expect(res.status).toBe(201);
    const report = res.body;
    expect(report).toMatchObject({
      businessDate: '2026-11-28',
      ok: true,
      vouchers: { outstanding: 15_000 },
      ecoPoints: { outstanding: 0, unitPriceFen: 100, liability: 0 },
      stripe: { collected: 15_000, refunded: 0, disputed: 0, ledger: 15_000, difference: 0 },
      differences: [],
      suppliers: [],
    });
    expect(report.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
      ['ledgers_balance', true],
      ['balances_match_transfers', true],
      ['no_overdraft', true],
      ['hash_chain', true],
      ['eco_points_conserved', true],
    ]);
    // 100 yuan in store and 50 yuan online at 15%: 15.00 + 7.50 ad points out of the 100.00 bought.
    expect(report.merchants).toEqual([
      {
        merchantId: merchant.id,
        name: 'Tea House',
        sales: 15_000,
        inStoreSales: 10_000,
        onlineSales: 5_000,
        vouchersIssued: 15_000,
        adPointsCharged: 2_250,
        expectedAdPointsCharged: 2_250,
        topups: 10_000,
        adPointsBought: 10_000,
        adPoints: 7_750,
        ecoPoints: 0,
      },
    ]);
    expect((await read('2026-11-28')).body).toEqual(report);
    dayOne = report;
  });

  it('day 2: refunds move balances but not the day figures; a supply order settles to the supplier', async () => {
    clock.set('2026-11-29T02:00:00Z');
    const [sale] = await t.db.select().from(schema.sales).where(eq(schema.sales.channel, 'in_store'));
    const saleRefund = await t.request('POST', `/v1/sales/${sale!.id}/refund`, {
      token: merchant.owner.token,
      body: { amount: 5_000 },
    });
    expect(saleRefund.body).toMatchObject({ vouchersClawedBack: 5_000, adPointsReturned: 750 });
    const [order] = await t.db.select().from(schema.orders).where(eq(schema.orders.status, 'paid'));
    const orderRefund = await t.request('POST', `/v1/orders/${order!.id}/refund`, {
      token: merchant.owner.token,
      body: { amount: 1_000 },
    });
    expect(orderRefund.body).toMatchObject({ vouchersClawedBack: 1_000, adPointsReturned: 150 });
    const supplyOrder = await paidOrder(supplierListingId);
    const fulfillments = await t.request('GET', `/v1/orders/${supplyOrder}/fulfillments`, {
      token: buyer.token,
    });
    const shipped = await t.request('POST', `/v1/fulfillments/${fulfillments.body.data[0].id}/ship`, {
      token: supplier.owner.token,
      body: { carrier: 'SF', trackingNumber: 'SF1' },
    });
    expect(shipped.status).toBe(200);

    const report = (await run('2026-11-29')).body;
    expect(report).toMatchObject({
      ok: true,
      // 15000 - 5000 - 1000 clawed back + 10000 issued.
      vouchers: { outstanding: 19_000 },
      stripe: { collected: 10_000, refunded: 1_000, disputed: 0, ledger: 9_000, difference: 0 },
      suppliers: [{ supplierId: supplier.id, name: 'Silk Farm', settled: 8_000, paidOut: 0, payable: 8_000 }],
    });
    expect(lineOf(report, merchant.id)).toMatchObject({
      sales: 10_000,
      inStoreSales: 0,
      onlineSales: 10_000,
      vouchersIssued: 10_000,
      adPointsCharged: 1_500,
      expectedAdPointsCharged: 1_500,
      topups: 0,
      // 7750 + 750 + 150 returned - 1500 charged.
      adPoints: 7_150,
    });
    expect(report.totals).toMatchObject({
      gmvOnline: 10_000,
      gmvInStore: 0,
      supplierSettled: 8_000,
      supplierPayable: 8_000,
    });
  });

  it('day 3: a conversion creates eco-point liability; a payout pays the supplier; a top-up refund nets', async () => {
    clock.set('2026-11-30T02:00:00Z');
    for (let i = 0; i < 6; i++) {
      const started = await t.request('POST', '/v1/ad-views', { token: shopper.token });
      expect(started.status).toBe(201);
      for (let s = 1; s <= 2; s++) {
        clock.advance(5_000);
        await t.request('POST', `/v1/ad-views/${started.body.id}/progress`, {
          token: shopper.token,
          body: { token: started.body.token, seq: s, position: s * 5, visible: true },
        });
      }
      const done = await t.request('POST', `/v1/ad-views/${started.body.id}/complete`, {
        token: shopper.token,
        body: { token: started.body.token },
      });
      expect(done.status).toBe(200);
    }
    const batches = await t.request('POST', '/v1/platform/payouts/run', { token: operator.token });
    expect(batches.body.created).toHaveLength(1);
    const paid = await t.request('POST', `/v1/platform/payouts/${batches.body.created[0].id}/mark-paid`, {
      token: operator.token,
      body: { reference: 'BANK-1' },
    });
    expect(paid.status).toBe(200);
    const second = await topup(merchant, 20_000);
    await pay(second.checkoutSessionId);
    const charge = [...t.fakeStripe.charges.values()].find((c) => c.metadata?.topup_id === second.id);
    await t.deps.stripe!.refunds.create({ charge: charge!.id, amount: 5_000 });

    const report = (await run('2026-11-30')).body;
    expect(report).toMatchObject({
      ok: true,
      vouchers: { outstanding: 18_900 },
      ecoPoints: { outstanding: 100, unitPriceFen: 100, liability: 100 },
      stripe: { collected: 20_000, refunded: 5_000, disputed: 0, ledger: 15_000, difference: 0 },
      suppliers: [{ supplierId: supplier.id, settled: 0, paidOut: 8_000, payable: 0 }],
    });
    expect(lineOf(report, merchant.id)).toMatchObject({
      sales: 0,
      topups: 20_000,
      adPointsBought: 20_000,
      // 7150 + 20000 bought - 5000 taken back with the refunded quarter.
      adPoints: 22_150,
    });
    expect(report.totals).toMatchObject({ completions: 6, vouchersConverted: 100, supplierPaidOut: 8_000 });
    // Two days of refunds and balances later, the first day's report reads as it was written.
    expect((await read('2026-11-28')).body).toEqual(dayOne);
  });

  it('a sale at 23:59:59 and one at 00:00:00 Asia/Shanghai land in different days', async () => {
    clock.set('2026-11-30T15:59:59Z'); // 23:59:59 on 2026-11-30
    await inStoreSale(2_000);
    clock.set('2026-11-30T16:00:00Z'); // 00:00:00 on 2026-12-01
    await inStoreSale(3_000);
    const before = (await run('2026-11-30')).body;
    expect(lineOf(before, merchant.id)).toMatchObject({
      sales: 2_000,
      inStoreSales: 2_000,
      adPointsCharged: 300,
    });
    const after = (await run('2026-12-01')).body;
    expect(lineOf(after, merchant.id)).toMatchObject({
      sales: 3_000,
      inStoreSales: 3_000,
      adPointsCharged: 450,
    });
    // The day's end balance of 2026-11-30 excludes the sale of 00:00:00.
    expect(lineOf(before, merchant.id)).toMatchObject({ adPoints: 22_150 - 300 });
    expect(lineOf(after, merchant.id)).toMatchObject({ adPoints: 22_150 - 300 - 450 });
    // Re-running a day writes a new report; the latest is the one read.
    expect((await read('2026-11-30')).body).toEqual(before);
  });

  it('lists a charge with no ledger entry, a ledger entry with no charge and an unmatched event', async () => {
    clock.set('2026-12-01T03:00:00Z');
    // Stripe takes 30 yuan but its webhook never reaches the platform.
    const lost = await topup(merchant, 3_000);
    await pay(lost.checkoutSessionId, false);
    const lostCharge = [...t.fakeStripe.charges.values()].find((c) => c.metadata?.topup_id === lost.id);
    // The ledger records 40 yuan through Stripe for a top-up Stripe never charged.
    const phantom = await topup(merchant, 4_000);
    expect(await creditPaidTopup(ctx(), phantom.id, { eventId: 'evt_manual', paymentIntentId: null })).toBe(
      'credited',
    );
    // A verified event that matches nothing.
    const stray = await t.fakeStripe.sendEvent('checkout.session.completed', {
      id: 'cs_test_unknown',
      object: 'checkout.session',
      payment_status: 'paid',
      amount_total: 100,
      currency: 'cny',
      metadata: {},
    });
    expect(stray.status).toBe(200);

    const res = await run();
    expect(res.status).toBe(201);
    const report = res.body;
    expect(report.businessDate).toBe('2026-12-01');
    expect(report.ok).toBe(false);
    expect(report.stripe).toEqual({
      collected: 3_000,
      refunded: 0,
      disputed: 0,
      ledger: 4_000,
      difference: -1_000,
    });
    expect(report.differences).toEqual([
      {
        kind: 'stripe_difference',
        subject: 'stripe',
        expected: 3_000,
        actual: 4_000,
        detail: expect.any(String),
      },
      {
        kind: 'ledger_entry_without_stripe_charge',
        subject: phantom.id,
        expected: 0,
        actual: 4_000,
        detail: expect.any(String),
      },
      {
        kind: 'stripe_charge_not_in_ledger',
        subject: lostCharge!.id,
        expected: 3_000,
        actual: 0,
        detail: expect.any(String),
      },
      {
        kind: 'stripe_event_unmatched',
        subject: stray.eventId,
        expected: null,
        actual: null,
        detail: expect.any(String),
        handled: null,
      },
    ]);
    expect(report.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);

    // An operator handles the anomaly: the day's record keeps it, and says it was handled, by whom.
    const open = await t.request('GET', '/v1/platform/stripe/anomalies?status=open', {
      token: operator.token,
    });
    const anomaly = open.body.data.find((a: { eventId: string }) => a.eventId === stray.eventId);
    clock.set('2026-12-01T05:00:00Z');
    const resolved = await t.request('POST', `/v1/platform/stripe/anomalies/${anomaly.id}/resolve`, {
      token: operator.token,
      body: { note: 'Test event from the Stripe dashboard' },
    });
    expect(resolved.status).toBe(200);
    const after = (await read('2026-12-01')).body;
    expect(after.ok).toBe(false);
    expect(after.differences.map((d: { kind: string }) => d.kind)).toEqual(
      report.differences.map((d: { kind: string }) => d.kind),
    );
    expect(after.differences[3].handled).toEqual({
      resolvedAt: '2026-12-01T05:00:00.000Z',
      resolvedByPhone: '+86 139****0000',
      resolutionNote: 'Test event from the Stripe dashboard',
      refund: null,
    });
    expect(after.differences[0]).not.toHaveProperty('handled');
    // Read beside the report, never stored in it.
    const [stored] = await t.db
      .select({ report: schema.reconciliationReports.report })
      .from(schema.reconciliationReports)
      .where(eq(schema.reconciliationReports.businessDate, '2026-12-01'))
      .orderBy(desc(schema.reconciliationReports.seq))
      .limit(1);
    expect(JSON.stringify(stored!.report)).not.toContain('handled');
  });

  it("the fake Stripe lists charges and refunds as Stripe's API does: newest first, by created range, paged", async () => {
    const stripe = t.deps.stripe!;
    const created = {
      gte: Date.parse('2026-11-27T16:00:00Z') / 1000,
      lt: Date.parse('2026-12-01T16:00:00Z') / 1000,
    };
    const first = await stripe.charges.list({ created, limit: 2 });
    expect(first.has_more).toBe(true);
    expect(first.data).toHaveLength(2);
    const all = await stripe.charges.list({ created, limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(all.map((c) => c.id)).toEqual([...t.fakeStripe.charges.keys()].reverse());
    expect(all.map((c) => c.amount)).toEqual([3_000, 20_000, 10_000, 5_000, 10_000]);
    const refunds = await stripe.refunds.list({ created, limit: 1 }).autoPagingToArray({ limit: 100 });
    expect(refunds.map((r) => r.amount)).toEqual([5_000, 1_000]);
    const dayOne = { gte: created.gte, lt: Date.parse('2026-11-28T16:00:00Z') / 1000 };
    expect((await stripe.charges.list({ created: dayOne })).data.map((c) => c.amount)).toEqual([
      5_000, 10_000,
    ]);
  });

  it('refuses a future date (422 date_in_future) and an impossible one; 404 for a day never reported', async () => {
    const future = await run('2026-12-02');
    expect(future.status).toBe(422);
    expect(future.body.error.code).toBe('date_in_future');
    expect((await run('2026-02-30')).status).toBe(422);
    expect((await run('30/11/2026')).status).toBe(400);
    expect((await read('2026-11-01')).status).toBe(404);
    expect((await read('2026-02-30')).status).toBe(404);
    expect(
      (await t.request('GET', '/v1/platform/reconciliation/2026-11-01.csv', { token: operator.token }))
        .status,
    ).toBe(404);
  });
});

describe('the nightly job', () => {
  it("writes the previous day's report once, however often it runs", async () => {
    clock.set('2026-12-01T16:30:00Z'); // 00:30 on 2026-12-02
    expect(await runNightlyReconciliation(ctx())).toEqual({ businessDate: '2026-12-01', written: true });
    expect(await runNightlyReconciliation(ctx())).toEqual({ businessDate: '2026-12-01', written: false });
    const rows = await t.db
      .select()
      .from(schema.reconciliationReports)
      .where(eq(schema.reconciliationReports.kind, 'nightly'));
    expect(rows.map((r) => r.businessDate)).toEqual(['2026-12-01']);
    // The nightly report is now the latest for the day; it still names the day's differences.
    expect((await read('2026-12-01')).body).toMatchObject({ businessDate: '2026-12-01', ok: false });
  });

  it.skipIf(!onPostgres)('two processes at once write one report (PostgreSQL)', async () => {
    clock.set('2026-12-02T16:30:00Z'); // 00:30 on 2026-12-03: reports 2026-12-02
    const results = await Promise.all([runNightlyReconciliation(ctx()), runNightlyReconciliation(ctx())]);
    expect(results.map((r) => r.written).sort()).toEqual([false, true]);
    const rows = await t.db
      .select()
      .from(schema.reconciliationReports)
      .where(eq(schema.reconciliationReports.businessDate, '2026-12-02'));
    expect(rows).toHaveLength(1);
  });

  it.skipIf(!onPostgres)(
    'a report that waited a minute for another one answers 409 (PostgreSQL)',
    async () => {
      clock.set('2026-12-02T16:40:00Z'); // 00:40 on 2026-12-03
      // Another report holds the checkpoint lock for as long as this test needs.
      const other = await holdOpen(t.db, (tx) => lockLedgerCheckpoints(tx));
      // Each reading of the clock is 30 s after the last: the minute passes within a few retries.
      const realNow = performance.now.bind(performance);
      let readings = 0;
      const clockSpy = vi.spyOn(performance, 'now').mockImplementation(() => realNow() + ++readings * 30_000);
      try {
        const res = await run('2026-12-02');
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('reconciliation_running');
      } finally {
        clockSpy.mockRestore();
        await other.release();
      }
      // Once the other one is done, the report runs.
      expect((await run('2026-12-02')).status).toBe(201);
    },
  );
});

describe('the CSV and the trends', () => {
  it('guards every cell a spreadsheet would run as a formula, and quotes as CSV requires', () => {
    expect(['=1+1', '+86', '-3.00', '@SUM(A1)', '\tx'].map(csvCell)).toEqual([
      "'=1+1",
      "'+86",
      "'-3.00",
      "'@SUM(A1)",
      "'\tx",
    ]);
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(['Tea, House', 'say "hi"', '12.00', '茶馆'].map(csvCell)).toEqual([
      '"Tea, House"',
      '"say ""hi"""',
      '12.00',
      '茶馆',
    ]);
  });

  it('exports one row per merchant and supplier, for Excel, in the reader’s words, formula-safe', async () => {
    clock.set('2026-12-01T16:31:00Z');
    // Give the formula-named merchant a balance so it is listed.
    const small = await topup(formulaMerchant, 100);
    await pay(small.checkoutSessionId);
    clock.set('2026-12-01T16:32:00Z');
    await run('2026-12-02');
    const res = await t.app.request('/v1/platform/reconciliation/2026-12-02.csv', {
      headers: { authorization: `Bearer ${operator.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      '类型,名称,营业日,销售额（元）,其中门店（元）,其中线上（元）,发放广告券,扣除广告积分,按费率应扣广告积分,' +
        '充值（元）,日终广告积分,日终生态积分,结算给供应商（元）,已付款（元）,日终应付（元）,报告生成时间',
    );
    expect(lines.slice(1)).toEqual([
      `商户,"'=HYPERLINK(""http://x"",""Shop"")",2026-12-02,0.00,0.00,0.00,0.00,0.00,0.00,1.00,1.00,0.00,,,,2026-12-02 00:32:00`,
      `商户,Tea House,2026-12-02,0.00,0.00,0.00,0.00,0.00,0.00,0.00,${(22_150 - 750 + 4_000) / 100}.00,0.00,,,,2026-12-02 00:32:00`,
    ]);
    const english = await t.request('GET', '/v1/platform/reconciliation/2026-12-02.csv?lang=en', {
      token: operator.token,
    });
    expect(String(english.body).split('\r\n')[0]).toBe(
      'Type,Name,Business day,Sales (yuan),In store (yuan),Online (yuan),Vouchers issued,Ad points charged,' +
        'Ad points due at the rate,Top-ups (yuan),Ad points at day end,Eco-points at day end,' +
        'Settled to supplier (yuan),Paid out (yuan),Payable at day end (yuan),Generated at',
    );
    const day2 = await t.request('GET', '/v1/platform/reconciliation/2026-11-29.csv', {
      token: operator.token,
    });
    expect(String(day2.body)).toContain('\r\n供应商,Silk Farm,2026-11-29,,,,,,,,,,80.00,0.00,80.00,');
  });

  it('gives the dashboard 30 or 90 days of series from the stored reports', async () => {
    const res = await t.request('GET', '/v1/platform/reconciliation/trends?days=30', {
      token: operator.token,
    });
    expect(res.status).toBe(200);
    expect(res.body.days).toBe(30);
    expect(res.body.data).toHaveLength(30);
    expect(res.body.data[0]).toEqual({ businessDate: '2026-11-03', reported: false });
    const byDate = new Map(res.body.data.map((d: { businessDate: string }) => [d.businessDate, d]));
    expect(byDate.get('2026-11-28')).toMatchObject({
      reported: true,
      gmvOnline: 5_000,
      gmvInStore: 10_000,
      adPointsBought: 10_000,
      adPointsConsumed: 2_250,
      vouchersIssued: 15_000,
      ecoPointLiability: 0,
    });
    expect(byDate.get('2026-11-30')).toMatchObject({
      completions: 6,
      vouchersConverted: 100,
      ecoPointLiability: 100,
    });
    expect(
      (await t.request('GET', '/v1/platform/reconciliation/trends?days=90', { token: operator.token })).body
        .data,
    ).toHaveLength(90);
    expect(
      (await t.request('GET', '/v1/platform/reconciliation/trends?days=7', { token: operator.token })).status,
    ).toBe(400);
  });
});

describe("the merchant's statement", () => {
  it('adds in-store sales, eco-points received, the ad-point balance at the end and a daily series', async () => {
    const statement = (query: string) =>
      t.request('GET', `/v1/merchants/${merchant.id}/statement${query}`, { token: merchant.owner.token });
    const res = await statement('?from=2026-11-28&to=2026-11-30');
    expect(res.status).toBe(200);
    // Net of refunds, as the statement's other figures: see the days above.
    expect(res.body).toEqual({
      merchantId: merchant.id,
      from: '2026-11-28',
      to: '2026-11-30',
      proceeds: 14_000,
      wholesaleSettled: 8_000,
      net: 6_000,
      adPointsCharged: 3_150,
      vouchersIssued: 21_000,
      topups: 25_000,
      inStoreSales: 7_000,
      ecoPointsReceived: 0,
      adPointsBalance: 21_850,
      daily: [
        {
          date: '2026-11-28',
          proceeds: 4_000,
          inStoreSales: 5_000,
          adPointsCharged: 1_350,
          vouchersIssued: 9_000,
          topups: 10_000,
        },
        {
          date: '2026-11-29',
          proceeds: 10_000,
          inStoreSales: 0,
          adPointsCharged: 1_500,
          vouchersIssued: 10_000,
          topups: 0,
        },
        {
          date: '2026-11-30',
          proceeds: 0,
          inStoreSales: 2_000,
          adPointsCharged: 300,
          vouchersIssued: 2_000,
          topups: 15_000,
        },
      ],
    });
    const adjusted = await t.request('POST', '/v1/platform/adjustments', {
      token: operator.token,
      body: {
        ownerType: 'merchant',
        ownerId: merchant.id,
        unit: 'eco_points',
        amount: 250,
        reason: 'Goodwill',
      },
    });
    expect(adjusted.status).toBe(201);
    const today = await statement('?from=2026-12-02');
    expect(today.body).toMatchObject({ ecoPointsReceived: 250, adPointsBalance: 25_400 });
    expect(today.body.daily.map((d: { date: string }) => d.date)).toEqual(['2026-12-02']);
    const open = await statement('');
    expect(open.body.daily).toHaveLength(30);
    expect(open.body.daily.at(-1).date).toBe('2026-12-02');
    expect((await statement('?from=2026-01-01&to=2026-12-02')).body.daily).toHaveLength(92);
    expect(
      (await t.request('GET', `/v1/merchants/${merchant.id}/statement`, { token: buyer.token })).status,
    ).toBe(404);
  });
});

describe('a sale paid partly with eco-points', () => {
  it('charges ad points on the money part only, as expected (SPEC flow 4), and the merchant holds the points', async () => {
    clock.set('2027-02-10T04:00:00Z');
    const grant = await t.request('POST', '/v1/platform/adjustments', {
      token: operator.token,
      body: { ownerType: 'consumer', ownerId: shopper.id, unit: 'eco_points', amount: 3_000, reason: 'test' },
    });
    expect(grant.status).toBe(201);
    const held = (await t.request('GET', `/v1/merchants/${merchant.id}`, { token: merchant.owner.token }))
      .body.ecoPoints as number;
    const recorded = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
      token: merchant.owner.token,
      body: { memberCode: shopper.memberCode, amount: 10_000 },
    });
    const confirmed = await t.request('POST', `/v1/sales/${recorded.body.id}/confirm`, {
      token: shopper.token,
      body: { ecoPoints: 3_000 },
    });
    expect(confirmed.body).toMatchObject({ cashDue: 7_000, vouchersIssued: 7_000, adPointsCharged: 1_050 });
    const report = (await run('2027-02-10')).body;
    expect(lineOf(report, merchant.id)).toMatchObject({
      sales: 10_000,
      vouchersIssued: 7_000,
      adPointsCharged: 1_050,
      expectedAdPointsCharged: 1_050,
      ecoPoints: held + 3_000,
    });
    expect(
      report.differences.filter((d: { kind: string }) => d.kind === 'ad_points_charge_mismatch'),
    ).toEqual([]);
  });
});

describe('lost disputes in the Stripe comparison', () => {
  it('counts disputes Stripe confirms lost (top-ups, orders) as money back; one it does not call lost stays a difference', async () => {
    clock.set('2027-03-05T02:00:00Z'); // 10:00 on 2027-03-05
    const first = await topup(merchant, 6_000);
    await pay(first.checkoutSessionId);
    const second = await topup(merchant, 2_000);
    await pay(second.checkoutSessionId);
    type Charge = { id: string; amount: number; payment_intent: string };
    const chargeOf = (topupId: string) =>
      [...t.fakeStripe.charges.values()].find((c) => c.metadata?.topup_id === topupId) as Charge;
    const closed = (id: string, charge: Charge) =>
      t.fakeStripe.closeDispute(charge.id, { id, amount: charge.amount });
    expect((await closed('dp_test_recon_lost', chargeOf(first.id))).status).toBe(200);
    // An online order's charge lost too, in part: 20 of its 50 yuan.
    const orderId = await paidOrder(ownListingId);
    const orderCharge = [...t.fakeStripe.charges.values()].find(
      (c) => c.metadata?.order_id === orderId,
    ) as Charge;
    expect((await closed('dp_test_recon_order', { ...orderCharge, amount: 2_000 })).status).toBe(200);
    const lost = await run('2027-03-05');
    expect(lost.body.stripe).toEqual({
      collected: 13_000,
      refunded: 0,
      disputed: 8_000,
      ledger: 5_000,
      difference: 0,
    });
    expect(lost.body.differences).toEqual([]);

    // The platform recorded a second loss that Stripe's own record does not show as lost.
    expect((await closed('dp_test_recon_won', chargeOf(second.id))).status).toBe(200);
    t.fakeStripe.disputes.get('dp_test_recon_won')!.status = 'won';
    const report = (await run('2027-03-05')).body;
    expect(report.stripe).toEqual({
      collected: 13_000,
      refunded: 0,
      disputed: 8_000,
      ledger: 3_000,
      difference: 2_000,
    });
    expect(report.differences).toEqual([
      {
        kind: 'stripe_difference',
        subject: 'stripe',
        expected: 5_000,
        actual: 3_000,
        detail: expect.any(String),
      },
      {
        kind: 'stripe_amount_mismatch',
        subject: chargeOf(second.id).id,
        expected: 2_000,
        actual: 0,
        detail: expect.any(String),
      },
    ]);
    expect(report.ok).toBe(false);

    // A loss Stripe lists whose event never reached the platform is named, night after night.
    const unheard = {
      id: 'dp_test_recon_unheard',
      object: 'dispute',
      amount: 1_500,
      currency: 'cny',
      charge: orderCharge.id,
      payment_intent: orderCharge.payment_intent,
      status: 'lost',
      created: Date.parse('2027-03-05T01:00:00Z') / 1000,
      metadata: {},
    };
    t.fakeStripe.disputes.set(unheard.id, unheard);
    const named = (await run('2027-03-05')).body;
    expect(named.differences).toContainEqual({
      kind: 'stripe_dispute_not_in_ledger',
      subject: unheard.id,
      expected: 1_500,
      actual: 0,
      detail: expect.any(String),
    });
    expect(named.stripe).toEqual(report.stripe);
    // Resent, the event takes the money back once and the dispute counts with the day's others.
    expect((await t.fakeStripe.sendEvent('charge.dispute.closed', unheard)).status).toBe(200);
    const resent = (await run('2027-03-05')).body;
    expect(resent.stripe).toEqual({
      collected: 13_000,
      refunded: 0,
      disputed: 9_500,
      ledger: 1_500,
      difference: 2_000,
    });
    expect(resent.differences.map((d: { kind: string }) => d.kind)).toEqual([
      'stripe_difference',
      'stripe_amount_mismatch',
    ]);
  });
});
