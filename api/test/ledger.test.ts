import type { OpenDb } from '@alliance/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccountRef,
  accountHistory,
  balanceOf,
  GuardNotMet,
  LedgerError,
  movementsBetween,
  postedBalanceAt,
  postedBalancesAt,
  postedTotalAt,
  postPending,
  postTransaction,
  verifyLedger,
  voidExpiredPending,
  voidPending,
} from '../ledger';
import { query } from '../ledger/sql';
import { inTransaction } from '../services/tx';
import { openTestDb } from './test-db';

let opened: OpenDb;
beforeAll(async () => {
  opened = await openTestDb();
});
afterAll(() => opened.close());

const consumer = (id: string): AccountRef => ({
  ownerType: 'consumer',
  ownerId: id,
  code: 'vouchers',
  ledger: 'vouchers',
  noOverdraft: true,
});
const issued: AccountRef = {
  ownerType: 'platform',
  ownerId: 'platform',
  code: 'vouchers.issued',
  ledger: 'vouchers',
  shards: 4,
};
const cash = (id: string): AccountRef => ({
  ownerType: 'merchant',
  ownerId: id,
  code: 'cny',
  ledger: 'cny',
  noOverdraft: true,
});

async function refusal(promise: Promise<unknown>): Promise<LedgerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LedgerError) return error;
    throw error;
  }
  throw new Error('expected a LedgerError');
}

describe('ledger transfers', () => {
  it('moves exact amounts, sums sharded platform accounts and keeps every invariant', async () => {
    const db = opened.db;
    const alice = consumer('usr_alice');
    const bob = consumer('usr_bob');
    for (let i = 0; i < 8; i++) {
      await postTransaction(db, {
        key: `issue-${i}`,
        kind: 'issue',
        transfers: [{ debit: issued, credit: alice, amount: 1250 }],
      });
    }
    const paid = await postTransaction(db, {
      key: 'pay-1',
      kind: 'gift',
      transfers: [
        { debit: alice, credit: bob, amount: 333 },
        { debit: bob, credit: issued, amount: 33 },
      ],
      meta: { note: 'two transfers' },
    });
    expect(paid.replayed).toBe(false);
    expect(paid.transferIds).toHaveLength(2);
    expect(await balanceOf(db, alice)).toEqual({
      posted: 9667,
      available: 9667,
      debitsPending: 0,
      creditsPending: 0,
    });
    expect((await balanceOf(db, bob)).posted).toBe(300);
    expect((await balanceOf(db, issued)).posted).toBe(-9967);
    const shards = await db.execute(
      sql`select count(*)::int as n from ledger_accounts where code = 'vouchers.issued'`,
    );
    const n = Number(
      (Array.isArray(shards) ? shards : (shards as { rows: unknown[] }).rows).map(
        (r) => (r as { n: number }).n,
      )[0],
    );
    expect(n).toBeGreaterThan(1);
    expect(n).toBeLessThanOrEqual(4);
    expect(await verifyLedger(db)).toMatchObject({ ok: true });
  });

  it('refuses an overdraft, writes nothing, and leaves the caller transaction usable', async () => {
    const db = opened.db;
    const carol = consumer('usr_carol');
    await postTransaction(db, {
      key: 'carol-in',
      kind: 'issue',
      transfers: [{ debit: issued, credit: carol, amount: 500 }],
    });
    const error = await refusal(
      postTransaction(db, {
        key: 'carol-out',
        kind: 'spend',
        transfers: [{ debit: carol, credit: issued, amount: 501 }],
      }),
    );
    expect(error.code).toBe('insufficient_funds');
    expect(error.details).toMatchObject({
      account: { ownerType: 'consumer', ownerId: 'usr_carol', code: 'vouchers' },
      available: 500,
      amount: 501,
    });

    // Inside a caller's transaction: catch the refusal, carry on, commit the rest.
    const ctx = { db } as Parameters<typeof inTransaction>[0];
    await inTransaction(ctx, async ({ db: tx }) => {
      const refused = await refusal(
        postTransaction(tx, {
          key: 'carol-both',
          kind: 'spend',
          transfers: [
            { debit: carol, credit: issued, amount: 200 },
            { debit: carol, credit: issued, amount: 301 },
          ],
        }),
      );
      expect(refused.code).toBe('insufficient_funds');
      await postTransaction(tx, {
        key: 'carol-small',
        kind: 'spend',
        transfers: [{ debit: carol, credit: issued, amount: 200 }],
      });
    });
    expect((await balanceOf(db, carol)).posted).toBe(300);
    // The refused key was never recorded: it can be used once funds allow.
    await postTransaction(db, {
      key: 'carol-both',
      kind: 'spend',
      transfers: [{ debit: carol, credit: issued, amount: 300 }],
    });
    expect((await balanceOf(db, carol)).posted).toBe(0);
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('replays the same key and contents, and names what differs otherwise', async () => {
    const db = opened.db;
    const dave = consumer('usr_dave');
    const input = { key: 'dave-1', kind: 'issue', transfers: [{ debit: issued, credit: dave, amount: 700 }] };
    const first = await postTransaction(db, input);
    const again = await postTransaction(db, input);
    expect(again).toEqual({ ...first, replayed: true });
    expect((await balanceOf(db, dave)).posted).toBe(700);
    const changed = await refusal(
      postTransaction(db, { ...input, transfers: [{ debit: issued, credit: dave, amount: 701 }] }),
    );
    expect(changed.code).toBe('idempotency_conflict');
    expect(changed.message).toContain('transfers.0.amount: was 700, now 701');
    // A retry replays even when the same transfer would now be refused.
    await postTransaction(db, {
      key: 'dave-spend',
      kind: 'spend',
      transfers: [{ debit: dave, credit: issued, amount: 700 }],
    });
    const retry = await postTransaction(db, {
      key: 'dave-spend',
      kind: 'spend',
      transfers: [{ debit: dave, credit: issued, amount: 700 }],
    });
    expect(retry.replayed).toBe(true);
    expect((await balanceOf(db, dave)).posted).toBe(0);
  });

  it('stores keys, kinds and meta exactly, whatever characters they hold', async () => {
    const db = opened.db;
    const writer = consumer('usr_quotes');
    // The write sends each column as one array: quotes, backslashes, braces, commas, "null" and
    // line breaks must arrive as they were.
    const odd = 'a "quoted" \\ back\\slash, {braces} null\n第二行';
    const keys = [`odd-${odd}`, 'odd-null', 'odd-plain'];
    await Promise.all(
      keys.map((key, i) =>
        postTransaction(db, {
          key,
          kind: i === 0 ? odd : 'issue',
          transfers: [{ debit: issued, credit: writer, amount: 1 + i }],
          meta:
            i === 1
              ? { reason: 'null', nested: { list: [odd, null] } }
              : i === 0
                ? { reason: odd }
                : undefined,
        }),
      ),
    );
    const rows = await query<{ key: string; kind: string; meta: unknown }>(
      db,
      sql`select key, kind, meta from ledger_transactions where key like 'odd-%' order by key`,
    );
    const parsed = rows.map((r) => ({
      ...r,
      meta: typeof r.meta === 'string' ? JSON.parse(r.meta) : r.meta,
    }));
    expect(parsed).toEqual(
      [
        { key: `odd-${odd}`, kind: odd, meta: { reason: odd } },
        { key: 'odd-null', kind: 'issue', meta: { reason: 'null', nested: { list: [odd, null] } } },
        { key: 'odd-plain', kind: 'issue', meta: null },
      ].sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
    expect((await balanceOf(db, writer)).posted).toBe(6);
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('a guard statement runs in the posting transaction: no row, nothing written; a row, both committed', async () => {
    const db = opened.db;
    const guarded = consumer('usr_guard');
    await db.execute(sql`create table guard_probe (id text primary key, done boolean not null)`);
    await db.execute(sql`insert into guard_probe values ('g1', false)`);
    const input = {
      key: 'guarded-1',
      kind: 'issue',
      transfers: [{ debit: issued, credit: guarded, amount: 300 }],
    };
    const markDone = sql`update guard_probe set done = true where id = 'g1' and not done returning id`;
    const unmet = sql`update guard_probe set done = true where id = 'nope' returning id`;
    await expect(postTransaction(db, { ...input, guard: unmet })).rejects.toBeInstanceOf(GuardNotMet);
    const accountsOfGuarded = sql`select count(*)::int as n from ledger_accounts where owner_id = 'usr_guard'`;
    expect(await query(db, accountsOfGuarded)).toEqual([{ n: 0 }]);
    expect(
      await query(db, sql`select count(*)::int as n from ledger_transactions where key = 'guarded-1'`),
    ).toEqual([{ n: 0 }]);
    const posted = await postTransaction(db, { ...input, guard: markDone });
    expect(posted.replayed).toBe(false);
    expect((await balanceOf(db, guarded)).posted).toBe(300);
    expect(await query(db, sql`select done from guard_probe`)).toEqual([{ done: true }]);
    // Done once: the same guard now matches nothing, and the posting is not replayed either.
    await expect(postTransaction(db, { ...input, guard: markDone })).rejects.toBeInstanceOf(GuardNotMet);
    expect((await balanceOf(db, guarded)).posted).toBe(300);
  });

  it('converts between units as paired transfers through platform accounts, both or neither', async () => {
    const db = opened.db;
    const vouchers = consumer('usr_conv');
    const eco: AccountRef = {
      ownerType: 'consumer',
      ownerId: 'usr_conv',
      code: 'eco_points',
      ledger: 'eco_points',
      noOverdraft: true,
    };
    const ecoIssued: AccountRef = {
      ownerType: 'platform',
      ownerId: 'platform',
      code: 'eco_points.issued',
      ledger: 'eco_points',
      shards: 4,
    };
    await postTransaction(db, {
      key: 'conv-in',
      kind: 'issue',
      transfers: [{ debit: issued, credit: vouchers, amount: 150 }],
    });
    const convert = (key: string) =>
      postTransaction(db, {
        key,
        kind: 'conversion',
        // Eco-points credited first, so a refused voucher debit must undo a transfer already applied.
        transfers: [
          { debit: ecoIssued, credit: eco, amount: 100 },
          { debit: vouchers, credit: issued, amount: 100 },
        ],
      });
    await convert('conv-1');
    expect((await balanceOf(db, vouchers)).posted).toBe(50);
    expect((await balanceOf(db, eco)).posted).toBe(100);
    expect((await refusal(convert('conv-2'))).code).toBe('insufficient_funds');
    expect((await balanceOf(db, vouchers)).posted).toBe(50);
    expect((await balanceOf(db, eco)).posted).toBe(100);
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('refuses malformed transfers', async () => {
    const db = opened.db;
    const eve = consumer('usr_eve');
    const cases: Array<[string, unknown[]]> = [
      ['zero', [{ debit: issued, credit: eve, amount: 0 }]],
      ['fraction', [{ debit: issued, credit: eve, amount: 1.5 }]],
      ['cross-ledger', [{ debit: cash('mer_x'), credit: eve, amount: 1 }]],
      ['same account', [{ debit: eve, credit: eve, amount: 1 }]],
      ['empty', []],
    ];
    for (const [name, transfers] of cases) {
      const error = await refusal(
        postTransaction(db, { key: `bad-${name}`, kind: 'x', transfers: transfers as never }),
      );
      expect(error.code, name).toBe('invalid_transfer');
    }
  });

  it('keeps explicit limits: 10^12 per transfer, 10^15 per account total; sums stay exact past 2^53', async () => {
    const db = opened.db;
    const rich = consumer('usr_rich');
    const tooBig = await refusal(
      postTransaction(db, {
        key: 'limit-transfer',
        kind: 'x',
        transfers: [{ debit: issued, credit: rich, amount: 1e12 + 1 }],
      }),
    );
    expect(tooBig.code).toBe('limit_exceeded');
    // 10^15 in 1,000 transfers of 10^12: the account is at its limit, exactly. Each batch comes from
    // its own platform source, so no debit side nears the limit whatever shard a batch lands on.
    const source = (name: string): AccountRef => ({
      ownerType: 'platform',
      ownerId: 'platform',
      code: `test.source.${name}`,
      ledger: 'vouchers',
    });
    for (let batch = 0; batch < 10; batch++) {
      await postTransaction(db, {
        key: `limit-fill-${batch}`,
        kind: 'x',
        transfers: Array.from({ length: 100 }, () => ({
          debit: source(`a${batch}`),
          credit: rich,
          amount: 1e12,
        })),
      });
    }
    expect((await balanceOf(db, rich)).posted).toBe(1e15);
    const over = await refusal(
      postTransaction(db, {
        key: 'limit-over',
        kind: 'x',
        transfers: [{ debit: issued, credit: rich, amount: 1 }],
      }),
    );
    expect(over.code).toBe('limit_exceeded');
    expect((await balanceOf(db, rich)).posted).toBe(1e15);
    // A second account as large: the ledger's sums over both stay exact.
    const second = consumer('usr_rich_2');
    for (let batch = 0; batch < 10; batch++) {
      await postTransaction(db, {
        key: `limit-fill-2-${batch}`,
        kind: 'x',
        transfers: Array.from({ length: 100 }, () => ({
          debit: source(`b${batch}`),
          credit: second,
          amount: 1e12 - 1,
        })),
      });
    }
    expect((await balanceOf(db, second)).posted).toBe(1e15 - 1000);
    const verified = await verifyLedger(db);
    expect(verified.checks.filter((c) => !c.ok)).toEqual([]);
  });
});

describe('two-phase transfers', () => {
  it('holds a pending debit against the balance, posts part, releases the rest, exactly once', async () => {
    const db = opened.db;
    const frank = consumer('usr_frank');
    await postTransaction(db, {
      key: 'frank-in',
      kind: 'issue',
      transfers: [{ debit: issued, credit: frank, amount: 1000 }],
    });
    const hold = await postTransaction(db, {
      key: 'frank-hold',
      kind: 'withdraw',
      transfers: [{ debit: frank, credit: issued, amount: 800, pending: {} }],
    });
    expect(await balanceOf(db, frank)).toEqual({
      posted: 1000,
      available: 200,
      debitsPending: 800,
      creditsPending: 0,
    });
    expect(
      (
        await refusal(
          postTransaction(db, {
            key: 'frank-x',
            kind: 'spend',
            transfers: [{ debit: frank, credit: issued, amount: 201 }],
          }),
        )
      ).code,
    ).toBe('insufficient_funds');
    const pendingId = hold.transferIds[0] as number;
    const posted = await postPending(db, { key: 'frank-post', pendingTransferId: pendingId, amount: 600 });
    expect(posted.replayed).toBe(false);
    expect(await balanceOf(db, frank)).toEqual({
      posted: 400,
      available: 400,
      debitsPending: 0,
      creditsPending: 0,
    });
    expect(await postPending(db, { key: 'frank-post', pendingTransferId: pendingId, amount: 600 })).toEqual({
      ...posted,
      replayed: true,
    });
    expect((await refusal(voidPending(db, { key: 'frank-void', pendingTransferId: pendingId }))).code).toBe(
      'pending_already_resolved',
    );
    expect(
      (await refusal(postPending(db, { key: 'frank-post', pendingTransferId: pendingId, amount: 500 }))).code,
    ).toBe('idempotency_conflict');
    expect((await refusal(voidPending(db, { key: 'nope', pendingTransferId: 999999 }))).code).toBe(
      'pending_not_found',
    );
    expect(
      (await refusal(voidPending(db, { key: 'nope', pendingTransferId: posted.transferIds[0] as number })))
        .code,
    ).toBe('pending_not_found');
    expect((await verifyLedger(db)).ok).toBe(true);
  });

  it('voids, refuses over-posting, and the job voids what timed out', async () => {
    const db = opened.db;
    const gina = consumer('usr_gina');
    await postTransaction(db, {
      key: 'gina-in',
      kind: 'issue',
      transfers: [{ debit: issued, credit: gina, amount: 1000 }],
    });
    const a = await postTransaction(db, {
      key: 'gina-a',
      kind: 'hold',
      transfers: [{ debit: gina, credit: issued, amount: 100, pending: {} }],
    });
    const aId = a.transferIds[0] as number;
    expect(
      (await refusal(postPending(db, { key: 'gina-a-over', pendingTransferId: aId, amount: 101 }))).code,
    ).toBe('invalid_transfer');
    await voidPending(db, { key: 'gina-a-void', pendingTransferId: aId });
    expect(await balanceOf(db, gina)).toEqual({
      posted: 1000,
      available: 1000,
      debitsPending: 0,
      creditsPending: 0,
    });

    const now = new Date('2026-11-30T02:00:00Z');
    const b = await postTransaction(db, {
      key: 'gina-b',
      kind: 'hold',
      now,
      transfers: [
        {
          debit: gina,
          credit: issued,
          amount: 300,
          pending: { timeoutAt: new Date(now.getTime() + 60_000) },
        },
      ],
    });
    const bId = b.transferIds[0] as number;
    expect(await voidExpiredPending(db, new Date(now.getTime() + 59_999))).toBe(0);
    expect((await balanceOf(db, gina)).available).toBe(700);
    expect(await voidExpiredPending(db, new Date(now.getTime() + 60_000))).toBe(1);
    expect((await balanceOf(db, gina)).available).toBe(1000);
    expect((await refusal(postPending(db, { key: 'gina-b-post', pendingTransferId: bId }))).code).toBe(
      'pending_already_resolved',
    );
    expect(await voidExpiredPending(db, new Date(now.getTime() + 120_000))).toBe(0);
    expect((await verifyLedger(db)).ok).toBe(true);
  });
});

describe('balances at an instant', () => {
  it('equal the posted entries before it, pending holds excluded until posted; movements per transaction', async () => {
    const db = opened.db;
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 10, minute));
    const carol = consumer('usr_carol_at');
    const dave = consumer('usr_dave_at');
    await postTransaction(db, {
      key: 'at:1',
      kind: 'test',
      transfers: [{ debit: issued, credit: carol, amount: 1_000 }],
      meta: { step: 1 },
      now: at(1),
    });
    await postTransaction(db, {
      key: 'at:2',
      kind: 'test',
      transfers: [
        { debit: carol, credit: dave, amount: 300 },
        { debit: issued, credit: dave, amount: 50 },
      ],
      now: at(2),
    });
    const hold = await postTransaction(db, {
      key: 'at:3',
      kind: 'test',
      transfers: [{ debit: carol, credit: dave, amount: 200, pending: {} }],
      now: at(3),
    });
    await postPending(db, { key: 'at:4', pendingTransferId: hold.transferIds[0]!, amount: 120, now: at(4) });

    const kinds = [{ ownerType: 'consumer' as const, code: 'vouchers' }];
    const mine = async (instant: Date) =>
      Object.fromEntries(
        (await postedBalancesAt(db, instant, kinds))
          .filter((b) => b.ownerId.endsWith('_at'))
          .map((b) => [b.ownerId, b.posted]),
      );
    expect(await mine(at(1))).toEqual({ usr_carol_at: 0n, usr_dave_at: 0n });
    expect(await mine(at(2))).toEqual({ usr_carol_at: 1_000n, usr_dave_at: 0n });
    expect(await mine(at(3))).toEqual({ usr_carol_at: 700n, usr_dave_at: 350n });
    // The hold moves nothing posted; the post of 120 at minute 4 does.
    expect(await mine(at(4))).toEqual({ usr_carol_at: 700n, usr_dave_at: 350n });
    expect(await mine(at(5))).toEqual({ usr_carol_at: 580n, usr_dave_at: 470n });
    expect(await postedBalanceAt(db, carol, at(3))).toBe(700n);
    expect(await postedBalanceAt(db, dave, at(5))).toBe(470n);
    const everyone = await postedTotalAt(db, at(5), kinds);
    const platform = await postedTotalAt(db, at(5), [{ ownerType: 'platform', code: 'vouchers.issued' }]);
    // A ledger sums to zero at every instant.
    expect(everyone + platform).toBe(0n);

    // Both ways of reading give the same movements.
    for (const by of ['window', 'account'] as const) {
      const moves = await movementsBetween(db, [carol], at(2), at(5), by);
      expect(moves.map((m) => [m.key, m.net])).toEqual([
        ['at:2', -300n],
        ['at:4', -120n],
      ]);
      expect((await movementsBetween(db, [carol, dave], at(1), at(2), by))[0]).toMatchObject({
        key: 'at:1',
        kind: 'test',
        meta: { step: 1 },
        net: 1_000n,
      });
      // Between the two, carol's 300 to dave nets out; the hold posts nothing until its post.
      expect((await movementsBetween(db, [carol, dave], at(2), null, by)).map((m) => [m.key, m.net])).toEqual(
        [
          ['at:2', 50n],
          ['at:4', 0n],
        ],
      );
    }
  });
});

describe('history', () => {
  it('pages an account history newest first with signed amounts and balances', async () => {
    const db = opened.db;
    const hal = consumer('usr_hal');
    for (let i = 1; i <= 5; i++) {
      await postTransaction(db, {
        key: `hal-${i}`,
        kind: 'issue',
        transfers: [{ debit: issued, credit: hal, amount: i * 100 }],
        meta: { i },
      });
    }
    await postTransaction(db, {
      key: 'hal-spend',
      kind: 'spend',
      transfers: [{ debit: hal, credit: issued, amount: 250 }],
    });
    const first = await accountHistory(db, hal, { limit: 4 });
    expect(first.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ['spend', -250, 1250],
      ['issue', 500, 1500],
      ['issue', 400, 1000],
      ['issue', 300, 600],
    ]);
    expect(first[1]?.meta).toEqual({ i: 5 });
    const second = await accountHistory(db, hal, { limit: 4, beforeTransferId: first.at(-1)!.transferId });
    expect(second.map((e) => e.amount)).toEqual([200, 100]);
    expect(await accountHistory(db, consumer('usr_nobody'), { limit: 10 })).toEqual([]);
  });
});

// Last in this file: it leaves this file's ledger broken on purpose.
describe('tamper evidence', () => {
  it('refuses edits of transfers, and verify names the first broken link when someone forces one', async () => {
    const db = opened.db;
    const ivy = consumer('usr_ivy');
    await postTransaction(db, {
      key: 'ivy-1',
      kind: 'issue',
      transfers: [{ debit: issued, credit: ivy, amount: 100 }],
    });
    const target = await postTransaction(db, {
      key: 'ivy-2',
      kind: 'issue',
      transfers: [{ debit: issued, credit: ivy, amount: 200 }],
    });
    await postTransaction(db, {
      key: 'ivy-3',
      kind: 'issue',
      transfers: [{ debit: issued, credit: ivy, amount: 300 }],
    });
    const id = target.transferIds[0] as number;
    await expect(
      db.execute(sql`update ledger_transfers set amount = 2000 where id = ${id}`),
    ).rejects.toThrow();
    await expect(db.execute(sql`delete from ledger_transfers where id = ${id}`)).rejects.toThrow();
    expect((await verifyLedger(db)).ok).toBe(true);

    // What only someone with the owner's rights could do: switch the guard off and edit the row.
    await db.execute(sql`alter table ledger_transfers disable trigger ledger_transfers_append_only`);
    await db.execute(
      sql`update ledger_transfers set amount = 2000, credit_balance_after = credit_balance_after + 1800 where id = ${id}`,
    );
    await db.execute(sql`alter table ledger_transfers enable trigger ledger_transfers_append_only`);
    const result = await verifyLedger(db);
    expect(result.ok).toBe(false);
    const chain = result.checks.find((c) => c.name === 'hash_chain');
    expect(chain?.ok).toBe(false);
    expect(chain?.detail).toMatch(
      new RegExp(`^first broken link: transfer ${id}, account \\d+: transfer ${id} does not match its hash`),
    );
    expect(result.checks.find((c) => c.name === 'balances_match_transfers')?.ok).toBe(false);
  });
});
