import { type DbOrTx, type OpenDb, schema } from '@alliance/db';
import { desc, sql, TransactionRollbackError } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../context';
import {
  type AccountRef,
  LedgerError,
  ledgerCut,
  lockLedgerCheckpoints,
  postPending,
  postTransaction,
  type VerifyResult,
  verifyLedger,
  verifyLedgerSinceCheckpoint,
  voidPending,
} from '../ledger';
import { accounts } from '../services/accounts';
import {
  getReconciliation,
  type ReconciliationReport,
  runNightlyReconciliation,
  runReconciliation,
} from '../services/reconciliation';
import { createTestApp, type TestApp, testClock } from './harness';
import { openTestDb } from './test-db';

// ADR 0009 "Measured": the nightly report verifies the ledger from the latest checkpoint.

/** What the report does: the cut, then the checkpointed verify in a repeatable-read transaction. */
async function verifyNightly(db: OpenDb['db']): Promise<VerifyResult> {
  const cut = await ledgerCut(db);
  return db.transaction(
    async (tx) => {
      await lockLedgerCheckpoints(tx);
      return verifyLedgerSinceCheckpoint(tx, cut);
    },
    { isolationLevel: 'repeatable read' },
  );
}

const checkOf = (result: VerifyResult, name: string) => result.checks.find((c) => c.name === name);

async function latestCheckpoint(db: DbOrTx) {
  const c = schema.ledgerCheckpoints;
  const [row] = await db.select().from(c).orderBy(desc(c.id)).limit(1);
  return row;
}

/**
 * Whether the latest checkpoint's digest is the accounts' digest now, computed from scratch (as the
 * next night will when nothing moves in between): the digest kept from night to night is right.
 */
async function digestMatchesAccounts(db: DbOrTx) {
  const checkpoint = await latestCheckpoint(db);
  const result = (await db.execute(
    sql`select coalesce(bit_xor(case when debits_posted = 0 and debits_pending = 0 and credits_posted = 0
          and credits_pending = 0 and head_hash = '' then 0 else hashtextextended(head_hash, id)
          # hashint8extended(debits_posted, id * 4) # hashint8extended(debits_pending, id * 4 + 1)
          # hashint8extended(credits_posted, id * 4 + 2) # hashint8extended(credits_pending, id * 4 + 3) end), 0)::text as digest
        from ledger_accounts`,
  )) as unknown;
  const [row] = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{
    digest: string;
  }>;
  return checkpoint?.accountsDigest === BigInt(row?.digest ?? 'x');
}

const holder = (id: string): AccountRef => accounts.consumerVouchers(id);
const issued: AccountRef = { ...accounts.platformVouchersIssued(), shards: 4 };

describe('the checkpointed ledger verify', () => {
  let opened: OpenDb;
  let key = 0;
  beforeAll(async () => {
    opened = await openTestDb();
  });
  afterAll(() => opened.close());

  const issue = (to: string, amount: number) =>
    postTransaction(opened.db, {
      key: `cp-${++key}`,
      kind: 'issue',
      transfers: [{ debit: issued, credit: holder(to), amount }],
    });

  it('without a checkpoint does a full pass, then writes one at the cut', async () => {
    await issue('ann', 1_000);
    await issue('bob', 2_000);
    const last = await issue('ann', 300);
    expect(await latestCheckpoint(opened.db)).toBeUndefined();

    const result = await verifyNightly(opened.db);
    expect(result.ok).toBe(true);
    expect(checkOf(result, 'hash_chain')?.detail).toBe('3 transfers chained');
    const checkpoint = await latestCheckpoint(opened.db);
    expect(checkpoint).toMatchObject({ lastTransferId: last.transferIds[0], transfers: 3 });
    expect(await digestMatchesAccounts(opened.db)).toBe(true);
  });

  it('then chains only the transfers since, and the next checkpoint equals the columns', async () => {
    const before = await latestCheckpoint(opened.db);
    await issue('bob', 50);
    const pending = await postTransaction(opened.db, {
      key: `cp-${++key}`,
      kind: 'hold',
      transfers: [{ debit: holder('ann'), credit: issued, amount: 700, pending: {} }],
    });
    const result = await verifyNightly(opened.db);
    expect(result.ok).toBe(true);
    expect(checkOf(result, 'hash_chain')?.detail).toBe(
      `2 transfers chained since the checkpoint at transfer ${before?.lastTransferId}`,
    );
    expect(await latestCheckpoint(opened.db)).toMatchObject({
      lastTransferId: pending.transferIds[0],
      transfers: 5,
    });
    expect(await digestMatchesAccounts(opened.db)).toBe(true);
    // Nothing new: verified, and the checkpoint stays where it is.
    const settled = await latestCheckpoint(opened.db);
    expect((await verifyNightly(opened.db)).ok).toBe(true);
    expect(await latestCheckpoint(opened.db)).toEqual(settled);
    await postPending(opened.db, {
      key: `cp-${++key}`,
      pendingTransferId: pending.transferIds[0] as number,
      amount: 400,
    });
  });

  it('a checkpoint at a cut before the last transfer: the next night goes on from it', async () => {
    const [first, second, third] = [await issue('hal', 10), await issue('hal', 20), await issue('ivy', 30)];
    const cut = first.transferIds[0] as number;
    // Transfers past the cut are in the snapshot (they committed after it was taken).
    const result = await opened.db.transaction(
      async (tx) => {
        await lockLedgerCheckpoints(tx);
        return verifyLedgerSinceCheckpoint(tx, cut);
      },
      { isolationLevel: 'repeatable read' },
    );
    expect(result.ok).toBe(true);
    expect((await latestCheckpoint(opened.db))?.lastTransferId).toBe(cut);
    const next = await verifyNightly(opened.db);
    // The fast path's words: the digest written at the cut was the accounts' state at the cut.
    expect(checkOf(next, 'hash_chain')?.detail).toBe(
      `2 transfers chained since the checkpoint at transfer ${cut}`,
    );
    expect((await latestCheckpoint(opened.db))?.lastTransferId).toBe(third.transferIds[0]);
    expect(second.transferIds[0]).toBeGreaterThan(cut);
    expect(await digestMatchesAccounts(opened.db)).toBe(true);
  });

  it('a checkpoint whose digest disagrees: the full pass decides, and writes a fresh one', async () => {
    await issue('jon', 40);
    expect((await verifyNightly(opened.db)).ok).toBe(true);
    const wrong = await latestCheckpoint(opened.db);
    await opened.db.execute(
      sql`update ledger_checkpoints set accounts_digest = accounts_digest + 1 where id = ${wrong?.id}`,
    );
    await issue('jon', 41);
    const result = await verifyNightly(opened.db);
    expect(result.ok).toBe(true);
    // The full verify's words, not "since the checkpoint".
    expect(checkOf(result, 'hash_chain')?.detail).toMatch(/^\d+ transfers chained$/);
    expect((await latestCheckpoint(opened.db))?.id).toBeGreaterThan(wrong?.id ?? 0);
    expect(await digestMatchesAccounts(opened.db)).toBe(true);
    expect(checkOf(await verifyNightly(opened.db), 'hash_chain')?.detail).toMatch(/since the checkpoint/);
  });

  it('agrees with the full verify and with the columns over any run of postings, holds and voids', async () => {
    const names = ['cat', 'dan', 'eve'];
    const step = fc.oneof(
      fc.record({
        op: fc.constant('issue' as const),
        who: fc.constantFrom(...names),
        amount: fc.integer({ min: 1, max: 5_000 }),
      }),
      fc.record({
        op: fc.constant('hold' as const),
        who: fc.constantFrom(...names),
        amount: fc.integer({ min: 1, max: 500 }),
      }),
      fc.record({
        op: fc.constant('spend' as const),
        who: fc.constantFrom(...names),
        amount: fc.integer({ min: 1, max: 500 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        async (days) => {
          for (const day of days) {
            for (const s of day) {
              if (s.op === 'issue') {
                await issue(s.who, s.amount);
                continue;
              }
              // A hold voided at once, or a spend: either may be refused for lack of funds, which writes nothing.
              const result = await postTransaction(opened.db, {
                key: `cp-${++key}`,
                kind: s.op,
                transfers: [
                  {
                    debit: holder(s.who),
                    credit: issued,
                    amount: s.amount,
                    pending: s.op === 'hold' ? {} : undefined,
                  },
                ],
              }).catch((error) => {
                if (error instanceof LedgerError && error.code === 'insufficient_funds') return null;
                throw error;
              });
              if (result && s.op === 'hold') {
                await voidPending(opened.db, {
                  key: `cp-${++key}`,
                  pendingTransferId: result.transferIds[0] as number,
                });
              }
            }
            const nightly = await verifyNightly(opened.db);
            const full = await verifyLedger(opened.db);
            expect(nightly.checks.map((c) => [c.name, c.ok])).toEqual(full.checks.map((c) => [c.name, c.ok]));
            expect(nightly.ok).toBe(true);
            expect(await digestMatchesAccounts(opened.db)).toBe(true);
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it('recomputes in SQL the hash the ledger computed in JavaScript, whatever the key holds', async () => {
    for (const odd of ['quote " and \\ backslash', 'line\nbreak\ttab\u0001\u001f', '茶馆 🍵 \u2028', '']) {
      await postTransaction(opened.db, {
        key: `cp-${++key}-${odd}`,
        kind: 'issue',
        transfers: [{ debit: issued, credit: holder('gus'), amount: 7 }],
        now: new Date('2026-11-30T01:02:03.456Z'),
      });
    }
    const hold = await postTransaction(opened.db, {
      key: `cp-${++key}`,
      kind: 'hold',
      transfers: [
        {
          debit: holder('gus'),
          credit: issued,
          amount: 5,
          pending: { timeoutAt: new Date('2026-12-01T00:00:00.001Z') },
        },
      ],
    });
    await voidPending(opened.db, { key: `cp-${++key}`, pendingTransferId: hold.transferIds[0] as number });
    const result = await verifyNightly(opened.db);
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ['ledgers_balance', true],
      ['balances_match_transfers', true],
      ['no_overdraft', true],
      ['hash_chain', true],
    ]);
    expect(checkOf(await verifyLedger(opened.db), 'hash_chain')?.ok).toBe(true);
  });

  it('lists a tampered transfer after the checkpoint, and again the next night (no checkpoint past it)', async () => {
    expect((await verifyNightly(opened.db)).ok).toBe(true);
    const checkpoint = await latestCheckpoint(opened.db);
    const target = await issue('fay', 900);
    const id = target.transferIds[0] as number;
    await opened.db.execute(sql`alter table ledger_transfers disable trigger ledger_transfers_append_only`);
    await opened.db.execute(sql`update ledger_transfers set amount = 9000 where id = ${id}`);
    await opened.db.execute(sql`alter table ledger_transfers enable trigger ledger_transfers_append_only`);

    for (let night = 0; night < 2; night++) {
      const result = await verifyNightly(opened.db);
      expect(result.ok).toBe(false);
      expect(checkOf(result, 'hash_chain')?.detail).toMatch(
        new RegExp(
          `^first broken link: transfer ${id}, account \\d+: transfer ${id} does not match its hash`,
        ),
      );
      expect(checkOf(result, 'balances_match_transfers')?.ok).toBe(false);
      expect((await latestCheckpoint(opened.db))?.id).toBe(checkpoint?.id);
    }
    await opened.db.execute(sql`alter table ledger_transfers disable trigger ledger_transfers_append_only`);
    await opened.db.execute(sql`update ledger_transfers set amount = 900 where id = ${id}`);
    await opened.db.execute(sql`alter table ledger_transfers enable trigger ledger_transfers_append_only`);
    expect((await verifyNightly(opened.db)).ok).toBe(true);
  });

  it('lists a balance column changed on an account that has not moved since the checkpoint', async () => {
    expect((await verifyNightly(opened.db)).ok).toBe(true);
    await opened.db.execute(
      sql`update ledger_accounts set credits_posted = credits_posted + 1 where owner_id = 'bob' and code = 'vouchers'`,
    );
    const result = await verifyNightly(opened.db);
    expect(checkOf(result, 'balances_match_transfers')?.ok).toBe(false);
    expect(checkOf(result, 'balances_match_transfers')?.detail).toMatch(
      /^account \d+: columns debits 0\/0 credits /,
    );
    await opened.db.execute(
      sql`update ledger_accounts set credits_posted = credits_posted - 1 where owner_id = 'bob' and code = 'vouchers'`,
    );
    expect((await verifyNightly(opened.db)).ok).toBe(true);
  });

  it('trusts the checkpointed past: a deleted row before it is listed, an edited amount only by the full verify', async () => {
    expect((await verifyNightly(opened.db)).ok).toBe(true);
    const checkpoint = await latestCheckpoint(opened.db);
    await opened.db.execute(sql`alter table ledger_transfers disable trigger ledger_transfers_append_only`);
    // An amount edited before the checkpoint: the chain replay no longer passes it.
    const [first] = await opened.db
      .select()
      .from(schema.ledgerTransfers)
      .orderBy(schema.ledgerTransfers.id)
      .limit(1);
    await opened.db.execute(sql`update ledger_transfers set amount = amount + 1 where id = ${first?.id}`);
    expect((await verifyNightly(opened.db)).ok).toBe(true);
    expect(checkOf(await verifyLedger(opened.db), 'hash_chain')?.ok).toBe(false);
    await opened.db.execute(sql`update ledger_transfers set amount = amount - 1 where id = ${first?.id}`);
    // A row deleted before the checkpoint: the count up to it no longer matches.
    await opened.db.execute(
      sql`create temporary table saved as select * from ledger_transfers where id = ${first?.id}`,
    );
    await opened.db.execute(sql`delete from ledger_transfers where id = ${first?.id}`);
    const result = await verifyNightly(opened.db);
    expect(checkOf(result, 'hash_chain')).toMatchObject({ ok: false });
    expect(checkOf(result, 'hash_chain')?.detail).toMatch(
      new RegExp(
        `^first broken link: transfer ${checkpoint?.lastTransferId}, account -: the checkpoint says ${checkpoint?.transfers} transfers`,
      ),
    );
    await opened.db.execute(sql`insert into ledger_transfers overriding system value select * from saved`);
    await opened.db.execute(sql`alter table ledger_transfers enable trigger ledger_transfers_append_only`);
    expect((await verifyNightly(opened.db)).ok).toBe(true);
  });
});

describe('the nightly report from a checkpoint', () => {
  const clock = testClock('2026-11-28T02:00:00Z');
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock });
  });
  afterAll(() => t.close());

  /** The same day's report from scratch: the checkpoints removed, then restored by rolling back. */
  async function fromScratch(date: string): Promise<ReconciliationReport> {
    let report: ReconciliationReport | undefined;
    await t.db
      .transaction(
        async (tx) => {
          await tx.execute(sql`delete from ledger_checkpoints`);
          report = await runReconciliation({ ...ctxOf(t.deps), db: tx }, { date });
          tx.rollback();
        },
        { isolationLevel: 'repeatable read' },
      )
      .catch((error) => {
        if (!(error instanceof TransactionRollbackError)) throw error;
      });
    return report as ReconciliationReport;
  }

  const comparable = (r: ReconciliationReport) => ({
    ...r,
    generatedAt: undefined,
    checks: r.checks.map((c) => ({ name: c.name, ok: c.ok })),
  });

  it('gives, day after day, exactly the figures a report from scratch gives', async () => {
    const days = ['2026-11-28', '2026-11-29', '2026-11-30'];
    let key = 0;
    for (const [i, date] of days.entries()) {
      // During the day (Asia/Shanghai): vouchers issued to consumers, ad points bought and spent.
      for (let n = 0; n <= i; n++) {
        clock.set(`${date}T0${2 + n}:00:00Z`);
        await postTransaction(t.db, {
          key: `day-${++key}`,
          kind: 'issue',
          now: clock.now(),
          transfers: [
            {
              debit: accounts.platformVouchersIssued(),
              credit: accounts.consumerVouchers(`usr_${n}`),
              amount: 1_000 * (i + 1),
            },
            {
              debit: accounts.platformAdPointsIssued(),
              credit: accounts.merchantAdPoints(`mer_${n}`),
              amount: 5_000,
            },
            {
              debit: accounts.merchantAdPoints(`mer_${n}`),
              credit: accounts.platformAdPointsRevenue(),
              amount: 150 * (n + 1),
            },
          ],
        });
      }
      clock.set(`${date}T16:30:00Z`); // 00:30 the next business day
      expect(await runNightlyReconciliation(ctxOf(t.deps))).toEqual({ businessDate: date, written: true });
      const nightly = await getReconciliation(ctxOf(t.deps), date);
      expect(nightly.ok).toBe(true);
      expect(nightly.checks.find((c) => c.name === 'hash_chain')?.detail).toMatch(
        i === 0 ? /^\d+ transfers chained$/ : /^\d+ transfers chained since the checkpoint at transfer \d+$/,
      );
      expect(comparable(await fromScratch(date))).toEqual(comparable(nightly));
    }
    const last = await getReconciliation(ctxOf(t.deps), '2026-11-30');
    expect(last.vouchers.outstanding).toBe(1_000 + 2 * 2_000 + 3 * 3_000);
    expect(last.merchants.map((m) => [m.merchantId, m.adPoints])).toEqual([
      ['mer_0', 3 * (5_000 - 150)],
      ['mer_1', 2 * (5_000 - 300)],
      ['mer_2', 5_000 - 450],
    ]);
  });
});
