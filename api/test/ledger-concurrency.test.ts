import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Db, OpenDb } from '@alliance/db';
import { openDb } from '@alliance/db/node';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccountRef,
  balanceOf,
  GuardNotMet,
  LedgerError,
  postPending,
  postTransaction,
  verifyLedger,
  voidPending,
} from '../ledger';
import { query } from '../ledger/sql';
import { holdOpen, onPostgres, openTestDb } from './test-db';

const issued: AccountRef = {
  ownerType: 'platform',
  ownerId: 'platform',
  code: 'vouchers.issued',
  ledger: 'vouchers',
  shards: 4,
};
const consumer = (id: string): AccountRef => ({
  ownerType: 'consumer',
  ownerId: id,
  code: 'vouchers',
  ledger: 'vouchers',
  noOverdraft: true,
});

/** Credits each holder from the platform's issued vouchers, in one transaction. */
const fund = (db: Db, key: string, ...holdings: Array<[AccountRef, number]>) =>
  postTransaction(db, {
    key,
    kind: 'issue',
    transfers: holdings.map(([credit, amount]) => ({ debit: issued, credit, amount })),
  });

async function settle<T>(promises: Array<Promise<T>>) {
  const results = await Promise.allSettled(promises);
  const codes = results.flatMap((r) =>
    r.status === 'rejected' ? [(r.reason as LedgerError).code ?? String(r.reason)] : [],
  );
  for (const r of results) if (r.status === 'rejected' && !(r.reason instanceof LedgerError)) throw r.reason;
  return {
    ok: results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<T>).value),
    codes,
  };
}

// PGlite runs one statement at a time, so only real PostgreSQL can interleave these transactions.
describe.skipIf(!onPostgres)('ledger under real concurrency (PostgreSQL)', () => {
  let opened: OpenDb & { url?: string };
  beforeAll(async () => {
    // Below half of PostgreSQL's 100 connections: another test file may run beside this one.
    opened = await openTestDb({ maxConnections: 40 });
  });
  afterAll(() => opened?.close());

  it('50 concurrent debits of 1.00 from 10.00: exactly 10 succeed and the balance is 0', async () => {
    const db = opened.db;
    const c = consumer('usr_c50');
    await postTransaction(db, {
      key: 'c50-in',
      kind: 'issue',
      transfers: [{ debit: issued, credit: c, amount: 1000 }],
    });
    const { ok, codes } = await settle(
      Array.from({ length: 50 }, (_, i) =>
        postTransaction(db, {
          key: `c50-out-${i}`,
          kind: 'spend',
          transfers: [{ debit: c, credit: issued, amount: 100 }],
        }),
      ),
    );
    expect(ok).toHaveLength(10);
    expect(codes).toEqual(Array(40).fill('insufficient_funds'));
    expect(await balanceOf(db, c)).toEqual({ posted: 0, available: 0, debitsPending: 0, creditsPending: 0 });
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('a pending debit counts against the balance under concurrency', async () => {
    const db = opened.db;
    const c = consumer('usr_cpend');
    await postTransaction(db, {
      key: 'cpend-in',
      kind: 'issue',
      transfers: [{ debit: issued, credit: c, amount: 1000 }],
    });
    const holds = await settle(
      Array.from({ length: 3 }, (_, i) =>
        postTransaction(db, {
          key: `cpend-hold-${i}`,
          kind: 'hold',
          transfers: [{ debit: c, credit: issued, amount: 300, pending: {} }],
        }),
      ),
    );
    expect(holds.ok).toHaveLength(3);
    const spends = await settle(
      Array.from({ length: 10 }, (_, i) =>
        postTransaction(db, {
          key: `cpend-out-${i}`,
          kind: 'spend',
          transfers: [{ debit: c, credit: issued, amount: 50 }],
        }),
      ),
    );
    expect(spends.ok).toHaveLength(2);
    expect(await balanceOf(db, c)).toEqual({
      posted: 900,
      available: 0,
      debitsPending: 900,
      creditsPending: 0,
    });
    await voidPending(db, { key: 'cpend-void', pendingTransferId: holds.ok[0]!.transferIds[0]! });
    expect((await balanceOf(db, c)).available).toBe(300);
  });

  it('post and void racing on one pending transfer: exactly one wins, every time', async () => {
    const db = opened.db;
    const c = consumer('usr_race');
    await postTransaction(db, {
      key: 'race-in',
      kind: 'issue',
      transfers: [{ debit: issued, credit: c, amount: 100_000 }],
    });
    let postedTotal = 0;
    for (let round = 0; round < 20; round++) {
      const hold = await postTransaction(db, {
        key: `race-hold-${round}`,
        kind: 'hold',
        transfers: [{ debit: c, credit: issued, amount: 1000, pending: {} }],
      });
      const id = hold.transferIds[0]!;
      const { ok, codes } = await settle([
        postPending(db, { key: `race-post-${round}`, pendingTransferId: id, amount: 400 }),
        voidPending(db, { key: `race-void-${round}`, pendingTransferId: id }),
        postPending(db, { key: `race-post2-${round}`, pendingTransferId: id }),
      ]);
      expect(ok, `round ${round}`).toHaveLength(1);
      expect(codes).toEqual(['pending_already_resolved', 'pending_already_resolved']);
      const [row] = await query<{ n: number; amount: number }>(
        db,
        sql`select count(*)::int as n, sum(amount)::int as amount from ledger_transfers where pending_id = ${id}`,
      );
      expect(row?.n).toBe(1);
      const [post] = await query<{ amount: number }>(
        db,
        sql`select amount::int as amount from ledger_transfers where pending_id = ${id} and type = 'post'`,
      );
      postedTotal += post?.amount ?? 0;
    }
    expect(await balanceOf(db, c)).toEqual({
      posted: 100_000 - postedTotal,
      available: 100_000 - postedTotal,
      debitsPending: 0,
      creditsPending: 0,
    });
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('the same key sent 10 times at once commits once; the rest replay it', async () => {
    const db = opened.db;
    const c = consumer('usr_dup');
    const { ok } = await settle(
      Array.from({ length: 10 }, () =>
        postTransaction(db, {
          key: 'dup-1',
          kind: 'issue',
          transfers: [{ debit: issued, credit: c, amount: 777 }],
        }),
      ),
    );
    expect(ok.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(ok.map((r) => r.transactionId)).size).toBe(1);
    expect((await balanceOf(db, c)).posted).toBe(777);
  });

  it('crossing transfers between the same accounts never deadlock, and the hot account spreads over shards', async () => {
    const db = opened.db;
    const people = [0, 1, 2, 3, 4].map((i) => consumer(`usr_x${i}`));
    for (const [i, p] of people.entries()) {
      await postTransaction(db, {
        key: `x-in-${i}`,
        kind: 'issue',
        transfers: [{ debit: issued, credit: p, amount: 100_000 }],
      });
    }
    const { ok, codes } = await settle(
      Array.from({ length: 200 }, (_, i) => {
        const a = people[i % 5]!;
        const b = people[(i * 3 + 1) % 5]!;
        const transfers =
          a === b
            ? [{ debit: a, credit: issued, amount: 10 }]
            : [
                { debit: a, credit: b, amount: 10 + (i % 7) },
                { debit: b, credit: a, amount: 5 },
                { debit: issued, credit: a, amount: 1 },
              ];
        return postTransaction(db, { key: `x-${i}`, kind: 'shuffle', transfers });
      }),
    );
    expect(codes).toEqual([]);
    expect(ok).toHaveLength(200);
    // Transfers among the five cancel out; each transaction adds 1 from the platform, or spends 10.
    let expected = 500_000;
    for (let i = 0; i < 200; i++) expected += i % 5 === (i * 3 + 1) % 5 ? -10 : 1;
    const total = (await Promise.all(people.map((p) => balanceOf(db, p)))).reduce(
      (sum, b) => sum + b.posted,
      0,
    );
    expect(total).toBe(expected);
    const [shards] = await query<{ n: number }>(
      db,
      sql`select count(*)::int as n from ledger_accounts where code = 'vouchers.issued'`,
    );
    expect(shards?.n).toBe(4);
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('postings that arrive together are committed together, each with its own key, row and place in the chains', async () => {
    const db = opened.db;
    const holders = Array.from({ length: 5 }, (_, i) => consumer(`usr_gc${i}`));
    await postTransaction(db, {
      key: 'gc-in',
      kind: 'issue',
      transfers: holders.map((c) => ({ debit: issued, credit: c, amount: 10_000 })),
    });
    // Holder i pays holder i+1 (mod 5) 100 + i; 40 postings at once.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        postTransaction(db, {
          key: `gc-${i}`,
          kind: 'move',
          transfers: [
            {
              debit: holders[i % 5] as AccountRef,
              credit: holders[(i + 1) % 5] as AccountRef,
              amount: 100 + i,
            },
          ],
        }),
      ),
    );
    const rows = await query<{ key: string; id: string; xid: string }>(
      db,
      sql`select key, id, xmin::text as xid from ledger_transactions where key like 'gc-%' and key <> 'gc-in'`,
    );
    expect(rows).toHaveLength(40);
    results.forEach((result, i) => {
      expect(result.replayed).toBe(false);
      expect(result.transferIds).toHaveLength(1);
      expect(rows.find((r) => r.key === `gc-${i}`)?.id).toBe(String(result.transactionId));
    });
    // Fewer database transactions than postings: some were grouped.
    expect(new Set(rows.map((r) => r.xid)).size).toBeLessThan(40);
    for (let h = 0; h < 5; h++) {
      let expected = 10_000;
      for (let i = 0; i < 40; i++) {
        if (i % 5 === h) expected -= 100 + i;
        if ((i + 1) % 5 === h) expected += 100 + i;
      }
      expect((await balanceOf(db, holders[h] as AccountRef)).posted).toBe(expected);
    }
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('in one batch, a refusal, a key given twice and a guard that matches nothing end as they would alone; a refused posting whose guard ran sends the batch back', async () => {
    const db = opened.db;
    await db.execute(sql`create table gc_guards (id int primary key, done boolean not null default false)`);
    await db.execute(sql`insert into gc_guards (id) values (1), (2), (3)`);
    const guard = (id: number) =>
      sql`update gc_guards set done = true where id = ${id} and not done returning id`;
    const rich = consumer('usr_gcrich');
    const poor = consumer('usr_gcpoor');
    await fund(db, 'gcm-in', [rich, 10_000], [poor, 50]);
    const spend = (key: string, from: AccountRef, amount: number, guarded?: number) =>
      postTransaction(db, {
        key,
        kind: 'spend',
        transfers: [{ debit: from, credit: issued, amount }],
        guard: guarded === undefined ? undefined : guard(guarded),
      });
    const pay = () =>
      postTransaction(db, {
        key: 'gcm-pay',
        kind: 'pay',
        transfers: [{ debit: rich, credit: poor, amount: 10 }],
      });
    // Sent in one tick: the first two go alone, the rest wait and go as one batch.
    const first = await Promise.allSettled([
      spend('gcm-fill-0', rich, 1),
      spend('gcm-fill-1', rich, 1),
      spend('gcm-fill-2', rich, 1),
      pay(),
      pay(),
      spend('gcm-poor', poor, 1000),
      spend('gcm-guard-none', rich, 1, 99),
      spend('gcm-guard-ok', rich, 7, 2),
    ]);
    const outcome = (r: PromiseSettledResult<unknown>) =>
      r.status === 'fulfilled'
        ? 'ok'
        : r.reason instanceof GuardNotMet
          ? 'guard not met'
          : ((r.reason as LedgerError).code ?? String(r.reason));
    expect(first.map(outcome)).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'insufficient_funds',
      'guard not met',
      'ok',
    ]);
    const [payA, payB] = [first[3], first[4]].map(
      (r) => (r as PromiseFulfilledResult<{ transactionId: number; replayed: boolean }>).value,
    );
    expect(payA?.transactionId).toBe(payB?.transactionId);
    expect([payA?.replayed, payB?.replayed].sort()).toEqual([false, true]);
    const xids = await query<{ key: string; xid: string }>(
      db,
      sql`select key, xmin::text as xid from ledger_transactions where key in ('gcm-fill-2', 'gcm-pay', 'gcm-guard-ok')`,
    );
    expect(new Set(xids.map((r) => r.xid)).size).toBe(1);

    // A guarded posting refused after its guard ran: the batch is rolled back and each goes alone.
    const second = await Promise.allSettled([
      spend('gcm2-fill-0', rich, 1),
      spend('gcm2-fill-1', rich, 1),
      spend('gcm2-fill-2', rich, 1),
      spend('gcm2-guard-refused', poor, 5000, 1),
      spend('gcm2-guard-ok', rich, 3, 3),
    ]);
    expect(second.map(outcome)).toEqual(['ok', 'ok', 'ok', 'insufficient_funds', 'ok']);
    const guards = await query<{ id: number; done: boolean }>(
      db,
      sql`select id, done from gc_guards order by id`,
    );
    expect(guards).toEqual([
      { id: 1, done: false },
      { id: 2, done: true },
      { id: 3, done: true },
    ]);
    expect((await balanceOf(db, rich)).posted).toBe(10_000 - 3 - 10 - 7 - 3 - 3);
    expect((await balanceOf(db, poor)).posted).toBe(60);
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('a batch waiting for a row lock held elsewhere does not hold up postings on other accounts', async () => {
    const db = opened.db;
    // No shared (sharded) account: the two postings touch disjoint rows.
    const held = consumer('usr_gcheld');
    const free = consumer('usr_gcfree');
    const sinkA = consumer('usr_gcsinka');
    const sinkB = consumer('usr_gcsinkb');
    await fund(db, 'gch-in', [held, 100], [free, 100], [sinkA, 1], [sinkB, 1]);
    const lock = await holdOpen(db, (tx) =>
      tx.execute(sql`select id from ledger_accounts where owner_id = 'usr_gcheld' for update`),
    );
    let stuckDone = false;
    const stuck = postTransaction(db, {
      key: 'gch-stuck',
      kind: 'spend',
      transfers: [{ debit: held, credit: sinkA, amount: 1 }],
    }).then((result) => {
      stuckDone = true;
      return result;
    });
    const moved = await postTransaction(db, {
      key: 'gch-free',
      kind: 'spend',
      transfers: [{ debit: free, credit: sinkB, amount: 1 }],
    });
    expect(moved.replayed).toBe(false);
    expect(stuckDone).toBe(false);
    await lock.release();
    expect((await stuck).replayed).toBe(false);
    expect((await balanceOf(db, held)).posted).toBe(99);
    expect((await balanceOf(db, free)).posted).toBe(99);
  });

  it('a batch planned on the rows this process last committed goes back to reading them when another writer came between', async () => {
    const db = opened.db;
    const a = consumer('usr_kna');
    const b = consumer('usr_knb');
    const move = (key: string, amount: number, guard?: ReturnType<typeof sql>) =>
      postTransaction(db, { key, kind: 'move', transfers: [{ debit: a, credit: b, amount }], guard });
    await fund(db, 'kn-in', [a, 1000], [b, 1000]);
    // Both rows are now known to this process's group commit: the next posting is planned on them.
    await move('kn-1', 100);
    // Another writer (here a posting inside a caller's transaction) moves both heads; without the
    // write's check, the next posting would chain to the old heads and count from old balances.
    await db.transaction((tx) =>
      postTransaction(tx, {
        key: 'kn-other',
        kind: 'move',
        transfers: [{ debit: a, credit: b, amount: 10 }],
      }),
    );
    expect((await move('kn-2', 100)).replayed).toBe(false);
    expect((await balanceOf(db, a)).posted).toBe(1000 - 100 - 10 - 100);
    expect((await balanceOf(db, b)).posted).toBe(1000 + 100 + 10 + 100);

    // Another process with its own group commit, racing on the same two rows.
    const other = await openDb({ databaseUrl: opened.url!, maxConnections: 10 });
    try {
      const race = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          postTransaction(i % 2 ? other.db : db, {
            key: `kn-race-${i}`,
            kind: 'move',
            transfers: [i % 3 ? { debit: a, credit: b, amount: 1 } : { debit: b, credit: a, amount: 2 }],
          }),
        ),
      );
      expect(race.every((r) => !r.replayed)).toBe(true);
    } finally {
      await other.close();
    }
    // 20 of a→b 1, 10 of b→a 2.
    expect((await balanceOf(db, a)).posted).toBe(790 - 20 + 20);
    expect((await balanceOf(db, b)).posted).toBe(1210 + 20 - 20);

    // In a batch sent whole, a guard that matches nothing and a key already used end as alone,
    // and the guard that matched commits once.
    await db.execute(sql`create table kn_guards (id int primary key, done boolean not null default false)`);
    await db.execute(sql`insert into kn_guards (id) values (1)`);
    const guard = (id: number) =>
      sql`update kn_guards set done = true where id = ${id} and not done returning id`;
    const outcomes = await Promise.allSettled([
      move('kn-g-ok', 1, guard(1)),
      move('kn-g-none', 2, guard(99)),
      move('kn-1', 100),
    ]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.replayed : String(o.reason)))).toEqual([
      false,
      String(new GuardNotMet()),
      true,
    ]);
    expect(await query(db, sql`select id, done from kn_guards`)).toEqual([{ id: 1, done: true }]);
    expect((await balanceOf(db, a)).posted).toBe(789);
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('a row another writer moved is not planned on from memory for a while: its batches go the locked way at once', async () => {
    const db = opened.db;
    const a = consumer('usr_mva');
    const b = consumer('usr_mvb');
    await fund(db, 'mv-in', [a, 1000], [b, 1000]);
    await db.execute(sql`create sequence mv_guard_runs`);
    await db.execute(sql`create table mv_guards (id int primary key, done boolean not null default false)`);
    await db.execute(sql`insert into mv_guards select g from generate_series(1, 3) g`);
    // The guard counts its runs, also in a transaction rolled back: a sequence does not go back.
    const guarded = (id: number) =>
      postTransaction(db, {
        key: `mv-${id}`,
        kind: 'move',
        transfers: [{ debit: a, credit: b, amount: id }],
        guard: sql`update mv_guards set done = nextval('mv_guard_runs') > 0 where id = ${id} and not done returning id`,
      });
    const elsewhere = (key: string) =>
      db.transaction((tx) =>
        postTransaction(tx, { key, kind: 'move', transfers: [{ debit: a, credit: b, amount: 10 }] }),
      );
    const guardRuns = async () => {
      const [seq] = await query<{ last_value: string; is_called: boolean }>(
        db,
        sql`select last_value, is_called from mv_guard_runs`,
      );
      return seq?.is_called ? Number(seq.last_value) : 0;
    };
    await guarded(1);
    expect(await guardRuns()).toBe(1);
    // Sent on the rows as remembered, refused by the lock (heads moved), then the locked way.
    await elsewhere('mv-elsewhere-1');
    await guarded(2);
    expect(await guardRuns()).toBe(3);
    // Both rows were found moved: the next batch on them is not sent on remembered rows.
    await elsewhere('mv-elsewhere-2');
    await guarded(3);
    expect(await guardRuns()).toBe(4);
    expect((await balanceOf(db, a)).posted).toBe(1000 - 1 - 10 - 2 - 10 - 3);
    expect((await balanceOf(db, b)).posted).toBe(1000 + 1 + 10 + 2 + 10 + 3);
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('a process killed with SIGKILL mid-stream loses no acknowledged transfer; retrying every key duplicates nothing', async () => {
    const db = opened.db;
    const [{ name }] = (await query<{ name: string }>(db, sql`select current_database() as name`)) as [
      { name: string },
    ];
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    url.searchParams.set('application_name', 'ledger_kill_child');
    const script = fileURLToPath(new URL('./ledger-kill.child.ts', import.meta.url));
    // Its own process group, so SIGKILL reaches the node process under npx and tsx, not just npx.
    const child = spawn('npx', ['tsx', script, url.toString(), 'kill', 'usr_killed'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    let killed = false;
    const acked: string[] = [];
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) if (line.startsWith('ack ')) acked.push(line.slice(4));
        if (acked.length >= 200 && !killed) {
          killed = true;
          process.kill(-child.pid!, 'SIGKILL');
        }
      });
      child.on('exit', () => resolve());
      child.on('error', reject);
    });
    expect(acked.length).toBeGreaterThanOrEqual(200);
    // A transaction the child had already sent whole (BEGIN through COMMIT in one write) may still
    // commit after the kill: wait until the child's backends have gone before reading what is stored.
    for (let waitedMs = 0; ; waitedMs += 50) {
      const [left] = await query<{ n: number }>(
        db,
        sql`select count(*)::int as n from pg_stat_activity where application_name = 'ledger_kill_child'`,
      );
      if (left?.n === 0) break;
      if (waitedMs > 10_000) throw new Error('the killed child still has open connections');
      await new Promise((r) => setTimeout(r, 50));
    }
    const stored = new Set(
      (
        await query<{ key: string }>(db, sql`select key from ledger_transactions where kind = 'kill_test'`)
      ).map((r) => r.key),
    );
    for (const key of acked) expect(stored.has(key), key).toBe(true);

    // Retry every key the child could have been working on: committed ones replay, the rest commit once.
    const maxIndex = Math.max(...acked.map((k) => Number(k.split('-')[2]))) + 2;
    const keys = [0, 1, 2, 3].flatMap((s) =>
      Array.from({ length: maxIndex + 1 }, (_, i) => `kill-${s}-${i}`),
    );
    const c = consumer('usr_killed');
    for (const key of keys) {
      const r = await postTransaction(db, {
        key,
        kind: 'kill_test',
        transfers: [{ debit: issued, credit: c, amount: 100 }],
      });
      expect(r.replayed).toBe(stored.has(key));
    }
    const [count] = await query<{ n: number }>(
      db,
      sql`select count(*)::int as n from ledger_transactions where kind = 'kill_test'`,
    );
    expect(count?.n).toBe(keys.length);
    expect((await balanceOf(db, c)).posted).toBe(keys.length * 100);
    expect((await verifyLedger(db)).ok).toBe(true);
  });
});
