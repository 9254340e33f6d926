/**
 * A merchant's statement over business dates (API.md): what its online orders brought in, what of
 * it went to suppliers, what the alliance charged it, and what it paid in. Every figure is net of
 * what was given back in the same period (refunds, settlement reversals, voucher clawbacks, ad
 * points returned, top-up refunds and lost disputes); ADR 0005 explains why. It also gives the
 * ad-point balance at the period's end, the eco-points received, and a daily series (ADR 0009).
 */
import { schema } from '@alliance/db';
import { and, eq, gte, isNotNull, lt, ne, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Ctx } from '../context';
import { unprocessable } from '../errors';
import { balanceOf, movementsBetween, postedBalanceAt } from '../ledger';
import { merchantForCaller } from './access';
import { accounts } from './accounts';
import { addDays, businessDate, businessDay, startOfBusinessDate } from './business-day';
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
  /** In-store sales completed in the period, whole amounts net of their refunds (fen). */
  inStoreSales: number;
  /** Eco-points received in the period (hundredths): what came into its eco-point account. */
  ecoPointsReceived: number;
  /** Its ad points at the end of the period (now, for a period without an end) (hundredths). */
  adPointsBalance: number;
  /** The same figures per business date, for a chart: see dailyWindow. */
  daily: StatementDay[];
}

export interface StatementDay {
  date: string;
  proceeds: number;
  inStoreSales: number;
  adPointsCharged: number;
  vouchersIssued: number;
  topups: number;
}

/** Without `from`, the chart shows the last 30 days of the period; never more than 92. */
const defaultChartDays = 30;
const maxChartDays = 92;

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date written YYYY-MM-DD. */
export function validDate(date: string): boolean {
  if (!datePattern.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

/**
 * The money an online order left with the merchant: its money part less the money its refunds gave
 * back. Its eco-points part reached the merchant as eco-points (`ecoPointsReceived`), not as
 * proceeds. An order without eco-points was refunded in money only (refunds made before eco-points
 * existed have no running money total on the sale). Reads `orders` joined to its `sales` row.
 */
const orderProceedsFen = sql`${schema.orders.amountFen} - ${schema.orders.ecoPointsValueFen} - case
  when ${schema.orders.ecoPointsValueFen} = 0 then ${schema.orders.refundedFen}
  else coalesce(${schema.sales.cashRefundedFen}, 0) end`;

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
      .select({ sum: total(orderProceedsFen) })
      .from(o)
      .leftJoin(s, eq(s.id, o.saleId))
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
        inStore: total(
          sql`case when ${s.channel} = 'in_store' then ${s.amountFen} - ${s.refundedFen} else 0 end`,
        ),
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
  const ecoPoints = accounts.merchantEcoPoints(merchant.id);
  const adPoints = accounts.merchantAdPoints(merchant.id);
  const today = businessDate(ctx.now(), businessTimeZone);
  const [received, adPointsBalance, daily] = await Promise.all([
    movementsBetween(ctx.db, [ecoPoints], start ?? new Date(0), end, 'account'),
    end ? postedBalanceAt(ctx.db, adPoints, end) : balanceOf(ctx.db, adPoints).then((b) => BigInt(b.posted)),
    dailyFigures(ctx, merchant.id, businessTimeZone, dailyWindow(input.from, input.to ?? today)),
  ]);
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
    inStoreSales: Number(sales?.inStore ?? 0),
    ecoPointsReceived: Number(received.reduce((sum, m) => (m.net > 0n ? sum + m.net : sum), 0n)),
    adPointsBalance: Number(adPointsBalance),
    daily,
  };
}

/** The chart's dates: the period's last `defaultChartDays` without `from`, at most `maxChartDays`. */
function dailyWindow(from: string | undefined, to: string): string[] {
  let first = from ?? addDays(to, 1 - defaultChartDays);
  if (first < addDays(to, 1 - maxChartDays)) first = addDays(to, 1 - maxChartDays);
  const dates: string[] = [];
  for (let date = first; date <= to; date = addDays(date, 1)) dates.push(date);
  return dates;
}

/**
 * The statement's figures per business date, grouped in the database by the date on the business
 * zone's wall clock (named explicitly, never the session's zone).
 */
async function dailyFigures(
  ctx: Ctx,
  merchantId: string,
  timeZone: string,
  dates: string[],
): Promise<StatementDay[]> {
  const days = new Map<string, StatementDay>(
    dates.map((date) => [
      date,
      { date, proceeds: 0, inStoreSales: 0, adPointsCharged: 0, vouchersIssued: 0, topups: 0 },
    ]),
  );
  const first = dates[0];
  const last = dates.at(-1);
  if (!first || !last) return [];
  const start = startOfBusinessDate(first, timeZone);
  const end = startOfBusinessDate(addDays(last, 1), timeZone);
  // Grouped by position (`group by 1`): the zone is a parameter, so a repeated expression would not
  // compare equal to the selected one.
  const dayOf = (column: PgColumn) => sql<string>`to_char(${column} at time zone ${timeZone}, 'YYYY-MM-DD')`;
  const total = (expression: ReturnType<typeof sql>) => sql<string>`coalesce(sum(${expression}), 0)::text`;
  const o = schema.orders;
  const s = schema.sales;
  const t = schema.topups;
  const [orders, sales, topups] = await Promise.all([
    ctx.db
      .select({ date: dayOf(o.paidAt), fen: total(orderProceedsFen) })
      .from(o)
      .leftJoin(s, eq(s.id, o.saleId))
      .where(and(eq(o.merchantId, merchantId), gte(o.paidAt, start), lt(o.paidAt, end)))
      .groupBy(sql`1`),
    ctx.db
      .select({
        date: dayOf(s.decidedAt),
        inStore: total(
          sql`case when ${s.channel} = 'in_store' then ${s.amountFen} - ${s.refundedFen} else 0 end`,
        ),
        adPoints: total(sql`${s.adPointsCharged} - ${s.adPointsReturned}`),
        vouchers: total(sql`${s.vouchersIssued} - ${s.vouchersClawedBack}`),
      })
      .from(s)
      .where(
        and(
          eq(s.merchantId, merchantId),
          eq(s.status, 'completed'),
          gte(s.decidedAt, start),
          lt(s.decidedAt, end),
        ),
      )
      .groupBy(sql`1`),
    ctx.db
      .select({
        date: dayOf(t.paidAt),
        fen: total(sql`${t.amountFen} - ${t.refundedFen} - ${t.disputedFen}`),
      })
      .from(t)
      .where(
        and(eq(t.merchantId, merchantId), ne(t.status, 'pending'), gte(t.paidAt, start), lt(t.paidAt, end)),
      )
      .groupBy(sql`1`),
  ]);
  for (const r of orders) {
    const day = days.get(r.date);
    if (day) day.proceeds = Number(r.fen);
  }
  for (const r of sales) {
    const day = days.get(r.date);
    if (!day) continue;
    day.inStoreSales = Number(r.inStore);
    day.adPointsCharged = Number(r.adPoints);
    day.vouchersIssued = Number(r.vouchers);
  }
  for (const r of topups) {
    const day = days.get(r.date);
    if (day) day.topups = Number(r.fen);
  }
  return [...days.values()];
}
