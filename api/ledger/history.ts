import { type DbOrTx, schema } from '@alliance/db';
import { and, desc, eq, inArray, lt, or } from 'drizzle-orm';
import type { AccountRef } from './types';

export interface HistoryEntry {
  transferId: number;
  transactionId: number;
  kind: string;
  /** single | pending | post | void */
  type: string;
  /** Signed: + credit, - debit. */
  amount: number;
  /** Posted balance of the account row right after this transfer (per shard for a sharded account). */
  balanceAfter: number;
  createdAt: Date;
  meta: unknown;
}

/** The account's transfers, newest first: up to `limit` of them before transfer `beforeTransferId`. */
export async function accountHistory(
  db: DbOrTx,
  ref: AccountRef,
  options: { limit: number; beforeTransferId?: number },
): Promise<HistoryEntry[]> {
  const limit = Math.min(Math.max(Math.trunc(options.limit) || 1, 1), 200);
  const a = schema.ledgerAccounts;
  const ids = (
    await db
      .select({ id: a.id })
      .from(a)
      .where(
        and(
          eq(a.ownerType, ref.ownerType),
          eq(a.ownerId, ref.ownerId),
          eq(a.code, ref.code),
          eq(a.ledger, ref.ledger),
        ),
      )
  ).map((r) => r.id);
  if (ids.length === 0) return [];
  const t = schema.ledgerTransfers;
  const x = schema.ledgerTransactions;
  const rows = await db
    .select({ transfer: t, kind: x.kind, meta: x.meta })
    .from(t)
    .innerJoin(x, eq(x.id, t.transactionId))
    .where(
      and(
        or(inArray(t.debitAccountId, ids), inArray(t.creditAccountId, ids)),
        options.beforeTransferId ? lt(t.id, options.beforeTransferId) : undefined,
      ),
    )
    .orderBy(desc(t.id))
    .limit(limit);
  return rows.map(({ transfer, kind, meta }) => {
    const isDebit = ids.includes(transfer.debitAccountId);
    return {
      transferId: transfer.id,
      transactionId: transfer.transactionId,
      kind,
      type: transfer.type,
      amount: isDebit ? -transfer.amount : transfer.amount,
      balanceAfter: isDebit ? transfer.debitBalanceAfter : transfer.creditBalanceAfter,
      createdAt: transfer.createdAt,
      meta,
    };
  });
}
