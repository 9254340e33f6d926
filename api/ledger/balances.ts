import { type DbOrTx, schema } from '@alliance/db';
import { and, eq, sql } from 'drizzle-orm';
import type { AccountRef } from './index';

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
