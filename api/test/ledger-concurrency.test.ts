import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { OpenDb } from '@alliance/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccountRef,
  balanceOf,
  LedgerError,
  postPending,
  postTransaction,
  verifyLedger,
  voidPending,
} from '../ledger';
import { query } from '../ledger/sql';
import { onPostgres, openTestDb } from './test-db';

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
  let opened: OpenDb;
  beforeAll(async () => {
    opened = await openTestDb({ maxConnections: 60 });
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
