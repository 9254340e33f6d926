import { type DbOrTx, schema } from '@alliance/db';
import { and, desc, eq, inArray, lt, or } from 'drizzle-orm';
import { badRequest } from '../errors';
import type { AccountRef } from './index';

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

/** The account's transfers, newest first; `cursor` is the previous page's nextCursor. */
export async function accountHistory(
  db: DbOrTx,
  ref: AccountRef,
  options: { limit: number; cursor?: string | null },
): Promise<{ data: HistoryEntry[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(Math.trunc(options.limit) || 1, 1), 200);
  if (options.cursor != null && !/^[1-9]\d{0,15}$/.test(options.cursor)) {
    // Cursors come straight from clients: a bad one is their 400, not a ledger refusal.
    throw badRequest('cursor: malformed');
  }
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
  if (ids.length === 0) return { data: [], nextCursor: null };
  const t = schema.ledgerTransfers;
  const x = schema.ledgerTransactions;
  const rows = await db
    .select({ transfer: t, kind: x.kind, meta: x.meta })
    .from(t)
    .innerJoin(x, eq(x.id, t.transactionId))
    .where(
      and(
        or(inArray(t.debitAccountId, ids), inArray(t.creditAccountId, ids)),
        options.cursor ? lt(t.id, Number(options.cursor)) : undefined,
      ),
    )
    .orderBy(desc(t.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const data = page.map(({ transfer, kind, meta }) => {
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
  const last = page[page.length - 1];
  return { data, nextCursor: rows.length > limit && last ? String(last.transfer.id) : null };
}
