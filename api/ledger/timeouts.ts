import type { DbOrTx } from '@alliance/db';
import { sql } from 'drizzle-orm';
import { LedgerError } from './errors';
import { voidPending } from './post';
import { query } from './sql';

/**
 * Voids every pending transfer whose timeout has passed and that nothing resolved yet. Safe to run
 * from several processes at once: each void has a fixed key and a pending resolves only once.
 * Returns how many this run voided.
 */
export async function voidExpiredPending(db: DbOrTx, now: Date): Promise<number> {
  let voided = 0;
  for (;;) {
    const due = await query<{ id: string | number }>(
      db,
      sql`select t.id from ledger_transfers t
          where t.type = 'pending' and t.timeout_at <= ${now.toISOString()}::timestamptz
            and not exists (select 1 from ledger_transfers r where r.pending_id = t.id)
          order by t.id limit 500`,
    );
    for (const { id } of due) {
      try {
        const result = await voidPending(db, {
          key: `pending-timeout:${id}`,
          pendingTransferId: Number(id),
          now,
        });
        if (!result.replayed) voided++;
      } catch (error) {
        // Posted or voided by someone else meanwhile: nothing left to do for it.
        if (!(error instanceof LedgerError && error.code === 'pending_already_resolved')) throw error;
      }
    }
    if (due.length < 500) return voided;
  }
}
