import { type ExtractTablesWithRelations, is, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction, PgTransactionConfig } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres, PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema/index';

export { schema };
export type Schema = typeof schema;
/** Either driver's database; services only ever see this type. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type DbOrTx = Db | Tx;
export type DbKind = 'pglite' | 'postgres';

export interface OpenDb {
  db: Db;
  kind: DbKind;
  close(): Promise<void>;
}

/** PostgreSQL through postgres.js. No node:* imports: the Worker entry uses this module alone. */
export function openPostgres(databaseUrl: string, maxConnections = 10): OpenDb {
  // connect_timeout bounds a blackholed host; postgres.js would otherwise wait 30 s per attempt.
  const client = preparing(
    postgres(databaseUrl, { max: maxConnections, onnotice: () => {}, connect_timeout: 10 }),
  );
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return { db, kind: 'postgres', close: () => client.end({ timeout: 5 }) };
}

/**
 * Drizzle runs every query through postgres.js's unsafe(), which prepares nothing by default: each
 * query with parameters then costs a round trip to describe them before the one that runs it.
 * Prepared, a statement is described once per connection (postgres.js keeps them per connection,
 * which it recycles every 30 to 60 minutes). Transactions get their own `sql` (pipelinedBegin), so
 * it is wrapped too. Needs a session (not transaction-mode) pooler, as the ledger already does.
 */
function preparing<T extends Pick<postgres.Sql, 'unsafe'>>(sql: T): T {
  const unsafe = sql.unsafe;
  sql.unsafe = ((query: string, params?: unknown[], options?: object) =>
    unsafe.call(sql, query, params as never, { ...options, prepare: true })) as typeof sql.unsafe;
  if ('begin' in sql) (sql as unknown as postgres.Sql).begin = pipelinedBegin(sql as unknown as postgres.Sql);
  return sql;
}

/** What drizzle's postgres.js session uses of a transaction's `sql`: queries and savepoints. */
interface TxSql {
  unsafe: postgres.Sql['unsafe'];
  savepoint<T>(work: (inner: TxSql) => Promise<T>): Promise<T>;
}

/**
 * postgres.js's begin() waits for BEGIN's reply before the first statement; this one sends BEGIN
 * with the first statement, one round trip less per transaction (issue 14). It reserves a
 * connection, runs `work` on it and commits, or rolls back when `work` throws. As in begin(), a
 * statement that failed fails the transaction (rollback, its error rethrown) even if `work` caught
 * it, unless a savepoint it ran in was rolled back: PostgreSQL would turn the COMMIT of an aborted
 * transaction into a silent ROLLBACK.
 */
function pipelinedBegin(sql: postgres.Sql) {
  return (async (...args: unknown[]) => {
    const work = args[args.length - 1] as (tx: TxSql) => Promise<unknown>;
    const mode = args.length > 1 ? String(args[0]).replace(/[^a-z ]/gi, '') : '';
    const conn = await sql.reserve();
    try {
      // Not awaited here: it leaves in the same write as the first statement (postgres.js flushes
      // a connection's queued messages together); its reply is awaited with the outcome.
      const begin = conn.unsafe(`begin ${mode}`).execute();
      begin.catch(() => {});
      let savepoints = 0;
      const result = await scope(conn, work, null, () => `s${savepoints++}`);
      await begin;
      return result;
    } finally {
      conn.release();
    }
  }) as postgres.Sql['begin'];
}

async function scope<T>(
  conn: postgres.ReservedSql,
  work: (tx: TxSql) => Promise<T>,
  savepoint: string | null,
  nextName: () => string,
) {
  let failed: { error: unknown } | null = null;
  const tx: TxSql = {
    unsafe: ((query: string, params?: unknown[], options?: object) => {
      const q = conn.unsafe(query, params as never, { ...options, prepare: true });
      // Runs it, as awaiting it would (postgres.js queries are lazy), and notes a failure.
      q.catch((error) => {
        failed ??= { error };
      });
      return q;
    }) as postgres.Sql['unsafe'],
    savepoint: (inner) => scope(conn, inner, nextName(), nextName),
  };
  if (savepoint) await conn.unsafe(`savepoint ${savepoint}`);
  let result: T;
  try {
    result = await work(tx);
    if (failed) throw (failed as { error: unknown }).error;
  } catch (error) {
    await conn.unsafe(savepoint ? `rollback to savepoint ${savepoint}` : 'rollback').catch(() => {});
    throw error;
  }
  await conn.unsafe(savepoint ? `release savepoint ${savepoint}` : 'commit');
  return result;
}

/**
 * One value per database handle, built on first use: for drizzle's `.prepare()`d queries, whose SQL
 * text is then built once instead of on every call (a fifth of a wallet read's CPU, issue 14).
 * A prepared query belongs to the handle it was built on; inside a transaction, build as usual.
 */
export function perDb<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let value = built.get(db);
    if (value === undefined) {
      value = build(db);
      built.set(db, value);
    }
    return value;
  };
}

/** PostgreSQL error code of a (drizzle-wrapped) driver error. */
export function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** serialization_failure, deadlock_detected: safe to run the whole transaction again. */
const retryableCodes = new Set(['40001', '40P01']);
const maxAttempts = 6;

/** One transaction on `db`, run again (bounded) on serialization failures and deadlocks. */
export function transactionWithRetry<T>(
  db: Db,
  work: (tx: Tx) => Promise<T>,
  config?: PgTransactionConfig,
): Promise<T> {
  return retrying(() => db.transaction((tx) => work(tx as Tx), config));
}

/** Runs `transaction` (one whole transaction) again, a bounded number of times, while it fails retryably. */
export async function retrying<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= maxAttempts || !retryableCodes.has(pgErrorCode(error) ?? '')) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

/**
 * Runs `work` with a reader: a read-only transaction on another of `pool`'s connections that
 * imports `tx`'s snapshot (pg_export_snapshot), so queries sent to it and to `tx` read exactly the
 * same rows, on two cores. `tx` must be REPEATABLE READ and must not be waiting for a lock, or a
 * full pool could wait for a connection it holds. The reader ends when `work` settles. When `pool`
 * is PGlite (one connection) or itself a transaction, the reader is `tx`.
 */
export async function withReader<T>(pool: DbOrTx, tx: Tx, work: (reader: Tx) => Promise<T>): Promise<T> {
  if (!is(pool, PostgresJsDatabase)) return work(tx);
  const [row] = (await tx.execute(sql`select pg_export_snapshot() as id`)) as unknown as Array<{
    id: string;
  }>;
  const snapshot = String(row?.id);
  // SET TRANSACTION SNAPSHOT takes no parameters; an id is hex words and dashes.
  if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new Error(`unexpected snapshot id ${snapshot}`);
  return (pool as Db).transaction(
    async (reader) => {
      await reader.execute(sql.raw(`set transaction snapshot '${snapshot}'`));
      return work(reader as Tx);
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

export function isTransaction(db: DbOrTx): db is Tx {
  return 'rollback' in db;
}
