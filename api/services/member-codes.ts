/**
 * Rotating member codes (ADR 0015): issued to a consumer, read back at the till, and forgotten with
 * the account. The only place that reads or writes the member_codes table.
 */
import { schema } from '@alliance/db';
import { eq, lte, or } from 'drizzle-orm';
import type { Ctx, SessionUser } from '../context';
import { conflict } from '../errors';

/** How long a rotating member code is valid: long enough to walk to the till, short enough to be useless later. */
export const memberCodeTtlMs = 5 * 60 * 1000;

/**
 * A fresh 8-digit member code for the caller, valid for a few minutes (the app asks for the next
 * one before it runs out). The caller's earlier codes and everyone's expired ones are removed.
 */
export async function issueMemberCode(ctx: Ctx, user: SessionUser) {
  const m = schema.memberCodes;
  const now = ctx.now();
  await ctx.db.delete(m).where(or(eq(m.userId, user.id), lte(m.expiresAt, now)));
  const expiresAt = new Date(now.getTime() + memberCodeTtlMs);
  // 10^8 codes and a few minutes each: a clash is rare; try again on one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = eightDigits();
    const [row] = await ctx.db
      .insert(m)
      .values({ code, userId: user.id, expiresAt, createdAt: now })
      .onConflictDoNothing()
      .returning();
    if (row) return { code, expiresAt: expiresAt.toISOString() };
  }
  throw conflict('member_code_busy', 'No free member code right now; try again');
}

function eightDigits(): string {
  const [n] = crypto.getRandomValues(new Uint32Array(1));
  return String(n! % 100_000_000).padStart(8, '0');
}

/** The consumer a code names: a rotating code still valid, or the account's fixed member code. */
export async function consumerForMemberCode(ctx: Ctx, code: string): Promise<string | null> {
  const m = schema.memberCodes;
  const [rotating] = await ctx.db
    .select({ userId: m.userId, expiresAt: m.expiresAt })
    .from(m)
    .where(eq(m.code, code));
  if (rotating) return rotating.expiresAt.getTime() > ctx.now().getTime() ? rotating.userId : null;
  const [fixed] = await ctx.db
    .select({ id: schema.users.id })
    .from(schema.users)
    .where(eq(schema.users.memberCode, code));
  return fixed?.id ?? null;
}

/** Every rotating code of a person, inside the caller's transaction (account deletion). */
export async function forgetMemberCodesOf(ctx: Ctx, userId: string): Promise<void> {
  await ctx.db.delete(schema.memberCodes).where(eq(schema.memberCodes.userId, userId));
}
