/**
 * A merchant's statement over business dates (API.md): what its online orders brought in, what of
 * it went to suppliers, what the alliance charged it, and what it paid in. Every figure is net of
 * what was given back in the same period (refunds, settlement reversals, voucher clawbacks, ad
 * points returned, top-up refunds and lost disputes); ADR 0005 explains why.
 */
import { schema } from '@alliance/db';
import { and, eq, gte, isNotNull, lt, ne, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Ctx } from '../context';
import { unprocessable } from '../errors';
import { merchantForCaller } from './access';
import { businessDay, startOfBusinessDate } from './business-day';
import { parametersAt } from './parameters';

export interface Statement {
  merchantId: string;
  from: string | null;
  to: string | null;
  /** Gross paid amount of online orders paid in the period, net of their refunds (fen). */
  proceeds: number;
  /** Wholesale cost settled to suppliers in the period, net of reversals by returns (fen). */
  wholesaleSettled: number;
  /** proceeds - wholesaleSettled (fen). */
  net: number;
  /** Ad points charged for sales (online and in store), net of those returned by refunds (hundredths). */
  adPointsCharged: number;
  /** Vouchers issued to consumers for its sales, net of those clawed back (hundredths). */
  vouchersIssued: number;
  /** Money of top-ups paid in the period, net of refunds and lost disputes (fen). */
  topups: number;
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date written YYYY-MM-DD. */
export function validDate(date: string): boolean {
  if (!datePattern.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

/** `from` and `to` are business dates (YYYY-MM-DD, the configured zone), both included. */
export async function merchantStatement(
  ctx: Ctx,
  input: { merchantId: string; from?: string; to?: string },
): Promise<Statement> {
  const merchant = await merchantForCaller(ctx, input.merchantId, { operatorMay: true });
  for (const date of [input.from, input.to]) {
    if (date !== undefined && !validDate(date)) throw unprocessable('invalid_date', 'Dates are YYYY-MM-DD');
  }
  if (input.from && input.to && input.from > input.to)
    throw unprocessable('invalid_date_range', '`from` is after `to`');
  const { businessTimeZone } = await parametersAt(ctx);
  const start = input.from ? startOfBusinessDate(input.from, businessTimeZone) : null;
  const end = input.to
    ? businessDay(startOfBusinessDate(input.to, businessTimeZone), businessTimeZone).resetsAt
    : null;
  const within = (column: PgColumn) =>
    and(start ? gte(column, start) : undefined, end ? lt(column, end) : undefined);
  const total = (expression: ReturnType<typeof sql>) => sql<string>`coalesce(sum(${expression}), 0)`;

  const o = schema.orders;
  const f = schema.fulfillments;
  const r = schema.fulfillmentReturns;
  const s = schema.sales;
  const t = schema.topups;
  const [[orders], [settled], [reversed], [sales], [topups]] = await Promise.all([
    ctx.db
      .select({ sum: total(sql`${o.amountFen} - ${o.refundedFen}`) })
      .from(o)
      .where(and(eq(o.merchantId, merchant.id), isNotNull(o.paidAt), within(o.paidAt))),
    ctx.db
      .select({ sum: total(sql`${f.wholesaleCostFen}`) })
      .from(f)
      .where(and(eq(f.merchantId, merchant.id), isNotNull(f.settledAt), within(f.settledAt))),
    ctx.db
      .select({ sum: total(sql`${r.reversedFen}`) })
      .from(r)
      .innerJoin(f, eq(f.id, r.fulfillmentId))
      .where(and(eq(f.merchantId, merchant.id), within(r.createdAt))),
    ctx.db
      .select({
        adPoints: total(sql`${s.adPointsCharged} - ${s.adPointsReturned}`),
        vouchers: total(sql`${s.vouchersIssued} - ${s.vouchersClawedBack}`),
      })
      .from(s)
      .where(and(eq(s.merchantId, merchant.id), eq(s.status, 'completed'), within(s.decidedAt))),
    ctx.db
      .select({ sum: total(sql`${t.amountFen} - ${t.refundedFen} - ${t.disputedFen}`) })
      .from(t)
      .where(
        and(eq(t.merchantId, merchant.id), ne(t.status, 'pending'), isNotNull(t.paidAt), within(t.paidAt)),
      ),
  ]);
  const proceeds = Number(orders?.sum ?? 0);
  const wholesaleSettled = Number(settled?.sum ?? 0) - Number(reversed?.sum ?? 0);
  return {
    merchantId: merchant.id,
    from: input.from ?? null,
    to: input.to ?? null,
    proceeds,
    wholesaleSettled,
    net: proceeds - wholesaleSettled,
    adPointsCharged: Number(sales?.adPoints ?? 0),
    vouchersIssued: Number(sales?.vouchers ?? 0),
    topups: Number(topups?.sum ?? 0),
  };
}
