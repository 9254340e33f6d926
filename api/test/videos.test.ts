import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schema } from '@alliance/db';
import { sql } from 'drizzle-orm';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../context';
import { balanceOf, postTransaction, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { createDemoCampaigns } from '../services/campaigns';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { grantVouchers } from './sales-fixtures';
import { onPostgres } from './test-db';

// 10:00 in Beijing on 2026-11-30.
const clock = testClock('2026-11-30T02:00:00Z');
let t: TestApp;
let op: string;
let phoneSeq = 0;
const duration = 30;

beforeAll(async () => {
  t = await createTestApp({ clock, env: { AUTH_OTP_PER_IP_HOUR: '100000' } });
  op = (await t.signIn(operatorPhone)).token;
  for (let i = 1; i <= 8; i++) await createCampaign({ title: `Video ${i}` });
});
afterAll(() => t.close());

async function createCampaign(overrides: Record<string, unknown> = {}) {
  const res = await t.request('POST', '/v1/platform/campaigns', {
    token: op,
    body: {
      title: 'Video',
      mediaUrl: '/videos/sunrise.webm',
      durationSeconds: duration,
      pricePerCompletion: 50,
      budget: 10_000,
      ...overrides,
    },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; budget: number };
}

/** A new consumer holding `vouchers` (hundredths), issued the way a confirmed sale issues them. */
async function consumer(vouchers = 10_000) {
  const phone = `+86137${String(++phoneSeq).padStart(8, '0')}`;
  const session = await t.signIn(phone);
  if (vouchers > 0) await grantVouchers(t, session.user.id, vouchers);
  return { token: session.token, id: session.user.id };
}

const start = (token: string) => t.request('POST', '/v1/ad-views', { token });
const progress = (token: string, id: string, body: Record<string, unknown>) =>
  t.request('POST', `/v1/ad-views/${id}/progress`, { token, body });
const complete = (token: string, id: string, viewToken: string) =>
  t.request('POST', `/v1/ad-views/${id}/complete`, { token, body: { token: viewToken } });

/** Plays a started view honestly: a visible report every 5 s of server time up to the full duration. */
async function play(token: string, view: { id: string; token: string }, seconds = duration) {
  for (let seq = 1; seq * 5 <= seconds; seq++) {
    clock.advance(5_000);
    const res = await progress(token, view.id, { token: view.token, seq, position: seq * 5, visible: true });
    expect(res.status).toBe(200);
  }
}

async function watchOne(token: string) {
  const started = await start(token);
  expect(started.status).toBe(201);
  await play(token, started.body);
  return complete(token, started.body.id, started.body.token);
}

const wallet = async (token: string) => (await t.request('GET', '/v1/wallet', { token })).body;

describe('campaigns (operator)', () => {
  it('refuses anonymous callers (401) and consumers (403) on every campaign endpoint', async () => {
    const c = await consumer(0);
    const body = { title: 'x', mediaUrl: '/v.webm', durationSeconds: 10, pricePerCompletion: 1, budget: 1 };
    expect((await t.request('POST', '/v1/platform/campaigns', { body })).status).toBe(401);
    expect((await t.request('POST', '/v1/platform/campaigns', { token: c.token, body })).status).toBe(403);
    expect((await t.request('GET', '/v1/platform/campaigns')).status).toBe(401);
    const list = await t.request('GET', '/v1/platform/campaigns', { token: c.token });
    expect(list.status).toBe(403);
    expect(list.body.error.code).toBe('forbidden');
    const patch = await t.request('PATCH', '/v1/platform/campaigns/cmp_x', {
      token: c.token,
      body: { status: 'paused' },
    });
    expect(patch.status).toBe(403);
    expect((await t.request('GET', '/v1/platform/ad-views/refusals', { token: c.token })).status).toBe(403);
    expect((await t.request('GET', '/v1/platform/ad-views/refusals')).status).toBe(401);
  });

  it('lists every video-task endpoint in the OpenAPI document', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/platform/campaigns',
        '/v1/platform/campaigns/{id}',
        '/v1/ad-views',
        '/v1/ad-views/{id}/progress',
        '/v1/ad-views/{id}/complete',
        '/v1/platform/ad-views/refusals',
        '/v1/wallet',
        '/v1/callbacks/admob',
      ]),
    );
  });

  it('creates a campaign, funds its budget on the CNY ledger and validates input', async () => {
    const created = await t.request('POST', '/v1/platform/campaigns', {
      token: op,
      body: {
        title: 'Tea',
        advertiser: 'Tea Co',
        mediaUrl: 'https://cdn.example.com/tea.webm',
        durationSeconds: 15,
        pricePerCompletion: 30,
        budget: 90,
        dailyCap: 2,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^cmp_/),
      title: 'Tea',
      advertiser: 'Tea Co',
      budget: 90,
      budgetUsed: 0,
      budgetLeft: 90,
      dailyCap: 2,
      status: 'active',
      serving: true,
    });
    expect((await balanceOf(t.db, accounts.campaignBudget(created.body.id))).posted).toBe(90);
    // Paused at once, so the flows below never see it.
    const paused = await t.request('PATCH', `/v1/platform/campaigns/${created.body.id}`, {
      token: op,
      body: { status: 'paused' },
    });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'paused', serving: false });

    const bad = async (overrides: Record<string, unknown>) =>
      t.request('POST', '/v1/platform/campaigns', {
        token: op,
        body: {
          title: 'x',
          mediaUrl: '/v.webm',
          durationSeconds: 10,
          pricePerCompletion: 10,
          budget: 100,
          ...overrides,
        },
      });
    expect((await bad({ pricePerCompletion: 0 })).body.error.code).toBe('invalid_price');
    expect((await bad({ budget: -5 })).status).toBe(422);
    expect((await bad({ budget: 5 })).body.error.code).toBe('budget_below_price');
    expect((await bad({ mediaUrl: 'javascript:alert(1)' })).body.error.code).toBe('invalid_media_url');
    expect((await bad({ durationSeconds: 2 })).body.error.code).toBe('invalid_duration');
    expect((await bad({ budget: '100' })).status).toBe(400);
    expect((await bad({ durationSeconds: 10.5 })).body.error.code).toBe('validation_error');
    expect(
      (await t.request('PATCH', '/v1/platform/campaigns/cmp_nope', { token: op, body: { status: 'paused' } }))
        .status,
    ).toBe(404);
  });
});

describe('SPEC flow 3: six verified videos convert 1.00 voucher into 1.00 eco-point', () => {
  it('converts at the sixth, in one transaction, and refuses a seventh', async () => {
    const c = await consumer(10_000);
    expect(await wallet(c.token)).toEqual({
      vouchers: 10_000,
      ecoPoints: 0,
      ecoPointsHeld: 0,
      today: {
        businessDate: '2026-11-30',
        completed: 0,
        required: 6,
        conversionsLeft: 1,
        conversionVouchers: 100,
        conversionEcoPoints: 100,
      },
      resetsAt: '2026-11-30T16:00:00.000Z',
    });
    const revenueBefore = (await balanceOf(t.db, accounts.platformVideoAdRevenue())).posted;
    for (let n = 1; n <= 6; n++) {
      const started = await start(c.token);
      expect(started.status).toBe(201);
      expect(started.body).toMatchObject({ slot: n, token: expect.stringMatching(/^vt_/) });
      expect(started.body.campaign).toEqual({
        id: expect.stringMatching(/^cmp_/),
        title: expect.any(String),
        mediaUrl: '/videos/sunrise.webm',
        durationSeconds: duration,
      });
      await play(c.token, started.body);
      const done = await complete(c.token, started.body.id, started.body.token);
      expect(done.status).toBe(200);
      expect(done.body).toEqual({
        status: 'verified',
        completedToday: n,
        conversion: n === 6 ? { vouchers: -100, ecoPoints: 100 } : null,
      });
      if (n === 5) expect((await wallet(c.token)).vouchers).toBe(10_000);
    }
    const after = await wallet(c.token);
    expect(after).toMatchObject({
      vouchers: 9_900,
      ecoPoints: 100,
      today: { completed: 6, required: 6, conversionsLeft: 0 },
    });

    const seventh = await start(c.token);
    expect(seventh.status).toBe(409);
    expect(seventh.body.error.code).toBe('daily_limit_reached');
    // Advertisers paid 0.50 yuan for each of the six completions.
    expect((await balanceOf(t.db, accounts.platformVideoAdRevenue())).posted - revenueBefore).toBe(300);
    expect((await verifyLedger(t.db)).ok).toBe(true);

    const list = await t.request('GET', '/v1/platform/campaigns', { token: op });
    expect(list.status).toBe(200);
    const used = list.body.data.filter((x: { title: string }) => x.title.startsWith('Video '));
    expect(used.reduce((s: number, x: { budgetUsed: number }) => s + x.budgetUsed, 0)).toBe(300);
    const perDay = used.flatMap(
      (x: { completionsByDay: Array<{ businessDate: string; completions: number }> }) => x.completionsByDay,
    );
    expect(perDay.every((d: { businessDate: string }) => d.businessDate === '2026-11-30')).toBe(true);
    expect(perDay.reduce((s: number, d: { completions: number }) => s + d.completions, 0)).toBe(6);
  });

  it('gives no conversion when the vouchers are gone by the sixth completion', async () => {
    const c = await consumer(100);
    for (let n = 1; n <= 5; n++) expect((await watchOne(c.token)).status).toBe(200);
    const started = await start(c.token);
    await play(c.token, started.body);
    // The voucher leaves (e.g. a refund claws it back) while the sixth video plays.
    await postTransaction(t.db, {
      key: `test:clawback:${c.id}`,
      kind: 'test_clawback',
      transfers: [
        { debit: accounts.consumerVouchers(c.id), credit: accounts.platformVouchersIssued(), amount: 100 },
      ],
    });
    const done = await complete(c.token, started.body.id, started.body.token);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ status: 'verified', completedToday: 6, conversion: null });
    expect(await wallet(c.token)).toMatchObject({
      vouchers: 0,
      ecoPoints: 0,
      today: { completed: 6, conversionsLeft: 0 },
    });
  });
});

describe('starting a view', () => {
  it('needs a signed-in consumer with a conversion’s worth of vouchers', async () => {
    expect((await t.request('POST', '/v1/ad-views')).status).toBe(401);
    expect((await t.request('GET', '/v1/wallet')).status).toBe(401);
    const poor = await consumer(99);
    const res = await start(poor.token);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('insufficient_vouchers');
  });

  it('shows each campaign at most once a business day, then 404 no_campaign_available', async () => {
    const c = await consumer();
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const res = await start(c.token);
      expect(res.status).toBe(201);
      seen.add(res.body.campaign.id);
    }
    expect(seen.size).toBe(8);
    const none = await start(c.token);
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('no_campaign_available');
    // insufficient_vouchers is checked before no_campaign_available.
    const poor = await consumer(0);
    expect((await start(poor.token)).body.error.code).toBe('insufficient_vouchers');
  });

  it('stops serving a campaign whose budget or daily cap is spent, and a paused one', async () => {
    // Pause the eight shared campaigns so only this test's campaigns serve.
    const list = (await t.request('GET', '/v1/platform/campaigns', { token: op })).body.data as Array<{
      id: string;
      status: string;
    }>;
    const active = list.filter((x) => x.status === 'active');
    for (const x of active)
      await t.request('PATCH', `/v1/platform/campaigns/${x.id}`, { token: op, body: { status: 'paused' } });
    try {
      const oneShot = await createCampaign({ title: 'Budget for one', pricePerCompletion: 50, budget: 50 });
      // Campaigns serve oldest first; equal creation times would leave the order to the database.
      clock.advance(10);
      const capped = await createCampaign({ title: 'Cap one', dailyCap: 1 });
      const later = await createCampaign({
        title: 'Not yet',
        startsAt: new Date(clock.now().getTime() + 86_400_000).toISOString(),
      });
      const over = await createCampaign({
        title: 'Over',
        endsAt: new Date(clock.now().getTime() + 1_000).toISOString(),
      });
      const a = await consumer();
      const b = await consumer();
      expect((await watchOne(a.token)).status).toBe(200); // oneShot (oldest first)
      expect((await watchOne(a.token)).status).toBe(200); // capped
      const listed = (await t.request('GET', '/v1/platform/campaigns', { token: op })).body.data as Array<
        Record<string, unknown>
      >;
      expect(listed.find((x) => x.id === oneShot.id)).toMatchObject({
        budgetUsed: 50,
        budgetLeft: 0,
        serving: false,
      });
      expect(listed.find((x) => x.id === capped.id)).toMatchObject({
        budgetUsed: 50,
        completionsByDay: [{ businessDate: '2026-11-30', completions: 1 }],
      });
      expect(listed.find((x) => x.id === later.id)).toMatchObject({ serving: false });
      expect(listed.find((x) => x.id === over.id)).toMatchObject({ serving: false });
      const res = await start(b.token);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('no_campaign_available');
    } finally {
      for (const x of active)
        await t.request('PATCH', `/v1/platform/campaigns/${x.id}`, { token: op, body: { status: 'active' } });
    }
  });

  it('limits how fast one consumer starts views (429 rate_limited)', async () => {
    const c = await consumer();
    let last = 0;
    for (let i = 0; i < 31; i++) last = (await start(c.token)).status;
    expect(last).toBe(429);
    clock.advance(10 * 60_000);
    expect((await start(c.token)).status).toBe(404);
  });

  it('limits how fast one client address starts views, across consumers (429 rate_limited)', async () => {
    clock.advance(10 * 60_000);
    const fromAddress = (token: string) =>
      t.app.request(
        '/v1/ad-views',
        { method: 'POST', headers: { authorization: `Bearer ${token}` } },
        { incoming: { socket: { remoteAddress: '203.0.113.9' } } },
      );
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const c = await consumer();
      for (let j = 0; j < 28 && statuses.length < 301; j++)
        statuses.push((await fromAddress(c.token)).status);
    }
    expect(statuses.filter((s) => s === 429)).toEqual([429]);
    expect(statuses.at(-1)).toBe(429);
    // Another address is not affected.
    expect((await start((await consumer()).token)).status).toBe(201);
  });
});

describe('verifying a completion', () => {
  it('refuses too early (duration - 2 s), then accepts at the duration with full progress', async () => {
    const c = await consumer();
    const v = (await start(c.token)).body;
    await play(c.token, v, 25);
    clock.advance(3_000); // 28 s
    const early = await complete(c.token, v.id, v.token);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('too_early');
    clock.advance(2_000); // 30 s
    expect(
      (await progress(c.token, v.id, { token: v.token, seq: 6, position: 30 })).body.progressSeconds,
    ).toBe(30);
    const done = await complete(c.token, v.id, v.token);
    expect(done.status).toBe(200);
    expect(done.body.completedToday).toBe(1);
  });

  it('refuses progress with a 30 s gap between reports (422 insufficient_progress)', async () => {
    const c = await consumer();
    const v = (await start(c.token)).body;
    clock.advance(30_000);
    const r = await progress(c.token, v.id, { token: v.token, seq: 1, position: 30, visible: true });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      creditedSeconds: 0,
      progressSeconds: 0,
      requiredSeconds: 29,
      elapsedSeconds: 30,
    });
    const res = await complete(c.token, v.id, v.token);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('insufficient_progress');
  });

  it('credits no position ahead of the server’s clock and no hidden time', async () => {
    const c = await consumer();
    const v = (await start(c.token)).body;
    clock.advance(5_000);
    const ahead = await progress(c.token, v.id, { token: v.token, seq: 1, position: 29 });
    expect(ahead.body).toMatchObject({ creditedSeconds: 5, progressSeconds: 5 });
    clock.advance(5_000);
    const hidden = await progress(c.token, v.id, { token: v.token, seq: 2, position: 10, visible: false });
    expect(hidden.body).toMatchObject({ creditedSeconds: 0, progressSeconds: 5 });
    clock.advance(5_000);
    // The interval ending here began hidden: not credited either.
    const back = await progress(c.token, v.id, { token: v.token, seq: 3, position: 15, visible: true });
    expect(back.body).toMatchObject({ creditedSeconds: 0, progressSeconds: 5 });
    for (let seq = 4; seq <= 6; seq++) {
      clock.advance(5_000);
      await progress(c.token, v.id, { token: v.token, seq, position: 15 + (seq - 3) * 5 });
    }
    expect((await complete(c.token, v.id, v.token)).body.error.code).toBe('insufficient_progress');
    const seq = await progress(c.token, v.id, { token: v.token, seq: 9, position: 30 });
    expect(seq.status).toBe(409);
    expect(seq.body.error.code).toBe('out_of_sequence');
  });

  it('refuses forged, replayed and other consumers’ tokens, in API.md’s order', async () => {
    const owner = await consumer();
    const other = await consumer();
    const v = (await start(owner.token)).body;
    const otherView = (await start(other.token)).body;
    await play(owner.token, v);

    const forged = await complete(owner.token, v.id, `vt_${'a'.repeat(32)}`);
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('invalid_view_token');
    // Someone else's view is 404 even with its right token, before any other check.
    const stolen = await complete(other.token, v.id, v.token);
    expect(stolen.status).toBe(404);
    expect((await progress(other.token, v.id, { token: v.token, seq: 7, position: 30 })).status).toBe(404);
    // Another view's token does not open this one.
    expect((await complete(owner.token, v.id, otherView.token)).body.error.code).toBe('invalid_view_token');
    expect((await complete(owner.token, 'adv_missing', v.token)).status).toBe(404);
    expect(
      (await t.request('POST', `/v1/ad-views/${v.id}/complete`, { body: { token: v.token } })).status,
    ).toBe(401);

    expect((await complete(owner.token, v.id, v.token)).status).toBe(200);
    const replay = await complete(owner.token, v.id, v.token);
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('already_completed');
    expect((await wallet(owner.token)).today.completed).toBe(1);
    expect((await wallet(other.token)).today.completed).toBe(0);

    const refusals = await t.request('GET', '/v1/platform/ad-views/refusals', { token: op });
    expect(refusals.status).toBe(200);
    const count = (reason: string) =>
      refusals.body.counts.find((x: { reason: string }) => x.reason === reason)?.count ?? 0;
    expect(count('invalid_view_token')).toBeGreaterThanOrEqual(2);
    expect(count('already_completed')).toBeGreaterThanOrEqual(1);
    expect(count('too_early')).toBeGreaterThanOrEqual(1);
    expect(count('insufficient_progress')).toBeGreaterThanOrEqual(2);
    expect(refusals.body.recent).toContainEqual(
      expect.objectContaining({
        reason: 'already_completed',
        stage: 'complete',
        consumerId: owner.id,
        viewId: v.id,
      }),
    );
    // A refusal writes nothing else: the stolen attempt did not count for anyone.
    const completions = await t.db
      .select()
      .from(schema.videoCompletions)
      .where(sql`${schema.videoCompletions.viewId} = ${v.id}`);
    expect(completions).toHaveLength(1);
  });
});

const poolSize = 20; // openTestDb's postgres.js pool

/** Sets the session zone of every database connection: PGlite's one, or each of the pool's. */
async function setDatabaseZone(zone: string) {
  if (t.dbKind === 'pglite') {
    await t.db.execute(sql.raw(`set time zone '${zone}'`));
    return;
  }
  const client = (t.db as unknown as { $client: postgres.Sql }).$client;
  const reserved = await Promise.all(Array.from({ length: poolSize }, () => client.reserve()));
  for (const connection of reserved) {
    await connection.unsafe(`set time zone '${zone}'`);
    connection.release();
  }
}

/** The distinct session zones seen by parallel queries (all connections on PostgreSQL). */
async function databaseZones() {
  const rows = await Promise.all(
    Array.from({ length: t.dbKind === 'pglite' ? 1 : poolSize }, () =>
      t.db.select({ tz: sql<string>`current_setting('TimeZone')` }).from(sql`(select pg_sleep(0.01)) s`),
    ),
  );
  return [...new Set(rows.flat().map((r) => r.tz))];
}

// The business day is computed with Intl in the business zone; run the midnight rules with the
// process and every database session in three different zones.
describe.each(['UTC', 'America/Los_Angeles', 'Asia/Shanghai'])(
  'midnight in Beijing with process TZ=%s',
  (zone) => {
    const originalTz = process.env.TZ;
    const offsets: Record<string, number> = { UTC: 0, 'America/Los_Angeles': 480, 'Asia/Shanghai': -480 };
    beforeAll(async () => {
      process.env.TZ = zone;
      await setDatabaseZone(zone);
    });
    afterAll(async () => {
      if (originalTz === undefined) delete process.env.TZ;
      else process.env.TZ = originalTz;
      await setDatabaseZone('UTC');
    });

    it('counts a view started 23:59:50 and completed 00:00:20 for the old day; a start at 00:00:00 is allowed after six', async () => {
      // The zone really changed for this process (Node re-reads TZ when it is assigned).
      expect(new Date('2026-12-01T12:00:00Z').getTimezoneOffset()).toBe(offsets[zone]);
      expect(await databaseZones()).toEqual([zone]);
      const day = 86_400_000 * (['UTC', 'America/Los_Angeles', 'Asia/Shanghai'].indexOf(zone) + 2);
      const base = Date.parse('2026-11-30T15:00:00Z') + day; // 23:00 Beijing
      const dateOf = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
      clock.set(new Date(base));
      const a = await consumer();
      const b = await consumer();
      for (let n = 1; n <= 5; n++) expect((await watchOne(a.token)).status).toBe(200);
      for (let n = 1; n <= 6; n++) expect((await watchOne(b.token)).status).toBe(200);

      clock.set(new Date(base + 3_600_000 - 10_000)); // 23:59:50
      const late = (await start(a.token)).body;
      expect(late.slot).toBe(6);
      await play(a.token, late); // ends 00:00:20
      expect(clock.now().toISOString()).toBe(new Date(base + 3_600_000 + 20_000).toISOString());
      const done = await complete(a.token, late.id, late.token);
      expect(done.status).toBe(200);
      expect(done.body).toEqual({
        status: 'verified',
        completedToday: 6,
        conversion: { vouchers: -100, ecoPoints: 100 },
      });
      const wa = await wallet(a.token);
      expect(wa).toMatchObject({
        vouchers: 9_900,
        ecoPoints: 100,
        today: { businessDate: dateOf(base + 3_600_000), completed: 0, conversionsLeft: 1 },
      });

      clock.set(new Date(base + 3_600_000)); // 00:00:00
      const fresh = await start(b.token);
      expect(fresh.status).toBe(201);
      expect(fresh.body.slot).toBe(1);
      expect(await wallet(b.token)).toMatchObject({
        today: { businessDate: dateOf(base + 3_600_000), completed: 0 },
        resetsAt: new Date(base + 3_600_000 + 86_400_000).toISOString(),
      });
      const [row] = await t.db
        .select()
        .from(schema.videoDailyCounters)
        .where(sql`${schema.videoDailyCounters.consumerId} = ${a.id}`);
      expect(row).toMatchObject({ businessDate: dateOf(base), completed: 6, conversions: 1 });
    });
  },
);

// Real PostgreSQL only: PGlite runs one query at a time, so it cannot show a race.
describe.skipIf(!onPostgres)('under concurrency (PostgreSQL)', () => {
  beforeAll(async () => {
    clock.set('2026-12-10T02:00:00Z');
    for (let i = 1; i <= 12; i++) await createCampaign({ title: `Extra ${i}` });
  });

  it('completes one view once when 20 completions race', async () => {
    const c = await consumer();
    const v = (await start(c.token)).body;
    await play(c.token, v);
    const results = await Promise.all(Array.from({ length: 20 }, () => complete(c.token, v.id, v.token)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === 'already_completed')).toHaveLength(
      19,
    );
    expect((await wallet(c.token)).today.completed).toBe(1);
  });

  it('holds the daily rule when 10 views start and complete in parallel at 5 of 6', async () => {
    const c = await consumer();
    for (let n = 1; n <= 5; n++) expect((await watchOne(c.token)).status).toBe(200);
    const starts = await Promise.all(Array.from({ length: 10 }, () => start(c.token)));
    const views = starts
      .filter((s) => s.status === 201)
      .map((s) => s.body as { id: string; token: string; slot: number });
    expect(views.length).toBe(10);
    expect(views.every((v) => v.slot === 6)).toBe(true);
    for (let seq = 1; seq <= 6; seq++) {
      clock.advance(5_000);
      for (const v of views) await progress(c.token, v.id, { token: v.token, seq, position: seq * 5 });
    }
    const results = await Promise.all(views.map((v) => complete(c.token, v.id, v.token)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.body).toEqual({
      status: 'verified',
      completedToday: 6,
      conversion: { vouchers: -100, ecoPoints: 100 },
    });
    expect(results.filter((r) => r.body.error?.code === 'daily_limit_reached')).toHaveLength(9);
    expect(await wallet(c.token)).toMatchObject({ vouchers: 9_900, ecoPoints: 100, today: { completed: 6 } });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('makes one conversion when two sixth completions race', async () => {
    const c = await consumer();
    for (let n = 1; n <= 4; n++) expect((await watchOne(c.token)).status).toBe(200);
    const a = (await start(c.token)).body;
    const b = (await start(c.token)).body;
    for (let seq = 1; seq <= 6; seq++) {
      clock.advance(5_000);
      await progress(c.token, a.id, { token: a.token, seq, position: seq * 5 });
      await progress(c.token, b.id, { token: b.token, seq, position: seq * 5 });
    }
    expect((await complete(c.token, a.id, a.token)).body.completedToday).toBe(5);
    const c2 = (await start(c.token)).body;
    for (let seq = 1; seq <= 6; seq++) {
      clock.advance(5_000);
      await progress(c.token, c2.id, { token: c2.token, seq, position: seq * 5 });
    }
    const results = await Promise.all([complete(c.token, b.id, b.token), complete(c.token, c2.id, c2.token)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.filter((r) => r.body.conversion)).toHaveLength(1);
    expect(await wallet(c.token)).toMatchObject({
      vouchers: 9_900,
      ecoPoints: 100,
      today: { completed: 6 },
    });
  });
});

describe('demo campaigns', () => {
  it('creates eight funded campaigns over the bundled videos, which exist and are small', async () => {
    const created = await createDemoCampaigns(ctxOf(t.deps));
    expect(created).toHaveLength(8);
    for (const campaign of created) {
      expect(campaign).toMatchObject({
        status: 'active',
        serving: true,
        budget: 20_000,
        pricePerCompletion: 50,
      });
      expect(campaign.durationSeconds).toBeGreaterThanOrEqual(6);
      expect(campaign.durationSeconds).toBeLessThanOrEqual(10);
      const file = fileURLToPath(new URL(`../../web-consumer/public${campaign.mediaUrl}`, import.meta.url));
      expect(statSync(file).size).toBeLessThan(300_000);
    }
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});
