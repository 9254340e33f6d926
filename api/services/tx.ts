import { type Db, type DbOrTx, pgErrorCode, type Tx } from '@alliance/db';
import type { Ctx } from '../context';

/** serialization_failure, deadlock_detected: safe to run the whole transaction again. */
const retryableCodes = new Set(['40001', '40P01']);
const maxAttempts = 6;

/**
 * Runs `work` in one database transaction and retries it on serialization failures and deadlocks,
 * a bounded number of times. Inside, `ctx.db` is the transaction; nested calls reuse it.
 */
export async function inTransaction<T>(ctx: Ctx, work: (txCtx: Ctx) => Promise<T>): Promise<T> {
  if (isTransaction(ctx.db)) return work(ctx);
  return transactionWithRetry(ctx.db, (tx) => work({ ...ctx, db: tx }));
}

/** One transaction on `db`, run again (bounded) on serialization failures and deadlocks. */
export function transactionWithRetry<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return retrying(() => db.transaction((tx) => work(tx as Tx)));
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
