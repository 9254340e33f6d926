import { type DbOrTx, schema } from '@alliance/db';
import { and, eq, or, sql } from 'drizzle-orm';
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

/** The balance of each of `refs` (all shards of each), in one query. */
export async function balancesOf(db: DbOrTx, refs: readonly AccountRef[]): Promise<Balance[]> {
  if (refs.length === 0) return [];
  const a = schema.ledgerAccounts;
  const rows = await db
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
