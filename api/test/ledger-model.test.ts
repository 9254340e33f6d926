import type { OpenDb } from '@alliance/db';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../context';
import { runSalesExpiry } from '../jobs/sales';
import {
  type AccountRef,
  LedgerError,
  type PostResult,
  postPending,
  postTransaction,
  type TransferInput,
  verifyLedger,
  voidExpiredPending,
  voidPending,
} from '../ledger';
import { query } from '../ledger/sql';
import { ecoPointsConservation } from '../services/eco-points';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { activeMerchant, grantEcoPoints, signInConsumer } from './sales-fixtures';
import { openTestDb } from './test-db';

/**
 * A reference model of the ledger in plain TypeScript: random command sequences run against both,
 * and after every step every logical account's four balance columns must equal the model's
 * (which also makes each ledger sum to zero and keeps noOverdraft accounts >= 0). The full
 * verifyLedger (with the hash chains) runs every 250 steps and at the end.
 */

const refs: AccountRef[] = [
  ...[0, 1, 2, 3].map(
    (i): AccountRef => ({
      ownerType: 'consumer',
      ownerId: `usr_m${i}`,
      code: 'vouchers',
      ledger: 'vouchers',
      noOverdraft: true,
    }),
  ),
  { ownerType: 'platform', ownerId: 'platform', code: 'vouchers.issued', ledger: 'vouchers', shards: 4 },
  { ownerType: 'merchant', ownerId: 'mer_m0', code: 'float', ledger: 'vouchers' },
  { ownerType: 'merchant', ownerId: 'mer_m0', code: 'cny', ledger: 'cny' },
];
const nameOf = (r: AccountRef) => `${r.ownerType}:${r.ownerId}:${r.code}`;

interface Leg {
  from: number;
  to: number;
  amount: number;
  pending: boolean;
  timeoutMs: number | null;
}
type Command =
  | { t: 'transfer'; legs: Leg[] }
  | { t: 'retry'; pick: number; mutate: boolean }
  | { t: 'post'; pick: number; part: number; retry: boolean }
  | { t: 'void'; pick: number }
  | { t: 'advance'; ms: number }
  | { t: 'batch'; legs: Leg[]; duplicate: boolean };

const leg = fc.record({
  from: fc.integer({ min: 0, max: refs.length - 1 }),
  to: fc.integer({ min: 0, max: refs.length - 1 }),
  amount: fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min: 1, max: 3000 }) },
    { weight: 1, arbitrary: fc.constant(0) },
  ),
  pending: fc.boolean(),
  timeoutMs: fc.option(fc.integer({ min: 1, max: 120_000 }), { freq: 2 }),
});
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      t: fc.constant('transfer' as const),
      legs: fc.array(leg, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant('retry' as const), pick: fc.nat(), mutate: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('post' as const),
      pick: fc.nat(),
      part: fc.integer({ min: 1, max: 100 }),
      retry: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('void' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 1000, max: 90_000 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('batch' as const),
      legs: fc.array(
        leg.map((l) => ({ ...l, pending: false })),
        { minLength: 2, maxLength: 6 },
      ),
      duplicate: fc.boolean(),
    }),
  },
);

interface Columns {
  dPost: number;
  dPend: number;
  cPost: number;
  cPend: number;
}
interface Pending {
  id: number;
  from: number;
  to: number;
  amount: number;
  timeoutAt: number | null;
  resolved: boolean;
}
interface Call {
  key: string;
  legs: Leg[];
}

class Model {
  balances = refs.map((): Columns => ({ dPost: 0, dPend: 0, cPost: 0, cPend: 0 }));
  keys = new Map<string, { contents: string; result: PostResult }>();
  pendings: Pending[] = [];
  calls: Call[] = [];

  /** The outcome postTransaction must have: an error code, or the new balances to commit. */
  evaluate(legs: Leg[]): { error: string } | { next: Columns[] } {
    for (const l of legs) {
      const a = refs[l.from]!;
      const b = refs[l.to]!;
      if (l.amount <= 0 || l.from === l.to || a.ledger !== b.ledger) return { error: 'invalid_transfer' };
    }
    const next = this.balances.map((c) => ({ ...c }));
    for (const l of legs) {
      const d = next[l.from]!;
      const c = next[l.to]!;
      if (l.pending) {
        d.dPend += l.amount;
        c.cPend += l.amount;
      } else {
        d.dPost += l.amount;
        c.cPost += l.amount;
      }
      if (refs[l.from]!.noOverdraft && d.dPost + d.dPend > d.cPost) return { error: 'insufficient_funds' };
    }
    return { next };
  }
}

const contentsOf = (legs: Leg[]) => JSON.stringify(legs.map((l) => [l.from, l.to, l.amount, l.pending]));
const toTransfers = (legs: Leg[], now: number): TransferInput[] =>
  legs.map((l) => ({
    debit: refs[l.from]!,
    credit: refs[l.to]!,
    amount: l.amount,
    ...(l.pending ? { pending: l.timeoutMs ? { timeoutAt: new Date(now + l.timeoutMs) } : {} } : {}),
  }));

async function outcome<T>(promise: Promise<T>): Promise<{ ok: T } | { error: string }> {
  try {
    return { ok: await promise };
  } catch (error) {
    if (error instanceof LedgerError) return { error: error.code };
    throw error;
  }
}

async function run(db: OpenDb['db'], commands: Command[]): Promise<void> {
  const model = new Model();
  let now = Date.parse('2026-11-30T02:00:00Z');
  let serial = 0;

  const transact = async (key: string, legs: Leg[]) => {
    const expected = (() => {
      const invalid = model.evaluate(legs);
      if ('error' in invalid && invalid.error === 'invalid_transfer') return invalid;
      const seen = model.keys.get(key);
      if (seen)
        return seen.contents === contentsOf(legs)
          ? { replay: seen.result }
          : { error: 'idempotency_conflict' };
      return invalid;
    })();
    const got = await outcome(
      postTransaction(db, { key, kind: 'model', transfers: toTransfers(legs, now), now: new Date(now) }),
    );
    settle(key, legs, expected, got);
  };

  const settle = (
    key: string,
    legs: Leg[],
    expected: { error: string } | { next: Columns[] } | { replay: PostResult },
    got: { ok: PostResult } | { error: string },
  ) => {
    if ('error' in expected) {
      expect(got, `${key}`).toEqual({ error: expected.error });
    } else if ('replay' in expected) {
      expect(got, `${key}`).toEqual({ ok: { ...expected.replay, replayed: true } });
    } else {
      expect('ok' in got && got.ok.replayed === false, `${key}: ${JSON.stringify(got)}`).toBe(true);
      const result = (got as { ok: PostResult }).ok;
      model.balances = expected.next;
      model.keys.set(key, { contents: contentsOf(legs), result });
      legs.forEach((l, i) => {
        if (l.pending) {
          model.pendings.push({
            id: result.transferIds[i]!,
            from: l.from,
            to: l.to,
            amount: l.amount,
            timeoutAt: l.timeoutMs ? now + l.timeoutMs : null,
            resolved: false,
          });
        }
      });
    }
  };

  const resolve = async (type: 'post' | 'void', p: Pending, key: string, amount?: number) => {
    const contents = JSON.stringify([type, p.id, amount ?? null]);
    const seen = model.keys.get(key);
    let expected: { error: string } | { replay: PostResult } | null = null;
    if (p.resolved) {
      expected = seen
        ? seen.contents === contents
          ? { replay: seen.result }
          : { error: 'idempotency_conflict' }
        : { error: 'pending_already_resolved' };
    } else if (type === 'post' && p.timeoutAt !== null && now >= p.timeoutAt) {
      expected = { error: 'pending_already_resolved' };
    }
    const got = await outcome(
      type === 'post'
        ? postPending(db, { key, pendingTransferId: p.id, amount, now: new Date(now) })
        : voidPending(db, { key, pendingTransferId: p.id, now: new Date(now) }),
    );
    if (expected) {
      if ('error' in expected) expect(got, key).toEqual(expected);
      else expect(got, key).toEqual({ ok: { ...expected.replay, replayed: true } });
      return;
    }
    expect('ok' in got && !got.ok.replayed, `${key}: ${JSON.stringify(got)}`).toBe(true);
    const posted = type === 'post' ? (amount ?? p.amount) : 0;
    const d = model.balances[p.from]!;
    const c = model.balances[p.to]!;
    d.dPend -= p.amount;
    c.cPend -= p.amount;
    d.dPost += posted;
    c.cPost += posted;
    p.resolved = true;
    model.keys.set(key, { contents, result: (got as { ok: PostResult }).ok });
  };

  const check = async (step: number) => {
    const rows = await query<Record<string, string | number>>(
      db,
      sql`select owner_type || ':' || owner_id || ':' || code as name, sum(debits_posted) as dpost, sum(debits_pending) as dpend,
            sum(credits_posted) as cpost, sum(credits_pending) as cpend
          from ledger_accounts where owner_id in ('usr_m0', 'usr_m1', 'usr_m2', 'usr_m3', 'platform', 'mer_m0') group by 1`,
    );
    const actual = new Map(
      rows.map((r) => [String(r.name), [r.dpost, r.dpend, r.cpost, r.cpend].map(Number)]),
    );
    refs.forEach((r, i) => {
      const m = model.balances[i]!;
      expect(actual.get(nameOf(r)) ?? [0, 0, 0, 0], `step ${step}: ${nameOf(r)}`).toEqual([
        m.dPost,
        m.dPend,
        m.cPost,
        m.cPend,
      ]);
      if (r.noOverdraft) expect(m.cPost - m.dPost - m.dPend).toBeGreaterThanOrEqual(0);
    });
    if (step % 250 === 0) expect(await verifyLedger(db), `step ${step}`).toMatchObject({ ok: true });
  };

  for (const [step, cmd] of commands.entries()) {
    switch (cmd.t) {
      case 'transfer': {
        const key = `model-${serial++}`;
        model.calls.push({ key, legs: cmd.legs });
        await transact(key, cmd.legs);
        break;
      }
      case 'retry': {
        if (model.calls.length === 0) break;
        const call = model.calls[cmd.pick % model.calls.length]!;
        const legs = cmd.mutate
          ? call.legs.map((l, i) => (i === 0 ? { ...l, amount: l.amount + 1 } : l))
          : call.legs;
        await transact(call.key, legs);
        break;
      }
      case 'post':
      case 'void': {
        if (model.pendings.length === 0) break;
        const p = model.pendings[cmd.pick % model.pendings.length]!;
        const amount = cmd.t === 'post' ? Math.max(1, Math.floor((p.amount * cmd.part) / 100)) : undefined;
        const key = `model-${cmd.t}-${serial++}`;
        await resolve(cmd.t, p, key, amount);
        if (cmd.t === 'post' && cmd.retry) await resolve('post', p, key, amount);
        break;
      }
      case 'advance': {
        now += cmd.ms;
        const due = model.pendings.filter((p) => !p.resolved && p.timeoutAt !== null && p.timeoutAt <= now);
        expect(await voidExpiredPending(db, new Date(now))).toBe(due.length);
        for (const p of due) {
          const d = model.balances[p.from]!;
          const c = model.balances[p.to]!;
          d.dPend -= p.amount;
          c.cPend -= p.amount;
          p.resolved = true;
        }
        break;
      }
      case 'batch': {
        const valid = cmd.legs.filter(
          (l) => l.amount > 0 && l.from !== l.to && refs[l.from]!.ledger === refs[l.to]!.ledger,
        );
        const calls = valid.map((l) => ({ key: `model-${serial++}`, legs: [l] }));
        if (cmd.duplicate && calls[0]) calls.push(calls[0]);
        const results = await Promise.all(
          calls.map((c) =>
            outcome(
              postTransaction(db, {
                key: c.key,
                kind: 'model',
                transfers: toTransfers(c.legs, now),
                now: new Date(now),
              }),
            ),
          ),
        );
        // Order is up to the database; every committed one is applied, every refusal must be an overdraft.
        const committed = new Map<string, PostResult>();
        results.forEach((r, i) => {
          const c = calls[i]!;
          if ('error' in r) {
            expect(r.error).toBe('insufficient_funds');
            return;
          }
          if (r.ok.replayed) return;
          expect(committed.has(c.key), `${c.key} committed twice`).toBe(false);
          committed.set(c.key, r.ok);
          const next = model.balances;
          const l = c.legs[0]!;
          next[l.from]!.dPost += l.amount;
          next[l.to]!.cPost += l.amount;
          model.keys.set(c.key, { contents: contentsOf(c.legs), result: r.ok });
          model.calls.push(c);
        });
        if (cmd.duplicate && calls[0]) {
          const dup = results.filter((_, i) => calls[i]!.key === calls[0]!.key);
          if ('ok' in dup[0]! && 'ok' in dup[1]!)
            expect(dup[0].ok.transactionId).toBe(dup[1].ok.transactionId);
        }
        break;
      }
    }
    await check(step + 1);
  }
  expect(await verifyLedger(db)).toMatchObject({ ok: true });
}

let opened: OpenDb;
beforeAll(async () => {
  opened = await openTestDb();
});
afterAll(() => opened.close());

describe('ledger against a reference model', () => {
  it('agrees with the model on 2000 random steps, keeping every invariant after each', async () => {
    // One long run: the database keeps its state, so shrinking (a re-run on it) would not be sound.
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 2000, maxLength: 2000 }), (commands) =>
        run(opened.db, commands),
      ),
      { numRuns: 1, endOnFailure: true },
    );
  }, 120_000);
});

/**
 * Eco-points at the business level (SPEC flow 4): random sequences of grants, orders paid with
 * eco-points (held, paid, expired, refunded), eco-topups and withdrawals (approved or rejected)
 * through the HTTP API, against a model of each holder's usable and held eco-points. After every
 * step each holder's balances equal the model's and eco-points are conserved
 * (ecoPointsConservation); the full ledger verification runs every 40 steps and at the end.
 */
type EcoCommand =
  | { t: 'grant'; c: number; amount: number }
  | { t: 'order'; c: number; m: number; eco: number }
  | { t: 'pay'; pick: number }
  | { t: 'expire' }
  | { t: 'refund'; pick: number; amount: number }
  | { t: 'topup'; m: number; eco: number }
  | { t: 'withdraw'; holder: number; eco: number }
  | { t: 'decide'; pick: number; approve: boolean };

const ecoCommand: fc.Arbitrary<EcoCommand> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('grant' as const),
      c: fc.nat(1),
      amount: fc.integer({ min: 1, max: 6000 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('order' as const),
      c: fc.nat(1),
      m: fc.nat(1),
      eco: fc.oneof(fc.integer({ min: 1, max: 4000 }), fc.constantFrom(10_000, 10_001)),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('pay' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('expire' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('refund' as const),
      pick: fc.nat(),
      amount: fc.integer({ min: 1, max: 10_000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('topup' as const),
      m: fc.nat(1),
      eco: fc.integer({ min: 1, max: 3000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('withdraw' as const),
      holder: fc.nat(3),
      eco: fc.integer({ min: 500, max: 4000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('decide' as const), pick: fc.nat(), approve: fc.boolean() }),
  },
);

describe('eco-points against a reference model', () => {
  let t: TestApp;
  const clock = testClock('2026-11-30T02:00:00Z');
  beforeAll(async () => {
    t = await createTestApp({ clock, env: { AUTH_OTP_PER_IP_HOUR: '100000' } });
  });
  afterAll(() => t.close());

  it('keeps every holder equal to the model and every eco-point accounted for over 150 random steps', async () => {
    const operator = (await t.signIn(operatorPhone)).token;
    for (const [name, value] of [
      ['withdrawalsEnabled', 1],
      ['withdrawalFeeBp', 150],
    ] as const) {
      expect(
        (await t.request('POST', '/v1/platform/parameters', { token: operator, body: { name, value } }))
          .status,
      ).toBe(201);
    }
    const consumers = [await signInConsumer(t), await signInConsumer(t)];
    const merchants = [
      await activeMerchant(t, { adPoints: 100_000 }),
      await activeMerchant(t, { adPoints: 100_000 }),
    ];
    const listings: string[] = [];
    for (const m of merchants) {
      const res = await t.request('POST', `/v1/merchants/${m.id}/listings`, {
        token: m.owner.token,
        body: { title: 'Tea', price: 10_000, stock: 100_000, ships: false },
      });
      listings.push(res.body.id);
    }
    // Holders 0-1 are the consumers, 2-3 the merchants.
    const usable = [0, 0, 0, 0];
    const held = [0, 0, 0, 0];
    const orders: Array<{
      id: string;
      c: number;
      m: number;
      eco: number;
      session: string | null;
      paid: boolean;
      refunded: number;
      ecoBack: number;
    }> = [];
    const withdrawals: Array<{ id: string; holder: number; eco: number; decided: boolean }> = [];

    const check = async (step: number) => {
      for (const [i, c] of consumers.entries()) {
        const wallet = (await t.request('GET', '/v1/wallet', { token: c.token })).body;
        expect([step, wallet.ecoPoints, wallet.ecoPointsHeld]).toEqual([step, usable[i], held[i]]);
      }
      for (const [i, m] of merchants.entries()) {
        const view = (await t.request('GET', `/v1/merchants/${m.id}`, { token: m.owner.token })).body;
        expect([step, view.ecoPoints, view.ecoPointsHeld]).toEqual([step, usable[i + 2], held[i + 2]]);
      }
      const conserved = await ecoPointsConservation({ ...t.deps });
      expect(conserved.ok, `step ${step}: ${conserved.detail}`).toBe(true);
      if (step % 40 === 0) expect((await verifyLedger(t.db)).ok).toBe(true);
    };

    const run = async (commands: EcoCommand[]) => {
      for (const [step, cmd] of commands.entries()) {
        switch (cmd.t) {
          case 'grant':
            await grantEcoPoints(t, consumers[cmd.c]!.id, cmd.amount);
            usable[cmd.c]! += cmd.amount;
            break;
          case 'order': {
            const res = await t.request('POST', '/v1/orders', {
              token: consumers[cmd.c]!.token,
              body: {
                merchantId: merchants[cmd.m]!.id,
                items: [{ listingId: listings[cmd.m], quantity: 1 }],
                ecoPoints: cmd.eco,
              },
            });
            if (cmd.eco > 10_000) {
              expect(res.body.error.code).toBe('eco_points_exceed_amount');
            } else if (cmd.eco > usable[cmd.c]!) {
              expect(res.body.error.code).toBe('insufficient_eco_points');
            } else {
              expect(res.status).toBe(201);
              usable[cmd.c]! -= cmd.eco;
              const paid = res.body.status === 'paid';
              expect(paid).toBe(cmd.eco === 10_000);
              if (paid) usable[cmd.m + 2]! += cmd.eco;
              else held[cmd.c]! += cmd.eco;
              orders.push({
                id: res.body.id,
                c: cmd.c,
                m: cmd.m,
                eco: cmd.eco,
                session: res.body.checkoutSessionId,
                paid,
                refunded: 0,
                ecoBack: 0,
              });
            }
            break;
          }
          case 'pay': {
            const open = orders.filter((o) => !o.paid && o.session);
            const o = open[cmd.pick % Math.max(open.length, 1)];
            if (!o?.session) break;
            await t.fakeStripe.pay(o.session, { method: 'alipay' });
            o.paid = true;
            held[o.c]! -= o.eco;
            usable[o.m + 2]! += o.eco;
            break;
          }
          case 'expire':
            clock.advance(32 * 60 * 1000);
            await runSalesExpiry(ctxOf(t.deps));
            for (const o of orders.filter((x) => !x.paid && x.session)) {
              held[o.c]! -= o.eco;
              usable[o.c]! += o.eco;
              o.session = null;
            }
            break;
          case 'refund': {
            const paid = orders.filter((o) => o.paid && o.refunded < 10_000);
            const o = paid[cmd.pick % Math.max(paid.length, 1)];
            if (!o) break;
            const res = await t.request('POST', `/v1/orders/${o.id}/refund`, {
              token: merchants[o.m]!.owner.token,
              body: { amount: cmd.amount },
            });
            if (o.refunded + cmd.amount > 10_000) {
              expect(res.body.error.code).toBe('refund_exceeds_amount');
              break;
            }
            expect(res.status).toBe(200);
            o.refunded += cmd.amount;
            const backTotal = Math.floor((o.eco * o.refunded) / 10_000);
            const back = backTotal - o.ecoBack;
            o.ecoBack = backTotal;
            expect(res.body.ecoPointsReturned).toBe(back);
            usable[o.c]! += back;
            usable[o.m + 2]! -= Math.min(back, usable[o.m + 2]!);
            break;
          }
          case 'topup': {
            const res = await t.request('POST', `/v1/merchants/${merchants[cmd.m]!.id}/eco-topups`, {
              token: merchants[cmd.m]!.owner.token,
              body: { ecoPoints: cmd.eco },
            });
            if (cmd.eco > usable[cmd.m + 2]!) {
              expect(res.body.error.code).toBe('insufficient_eco_points');
            } else {
              expect(res.status).toBe(201);
              usable[cmd.m + 2]! -= cmd.eco;
            }
            break;
          }
          case 'withdraw': {
            const merchant = cmd.holder >= 2 ? merchants[cmd.holder - 2]! : null;
            const res = await t.request('POST', '/v1/withdrawals', {
              token: merchant ? merchant.owner.token : consumers[cmd.holder]!.token,
              body: { ecoPoints: cmd.eco, merchantId: merchant?.id },
            });
            if (cmd.eco < 1000) {
              expect(res.body.error.code).toBe('below_minimum');
            } else if (cmd.eco > usable[cmd.holder]!) {
              expect(res.body.error.code).toBe('insufficient_eco_points');
            } else {
              expect(res.status).toBe(201);
              usable[cmd.holder]! -= cmd.eco;
              held[cmd.holder]! += cmd.eco;
              withdrawals.push({ id: res.body.id, holder: cmd.holder, eco: cmd.eco, decided: false });
            }
            break;
          }
          case 'decide': {
            const open = withdrawals.filter((w) => !w.decided);
            const w = open[cmd.pick % Math.max(open.length, 1)];
            if (!w) break;
            const res = await t.request(
              'POST',
              `/v1/platform/withdrawals/${w.id}/${cmd.approve ? 'approve' : 'reject'}`,
              {
                token: operator,
                body: cmd.approve ? { payoutReference: `BANK-${step}` } : { reason: 'model' },
              },
            );
            expect(res.status).toBe(200);
            w.decided = true;
            held[w.holder]! -= w.eco;
            if (!cmd.approve) usable[w.holder]! += w.eco;
            break;
          }
        }
        await check(step + 1);
      }
      expect((await verifyLedger(t.db)).ok).toBe(true);
    };

    await fc.assert(fc.asyncProperty(fc.array(ecoCommand, { minLength: 150, maxLength: 150 }), run), {
      numRuns: 1,
      endOnFailure: true,
    });
  }, 120_000);
});
