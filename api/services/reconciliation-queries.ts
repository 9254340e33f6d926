/**
 * What reconciliation reads from the business tables (merchants, suppliers, sales, top-ups,
 * fulfillments, payouts, video completions, Stripe anomalies), all in this one module so that the
 * organisation model's refactor (merchants and suppliers into one table) touches one file. Day
 * figures are over [start, end); amounts are fen, points hundredths.
 */
import { schema } from '@alliance/db';
import { and, eq, gte, inArray, isNull, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Ctx } from '../context';

const total = (expression: SQL | PgColumn) => sql<string>`coalesce(sum(${expression}), 0)::text`;
const within = (column: PgColumn, start: Date, end: Date) => and(gte(column, start), lt(column, end));
const num = (text: string | null | undefined) => Number(text ?? 0);

export interface MerchantDay {
  sales: number;
  inStoreSales: number;
  onlineSales: number;
  vouchersIssued: number;
  adPointsCharged: number;
  topups: number;
  adPointsBought: number;
}

export const emptyMerchantDay = (): MerchantDay => ({
  sales: 0,
  inStoreSales: 0,
  onlineSales: 0,
  vouchersIssued: 0,
  adPointsCharged: 0,
  topups: 0,
  adPointsBought: 0,
});

/** Completed sales that issued vouchers, grouped by what their ad-point charge depends on. */
export interface ChargeableSales {
  merchantId: string;
  /** The money part: the amount less the value of the eco-points applied (API.md "Eco-points"). */
  moneyFen: number;
  adRateBp: number;
  count: number;
}

/**
 * Sales completed and top-ups paid in the window, per merchant, before refunds; and the completed
 * sales that issued vouchers grouped by money part and rate, so the caller applies the rounding
 * rule once per group and multiplies. One pass over the window's sales, one over its top-ups.
 */
export async function merchantDays(
  ctx: Ctx,
  start: Date,
  end: Date,
): Promise<{ days: Map<string, MerchantDay>; chargeable: ChargeableSales[] }> {
  const s = schema.sales;
  const t = schema.topups;
  const moneyPart = sql`${s.amountFen} - ${s.ecoPointsValueFen}`;
  const issued = sql`${s.vouchersIssued} > 0`;
  const [sales, topups] = await Promise.all([
    ctx.db
      .select({
        merchantId: s.merchantId,
        channel: s.channel,
        moneyFen: sql<string>`(${moneyPart})::text`,
        adRateBp: s.adRateBp,
        issued: sql<boolean>`${issued}`,
        count: sql<string>`count(*)::text`,
        sales: total(s.amountFen),
        vouchers: total(s.vouchersIssued),
        adPoints: total(s.adPointsCharged),
      })
      .from(s)
      .where(and(eq(s.status, 'completed'), within(s.decidedAt, start, end)))
      .groupBy(s.merchantId, s.channel, moneyPart, s.adRateBp, issued),
    ctx.db
      .select({ merchantId: t.merchantId, money: total(t.amountFen), adPoints: total(t.adPoints) })
      .from(t)
      .where(and(ne(t.status, 'pending'), within(t.paidAt, start, end)))
      .groupBy(t.merchantId),
  ]);
  const days = new Map<string, MerchantDay>();
  const day = (id: string) => days.get(id) ?? days.set(id, emptyMerchantDay()).get(id)!;
  const chargeable = new Map<string, ChargeableSales>();
  for (const r of sales) {
    const d = day(r.merchantId);
    d.sales += num(r.sales);
    if (r.channel === 'in_store') d.inStoreSales += num(r.sales);
    else d.onlineSales += num(r.sales);
    d.vouchersIssued += num(r.vouchers);
    d.adPointsCharged += num(r.adPoints);
    if (r.issued !== true) continue;
    const key = `${r.merchantId}:${r.moneyFen}:${r.adRateBp}`;
    const group = chargeable.get(key);
    if (group) group.count += num(r.count);
    else
      chargeable.set(key, {
        merchantId: r.merchantId,
        moneyFen: num(r.moneyFen),
        adRateBp: r.adRateBp,
        count: num(r.count),
      });
  }
  for (const r of topups) {
    const d = day(r.merchantId);
    d.topups = num(r.money);
    d.adPointsBought = num(r.adPoints);
  }
  return { days, chargeable: [...chargeable.values()] };
}

/** Wholesale settled (before returns) and payouts paid in the window, per supplier. */
export async function supplierDays(
  ctx: Ctx,
  start: Date,
  end: Date,
): Promise<Map<string, { settled: number; paidOut: number }>> {
  const f = schema.fulfillments;
  const b = schema.payoutBatches;
  const o = schema.organisations;
  const [settled, paid] = await Promise.all([
    ctx.db
      .select({ supplierId: f.supplierId, fen: total(f.wholesaleCostFen) })
      .from(f)
      .where(within(f.settledAt, start, end))
      .groupBy(f.supplierId),
    ctx.db
      .select({ supplierId: b.organisationId, fen: total(b.amountFen) })
      .from(b)
      .innerJoin(o, eq(o.id, b.organisationId))
      .where(and(eq(o.kind, 'supplier'), eq(b.status, 'paid'), within(b.paidAt, start, end)))
      .groupBy(b.organisationId),
  ]);
  const out = new Map<string, { settled: number; paidOut: number }>();
  const day = (id: string) => out.get(id) ?? out.set(id, { settled: 0, paidOut: 0 }).get(id)!;
  for (const r of settled) day(r.supplierId).settled = num(r.fen);
  for (const r of paid) day(r.supplierId).paidOut = num(r.fen);
  return out;
}

/**
 * Payout batches open at `at` per supplier: created before it and not paid by then. Their money
 * has left the payable account on the ledger but is still owed.
 */
export async function suppliersInPayoutAt(ctx: Ctx, at: Date): Promise<Map<string, number>> {
  const b = schema.payoutBatches;
  const o = schema.organisations;
  const rows = await ctx.db
    .select({ supplierId: b.organisationId, fen: total(b.amountFen) })
    .from(b)
    .innerJoin(o, eq(o.id, b.organisationId))
    .where(and(eq(o.kind, 'supplier'), lt(b.createdAt, at), or(isNull(b.paidAt), gte(b.paidAt, at))))
    .groupBy(b.organisationId);
  return new Map(rows.map((r) => [r.supplierId, num(r.fen)]));
}

/** Names people read in place of ids (CSV), per merchant and supplier. */
export async function organisationNames(
  ctx: Ctx,
): Promise<{ merchants: Map<string, string>; suppliers: Map<string, string> }> {
  const o = schema.organisations;
  const rows = await ctx.db.select({ id: o.id, kind: o.kind, name: o.name }).from(o);
  const named = (kind: string) => new Map(rows.filter((r) => r.kind === kind).map((r) => [r.id, r.name]));
  return { merchants: named('merchant'), suppliers: named('supplier') };
}

export interface PaymentSubject {
  /** The business object the ledger entry belongs to (top-up or order). */
  objectId: string;
  paymentIntentId: string | null;
}

/**
 * The top-up or order behind each ledger transaction of the Stripe clearing accounts, found from
 * the ids its services put in the transaction's meta, and the Stripe payment intent that paid it.
 */
export async function paymentSubjects(
  ctx: Ctx,
  metas: Array<Record<string, unknown> | null>,
): Promise<Array<PaymentSubject | null>> {
  const ids = (key: string) => [
    ...new Set(metas.map((m) => m?.[key]).filter((v): v is string => typeof v === 'string')),
  ];
  const topupIds = ids('topupId');
  const orderIds = ids('orderId');
  const saleIds = ids('saleId');
  const t = schema.topups;
  const o = schema.orders;
  const s = schema.sales;
  const [topups, orders, sales] = await Promise.all([
    topupIds.length
      ? ctx.db.select({ id: t.id, pi: t.paymentIntentId }).from(t).where(inArray(t.id, topupIds))
      : [],
    orderIds.length
      ? ctx.db.select({ id: o.id, pi: o.paymentIntentId }).from(o).where(inArray(o.id, orderIds))
      : [],
    saleIds.length
      ? ctx.db
          .select({ id: s.id, orderId: o.id, pi: o.paymentIntentId })
          .from(s)
          .innerJoin(o, eq(o.id, s.orderId))
          .where(inArray(s.id, saleIds))
      : [],
  ]);
  const topupPi = new Map(topups.map((r) => [r.id, r.pi]));
  const orderPi = new Map(orders.map((r) => [r.id, r.pi]));
  const saleOrder = new Map(sales.map((r) => [r.id, r]));
  return metas.map((meta) => {
    const topupId = meta?.topupId;
    if (typeof topupId === 'string')
      return { objectId: topupId, paymentIntentId: topupPi.get(topupId) ?? null };
    const orderId = meta?.orderId;
    if (typeof orderId === 'string')
      return { objectId: orderId, paymentIntentId: orderPi.get(orderId) ?? null };
    const sale = typeof meta?.saleId === 'string' ? saleOrder.get(meta.saleId) : undefined;
    if (sale) return { objectId: sale.orderId, paymentIntentId: sale.pi };
    return null;
  });
}

/** Verified Stripe events recorded in the window that the platform could not match, once per event. */
export async function stripeAnomaliesBetween(ctx: Ctx, start: Date, end: Date) {
  const a = schema.stripeAnomalies;
  return ctx.db
    .selectDistinctOn([a.eventId], { eventId: a.eventId, kind: a.kind, detail: a.detail })
    .from(a)
    .where(within(a.createdAt, start, end))
    .orderBy(a.eventId, a.createdAt);
}

/** Verified video completions of a business date, and the vouchers that conversions took that day. */
export async function videoDay(
  ctx: Ctx,
  businessDate: string,
  start: Date,
  end: Date,
): Promise<{ completions: number; vouchersConverted: number }> {
  const v = schema.videoCompletions;
  const x = schema.ledgerTransactions;
  const t = schema.ledgerTransfers;
  // The day's voucher transfers (an index range on their time), then their transactions as an id
  // range from the first of them: a join on the kind alone would read every transaction.
  const day = ctx.db.$with('day').as(
    ctx.db
      .select({ transactionId: t.transactionId, amount: t.amount })
      .from(t)
      .where(and(eq(t.ledger, 'vouchers'), within(t.createdAt, start, end))),
  );
  const [[completions], [converted]] = await Promise.all([
    ctx.db.select({ count: sql<string>`count(*)::text` }).from(v).where(eq(v.businessDate, businessDate)),
    // A conversion is one transaction: vouchers back to the platform, eco-points to the consumer.
    ctx.db
      .with(day)
      .select({ vouchers: total(day.amount) })
      .from(day)
      .innerJoin(
        x,
        and(
          eq(x.id, day.transactionId),
          gte(x.id, sql`(select min(${day.transactionId}) from ${day})`),
          eq(x.kind, 'video_conversion'),
        ),
      ),
  ]);
  return { completions: num(completions?.count), vouchersConverted: num(converted?.vouchers) };
}
