import { openPostgres, schema } from '@alliance/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DispatchResult, dispatchDueJobs } from '../jobs';
import type { ScheduledJob } from '../jobs/schedules';
import { accountHistory, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { createTestApp, type TestApp } from './harness';
import { activeMerchant, adPoints, signInConsumer, vouchers } from './sales-fixtures';
import { onPostgres } from './test-db';

// PGlite runs one query at a time, so it cannot show races, lock waits or deadlocks: these run on
// real PostgreSQL only (TEST_DATABASE_URL).
describe.skipIf(!onPostgres)('purchases under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_OTP_PER_IP_HOUR: '100000' } });
  });
  afterAll(() => t.close());

  it('100 concurrent confirmations at a merchant whose ad points cover 40: exactly 40 issue vouchers', async () => {
    const merchant = await activeMerchant(t, { adPoints: 40 * 1500 });
    const consumers = [];
    for (let i = 0; i < 100; i++) consumers.push(await signInConsumer(t));
    const sales = [];
    for (const consumer of consumers) {
      const sale = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
        token: merchant.owner.token,
        body: { memberCode: consumer.memberCode, amount: 10_000 },
      });
      expect(sale.status).toBe(201);
      sales.push({ consumer, saleId: sale.body.id as string });
    }
    const results = await Promise.all(
      sales.map(({ consumer, saleId }) =>
        t.request('POST', `/v1/sales/${saleId}/confirm`, { token: consumer.token }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
    const withVouchers = results.filter((r) => r.body.reason === null);
    expect(withVouchers).toHaveLength(40);
    expect(
      withVouchers.every((r) => r.body.vouchersIssued === 10_000 && r.body.adPointsCharged === 1500),
    ).toBe(true);
    expect(results.filter((r) => r.body.reason === 'merchant_insufficient_ad_points')).toHaveLength(60);
    expect(await adPoints(t, merchant.id)).toBe(0);
    let issued = 0;
    for (const { consumer } of sales) issued += await vouchers(t, consumer.id);
    expect(issued).toBe(40 * 10_000);
    const history = await accountHistory(t.db, accounts.merchantAdPoints(merchant.id), { limit: 200 });
    expect(history).toHaveLength(41);
    expect(history.every((entry) => entry.balanceAfter >= 0)).toBe(true);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('the same sale confirmed 10 times at once: one 200, nine 409 already_confirmed, charged once', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10 * 1500 });
    const consumer = await signInConsumer(t);
    const sale = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
      token: merchant.owner.token,
      body: { memberCode: consumer.memberCode, amount: 10_000 },
    });
    expect(sale.status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.request('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(409)]);
    expect(
      results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'already_confirmed'),
    ).toBe(true);
    expect(results.find((r) => r.status === 200)?.body).toMatchObject({
      status: 'completed',
      vouchersIssued: 10_000,
      adPointsCharged: 1500,
      reason: null,
    });
    expect(await adPoints(t, merchant.id)).toBe(9 * 1500);
    expect(await vouchers(t, consumer.id)).toBe(10_000);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('concurrent orders for the last item in stock: exactly one succeeds', async () => {
    const merchant = await activeMerchant(t, { adPoints: 10_000 });
    const item = await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
      token: merchant.owner.token,
      body: { title: 'Last teapot', price: 8800, stock: 1, ships: false },
    });
    const consumers = [];
    for (let i = 0; i < 20; i++) consumers.push(await signInConsumer(t));
    const results = await Promise.all(
      consumers.map((c) =>
        t.request('POST', '/v1/orders', {
          token: c.token,
          body: { merchantId: merchant.id, items: [{ listingId: item.body.id, quantity: 1 }] },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 409 && r.body.error.code === 'out_of_stock')).toBe(true);
    const [row] = await t.db.select().from(schema.listings).where(eq(schema.listings.id, item.body.id));
    expect(row?.stock).toBe(0);
    expect(
      await t.db.select().from(schema.orders).where(eq(schema.orders.merchantId, merchant.id)),
    ).toHaveLength(1);
  });
});

describe.skipIf(!onPostgres)('scheduled jobs across processes (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('two Node processes and a Worker dispatching the same minute run the body once', async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The body holds its run open until the other dispatches are answered (or a second run starts).
    const probe: ScheduledJob = {
      name: 'probe',
      schedule: { cron: '* * * * *' },
      run: async () => {
        runs++;
        if (runs > 1) release();
        await gate;
      },
    };
    // Each "process" with its own connections to the one database.
    const others = [await openPostgresLike(t), await openPostgresLike(t)];
    try {
      const answered: DispatchResult[] = [];
      const slot = new Date('2027-01-04T02:00:17Z');
      const results = await Promise.all(
        [t.deps, ...others.map((o) => o.deps)].map((deps) =>
          dispatchDueJobs(deps, slot, [probe]).then((result) => {
            answered.push(result);
            if (answered.length === 2) release();
            return result;
          }),
        ),
      );
      expect(runs).toBe(1);
      expect(results.flatMap((r) => r.ran)).toEqual(['probe']);
      expect(results.flatMap((r) => r.claimedElsewhere)).toEqual(['probe', 'probe']);
      const rows = await t.db.select().from(schema.jobRuns).where(eq(schema.jobRuns.job, 'probe'));
      expect(rows.map((r) => [r.slot.toISOString(), r.finishedAt !== null, r.error])).toEqual([
        ['2027-01-04T02:00:00.000Z', true, null],
      ]);
    } finally {
      for (const other of others) await other.close();
    }
  });
});

/** Another process's view of `t`'s database: its own connection pool, the same composition. */
async function openPostgresLike(t: TestApp) {
  const url = (
    t.db as unknown as {
      $client: { options: { host: string[]; port: number[]; database: string; user: string } };
    }
  ).$client.options;
  const opened = openPostgres(`postgres://${url.user}@${url.host[0]}:${url.port[0]}/${url.database}`, 2);
  return { deps: { ...t.deps, db: opened.db }, close: opened.close };
}
