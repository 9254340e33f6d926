import { type DbOrTx, isTransaction, perDb, schema } from '@alliance/db';
import { and, eq, or, type Placeholder, sql } from 'drizzle-orm';
import { query } from './sql';
import type { AccountRef } from './types';

export interface Balance {
  /** credits posted - debits posted */
  posted: number;
  /** what can still be spent: posted minus pending debits */
  available: number;
  debitsPending: number;
  creditsPending: number;
}

/** Balance of a logical account (all its shards); zero for an account never used. */
export async function balanceOf(db: DbOrTx, ref: AccountRef): Promise<Balance> {
  const a = schema.ledgerAccounts;
  const [row] = await db
    .select({
      debitsPosted: sql<string>`coalesce(sum(${a.debitsPosted}), 0)`,
      creditsPosted: sql<string>`coalesce(sum(${a.creditsPosted}), 0)`,
      debitsPending: sql<string>`coalesce(sum(${a.debitsPending}), 0)`,
      creditsPending: sql<string>`coalesce(sum(${a.creditsPending}), 0)`,
    })
    .from(a)
    .where(and(eq(a.ownerType, ref.ownerType), eq(a.ownerId, ref.ownerId), eq(a.code, ref.code)));
  const posted = Number(row?.creditsPosted ?? 0) - Number(row?.debitsPosted ?? 0);
  const debitsPending = Number(row?.debitsPending ?? 0);
  return {
    posted,
    available: posted - debitsPending,
    debitsPending,
    creditsPending: Number(row?.creditsPending ?? 0),
  };
}

type RefKey = Pick<AccountRef, 'ownerType' | 'ownerId' | 'code'>;

function selectBalances(db: DbOrTx, refs: ReadonlyArray<{ [K in keyof RefKey]: RefKey[K] | Placeholder }>) {
  const a = schema.ledgerAccounts;
  return db
    .select({
      ownerType: a.ownerType,
      ownerId: a.ownerId,
      code: a.code,
      debitsPosted: sql<string>`coalesce(sum(${a.debitsPosted}), 0)`,
      creditsPosted: sql<string>`coalesce(sum(${a.creditsPosted}), 0)`,
      debitsPending: sql<string>`coalesce(sum(${a.debitsPending}), 0)`,
      creditsPending: sql<string>`coalesce(sum(${a.creditsPending}), 0)`,
    })
    .from(a)
    .where(
      or(...refs.map((r) => and(eq(a.ownerType, r.ownerType), eq(a.ownerId, r.ownerId), eq(a.code, r.code)))),
    )
    .groupBy(a.ownerType, a.ownerId, a.code);
}

/** Prepared per database handle and number of refs (up to a few: the wallet asks for two). */
const maxPreparedRefs = 4;
const preparedBalances = perDb((db) =>
  Array.from({ length: maxPreparedRefs + 1 }, (_, n) =>
    selectBalances(
      db,
      Array.from({ length: n }, (_, i) => ({
        ownerType: sql.placeholder(`t${i}`),
        ownerId: sql.placeholder(`o${i}`),
        code: sql.placeholder(`c${i}`),
      })),
    ).prepare(`ledger_balances_${n}`),
  ),
);

/** The balance of each of `refs` (all shards of each), in one query. */
export async function balancesOf(db: DbOrTx, refs: readonly AccountRef[]): Promise<Balance[]> {
  if (refs.length === 0) return [];
  const rows =
    isTransaction(db) || refs.length > maxPreparedRefs
      ? await selectBalances(db, refs)
      : await preparedBalances(db)[refs.length]!.execute(
          Object.fromEntries(
            refs.flatMap((r, i) => [
              [`t${i}`, r.ownerType],
              [`o${i}`, r.ownerId],
              [`c${i}`, r.code],
            ]),
          ),
        );
  const byName = new Map(rows.map((r) => [`${r.ownerType}:${r.ownerId}:${r.code}`, r]));
  return refs.map((r) => {
    const row = byName.get(`${r.ownerType}:${r.ownerId}:${r.code}`);
    const posted = Number(row?.creditsPosted ?? 0) - Number(row?.debitsPosted ?? 0);
    const debitsPending = Number(row?.debitsPending ?? 0);
    return {
      posted,
      available: posted - debitsPending,
      debitsPending,
      creditsPending: Number(row?.creditsPending ?? 0),
    };
  });
}

/** What can still be spent on each of `refs` (posted minus pending debits), in one query. */
export async function availableBalances(db: DbOrTx, refs: readonly AccountRef[]): Promise<number[]> {
  return (await balancesOf(db, refs)).map((b) => b.available);
}

/** Which accounts: an owner type and an account code (every owner's account of that kind). */
export interface AccountKind {
  ownerType: AccountRef['ownerType'];
  code: string;
}

export interface BalanceAt {
  ownerType: string;
  ownerId: string;
  code: string;
  /** Posted balance (credits - debits) of the logical account (all shards) at the instant. */
  posted: bigint;
}

const postedEffect = sql`t.type in ('single', 'post')`;

/**
 * Posted balances at `at` of every account of the given kinds, one row per logical account that
 * has ever been used. Computed as the balance columns now minus the posted transfers created at or
 * after `at`: equal to the sum of the entries before `at` as long as each balance equals its
 * transfers (verifyLedger's balances_match_transfers), and for a recent instant it reads few rows.
 */
export async function postedBalancesAt(db: DbOrTx, at: Date, kinds: AccountKind[]): Promise<BalanceAt[]> {
  if (kinds.length === 0) return [];
  const rows = await query<{ owner_type: string; owner_id: string; code: string; posted: string }>(
    db,
    sql`with a as (
          select id, owner_type, owner_id, code, credits_posted - debits_posted as posted from ledger_accounts
          where (owner_type, code) in (${kindTuples(kinds)})
        ), later as (
          select t.debit_account_id as id, t.amount as undo from ledger_transfers t
          where t.created_at >= ${at.toISOString()}::timestamptz and ${postedEffect}
            and t.debit_account_id in (select id from a)
          union all
          select t.credit_account_id, -t.amount from ledger_transfers t
          where t.created_at >= ${at.toISOString()}::timestamptz and ${postedEffect}
            and t.credit_account_id in (select id from a)
        ), undo as (select id, sum(undo) as undo from later group by id)
        select a.owner_type, a.owner_id, a.code, sum(a.posted + coalesce(undo.undo, 0))::text as posted
        from a left join undo on undo.id = a.id
        group by a.owner_type, a.owner_id, a.code`,
  );
  return rows.map((r) => ({
    ownerType: r.owner_type,
    ownerId: r.owner_id,
    code: r.code,
    posted: BigInt(r.posted),
  }));
}

/** The sum of postedBalancesAt over all owners of the given kinds. */
export async function postedTotalAt(db: DbOrTx, at: Date, kinds: AccountKind[]): Promise<bigint> {
  if (kinds.length === 0) return 0n;
  const [row] = await query<{ posted: string | null }>(
    db,
    sql`with a as (
          select id, credits_posted - debits_posted as posted from ledger_accounts
          where (owner_type, code) in (${kindTuples(kinds)})
        ), later as (
          select sum(case when t.debit_account_id in (select id from a) then t.amount else 0 end
                   - case when t.credit_account_id in (select id from a) then t.amount else 0 end) as undo
          from ledger_transfers t
          where t.created_at >= ${at.toISOString()}::timestamptz and ${postedEffect}
            and (t.debit_account_id in (select id from a) or t.credit_account_id in (select id from a))
        )
        select ((select coalesce(sum(posted), 0) from a) + (select coalesce(undo, 0) from later))::text as posted`,
  );
  return BigInt(row?.posted ?? '0');
}

/** Posted balance of one logical account at `at`: its balance now without what moved since. */
export async function postedBalanceAt(db: DbOrTx, ref: AccountRef, at: Date): Promise<bigint> {
  const [now, since] = await Promise.all([
    balanceOf(db, ref),
    movementsBetween(db, [ref], at, null, 'account'),
  ]);
  return since.reduce((balance, m) => balance - m.net, BigInt(now.posted));
}

export interface Movement {
  transactionId: number;
  key: string;
  kind: string;
  meta: Record<string, unknown> | null;
  /** Net posted effect on the given accounts: credits - debits. */
  net: bigint;
}

/**
 * Every transaction that moved the given accounts with transfers created in [from, to) (no `to`:
 * up to now), in id order. `by` says which side is small: 'window' reads the window's transfers
 * and keeps the accounts' (a day of accounts whose history is long, such as clearing accounts);
 * 'account' walks each account's own transfers (a holder's statement, whose window may be all time).
 */
export async function movementsBetween(
  db: DbOrTx,
  refs: AccountRef[],
  from: Date,
  to: Date | null,
  by: 'window' | 'account',
): Promise<Movement[]> {
  if (refs.length === 0) return [];
  const tuples = sql.join(
    refs.map((r) => sql`(${r.ownerType}::text, ${r.ownerId}::text, ${r.code}::text)`),
    sql`, `,
  );
  const within = sql`t.created_at >= ${from.toISOString()}::timestamptz
    ${to ? sql`and t.created_at < ${to.toISOString()}::timestamptz` : sql``} and ${postedEffect}`;
  // By window: its transfers first (an index range on created_at; the upper bound only when there
  // is one, so a prepared plan keeps it), then each side joined to the few accounts, whose own
  // index would walk all of their history. By account: each account's index on either side.
  const entries =
    by === 'window'
      ? sql`t as materialized (
          select transaction_id, debit_account_id, credit_account_id, amount from ledger_transfers t where ${within}
        ), e as (
          select t.transaction_id, -t.amount as net from t join a on a.id = t.debit_account_id
          union all
          select t.transaction_id, t.amount from t join a on a.id = t.credit_account_id
        )`
      : sql`e as (
          select t.transaction_id, -t.amount as net from a join ledger_transfers t on t.debit_account_id = a.id where ${within}
          union all
          select t.transaction_id, t.amount from a join ledger_transfers t on t.credit_account_id = a.id where ${within}
        )`;
  const rows = await query<{ id: string | number; key: string; kind: string; meta: unknown; net: string }>(
    db,
    sql`with a as (select id from ledger_accounts where (owner_type, owner_id, code) in (${tuples})),
        ${entries}, m as (select transaction_id, sum(net) as net from e group by transaction_id)
        select x.id, x.key, x.kind, x.meta, m.net::text as net
        from m join ledger_transactions x on x.id = m.transaction_id order by x.id`,
  );
  return rows.map((r) => ({
    transactionId: Number(r.id),
    key: r.key,
    kind: r.kind,
    meta: (typeof r.meta === 'string' ? JSON.parse(r.meta) : r.meta) as Record<string, unknown> | null,
    net: BigInt(r.net),
  }));
}

function kindTuples(kinds: AccountKind[]) {
  return sql.join(
    kinds.map((k) => sql`(${k.ownerType}::text, ${k.code}::text)`),
    sql`, `,
  );
}
