import { schema } from '@alliance/db';
import { desc } from 'drizzle-orm';
import type { Ctx } from '../context';
import { newId } from '../ids';
import { after, type CursorKey, pageOf } from '../paging';
import { requireOperator } from './access';

export interface AnomalyInput {
  eventId: string;
  kind: string;
  topupId?: string | null;
  merchantId?: string | null;
  detail: Record<string, unknown>;
}

/** A verified event that matched nothing or mismatched, or money whose points were spent: for operators. */
export async function recordStripeAnomaly(ctx: Ctx, input: AnomalyInput) {
  await ctx.db.insert(schema.stripeAnomalies).values({
    id: newId('san'),
    eventId: input.eventId,
    kind: input.kind,
    topupId: input.topupId ?? null,
    merchantId: input.merchantId ?? null,
    detail: input.detail,
    createdAt: ctx.now(),
  });
}

/** Operators: what needs a look, newest first. */
export async function listStripeAnomalies(ctx: Ctx, page: { limit: number; cursor?: CursorKey<'time'> }) {
  requireOperator(ctx);
  const a = schema.stripeAnomalies;
  const found = await ctx.db
    .select()
    .from(a)
    .where(after(a.createdAt, a.id, page.cursor))
    .orderBy(desc(a.createdAt), desc(a.id))
    .limit(page.limit + 1);
  const { rows, nextCursor } = pageOf('stripeAnomalies', found, page.limit, (row) => ({
    at: row.createdAt,
    id: row.id,
  }));
  const data = rows.map((row) => ({
    id: row.id,
    eventId: row.eventId,
    kind: row.kind,
    topupId: row.topupId,
    merchantId: row.merchantId,
    detail: row.detail as Record<string, unknown>,
    createdAt: row.createdAt.toISOString(),
  }));
  return { data, nextCursor };
}
