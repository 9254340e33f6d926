import { isTransaction, transactionWithRetry } from '@alliance/db';
import type { PgTransactionConfig } from 'drizzle-orm/pg-core';
import type { Ctx } from '../context';

/**
 * Runs `work` in one database transaction and retries it on serialization failures and deadlocks,
 * a bounded number of times. Inside, `ctx.db` is the transaction; nested calls reuse it.
 */
export async function inTransaction<T>(
  ctx: Ctx,
  work: (txCtx: Ctx) => Promise<T>,
  config?: PgTransactionConfig,
): Promise<T> {
  if (isTransaction(ctx.db)) return work(ctx);
  return transactionWithRetry(ctx.db, (tx) => work({ ...ctx, db: tx }), config);
}
