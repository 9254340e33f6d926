import { schema } from '@alliance/db';
import { and, desc, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { Ctx } from '../context';
import { conflict, notFound, unprocessable } from '../errors';
import { newId } from '../ids';
import { after, type CursorKey, pageOf } from '../paging';
import { maskPhone } from '../phone';
import { requireOperator } from './access';
import { inTransaction } from './tx';

export interface AnomalyInput {
  eventId: string;
  kind: string;
  topupId?: string | null;
  merchantId?: string | null;
  detail: Record<string, unknown>;
}

export type Anomaly = typeof schema.stripeAnomalies.$inferSelect;

/** Money Stripe returned on an order that could not be applied on its own: an operator may apply it. */
export const refundableAnomalyKinds: ReadonlySet<string> = new Set([
  'order_refund_unmatched',
  'order_dispute_unmatched',
]);

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

const a = schema.stripeAnomalies;
const resolver = schema.users;

/** Operators: what needs a look, newest first; `status` keeps the open or the resolved ones. */
export async function listStripeAnomalies(
  ctx: Ctx,
  page: { limit: number; cursor?: CursorKey<'time'>; status?: 'open' | 'resolved' },
) {
  requireOperator(ctx);
  const found = await withNames(ctx)
    .where(
      and(
        after(a.createdAt, a.id, page.cursor),
        page.status === 'open' ? isNull(a.resolvedAt) : undefined,
        page.status === 'resolved' ? isNotNull(a.resolvedAt) : undefined,
      ),
    )
    .orderBy(desc(a.createdAt), desc(a.id))
    .limit(page.limit + 1);
  const { rows, nextCursor } = pageOf('stripeAnomalies', found, page.limit, (row) => ({
    at: row.anomaly.createdAt,
    id: row.anomaly.id,
  }));
  return { data: rows.map(anomalyView), nextCursor };
}

/** An operator records what was done about an anomaly (an adjustment, a call to the merchant): once. */
export async function resolveStripeAnomaly(ctx: Ctx, id: string, input: { note: string }) {
  const operator = requireOperator(ctx);
  const note = input.note.trim();
  if (!note) throw unprocessable('note_required', 'Write what was done about this anomaly');
  return inTransaction(ctx, async (tx) => {
    await openAnomaly(tx, id, { lock: true });
    await markResolved(tx, id, { by: operator.id, note, refundId: null });
    return anomalyById(tx, id);
  });
}

/**
 * The anomaly if no operator has resolved it yet (row locked with `lock`, inside a transaction):
 * 404 or 409 `already_resolved` otherwise.
 */
export async function openAnomaly(ctx: Ctx, id: string, options: { lock: boolean }): Promise<Anomaly> {
  const read = ctx.db.select().from(a).where(eq(a.id, id));
  const [row] = options.lock ? await read.for('update') : await read;
  if (!row) throw notFound('not_found', 'No such anomaly');
  if (row.resolvedAt) throw conflict('already_resolved', 'An operator has already dealt with this anomaly');
  return row;
}

export async function markResolved(
  tx: Ctx,
  id: string,
  resolution: { by: string; note: string | null; refundId: string | null },
) {
  await tx.db
    .update(a)
    .set({
      resolvedAt: tx.now(),
      resolvedBy: resolution.by,
      resolutionNote: resolution.note,
      refundId: resolution.refundId,
    })
    .where(eq(a.id, id));
}

export async function anomalyById(ctx: Ctx, id: string) {
  const [row] = await withNames(ctx).where(eq(a.id, id));
  if (!row) throw notFound('not_found', 'No such anomaly');
  return anomalyView(row);
}

/** How an operator dealt with an anomaly, as `anomalyView` shows it. */
export type Handling = Pick<
  ReturnType<typeof anomalyView>,
  'resolvedByPhone' | 'resolutionNote' | 'refund'
> & {
  resolvedAt: string;
};

/**
 * How operators have handled the anomalies of these Stripe events: an event is handled once none of
 * its anomalies is open, and described by the latest resolution. Events still open are absent.
 */
export async function handlingOfEvents(ctx: Ctx, eventIds: string[]): Promise<Map<string, Handling>> {
  const handled = new Map<string, Handling>();
  if (eventIds.length === 0) return handled;
  const rows = await withNames(ctx)
    .where(inArray(a.eventId, eventIds))
    .orderBy(a.eventId, desc(a.resolvedAt));
  const open = new Set(rows.filter((row) => !row.anomaly.resolvedAt).map((row) => row.anomaly.eventId));
  for (const row of rows) {
    const { eventId, resolvedAt } = row.anomaly;
    if (!resolvedAt || open.has(eventId) || handled.has(eventId)) continue;
    const { resolvedByPhone, resolutionNote, refund } = anomalyView(row);
    handled.set(eventId, { resolvedAt: resolvedAt.toISOString(), resolvedByPhone, resolutionNote, refund });
  }
  return handled;
}

/** The merchant's name and the resolving operator's phone beside each anomaly. */
function withNames(ctx: Ctx) {
  return ctx.db
    .select({
      anomaly: a,
      merchantName: schema.organisations.name,
      resolverPhone: resolver.phone,
      refund: {
        id: schema.refunds.id,
        refunded: schema.refunds.amountFen,
        cashRefunded: schema.refunds.cashRefundedFen,
        ecoPointsReturned: schema.refunds.ecoPointsReturned,
      },
    })
    .from(a)
    .leftJoin(schema.organisations, eq(schema.organisations.id, a.merchantId))
    .leftJoin(resolver, eq(resolver.id, a.resolvedBy))
    .leftJoin(schema.refunds, eq(schema.refunds.id, a.refundId))
    .$dynamic();
}

function anomalyView(row: {
  anomaly: Anomaly;
  merchantName: string | null;
  resolverPhone: string | null;
  refund: { id: string; refunded: number; cashRefunded: number | null; ecoPointsReturned: number } | null;
}) {
  const { anomaly } = row;
  return {
    id: anomaly.id,
    eventId: anomaly.eventId,
    kind: anomaly.kind,
    topupId: anomaly.topupId,
    merchantId: anomaly.merchantId,
    merchantName: row.merchantName,
    detail: anomaly.detail as Record<string, unknown>,
    createdAt: anomaly.createdAt.toISOString(),
    refundable: refundableAnomalyKinds.has(anomaly.kind) && !anomaly.resolvedAt,
    resolvedAt: anomaly.resolvedAt?.toISOString() ?? null,
    resolvedByPhone: row.resolverPhone ? maskPhone(row.resolverPhone) : null,
    resolutionNote: anomaly.resolutionNote,
    /** The refund an operator applied: the part of the order, its money and its eco-points. */
    refund: row.refund
      ? { ...row.refund, cashRefunded: row.refund.cashRefunded ?? row.refund.refunded }
      : null,
  };
}
