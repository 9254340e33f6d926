import { createHash } from 'node:crypto';
import {
  type Db,
  type DbOrTx,
  isTransaction,
  perDb,
  pgErrorCode,
  retrying,
  transactionWithRetry,
} from '@alliance/db';
import { fillPlaceholders, type Query, SQL, sql } from 'drizzle-orm';
import { canonicalJson } from '../ids';
import { LedgerError, maxAccountTotal, maxTransferAmount } from './errors';
import { type Bound, query, render, type Statement } from './sql';
import type { AccountRef, PostResult, TransferInput } from './types';

export type TransferType = 'single' | 'pending' | 'post' | 'void';

interface AccountRow {
  id: number;
  ownerType: string;
  ownerId: string;
  code: string;
  shard: number;
  ledger: string;
  noOverdraft: boolean;
  debitsPending: number;
  debitsPosted: number;
  creditsPending: number;
  creditsPosted: number;
  headHash: string;
}

/** An account row a posting needs: its logical name, shard and flags. */
type WantedAccount = Pick<AccountRow, 'ownerType' | 'ownerId' | 'code' | 'shard' | 'ledger' | 'noOverdraft'>;

/** The balance columns of one account row as a transaction changes them (before it writes). */
interface Working extends AccountRow {
  start: { dPend: number; dPost: number; cPend: number; cPost: number; head: string };
}

/** One transfer ready to insert; `hash` chains it to both accounts' previous heads. */
interface PlannedTransfer {
  ledger: string;
  debitAccountId: number;
  creditAccountId: number;
  amount: number;
  type: TransferType;
  pendingId: number | null;
  timeoutAt: Date | null;
  debitBalanceAfter: number;
  creditBalanceAfter: number;
  debitPrevHash: string;
  creditPrevHash: string;
  hash: string;
}

/** What a transfer's hash covers, in this order; verify.ts (chainsHold) recomputes the same JSON in SQL. */
export function transferHashInput(t: {
  key: string;
  ledger: string;
  debitAccountId: number;
  creditAccountId: number;
  amount: number;
  type: string;
  pendingId: number | null;
  timeoutAt: Date | null;
  debitBalanceAfter: number;
  creditBalanceAfter: number;
  createdAt: Date;
  debitPrevHash: string;
  creditPrevHash: string;
}): string {
  return canonicalJson([
    t.key,
    t.ledger,
    t.debitAccountId,
    t.creditAccountId,
    t.amount,
    t.type,
    t.pendingId,
    t.timeoutAt ? t.timeoutAt.getTime() : null,
    t.debitBalanceAfter,
    t.creditBalanceAfter,
    t.createdAt.getTime(),
    t.debitPrevHash,
    t.creditPrevHash,
  ]);
}

/**
 * Synchronous SHA-256 (hex) for the write path: ids.ts's WebCrypto version costs a thread-pool
 * hop per hash. node:crypto is available on Node and on Workers with nodejs_compat.
 */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Thrown inside the (sub)transaction when the key already exists, to roll back what it touched. */
class KeyExists {}

/** Thrown before any write when an account must be created but no savepoint could undo that. */
class AccountsMissing {}

/** A posting's `guard` statement returned no row: nothing was written (see PostTransactionInput). */
export class GuardNotMet extends Error {
  constructor() {
    super('ledger: the guard statement matched no row; nothing was posted');
  }
}

const logicalName = (r: { ownerType: string; ownerId: string; code: string }) =>
  `${r.ownerType}:${r.ownerId}:${r.code}`;

/** Runs one statement of a ledger write; `last` marks the statement the commit may follow at once. */
type Run = <T = Record<string, unknown>>(statement: Statement, options?: { last?: boolean }) => Promise<T[]>;

/** `undoable`: a refusal after a write would roll that write back (own transaction or savepoint). */
type Work<T> = (run: Run, undoable: boolean) => Promise<T>;

const drizzleRun =
  (tx: DbOrTx): Run =>
  (statement) =>
    query(tx, statement);

interface PostgresJsConnection {
  unsafe(
    text: string,
    params?: unknown[],
    options?: { prepare?: boolean },
  ): Promise<unknown[]> & { execute(): unknown };
  release(): void;
}
interface PostgresJsClient {
  reserve(): Promise<PostgresJsConnection>;
}

/**
 * Runs `work` atomically: in a transaction of its own retried on deadlock/serialization failure,
 * or inside the caller's transaction. There, a posting decides every refusal (funds, limits, a key
 * seen before) by reading, before its one writing statement, so it needs no savepoint (two round
 * trips less) unless it must first create an account; `savepoint: 'always'` is for writes that
 * learn of a refusal from a failed statement (a pending transfer resolved twice). On postgres.js
 * the own transaction is pipelined: BEGIN travels with the first statement and COMMIT with the
 * last, so a transfer costs two round trips instead of four.
 */
async function atomically<T>(
  db: DbOrTx,
  work: Work<T>,
  savepoint: 'always' | 'to create accounts',
): Promise<T> {
  if (isTransaction(db)) {
    if (savepoint === 'always') return db.transaction((sp) => work(drizzleRun(sp), true));
    try {
      return await work(drizzleRun(db), false);
    } catch (error) {
      if (!(error instanceof AccountsMissing)) throw error;
      return db.transaction((sp) => work(drizzleRun(sp), true));
    }
  }
  const own = pipelined(db);
  if (!own) return transactionWithRetry(db, (tx) => work(drizzleRun(tx), true));
  return retrying(() => own(work));
}

/**
 * One transaction of its own on a reserved postgres.js connection, not retried: BEGIN travels with
 * the first statement and COMMIT with the last. Null on any other driver (PGlite).
 */
function pipelined(db: Db): (<T>(work: Work<T>) => Promise<T>) | null {
  const internals = db as unknown as {
    $client?: Partial<PostgresJsClient>;
    dialect: { sqlToQuery(s: SQL): { sql: string; params: unknown[] } };
  };
  const client = internals.$client;
  if (typeof client?.reserve !== 'function') return null;
  return async <T>(work: Work<T>) => {
    const conn = await (client as PostgresJsClient).reserve();
    let open = false;
    let committed = false;
    const run: Run = async <R>(statement: Statement, options?: { last?: boolean }) => {
      const { sql: text, params } =
        statement instanceof SQL
          ? internals.dialect.sqlToQuery(statement)
          : { sql: statement.query.sql, params: fillPlaceholders(statement.query.params, statement.values) };
      const begin = open ? null : conn.unsafe('begin');
      open = true;
      const result = conn.unsafe(text, params, { prepare: true });
      const commit = options?.last ? conn.unsafe('commit') : null;
      // Start all of them now so they share one network flush; await in order.
      begin?.execute();
      result.execute();
      commit?.execute();
      if (begin) await begin;
      try {
        const rows = (await result) as R[];
        if (commit) {
          await commit;
          committed = true;
        }
        return rows;
      } catch (error) {
        // COMMIT after a failed statement ends the transaction as a rollback.
        if (commit) {
          await commit.catch(() => {});
          open = false;
        }
        throw error;
      }
    };
    try {
      const out = await work(run, true);
      if (open && !committed) await conn.unsafe('commit');
      return out;
    } catch (error) {
      if (open && !committed) await conn.unsafe('rollback').catch(() => {});
      throw error;
    } finally {
      conn.release();
    }
  };
}

/** The outcome of a key seen before: the original result, or a conflict naming what differs. */
async function replayOrConflict(db: DbOrTx, key: string, contents: unknown): Promise<PostResult | null> {
  const [existing] = await query<{
    id: string | number;
    contents: unknown;
    transfer_ids: Array<string | number>;
  }>(
    db,
    sql`select t.id, t.contents,
          coalesce((select array_agg(r.id order by r.id) from ledger_transfers r where r.transaction_id = t.id), '{}') as transfer_ids
        from ledger_transactions t where t.key = ${key}`,
  );
  if (!existing) return null;
  const stored = typeof existing.contents === 'string' ? JSON.parse(existing.contents) : existing.contents;
  const differences = diff(stored, contents, '');
  if (differences.length > 0) {
    throw new LedgerError(
      'idempotency_conflict',
      `Key ${key} was used with different contents: ${differences.slice(0, 5).join('; ')}`,
      { key, differences },
    );
  }
  return {
    transactionId: Number(existing.id),
    transferIds: existing.transfer_ids.map(Number),
    replayed: true,
  };
}

function diff(a: unknown, b: unknown, path: string): string[] {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) =>
      diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  }
  return canonicalJson(a ?? null) === canonicalJson(b ?? null)
    ? []
    : [`${path || 'contents'}: was ${canonicalJson(a ?? null)}, now ${canonicalJson(b ?? null)}`];
}

/** Runs a write, turning "key exists" and "pending already resolved" into their replay or error. */
async function writeOnce(
  db: DbOrTx,
  key: string,
  contents: unknown,
  work: Work<PostResult>,
  savepoint: 'always' | 'to create accounts',
): Promise<PostResult> {
  try {
    return await atomically(db, work, savepoint);
  } catch (error) {
    // A retry must replay even if the same transfers would now be refused (funds spent since).
    if (error instanceof LedgerError && error.code !== 'idempotency_conflict') {
      const replay = await replayOrConflict(db, key, contents);
      if (replay) return replay;
      throw error;
    }
    if (error instanceof KeyExists) {
      const replay = await replayOrConflict(db, key, contents);
      if (replay) return replay;
      throw new Error(`ledger: key ${key} reported as existing but not found`);
    }
    const code = pgErrorCode(error);
    if (code === '23505' && /resolves_pending_once/.test(messages(error))) {
      const replay = await replayOrConflict(db, key, contents);
      if (replay) return replay;
      throw new LedgerError('pending_already_resolved', 'This pending transfer was already posted or voided');
    }
    // The CHECK constraints are the backstop should the row-level check above ever miss a case.
    if (code === '23514') throw new LedgerError('insufficient_funds', 'The database refused an overdraft');
    throw error;
  }
}

function messages(error: unknown): string {
  const out: string[] = [];
  for (
    let e = error as { message?: unknown; cause?: unknown } | undefined, i = 0;
    e && i < 4;
    e = e.cause as typeof e, i++
  ) {
    out.push(String(e.message ?? ''));
  }
  return out.join(' | ');
}

function validateRef(ref: AccountRef, where: string): void {
  const ok =
    ref &&
    typeof ref.ownerId === 'string' &&
    ref.ownerId.length > 0 &&
    typeof ref.code === 'string' &&
    ref.code.length > 0 &&
    ['platform', 'merchant', 'consumer', 'supplier', 'campaign'].includes(ref.ownerType) &&
    ['cny', 'ad_points', 'vouchers', 'eco_points'].includes(ref.ledger) &&
    (ref.shards === undefined || (Number.isInteger(ref.shards) && ref.shards >= 1 && ref.shards <= 256));
  if (!ok) throw new LedgerError('invalid_transfer', `${where}: invalid account reference`, { where });
  // A per-shard overdraft check could not guard the logical balance.
  if (ref.noOverdraft && (ref.shards ?? 1) > 1) {
    throw new LedgerError('invalid_transfer', `${where}: a sharded account cannot be noOverdraft`, { where });
  }
}

const logicalRef = (r: AccountRef) => ({
  ownerType: r.ownerType,
  ownerId: r.ownerId,
  code: r.code,
  ledger: r.ledger,
});

/**
 * Locks the rows of the given accounts in id order (so concurrent transactions cannot deadlock on
 * them), creating those never used. One round trip when they all exist.
 */
const lockedColumns = sql`id, owner_type, owner_id, code, shard, ledger, debits_must_not_exceed_credits as no_overdraft,
  debits_pending, debits_posted, credits_pending, credits_posted, head_hash`;

function toWorking(r: Record<string, unknown>): Working {
  return working({
    id: Number(r.id),
    ownerType: String(r.owner_type),
    ownerId: String(r.owner_id),
    code: String(r.code),
    shard: Number(r.shard),
    ledger: String(r.ledger),
    noOverdraft: Boolean(r.no_overdraft),
    debitsPending: Number(r.debits_pending),
    debitsPosted: Number(r.debits_posted),
    creditsPending: Number(r.credits_pending),
    creditsPosted: Number(r.credits_posted),
    headHash: String(r.head_hash),
  });
}

/** A row to plan on, remembering where it started (the write sends the difference). */
function working(row: AccountRow): Working {
  const start = {
    dPend: row.debitsPending,
    dPost: row.debitsPosted,
    cPend: row.creditsPending,
    cPost: row.creditsPosted,
    head: row.headHash,
  };
  return { ...row, start };
}

async function lockAccounts(
  run: Run,
  undoable: boolean,
  wanted: WantedAccount[],
  ids?: AccountIds,
): Promise<Map<string, Working>> {
  const known = ids ? wanted.map((w) => ids.get(`${logicalName(w)}#${w.shard}`)) : [];
  if (ids && known.every((id) => id !== undefined)) {
    const out = new Map<string, Working>();
    for (const row of await lockById(run, known as number[]))
      out.set(`${logicalName(row)}#${row.shard}`, row);
    if (wanted.every((w) => out.has(`${logicalName(w)}#${w.shard}`))) return out;
  }
  const tuples = sql.join(
    wanted.map((w) => sql`(${w.ownerType}::text, ${w.ownerId}::text, ${w.code}::text, ${w.shard}::int2)`),
    sql`, `,
  );
  const select = () =>
    run(
      sql`select ${lockedColumns} from ledger_accounts where (owner_type, owner_id, code, shard) in (${tuples})
          order by id for update`,
    );
  let rows = await select();
  if (rows.length < wanted.length) {
    // The new rows would outlive a refusal in the caller's transaction.
    if (!undoable) throw new AccountsMissing();
    const sorted = [...wanted].sort((a, b) =>
      `${logicalName(a)}#${a.shard}` < `${logicalName(b)}#${b.shard}` ? -1 : 1,
    );
    await run(
      sql`insert into ledger_accounts (ledger, owner_type, owner_id, code, shard, debits_must_not_exceed_credits)
          values ${sql.join(
            sorted.map(
              (w) =>
                sql`(${w.ledger}, ${w.ownerType}, ${w.ownerId}, ${w.code}, ${w.shard}, ${w.noOverdraft})`,
            ),
            sql`, `,
          )}
          on conflict do nothing`,
    );
    rows = await select();
  }
  const out = new Map<string, Working>();
  for (const row of rows.map(toWorking)) {
    const key = `${logicalName(row)}#${row.shard}`;
    out.set(key, row);
    if (ids && ids.size < maxKnownAccounts) ids.set(key, row.id);
  }
  return out;
}

/**
 * Account ids by logical name and shard, learnt from the rows a process locked. Rows are never
 * deleted and never change name, so an id stays right; one whose row turns out missing or another
 * (its creation rolled back, another database) only sends the lock back to the lookup by name.
 */
type AccountIds = Map<string, number>;
const maxKnownAccounts = 100_000;

const lockByIdQuery = render(
  sql`select ${lockedColumns} from ledger_accounts where id = any(${sql.placeholder('ids')}::int8[]) order by id for update`,
);

/**
 * Locks account rows by primary key in id order, and fails (division by zero) unless each is still
 * at the head given for it: for a batch planned before the lock, on the rows as its process last
 * committed them (GroupCommit), sent in the same round trip as its write.
 */
const lockAtHeadsQuery = render(
  sql`with locked as (
      select id, head_hash from ledger_accounts where id = any(${sql.placeholder('ids')}::int8[]) order by id for update
    )
    select 1 / (case when count(*) = cardinality(${sql.placeholder('ids')}::int8[]) then 1 else 0 end) as at_heads
    from locked join unnest(${sql.placeholder('ids')}::int8[], ${sql.placeholder('heads')}::text[]) as planned(id, head)
      on planned.id = locked.id and planned.head = locked.head_hash`,
);

/** Locks account rows by primary key in id order: one statement text whatever the count (issue 14). */
async function lockById(run: Run, ids: number[]): Promise<Working[]> {
  const rows = await run({ query: lockByIdQuery, values: { ids } });
  return rows.map(toWorking);
}

/** Applies one transfer to the working rows and chains its hash. */
function plan(
  key: string,
  createdAt: Date,
  debit: Working,
  credit: Working,
  t: {
    amount: number;
    type: TransferType;
    pendingId: number | null;
    timeoutAt: Date | null;
    pendingAmount?: number;
  },
): PlannedTransfer {
  const { amount, type } = t;
  if (type === 'single') {
    debit.debitsPosted += amount;
    credit.creditsPosted += amount;
  } else if (type === 'pending') {
    debit.debitsPending += amount;
    credit.creditsPending += amount;
  } else {
    const reserved = t.pendingAmount ?? 0;
    debit.debitsPending -= reserved;
    credit.creditsPending -= reserved;
    if (type === 'post') {
      debit.debitsPosted += amount;
      credit.creditsPosted += amount;
    }
  }
  if (debit.noOverdraft && debit.debitsPosted + debit.debitsPending > debit.creditsPosted) {
    throw new LedgerError(
      'insufficient_funds',
      `Account ${logicalName(debit)} has ${debit.creditsPosted - debit.debitsPosted - debit.debitsPending + amount} available, needs ${amount}`,
      {
        account: {
          ownerType: debit.ownerType,
          ownerId: debit.ownerId,
          code: debit.code,
          ledger: debit.ledger,
        },
        accountId: debit.id,
        available: debit.creditsPosted - debit.debitsPosted - debit.debitsPending + amount,
        amount,
      },
    );
  }
  for (const account of [debit, credit]) {
    if (
      Math.max(account.debitsPosted + account.debitsPending, account.creditsPosted + account.creditsPending) >
      maxAccountTotal
    ) {
      throw new LedgerError(
        'limit_exceeded',
        `Account ${logicalName(account)} would pass ${maxAccountTotal}`,
        {
          accountId: account.id,
        },
      );
    }
  }
  const base = {
    key,
    ledger: debit.ledger,
    debitAccountId: debit.id,
    creditAccountId: credit.id,
    amount,
    type,
    pendingId: t.pendingId,
    timeoutAt: t.timeoutAt,
    debitBalanceAfter: debit.creditsPosted - debit.debitsPosted,
    creditBalanceAfter: credit.creditsPosted - credit.debitsPosted,
    createdAt,
    debitPrevHash: debit.headHash,
    creditPrevHash: credit.headHash,
  };
  const hash = sha256(transferHashInput(base));
  debit.headHash = hash;
  credit.headHash = hash;
  return { ...base, hash };
}

/** Columns of an `unnest(…)`: each one's SQL type and its value for a row. */
type Columns<R> = Array<[type: string, value: (row: R) => unknown]>;

/**
 * `unnest(:name0::t0[], :name1::t1[], …)`: one array placeholder per column, so a statement's text
 * (and its prepared plan) is the same whatever the number of rows (issue 14).
 */
function unnestOf<R>(name: string, columns: Columns<R>): SQL {
  const arrays = columns.map(([type], i) => sql`${sql.placeholder(`${name}${i}`)}::${sql.raw(type)}[]`);
  return sql`unnest(${sql.join(arrays, sql`, `)})`;
}

/** The values of unnestOf's placeholders for these rows. */
function unnestValues<R>(name: string, columns: Columns<R>, rows: R[], into: Record<string, unknown>): void {
  columns.forEach(([, value], i) => {
    into[`${name}${i}`] = rows.map(value);
  });
}

/** One ledger transaction ready to write: its header and its planned transfers. */
interface Planned {
  key: string;
  kind: string;
  contents: unknown;
  meta?: Record<string, unknown>;
  createdAt: Date;
  transfers: PlannedTransfer[];
}

// Instants go as text: drizzle leaves postgres.js no serializer for timestamptz[].
const headerColumns: Columns<Planned & { contentsJson: string }> = [
  ['text', (p) => p.key],
  ['text', (p) => p.kind],
  ['text', (p) => sha256(p.contentsJson)],
  ['jsonb', (p) => p.contentsJson],
  ['jsonb', (p) => (p.meta ? JSON.stringify(p.meta) : null)],
  ['text', (p) => p.createdAt.toISOString()],
];
const deltaColumns: Columns<Working> = [
  ['int8', (a) => a.id],
  ['int8', (a) => a.debitsPending - a.start.dPend],
  ['int8', (a) => a.debitsPosted - a.start.dPost],
  ['int8', (a) => a.creditsPending - a.start.cPend],
  ['int8', (a) => a.creditsPosted - a.start.cPost],
  ['text', (a) => a.headHash],
];
const transferColumns: Columns<PlannedTransfer & { key: string }> = [
  ['text', (t) => t.key],
  ['text', (t) => t.ledger],
  ['int8', (t) => t.debitAccountId],
  ['int8', (t) => t.creditAccountId],
  ['int8', (t) => t.amount],
  ['text', (t) => t.type],
  ['int8', (t) => t.pendingId],
  ['text', (t) => t.timeoutAt?.toISOString() ?? null],
  ['int8', (t) => t.debitBalanceAfter],
  ['int8', (t) => t.creditBalanceAfter],
  ['text', (t) => t.debitPrevHash],
  ['text', (t) => t.creditPrevHash],
  ['text', (t) => t.hash],
];

/** The write statement, rendered once for one posting (its key may exist) and once for a batch. */
const writeQuery = (single: boolean) =>
  render(sql`with ins as (
      insert into ledger_transactions (key, kind, contents_hash, contents, meta, created_at)
      select key, kind, contents_hash, contents, meta, created_at::timestamptz
      from ${unnestOf('h', headerColumns)} as t(key, kind, contents_hash, contents, meta, created_at)
      ${single ? sql`on conflict (key) do nothing` : sql``}
      returning id, key, created_at
    ), upd as (
      update ledger_accounts a set
        debits_pending = a.debits_pending + v.dpend, debits_posted = a.debits_posted + v.dpost,
        credits_pending = a.credits_pending + v.cpend, credits_posted = a.credits_posted + v.cpost,
        head_hash = v.head
      from ${unnestOf('d', deltaColumns)} as v(id, dpend, dpost, cpend, cpost, head)
      -- The ids again as an array, so the plan finds the rows by index rather than by scan.
      where a.id = any(${sql.placeholder('ids')}::int8[]) and a.id = v.id and exists (select 1 from ins)
      returning a.id
    ), tr as (
      insert into ledger_transfers (transaction_id, ledger, debit_account_id, credit_account_id, amount, type, pending_id,
        timeout_at, debit_balance_after, credit_balance_after, debit_prev_hash, credit_prev_hash, hash, created_at)
      select ins.id, v.ledger, v.debit, v.credit, v.amount, v.type, v.pending_id, v.timeout_at::timestamptz, v.debit_after, v.credit_after,
        v.debit_prev, v.credit_prev, v.hash, ins.created_at
      from ${unnestOf('t', transferColumns)} with ordinality as v(key, ledger, debit, credit, amount, type, pending_id, timeout_at, debit_after, credit_after,
        debit_prev, credit_prev, hash, ord)
      join ins on ins.key = v.key
      order by v.ord
      returning id, transaction_id
    )
    select tr.id, tr.transaction_id, ins.key from tr join ins on ins.id = tr.transaction_id`);
const writeOneQuery = writeQuery(true);
const writeBatchQuery = writeQuery(false);

/**
 * Writes the transactions, their transfers and the account changes in ONE statement. One
 * transaction whose key already exists (a retry, or a concurrent duplicate that committed first)
 * writes nothing and throws KeyExists so the caller replays or refuses; in a batch (several, or
 * `existingKey: 'fails'`) an existing key fails the statement instead, as a unique violation.
 */
async function write(
  run: Run,
  postings: Planned[],
  accounts: Iterable<Working>,
  existingKey: 'reported' | 'fails' = postings.length === 1 ? 'reported' : 'fails',
): Promise<PostResult[]> {
  // Every changed account gets its new head and its deltas; a batch may have locked others.
  const changed = [...accounts].filter((a) => a.headHash !== a.start.head);
  const values: Bound['values'] = { ids: changed.map((a) => a.id) };
  const headers = postings.map((p) => ({ ...p, contentsJson: canonicalJson(p.contents) }));
  unnestValues('h', headerColumns, headers, values);
  unnestValues('d', deltaColumns, changed, values);
  const transfers = postings.flatMap((p) => p.transfers.map((t) => ({ key: p.key, ...t })));
  unnestValues('t', transferColumns, transfers, values);
  const written = await run<{ id: string | number; transaction_id: string | number; key: string }>(
    { query: existingKey === 'reported' ? writeOneQuery : writeBatchQuery, values },
    { last: true },
  );
  if (written.length === 0) throw new KeyExists();
  return postings.map((p) => {
    const own = written.filter((r) => r.key === p.key);
    return {
      transactionId: Number(own[0]?.transaction_id),
      transferIds: own.map((r) => Number(r.id)).sort((x, y) => x - y),
      replayed: false,
    };
  });
}

export interface PostTransactionInput {
  key: string;
  kind: string;
  transfers: TransferInput[];
  meta?: Record<string, unknown>;
  now?: Date;
  /**
   * The caller's own condition on the posting, one statement (an `UPDATE … RETURNING` of the row the
   * posting is about): it runs first in the posting's transaction, sent together with the account
   * lock (no round trip of its own), and when it returns no row nothing is written and GuardNotMet
   * is thrown. A caller that needs its row changed with the posting need not open a transaction of
   * its own around it (issue 14: a confirmation in two round trips).
   */
  guard?: Statement;
}

/** A validated posting: its contents, instant, and the account rows (one shard each) it needs. */
interface Prepared {
  input: PostTransactionInput;
  contents: unknown;
  createdAt: Date;
  shardOf: Map<string, number>;
  wanted: Map<string, WantedAccount>;
}

/**
 * Commits all transfers or none. Each debit is checked, in order, against its account's flags
 * with the rows locked; the same key replays the original result (see LedgerError for refusals).
 * Outside a transaction on PostgreSQL, postings that arrive while others are being written are
 * committed together (see GroupCommit).
 */
export async function postTransaction(db: DbOrTx, input: PostTransactionInput): Promise<PostResult> {
  const prepared = prepare(input);
  if (!isTransaction(db)) {
    const batches = groupCommitOf(db);
    if (batches) return batches.submit(prepared);
  }
  return postAlone(db, prepared);
}

function prepare(input: PostTransactionInput): Prepared {
  if (typeof input.key !== 'string' || input.key.length === 0 || input.key.length > 500) {
    throw new LedgerError('invalid_transfer', 'A transaction needs a key of 1 to 500 characters');
  }
  if (!Array.isArray(input.transfers) || input.transfers.length === 0 || input.transfers.length > 100) {
    throw new LedgerError('invalid_transfer', 'A transaction has 1 to 100 transfers');
  }
  input.transfers.forEach((t, i) => {
    validateRef(t.debit, `transfers[${i}].debit`);
    validateRef(t.credit, `transfers[${i}].credit`);
    if (!Number.isSafeInteger(t.amount) || t.amount <= 0) {
      throw new LedgerError('invalid_transfer', `transfers[${i}].amount must be a positive integer`, {
        index: i,
      });
    }
    if (t.amount > maxTransferAmount) {
      throw new LedgerError('limit_exceeded', `transfers[${i}].amount is over ${maxTransferAmount}`, {
        index: i,
      });
    }
    if (t.debit.ledger !== t.credit.ledger) {
      throw new LedgerError(
        'invalid_transfer',
        `transfers[${i}] crosses ledgers (${t.debit.ledger} → ${t.credit.ledger})`,
        {
          index: i,
        },
      );
    }
    if (logicalName(t.debit) === logicalName(t.credit)) {
      throw new LedgerError('invalid_transfer', `transfers[${i}] debits and credits the same account`, {
        index: i,
      });
    }
    if (t.pending?.timeoutAt && Number.isNaN(new Date(t.pending.timeoutAt).getTime())) {
      throw new LedgerError('invalid_transfer', `transfers[${i}].pending.timeoutAt is not a date`, {
        index: i,
      });
    }
  });
  const contents = {
    kind: input.kind,
    transfers: input.transfers.map((t) => ({
      debit: logicalRef(t.debit),
      credit: logicalRef(t.credit),
      amount: t.amount,
      pending: Boolean(t.pending),
    })),
  };
  // One random shard per hot logical account per transaction, so purchases spread over rows.
  const shardOf = new Map<string, number>();
  const wanted = new Map<string, WantedAccount>();
  for (const t of input.transfers) {
    for (const ref of [t.debit, t.credit]) {
      const name = logicalName(ref);
      if (!shardOf.has(name)) shardOf.set(name, Math.floor(Math.random() * (ref.shards ?? 1)));
      const shard = shardOf.get(name) ?? 0;
      wanted.set(`${name}#${shard}`, { ...logicalRef(ref), shard, noOverdraft: Boolean(ref.noOverdraft) });
    }
  }
  return { input, contents, createdAt: input.now ?? new Date(), shardOf, wanted };
}

/** Plans a posting's transfers on the locked rows (changing them); throws its refusal. */
function planPosting(p: Prepared, rows: Map<string, Working>): Planned {
  const row = (ref: AccountRef) => {
    const r = rows.get(`${logicalName(ref)}#${p.shardOf.get(logicalName(ref))}`);
    if (!r) throw new Error(`ledger: account ${logicalName(ref)} was not created`);
    if (r.ledger !== ref.ledger) {
      throw new LedgerError(
        'invalid_transfer',
        `Account ${logicalName(ref)} is on ledger ${r.ledger}, not ${ref.ledger}`,
      );
    }
    return r;
  };
  const { input } = p;
  return {
    key: input.key,
    kind: input.kind,
    contents: p.contents,
    meta: input.meta,
    createdAt: p.createdAt,
    transfers: input.transfers.map((t) =>
      plan(input.key, p.createdAt, row(t.debit), row(t.credit), {
        amount: t.amount,
        type: t.pending ? 'pending' : 'single',
        pendingId: null,
        timeoutAt: t.pending?.timeoutAt ? new Date(t.pending.timeoutAt) : null,
      }),
    ),
  };
}

/**
 * One posting in a transaction of its own (or in the caller's). `committed` hears the rows it leaves
 * once its own pipelined transaction has committed (GroupCommit's alone postings only).
 */
function postAlone(
  db: DbOrTx,
  p: Prepared,
  ids?: AccountIds,
  committed?: (rows: Iterable<Working>) => void,
): Promise<PostResult> {
  return writeOnce(
    db,
    p.input.key,
    p.contents,
    async (run, undoable) => {
      const [guarded, rows] = await Promise.all([
        p.input.guard ? run(p.input.guard) : null,
        lockAccounts(run, undoable, [...p.wanted.values()], ids),
      ]);
      if (guarded?.length === 0) throw new GuardNotMet();
      const planned = planPosting(p, rows);
      const [result] = await write(run, [planned], rows.values());
      // The write went with COMMIT (pipelined): it has committed once it answered.
      committed?.(rows.values());
      return result as PostResult;
    },
    'to create accounts',
  );
}

/**
 * Group commit (issue 14, ADR 0001): postings that arrive while others are being written wait, then
 * go together in one transaction: one lock statement, one write, one COMMIT and WAL flush for all.
 * Each keeps its own key, transaction row and place in every account's hash chain (in the batch's
 * order); only the database transaction is shared. A posting that cannot go as it is (refused,
 * its key twice in the batch) is posted alone after the batch; a batch that fails in any way, or in
 * which a refused posting's guard already ran, is rolled back and every posting in it posted alone.
 * So each outcome is one that posting alone gives.
 */
class GroupCommit {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;
  private lastStart = 0;
  private recheck: ReturnType<typeof setTimeout> | undefined;
  private readonly ids: AccountIds = new Map();
  /**
   * Each account's row as this process's last commit touching it left it. A batch whose accounts
   * are all here is planned on them and sent whole in one round trip: BEGIN, the guards, the lock,
   * the write and COMMIT. The lock fails if any head has moved since (another process, a posting
   * in a caller's transaction), and the batch then goes the way that reads the rows first.
   */
  private readonly known = new Map<number, AccountRow>();
  /**
   * When each account was last found moved by another writer since this process's last commit on
   * it (its head when locked was not the known one). For `movedRowPauseMs` after, batches touching
   * it go the locked way at once: with several processes writing the same rows (the platform's
   * shards, a merchant's account) a batch sent on known rows would mostly fail and cost a round
   * trip more than the locked way.
   */
  private readonly movedAt = new Map<number, number>();

  constructor(
    private readonly db: Db,
    private readonly own: <T>(work: Work<T>) => Promise<T>,
  ) {}

  submit(p: Prepared): Promise<PostResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ p, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.queue.length > 0 && this.mayStart()) {
      const { batch, after } = this.take();
      this.inFlight++;
      this.lastStart = performance.now();
      this.write(batch)
        .then(() => Promise.all(after.map((w) => this.alone(w))))
        .finally(() => {
          this.inFlight--;
          this.next();
        });
    }
    // Postings left waiting behind a slow batch look again once it counts as stalled.
    if (this.queue.length > 0 && !this.recheck) {
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        this.next();
      }, stallMs);
    }
  }

  /**
   * One batch at a time: it then takes everything that arrived meanwhile (eight writers: one
   * transfer 0.99 of pgbench, against 0.80 with two batches at a time and 0.73 with three). Another
   * starts beside it only once the newest in flight has run for `stallMs` (waiting for a row lock
   * held elsewhere, say), so one slow batch does not hold up every posting of the process for long.
   */
  private mayStart(): boolean {
    if (this.inFlight === 0) return true;
    return this.inFlight < maxBatchesInFlight && performance.now() - this.lastStart > stallMs;
  }

  /** The next batch, oldest first; a key already in it waits to be posted alone after it. */
  private take(): { batch: Waiting[]; after: Waiting[] } {
    const batch: Waiting[] = [];
    const after: Waiting[] = [];
    const keys = new Set<string>();
    let transfers = 0;
    while (this.queue.length > 0 && batch.length < maxBatchPostings) {
      const w = this.queue[0] as Waiting;
      if (batch.length > 0 && transfers + w.p.input.transfers.length > maxBatchTransfers) break;
      this.queue.shift();
      if (keys.has(w.p.input.key)) {
        after.push(w);
        continue;
      }
      keys.add(w.p.input.key);
      transfers += w.p.input.transfers.length;
      batch.push(w);
    }
    // Transfer ids follow the batch's order, and each account's chain follows ids.
    batch.sort((x, y) => x.p.createdAt.getTime() - y.p.createdAt.getTime());
    return { batch, after };
  }

  private alone(w: Waiting): Promise<void> {
    return postAlone(this.db, w.p, this.ids, (rows) => this.remember(rows)).then(w.resolve, w.reject);
  }

  private remember(rows: Iterable<Working>): void {
    const now = performance.now();
    for (const { start, ...row } of rows) {
      const known = this.known.get(row.id);
      if (known && known.headHash !== start.head) {
        if (this.movedAt.size >= maxKnownAccounts) this.movedAt.clear();
        this.movedAt.set(row.id, now);
      }
      if (this.known.size >= maxKnownAccounts && !known) this.known.clear();
      this.known.set(row.id, row);
    }
  }

  private movedRecently(id: number): boolean {
    const at = this.movedAt.get(id);
    return at !== undefined && performance.now() - at < movedRowPauseMs;
  }

  /**
   * The batch in one round trip, planned on the rows this process last committed (`known`); false,
   * having changed nothing, when a row is not known or moved recently, a posting is refused on them
   * (the other way decides its refusal on rows read under the lock), or the database refuses the
   * batch (a head moved, a guard not met, a key already used).
   */
  private async writeOnKnownRows(batch: Waiting[]): Promise<boolean> {
    const rows = new Map<string, Working>();
    for (const w of batch) {
      for (const key of w.p.wanted.keys()) {
        const id = this.ids.get(key);
        const row = id === undefined ? undefined : this.known.get(id);
        if (!row || this.movedRecently(row.id)) return false;
        rows.set(key, working(row));
      }
    }
    let planned: Planned[];
    try {
      planned = batch.map((w) => planPosting(w.p, rows));
    } catch {
      return false;
    }
    const locked = [...rows.values()];
    const ids = locked.map((row) => row.id);
    const results = await this.own(async (run) => {
      // Sent together in this order with BEGIN and COMMIT: a failure aborts every later one.
      const sent = await Promise.allSettled([
        ...batch.flatMap((w) => (w.p.input.guard ? [run(asserting(w.p.input.guard))] : [])),
        run({ query: lockAtHeadsQuery, values: { ids, heads: locked.map((row) => row.start.head) } }),
        // A key already used fails the statement: nothing of the batch may commit without its write.
        write(run, planned, rows.values(), 'fails'),
      ]);
      const failed = sent.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
      return (sent.at(-1) as PromiseFulfilledResult<PostResult[]>).value;
    }).catch(() => null);
    // The locked way that follows reads the rows and, through remember(), notes any that moved.
    if (!results) return false;
    this.remember(rows.values());
    batch.forEach((w, i) => {
      w.resolve(results[i] as PostResult);
    });
    return true;
  }

  private async write(batch: Waiting[]): Promise<void> {
    if (await this.writeOnKnownRows(batch)) return;
    if (batch.length === 1) return this.alone(batch[0] as Waiting);
    const outcomes = await this.own(async (run) => {
      const accounts = new Map<string, WantedAccount>();
      for (const w of batch) for (const [key, account] of w.p.wanted) accounts.set(key, account);
      // Sent in this order with BEGIN: every guard, then the lock of every account.
      const [guarded, rows] = await Promise.all([
        Promise.all(batch.map((w) => (w.p.input.guard ? run(w.p.input.guard) : null))),
        lockAccounts(run, true, [...accounts.values()], this.ids),
      ]);
      const planned: Planned[] = [];
      const outcome: Array<number | 'guard not met' | 'alone'> = batch.map((w, i) => {
        if (guarded[i]?.length === 0) return 'guard not met';
        const touched = [...w.p.wanted.keys()].flatMap((key) => rows.get(key) ?? []);
        const before = touched.map((row) => ({ ...row }));
        try {
          return planned.push(planPosting(w.p, rows)) - 1;
        } catch (error) {
          touched.forEach((row, j) => {
            Object.assign(row, before[j]);
          });
          // Its guard's change cannot be undone alone: the whole batch goes back.
          if (w.p.input.guard) throw error;
          return 'alone';
        }
      });
      const results = planned.length > 0 ? await write(run, planned, rows.values()) : [];
      this.remember(rows.values());
      return outcome.map((o) => (typeof o === 'number' ? (results[o] as PostResult) : o));
    }).catch(() => null);
    if (!outcomes) {
      await Promise.all(batch.map((w) => this.alone(w)));
      return;
    }
    const alone: Waiting[] = [];
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if (o === 'guard not met') w.reject(new GuardNotMet());
      else if (o === 'alone') alone.push(w);
      else if (o) w.resolve(o);
    });
    await Promise.all(alone.map((w) => this.alone(w)));
  }
}

/**
 * A guard that fails its statement (division by zero) when it returns no row, for a batch sent
 * whole, where no later statement can depend on its answer. Rendered once per guard text.
 */
const assertingGuards = new WeakMap<Query, Query>();
function asserting(guard: Statement): Statement {
  if (guard instanceof SQL) return sql`with g as (${guard}) select 1 / count(*)::int from g`;
  let query = assertingGuards.get(guard.query);
  if (!query) {
    query = { ...guard.query, sql: `with g as (${guard.query.sql}) select 1 / count(*)::int from g` };
    assertingGuards.set(guard.query, query);
  }
  return { query, values: guard.values };
}

interface Waiting {
  p: Prepared;
  resolve(result: PostResult): void;
  reject(error: unknown): void;
}

const stallMs = 20;
const movedRowPauseMs = 10_000;
const maxBatchesInFlight = 4;
const maxBatchPostings = 32;
const maxBatchTransfers = 200;

/** The process's group commit on a postgres.js handle; null on PGlite, which runs one query at a time. */
const groupCommitOf = perDb((db) => {
  const own = pipelined(db);
  return own ? new GroupCommit(db, own) : null;
});

export interface ResolvePendingInput {
  key: string;
  pendingTransferId: number;
  now?: Date;
  meta?: Record<string, unknown>;
}

async function resolvePending(
  db: DbOrTx,
  input: ResolvePendingInput & { amount?: number },
  type: 'post' | 'void',
) {
  if (typeof input.key !== 'string' || input.key.length === 0 || input.key.length > 500) {
    throw new LedgerError('invalid_transfer', 'A transaction needs a key of 1 to 500 characters');
  }
  if (!Number.isSafeInteger(input.pendingTransferId) || input.pendingTransferId <= 0) {
    throw new LedgerError('pending_not_found', 'No such pending transfer');
  }
  const kind = type === 'post' ? 'pending_post' : 'pending_void';
  const contents =
    type === 'post'
      ? { kind, pendingTransferId: input.pendingTransferId, amount: input.amount ?? null }
      : { kind, pendingTransferId: input.pendingTransferId };
  const now = input.now ?? new Date();
  const [pending] = await query<Record<string, unknown>>(
    db,
    sql`select t.id, t.type, t.debit_account_id, t.credit_account_id, t.amount, t.timeout_at,
          exists (select 1 from ledger_transfers r where r.pending_id = t.id) as resolved
        from ledger_transfers t where t.id = ${input.pendingTransferId}::int8`,
  );
  if (pending?.type !== 'pending') {
    throw new LedgerError('pending_not_found', `No pending transfer ${input.pendingTransferId}`);
  }
  const reserved = Number(pending.amount);
  if (pending.resolved) {
    const replay = await replayOrConflict(db, input.key, contents);
    if (replay) return replay;
    throw new LedgerError(
      'pending_already_resolved',
      `Pending transfer ${input.pendingTransferId} was already resolved`,
    );
  }
  const timeoutAt = pending.timeout_at ? new Date(pending.timeout_at as string) : null;
  if (type === 'post' && timeoutAt && now.getTime() >= timeoutAt.getTime()) {
    throw new LedgerError(
      'pending_already_resolved',
      `Pending transfer ${input.pendingTransferId} timed out`,
      {
        reason: 'timed_out',
      },
    );
  }
  const amount = type === 'post' ? (input.amount ?? reserved) : reserved;
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > reserved) {
    throw new LedgerError('invalid_transfer', `Post between 1 and ${reserved}`, { reserved });
  }
  const debitId = Number(pending.debit_account_id);
  const creditId = Number(pending.credit_account_id);
  return writeOnce(
    db,
    input.key,
    contents,
    async (run) => {
      const rows = new Map((await lockById(run, [debitId, creditId])).map((row) => [row.id, row]));
      const debit = rows.get(debitId);
      const credit = rows.get(creditId);
      if (!debit || !credit) throw new Error('ledger: pending transfer accounts missing');
      const planned = plan(input.key, now, debit, credit, {
        amount,
        type,
        pendingId: input.pendingTransferId,
        timeoutAt: null,
        pendingAmount: reserved,
      });
      const [result] = await write(
        run,
        [{ key: input.key, kind, contents, meta: input.meta, createdAt: now, transfers: [planned] }],
        rows.values(),
      );
      return result as PostResult;
    },
    'always',
  );
}

/** Posts a pending transfer, in full or in part (the rest is released), exactly once. */
export function postPending(
  db: DbOrTx,
  input: ResolvePendingInput & { amount?: number },
): Promise<PostResult> {
  return resolvePending(db, input, 'post');
}

/** Releases a pending transfer, exactly once. */
export function voidPending(db: DbOrTx, input: ResolvePendingInput): Promise<PostResult> {
  return resolvePending(db, input, 'void');
}
