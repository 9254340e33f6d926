import { schema } from '@alliance/db';
import { and, desc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { type ApiError, conflict, notFound, unauthorized, unprocessable } from '../errors';
import { newId } from '../ids';
import { balanceOf, LedgerError, postTransaction, type TransferInput } from '../ledger';
import { memberRole, merchantForCaller } from './access';
import { accounts } from './accounts';
import { consumerForMemberCode } from './me';
import { organisationRow } from './organisations';
import { merchantAdRateBpAt, parametersAt } from './parameters';
import { adPointsChargeForAmount, maxAmountFen, proportionalShare, vouchersForAmount } from './rounding';
import { inTransaction } from './tx';

/** A consumer has this long to confirm an in-store sale (ADR 0003). */
export const saleConfirmWindowMs = 10 * 60 * 1000;
export const insufficientAdPoints = 'merchant_insufficient_ad_points';
const maxPageSize = 100;
const maxExpiredPerRun = 500;

export type Sale = typeof schema.sales.$inferSelect;

export function assertAmount(amountFen: number) {
  if (amountFen <= 0) throw unprocessable('amount_not_positive', 'amount must be more than 0 fen');
  if (amountFen > maxAmountFen)
    throw unprocessable('amount_too_large', `amount may be at most ${maxAmountFen} fen`);
}

/** The rate and the charge a sale of `amountFen` would carry at `at`, by the rules of rounding.ts. */
export async function saleTermsAt(ctx: Ctx, merchantId: string, amountFen: number, at: Date) {
  const [parameters, adRateBp] = await Promise.all([
    parametersAt(ctx, at),
    merchantAdRateBpAt(ctx, merchantId, at),
  ]);
  return {
    voucherRatePerYuan: parameters.voucherRatePerYuan,
    adRateBp,
    vouchers: vouchersForAmount(amountFen, parameters.voucherRatePerYuan),
    adPointsCharge: adPointsChargeForAmount(amountFen, adRateBp),
  };
}

/** A merchant's vouchers are paused while its ad points cannot cover a charge of this size. */
async function vouchersPaused(ctx: Ctx, merchantId: string, adPointsCharge: number): Promise<boolean> {
  return (await balanceOf(ctx.db, accounts.merchantAdPoints(merchantId))).available < adPointsCharge;
}

/**
 * What buying `amountFen` at this merchant would earn now, for the shop and the cart (public):
 * the vouchers by the rules of rounding.ts, and whether they are paused (merchant not active, or
 * its ad points cannot cover the charge), so a consumer is told before paying (SPEC flow 2).
 */
export async function voucherQuote(ctx: Ctx, merchantId: string, amountFen: number) {
  assertAmount(amountFen);
  const merchant = await organisationRow(ctx, 'merchant', merchantId);
  if (merchant?.status !== 'active') throw notFound('not_found', 'No such merchant');
  const terms = await saleTermsAt(ctx, merchantId, amountFen, ctx.now());
  return {
    amount: amountFen,
    vouchers: terms.vouchers,
    vouchersPaused: await vouchersPaused(ctx, merchantId, terms.adPointsCharge),
  };
}

export function saleView(sale: Sale) {
  return {
    id: sale.id,
    channel: sale.channel,
    merchantId: sale.merchantId,
    orderId: sale.orderId,
    status: sale.status,
    amount: sale.amountFen,
    vouchers: sale.vouchers,
    adPointsCharge: sale.adPointsCharge,
    adRateBp: sale.adRateBp,
    vouchersIssued: sale.vouchersIssued,
    adPointsCharged: sale.adPointsCharged,
    reason: sale.reason,
    refunded: sale.refundedFen,
    vouchersClawedBack: sale.vouchersClawedBack,
    adPointsReturned: sale.adPointsReturned,
    expiresAt: sale.expiresAt?.toISOString() ?? null,
    recordedAt: sale.recordedAt.toISOString(),
    decidedAt: sale.decidedAt?.toISOString() ?? null,
  };
}

function requireCaller(ctx: Ctx) {
  if (!ctx.user) throw unauthorized();
  return ctx.user;
}

/** Staff record an in-store sale against a member code; nothing moves until the consumer confirms. */
export async function recordSale(
  ctx: Ctx,
  input: { merchantId: string; memberCode: string; amountFen: number },
) {
  const user = requireCaller(ctx);
  const merchant = await merchantForCaller(ctx, input.merchantId);
  assertAmount(input.amountFen);
  if (merchant.status !== 'active') throw conflict('merchant_not_active', 'The merchant is not active');
  const consumerId = await consumerForMemberCode(ctx, input.memberCode);
  if (!consumerId) throw notFound('member_not_found', 'No member has this code');
  const consumer = { id: consumerId };
  // Staff earning vouchers on their own merchant's ad points is the easiest way to mint them.
  if (await memberRole(ctx, merchant.id, consumer.id))
    throw unprocessable('self_sale_not_allowed', "A merchant's staff cannot buy from it for vouchers");

  const now = ctx.now();
  const terms = await saleTermsAt(ctx, merchant.id, input.amountFen, now);
  const sale: Sale = {
    id: newId('sal'),
    channel: 'in_store',
    merchantId: merchant.id,
    consumerUserId: consumer.id,
    recordedBy: user.id,
    orderId: null,
    amountFen: input.amountFen,
    ...terms,
    status: 'awaiting_confirmation',
    reason: null,
    vouchersIssued: 0,
    adPointsCharged: 0,
    refundedFen: 0,
    vouchersDueBack: 0,
    vouchersClawedBack: 0,
    adPointsReturned: 0,
    expiresAt: new Date(now.getTime() + saleConfirmWindowMs),
    recordedAt: now,
    decidedAt: null,
  };
  await ctx.db.insert(schema.sales).values(sale);
  return { ...saleView(sale), vouchersPaused: await vouchersPaused(ctx, merchant.id, sale.adPointsCharge) };
}

/** The caller's sales waiting for confirmation, each saying whether the merchant's vouchers are paused now. */
export async function listPendingSales(ctx: Ctx) {
  const user = requireCaller(ctx);
  const s = schema.sales;
  const rows = await ctx.db
    .select({ sale: s, merchantName: schema.organisations.name })
    .from(s)
    .innerJoin(schema.organisations, eq(schema.organisations.id, s.merchantId))
    .where(
      and(eq(s.consumerUserId, user.id), eq(s.status, 'awaiting_confirmation'), gt(s.expiresAt, ctx.now())),
    )
    .orderBy(desc(s.recordedAt))
    .limit(maxPageSize);
  const data = [];
  for (const { sale, merchantName } of rows) {
    data.push({
      ...saleView(sale),
      merchantName,
      vouchersPaused: await vouchersPaused(ctx, sale.merchantId, sale.adPointsCharge),
    });
  }
  return { data };
}

/** One sale, for the consumer it names, the merchant's staff, or an operator; 404 for anyone else. */
export async function getSale(ctx: Ctx, saleId: string) {
  const user = requireCaller(ctx);
  const s = schema.sales;
  const [row] = await ctx.db
    .select({ sale: s, merchantName: schema.organisations.name })
    .from(s)
    .innerJoin(schema.organisations, eq(schema.organisations.id, s.merchantId))
    .where(eq(s.id, saleId));
  if (!row) throw notFound('not_found', 'No such sale');
  if (row.sale.consumerUserId !== user.id) {
    await merchantForCaller(ctx, row.sale.merchantId, { operatorMay: true }).catch(() => {
      throw notFound('not_found', 'No such sale');
    });
  }
  const r = schema.refunds;
  const refunds = await ctx.db.select().from(r).where(eq(r.saleId, saleId)).orderBy(r.createdAt, r.id);
  return {
    ...saleView(row.sale),
    merchantName: row.merchantName,
    refunds: refunds.map((x) => ({
      id: x.id,
      refunded: x.amountFen,
      vouchersClawedBack: x.vouchersClawedBack,
      adPointsReturned: x.adPointsReturned,
      createdAt: x.createdAt.toISOString(),
    })),
    vouchersPaused:
      row.sale.status === 'awaiting_confirmation' &&
      (await vouchersPaused(ctx, row.sale.merchantId, row.sale.adPointsCharge)),
  };
}

/** The sale locked for this transaction, if it names the caller; 404 otherwise. */
async function lockConsumerSale(ctx: Ctx, saleId: string): Promise<Sale> {
  const user = requireCaller(ctx);
  const [sale] = await ctx.db
    .select()
    .from(schema.sales)
    .where(
      and(
        eq(schema.sales.id, saleId),
        eq(schema.sales.consumerUserId, user.id),
        eq(schema.sales.channel, 'in_store'),
      ),
    )
    .for('update');
  if (!sale) throw notFound('not_found', 'No such sale');
  return sale;
}

/**
 * Issues the sale's vouchers and charges the merchant, exactly once per `key`: both or neither.
 * When the merchant's ad points do not cover the charge, nothing moves and the reason says why.
 * Must run inside the caller's transaction, with the sale row locked.
 */
export async function issueVouchersForSale(
  txCtx: Ctx,
  sale: Pick<Sale, 'id' | 'merchantId' | 'consumerUserId' | 'vouchers' | 'adPointsCharge'>,
  key: string,
  extra: TransferInput[] = [],
): Promise<{ vouchersIssued: number; adPointsCharged: number; reason: string | null }> {
  const transfers: TransferInput[] = [];
  if (sale.vouchers > 0) {
    transfers.push({
      debit: accounts.platformVouchersIssued(),
      credit: accounts.consumerVouchers(sale.consumerUserId),
      amount: sale.vouchers,
    });
  }
  if (sale.adPointsCharge > 0) {
    transfers.push({
      debit: accounts.merchantAdPoints(sale.merchantId),
      credit: accounts.platformAdPointsRevenue(),
      amount: sale.adPointsCharge,
    });
  }
  const meta = { saleId: sale.id, merchantId: sale.merchantId };
  try {
    if (transfers.length + extra.length > 0) {
      await postTransaction(txCtx.db, {
        key,
        kind: 'sale',
        transfers: [...transfers, ...extra],
        meta,
        now: txCtx.now(),
      });
    }
    return { vouchersIssued: sale.vouchers, adPointsCharged: sale.adPointsCharge, reason: null };
  } catch (error) {
    if (!(error instanceof LedgerError) || error.code !== 'insufficient_funds') throw error;
  }
  // The charge failed: the sale still completes, with no vouchers; money legs (online) still post.
  if (extra.length > 0) {
    // The failed attempt wrote nothing under `key` (savepoint), so the key is still free.
    await postTransaction(txCtx.db, { key, kind: 'sale', transfers: extra, meta, now: txCtx.now() });
  }
  return { vouchersIssued: 0, adPointsCharged: 0, reason: insufficientAdPoints };
}

/**
 * The consumer confirms: one transaction locks the sale, moves vouchers and ad points, completes it.
 * The common path locks and completes the sale in one conditional UPDATE (a row lock like SELECT …
 * FOR UPDATE, one round trip less) before the ledger call, so the merchant's ad-point row, locked
 * by the ledger, is held only for the ledger's own statements and the commit.
 */
export async function confirmSale(ctx: Ctx, saleId: string) {
  const user = requireCaller(ctx);
  const outcome = await inTransaction(ctx, async (tx) => {
    const s = schema.sales;
    const now = tx.now();
    const [sale] = await tx.db
      .update(s)
      .set({
        status: 'completed',
        decidedAt: now,
        vouchersIssued: s.vouchers,
        adPointsCharged: s.adPointsCharge,
      })
      .where(
        and(
          eq(s.id, saleId),
          eq(s.consumerUserId, user.id),
          eq(s.channel, 'in_store'),
          eq(s.status, 'awaiting_confirmation'),
          gt(s.expiresAt, now),
        ),
      )
      .returning();
    if (!sale) return { error: await whyNotConfirmable(tx, saleId) };
    const issued = await issueVouchersForSale(tx, sale, `sale:${sale.id}:confirm`);
    if (issued.reason) {
      await tx.db.update(s).set(issued).where(eq(s.id, sale.id));
    }
    return { result: { id: sale.id, status: 'completed' as const, ...issued } };
  });
  // Expiry is recorded even though the request is refused.
  if ('error' in outcome) throw outcome.error;
  return outcome.result;
}

/** Why a sale cannot be confirmed (or declined) now; an overdue one is marked expired. */
async function whyNotConfirmable(txCtx: Ctx, saleId: string): Promise<ApiError> {
  const sale = await lockConsumerSale(txCtx, saleId);
  if (sale.status === 'completed') return conflict('already_confirmed', 'This sale is already confirmed');
  if (sale.status === 'declined') return conflict('sale_declined', 'This sale was declined');
  if (sale.status === 'awaiting_confirmation') {
    await txCtx.db
      .update(schema.sales)
      .set({ status: 'expired', decidedAt: txCtx.now() })
      .where(eq(schema.sales.id, sale.id));
  }
  return conflict('sale_expired', 'This sale was not confirmed in time');
}

export async function declineSale(ctx: Ctx, saleId: string) {
  const outcome = await inTransaction(ctx, async (tx) => {
    const sale = await lockConsumerSale(tx, saleId);
    if (sale.status === 'declined') return { result: saleView(sale) };
    const now = tx.now();
    if (sale.status !== 'awaiting_confirmation' || (sale.expiresAt && sale.expiresAt <= now)) {
      return { error: await whyNotConfirmable(tx, saleId) };
    }
    const [updated] = await tx.db
      .update(schema.sales)
      .set({ status: 'declined', decidedAt: now })
      .where(eq(schema.sales.id, sale.id))
      .returning();
    return { result: saleView(updated!) };
  });
  if ('error' in outcome) throw outcome.error;
  return outcome.result;
}

/** Job: sales nobody confirmed within the window become `expired` (bounded per run). */
export async function expireUnconfirmedSales(ctx: Ctx): Promise<{ expired: number }> {
  const s = schema.sales;
  const now = ctx.now();
  const due = ctx.db
    .select({ id: s.id })
    .from(s)
    .where(and(eq(s.status, 'awaiting_confirmation'), lte(s.expiresAt, now)))
    .limit(maxExpiredPerRun);
  const rows = await ctx.db
    .update(s)
    .set({ status: 'expired', decidedAt: now })
    .where(and(inArray(s.id, due), eq(s.status, 'awaiting_confirmation')))
    .returning({ id: s.id });
  return { expired: rows.length };
}

export interface PageInput {
  limit?: number;
  cursor?: string;
}

/** Cursor over (recordedAt desc, id desc), opaque to clients. */
export function encodeCursor(at: Date, id: string): string {
  return btoa(`${at.toISOString()}|${id}`);
}

export function decodeCursor(cursor: string | undefined): { at: Date; id: string } | null {
  if (!cursor) return null;
  try {
    const [iso, id] = atob(cursor).split('|');
    const at = new Date(iso ?? '');
    if (!id || Number.isNaN(at.getTime())) throw new Error('bad cursor');
    return { at, id };
  } catch {
    throw unprocessable('invalid_cursor', 'The cursor is not one this API returned');
  }
}

export const pageSize = (limit: number | undefined) => Math.min(Math.max(limit ?? 50, 1), maxPageSize);

function page<T extends { sale: Sale }>(rows: T[], limit: number) {
  const more = rows.length > limit;
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data, nextCursor: more && last ? encodeCursor(last.sale.recordedAt, last.sale.id) : null };
}

function beforeCursor(cursor: { at: Date; id: string } | null) {
  const s = schema.sales;
  return cursor
    ? sql`(${s.recordedAt}, ${s.id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id})`
    : undefined;
}

/** Phone numbers never leave in full (SPEC section 7): the merchant sees the last four digits. */
export const maskPhone = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;

export async function listMerchantSales(
  ctx: Ctx,
  merchantId: string,
  input: PageInput & { status?: string },
) {
  await merchantForCaller(ctx, merchantId, { operatorMay: true });
  const s = schema.sales;
  const limit = pageSize(input.limit);
  const rows = await ctx.db
    .select({ sale: s, consumerPhone: schema.users.phone })
    .from(s)
    .innerJoin(schema.users, eq(schema.users.id, s.consumerUserId))
    .where(
      and(
        eq(s.merchantId, merchantId),
        input.status ? eq(s.status, input.status) : undefined,
        beforeCursor(decodeCursor(input.cursor)),
      ),
    )
    .orderBy(desc(s.recordedAt), desc(s.id))
    .limit(limit + 1);
  const { data, nextCursor } = page(rows, limit);
  return {
    data: data.map((r) => ({ ...saleView(r.sale), consumer: maskPhone(r.consumerPhone) })),
    nextCursor,
  };
}

export async function listConsumerSales(ctx: Ctx, input: PageInput) {
  const user = requireCaller(ctx);
  const s = schema.sales;
  const limit = pageSize(input.limit);
  const rows = await ctx.db
    .select({ sale: s, merchantName: schema.organisations.name })
    .from(s)
    .innerJoin(schema.organisations, eq(schema.organisations.id, s.merchantId))
    .where(and(eq(s.consumerUserId, user.id), beforeCursor(decodeCursor(input.cursor))))
    .orderBy(desc(s.recordedAt), desc(s.id))
    .limit(limit + 1);
  const { data, nextCursor } = page(rows, limit);
  return { data: data.map((r) => ({ ...saleView(r.sale), merchantName: r.merchantName })), nextCursor };
}

/**
 * Refunds part or all of a completed sale, inside the caller's transaction with the sale locked.
 * Vouchers due back are floor(vouchersIssued x refundedTotal / amount) over all refunds so far;
 * they are clawed back as far as the consumer still holds them; ad points go back in proportion to
 * the vouchers actually clawed back (floor, cumulative). `extra` adds money legs (online orders).
 */
export async function applyRefund(
  txCtx: Ctx,
  sale: Sale,
  input: {
    refundId: string;
    amountFen: number;
    orderId?: string;
    stripeRefundId?: string;
    extra?: TransferInput[];
  },
) {
  assertAmount(input.amountFen);
  if (sale.status !== 'completed')
    throw conflict('sale_not_completed', 'Only a completed sale can be refunded');
  const refundedTotal = sale.refundedFen + input.amountFen;
  if (refundedTotal > sale.amountFen) {
    throw unprocessable(
      'refund_exceeds_amount',
      `At most ${sale.amountFen - sale.refundedFen} fen is left to refund`,
    );
  }
  const dueTotal = proportionalShare(sale.vouchersIssued, refundedTotal, sale.amountFen);
  const dueNow = dueTotal - sale.vouchersDueBack;
  const held = (await balanceOf(txCtx.db, accounts.consumerVouchers(sale.consumerUserId))).available;
  const clawedBack = Math.max(0, Math.min(dueNow, held));
  const clawedTotal = sale.vouchersClawedBack + clawedBack;
  const returnedTotal = proportionalShare(sale.adPointsCharged, clawedTotal, sale.vouchersIssued);
  const adPointsReturned = returnedTotal - sale.adPointsReturned;

  const transfers: TransferInput[] = [...(input.extra ?? [])];
  if (clawedBack > 0) {
    transfers.push({
      debit: accounts.consumerVouchers(sale.consumerUserId),
      credit: accounts.platformVouchersIssued(),
      amount: clawedBack,
    });
  }
  if (adPointsReturned > 0) {
    transfers.push({
      debit: accounts.platformAdPointsRevenue(),
      credit: accounts.merchantAdPoints(sale.merchantId),
      amount: adPointsReturned,
    });
  }
  if (transfers.length > 0) {
    try {
      await postTransaction(txCtx.db, {
        key: `refund:${input.refundId}`,
        kind: 'refund',
        transfers,
        meta: { saleId: sale.id, refundId: input.refundId, orderId: input.orderId ?? null },
        now: txCtx.now(),
      });
    } catch (error) {
      // The consumer spent vouchers between our read and the debit: a retry sees the new balance.
      if (error instanceof LedgerError && error.code === 'insufficient_funds') {
        throw conflict('balance_changed', 'The consumer balance changed during the refund; try again');
      }
      throw error;
    }
  }
  const user = requireCaller(txCtx);
  await txCtx.db.insert(schema.refunds).values({
    id: input.refundId,
    saleId: sale.id,
    orderId: input.orderId ?? null,
    amountFen: input.amountFen,
    vouchersDueBack: dueNow,
    vouchersClawedBack: clawedBack,
    adPointsReturned,
    stripeRefundId: input.stripeRefundId ?? null,
    createdBy: user.id,
    createdAt: txCtx.now(),
  });
  await txCtx.db
    .update(schema.sales)
    .set({
      refundedFen: refundedTotal,
      vouchersDueBack: dueTotal,
      vouchersClawedBack: clawedTotal,
      adPointsReturned: returnedTotal,
    })
    .where(eq(schema.sales.id, sale.id));
  return { id: input.refundId, refunded: input.amountFen, vouchersClawedBack: clawedBack, adPointsReturned };
}

/** A merchant's staff refund an in-store sale (online sales are refunded through their order). */
export async function refundSale(ctx: Ctx, saleId: string, input: { amountFen: number }) {
  requireCaller(ctx);
  return inTransaction(ctx, async (tx) => {
    const [sale] = await tx.db.select().from(schema.sales).where(eq(schema.sales.id, saleId)).for('update');
    if (!sale) throw notFound('not_found', 'No such sale');
    await merchantForCaller(tx, sale.merchantId).catch(() => {
      throw notFound('not_found', 'No such sale');
    });
    if (sale.channel !== 'in_store')
      throw conflict('refund_through_order', 'Refund an online sale through its order');
    return applyRefund(tx, sale, { refundId: newId('rfd'), amountFen: input.amountFen });
  });
}
