import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction, PgTransactionConfig } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
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
 * which it recycles every 30 to 60 minutes). Transactions and savepoints get their own `sql`, so
 * they are wrapped too. Needs a session (not transaction-mode) pooler, as the ledger already does.
 */
function preparing<T extends postgres.Sql>(sql: T): T {
  const unsafe = sql.unsafe;
  sql.unsafe = ((query: string, params?: unknown[], options?: object) =>
    unsafe.call(sql, query, params as never, { ...options, prepare: true })) as typeof sql.unsafe;
  for (const scoped of ['begin', 'savepoint'] as const) {
    const original = (sql as unknown as Record<string, unknown>)[scoped];
    if (typeof original !== 'function') continue;
    (sql as unknown as Record<string, unknown>)[scoped] = (...args: unknown[]) => {
      const last = args.length - 1;
      const work = args[last] as (inner: postgres.Sql) => unknown;
      args[last] = (inner: postgres.Sql) => work(preparing(inner));
      return original.apply(sql, args);
    };
  }
  return sql;
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

export function isTransaction(db: DbOrTx): db is Tx {
  return 'rollback' in db;
}
