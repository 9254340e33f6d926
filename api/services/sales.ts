import { type Db, type DbOrTx, isTransaction, perDb, schema } from '@alliance/db';
import { and, desc, eq, gt, inArray, lte, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { RecordedSale } from '../caches';
import type { Ctx } from '../context';
import { type ApiError, conflict, notFound, unauthorized, unprocessable } from '../errors';
import { newId } from '../ids';
import { balanceOf, GuardNotMet, LedgerError, postTransaction, type TransferInput } from '../ledger';
import { after, type CursorKey, pageOf } from '../paging';
import { maskPhone } from '../phone';
import { memberRole, merchantForCaller } from './access';
import { accounts } from './accounts';
import { ecoPointsPart, insufficientEcoPoints, isInsufficient } from './eco-points';
import { consumerForMemberCode } from './member-codes';
import { organisationRow, requireActive } from './organisations';
import { merchantAdRateBpAt, parametersAt } from './parameters';
import { hitRateLimit } from './rate-limit';
import {
  adPointsChargeForAmount,
  ecoPointsValueFen,
  maxAmountFen,
  proportionalShare,
  vouchersForAmount,
} from './rounding';
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
export async function voucherQuote(
  ctx: Ctx,
  input: { merchantId: string; amountFen: number; clientAddress: string },
) {
  // Public: counted before any work, refused ones too; per signed-in consumer when there is one
  // (shoppers behind one shared address, a mall's Wi-Fi, each get their own count), else per address.
  const caller = ctx.user ? `user:${ctx.user.id}` : `ip:${input.clientAddress}`;
  await hitRateLimit(ctx, `quote:${caller}`, ctx.config.VOUCHER_QUOTE_PER_IP_MINUTE, 60_000);
  const { merchantId, amountFen } = input;
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
    ecoPoints: sale.ecoPoints,
    cashDue: sale.amountFen - sale.ecoPointsValueFen,
    ecoPointsReturned: sale.ecoPointsReturned,
    expiresAt: sale.expiresAt?.toISOString() ?? null,
    recordedAt: sale.recordedAt.toISOString(),
    decidedAt: sale.decidedAt?.toISOString() ?? null,
  };
}

/** The eco-point columns of a sale paid entirely in money. */
export const noEcoPoints = {
  ecoPoints: 0,
  ecoPointUnitPriceFen: null,
  ecoPointsValueFen: 0,
  ecoPointsReturned: 0,
  cashRefundedFen: 0,
};

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
  requireActive(merchant);
  const consumerId = await consumerForMemberCode(ctx, input.memberCode);
  if (!consumerId) throw notFound('member_not_found', 'No member has this code');
  const consumer = { id: consumerId };
  // Staff earning vouchers on their own merchant's ad points is the easiest way to mint them.
  if (await memberRole(ctx, merchant.id, consumer.id))
    throw unprocessable('self_sale_not_allowed', "A merchant's staff cannot buy from it for vouchers");

  const now = ctx.now();
  const terms = await saleTermsAt(ctx, merchant.id, input.amountFen, now);
  const expiresAt = new Date(now.getTime() + saleConfirmWindowMs);
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
    ...noEcoPoints,
    expiresAt,
    recordedAt: now,
    decidedAt: null,
  };
  await ctx.db.insert(schema.sales).values(sale);
  // Committed (not in a caller's transaction): its confirmation need not read it back (issue 14).
  if (!isTransaction(ctx.db)) {
    ctx.caches.recordedSales.put(sale.id, {
      id: sale.id,
      merchantId: merchant.id,
      consumerUserId: consumer.id,
      amountFen: sale.amountFen,
      vouchers: sale.vouchers,
      adPointsCharge: sale.adPointsCharge,
      ecoPoints: sale.ecoPoints,
      ecoPointsValueFen: sale.ecoPointsValueFen,
      expiresAt,
    });
  }
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
      ecoPointsReturned: x.ecoPointsReturned,
      cashRefunded: x.cashRefundedFen ?? x.amountFen,
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

/** A sale's two legs: vouchers to the consumer, ad points from the merchant (either may be zero). */
function saleTransfers(
  sale: Pick<Sale, 'merchantId' | 'consumerUserId' | 'vouchers' | 'adPointsCharge'>,
): TransferInput[] {
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
  return transfers;
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
  const transfers = saleTransfers(sale);
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
 * by the ledger, is held only for the ledger's own statements and the commit. With `ecoPoints`, the
 * consumer pays that part in eco-points (to the merchant, key `sale:<id>:eco-points`) and vouchers
 * and the charge are recomputed on the money part, `cashDue`, at the rates recorded on the sale.
 */
export async function confirmSale(ctx: Ctx, saleId: string, input: { ecoPoints?: number } = {}) {
  const user = requireCaller(ctx);
  // Taken whichever way this confirmation goes: no later one would need it.
  const recorded = ctx.caches.recordedSales.take(saleId);
  if (!input.ecoPoints && !isTransaction(ctx.db)) {
    const confirmed = await confirmInLedgerTransaction(ctx, user.id, saleId, recorded);
    if (confirmed) return confirmed;
  }
  const outcome = await inTransaction(ctx, async (tx) => {
    const s = schema.sales;
    const now = tx.now();
    const [locked] = await completeIfAwaiting(tx.db, user.id, saleId, now).returning();
    if (!locked) return { error: await whyNotConfirmable(tx, saleId) };
    let sale: Sale = locked;
    if (input.ecoPoints) {
      const part = await ecoPointsPart(tx, sale.amountFen, input.ecoPoints, now);
      try {
        await postTransaction(tx.db, {
          key: `sale:${sale.id}:eco-points`,
          kind: 'sale_eco_points',
          transfers: [
            {
              debit: accounts.consumerEcoPoints(user.id),
              credit: accounts.merchantEcoPoints(sale.merchantId),
              amount: part.ecoPoints,
            },
          ],
          meta: { saleId: sale.id, merchantId: sale.merchantId },
          now,
        });
      } catch (error) {
        if (isInsufficient(error)) throw insufficientEcoPoints();
        throw error;
      }
      const vouchers = vouchersForAmount(part.cashFen, sale.voucherRatePerYuan);
      const adPointsCharge = adPointsChargeForAmount(part.cashFen, sale.adRateBp);
      const [updated] = await tx.db
        .update(s)
        .set({
          ecoPoints: part.ecoPoints,
          ecoPointUnitPriceFen: part.ecoPointUnitPriceFen,
          ecoPointsValueFen: part.ecoPointsValueFen,
          vouchers,
          adPointsCharge,
          vouchersIssued: vouchers,
          adPointsCharged: adPointsCharge,
        })
        .where(eq(s.id, sale.id))
        .returning();
      sale = updated!;
    }
    const confirmed = sale;
    const issued = await issueVouchersForSale(tx, confirmed, `sale:${confirmed.id}:confirm`);
    if (issued.reason) {
      await tx.db.update(s).set(issued).where(eq(s.id, confirmed.id));
    }
    return { result: confirmedView(confirmed, issued) };
  });
  // Expiry is recorded even though the request is refused.
  if ('error' in outcome) throw outcome.error;
  return outcome.result;
}

/**
 * An in-store sale awaiting the consumer's confirmation, not expired at `now`: what the read before
 * a confirmation and its conditional UPDATE both ask. Values may be placeholders.
 */
function awaitingConfirmationBy(
  consumerUserId: string | SQLWrapper,
  saleId: string | SQLWrapper,
  now: Date | SQLWrapper,
) {
  const s = schema.sales;
  return and(
    eq(s.id, saleId),
    eq(s.consumerUserId, consumerUserId),
    eq(s.channel, 'in_store'),
    eq(s.status, 'awaiting_confirmation'),
    gt(s.expiresAt, now),
  );
}

/**
 * The conditional UPDATE that completes an in-store sale awaiting the caller's confirmation (and
 * locks it). Its values may be placeholders, for the form rendered once (`completeGuard`).
 */
function completeIfAwaiting(
  db: DbOrTx,
  consumerUserId: string | SQLWrapper,
  saleId: string | SQLWrapper,
  now: Date | SQL,
  also?: SQL,
) {
  const s = schema.sales;
  return db
    .update(s)
    .set({
      status: 'completed',
      decidedAt: now,
      vouchersIssued: s.vouchers,
      adPointsCharged: s.adPointsCharge,
    })
    .where(and(awaitingConfirmationBy(consumerUserId, saleId, now), also));
}

/**
 * completeIfAwaiting as the ledger's guard, its text rendered once per database handle (issue 14).
 * It also requires the terms the transfers and the answer were made from, which may be this
 * process's memory of the recording rather than a read: a sale whose row says otherwise is not met.
 */
const completeGuard = perDb((db) => {
  const s = schema.sales;
  return completeIfAwaiting(
    db,
    sql.placeholder('consumerUserId'),
    sql.placeholder('saleId'),
    sql`${sql.placeholder('now')}::timestamptz`,
    and(
      eq(s.merchantId, sql.placeholder('merchantId')),
      eq(s.amountFen, sql.placeholder('amountFen')),
      eq(s.vouchers, sql.placeholder('vouchers')),
      eq(s.adPointsCharge, sql.placeholder('adPointsCharge')),
      eq(s.ecoPoints, sql.placeholder('ecoPoints')),
      eq(s.ecoPointsValueFen, sql.placeholder('ecoPointsValueFen')),
    ),
  )
    .returning({ id: s.id })
    .toSQL();
});

/** The sale awaiting the caller's confirmation, its SQL built once per database handle (issue 14). */
const preparedAwaitingSale = perDb((db) => {
  const s = schema.sales;
  // Only what the transfers and the answer need: every column more is mapped on every confirmation.
  return db
    .select({
      id: s.id,
      merchantId: s.merchantId,
      consumerUserId: s.consumerUserId,
      vouchers: s.vouchers,
      adPointsCharge: s.adPointsCharge,
      amountFen: s.amountFen,
      ecoPoints: s.ecoPoints,
      ecoPointsValueFen: s.ecoPointsValueFen,
    })
    .from(s)
    .where(
      awaitingConfirmationBy(
        sql.placeholder('consumerUserId'),
        sql.placeholder('saleId'),
        sql.placeholder('now'),
      ),
    )
    .prepare('sale_awaiting_confirmation');
});

/**
 * The common confirmation (no eco-points, the merchant's ad points cover the charge) as one
 * posting of the ledger's (issue 14): the ledger's own transaction runs the sale's conditional
 * UPDATE as its guard, with the account lock, the write and COMMIT. The sale's terms come from
 * this process's memory of recording it or, for a sale it did not record, from a plain read
 * first. They cannot change while the sale awaits confirmation (only a confirmation changes
 * them), and the guard requires them and that it still awaits, under the row lock. Anything
 * else (no such sale awaiting, terms that differ, insufficient ad points, nothing to move)
 * returns null having written nothing, and the full path decides and records the outcome.
 */
async function confirmInLedgerTransaction(
  ctx: Ctx,
  consumerUserId: string,
  saleId: string,
  recorded: RecordedSale | undefined,
) {
  const now = ctx.now();
  const sale =
    recorded && recorded.consumerUserId === consumerUserId && recorded.expiresAt > now
      ? recorded
      : // Not a transaction: confirmSale takes this path only outside one. A placeholder skips
        // the column's mapping, so the instant goes as the text that mapping would make.
        (
          await preparedAwaitingSale(ctx.db as Db).execute({ saleId, consumerUserId, now: now.toISOString() })
        )[0];
  const transfers = sale ? saleTransfers(sale) : [];
  if (!sale || transfers.length === 0) return null;
  try {
    const posted = await postTransaction(ctx.db, {
      key: `sale:${sale.id}:confirm`,
      kind: 'sale',
      transfers,
      meta: { saleId: sale.id, merchantId: sale.merchantId },
      now,
      guard: {
        query: completeGuard(ctx.db as Db),
        values: {
          consumerUserId,
          saleId,
          now: now.toISOString(),
          merchantId: sale.merchantId,
          amountFen: sale.amountFen,
          vouchers: sale.vouchers,
          adPointsCharge: sale.adPointsCharge,
          ecoPoints: sale.ecoPoints,
          ecoPointsValueFen: sale.ecoPointsValueFen,
        },
      },
    });
    // A replay would mean the guard's UPDATE was rolled back with the refused write: not done here.
    if (posted.replayed) return null;
  } catch (error) {
    if (error instanceof GuardNotMet || isInsufficient(error)) return null;
    throw error;
  }
  return confirmedView(sale, {
    vouchersIssued: sale.vouchers,
    adPointsCharged: sale.adPointsCharge,
    reason: null,
  });
}

/** The answer to a confirmation, whichever path recorded it. */
function confirmedView(
  sale: Pick<Sale, 'id' | 'ecoPoints' | 'amountFen' | 'ecoPointsValueFen'>,
  issued: { vouchersIssued: number; adPointsCharged: number; reason: string | null },
) {
  return {
    id: sale.id,
    status: 'completed' as const,
    ...issued,
    ecoPoints: sale.ecoPoints,
    cashDue: sale.amountFen - sale.ecoPointsValueFen,
  };
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
  // Only a confirmation would need its terms again, and it cannot follow a decline.
  ctx.caches.recordedSales.take(saleId);
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

/** A page of a list newest first: (time desc, id desc) after `cursor`. */
export interface PageInput {
  limit?: number;
  cursor?: CursorKey<'time'>;
}

export const pageSize = (limit: number | undefined) => Math.min(Math.max(limit ?? 50, 1), maxPageSize);

const page = <T extends { sale: Sale }>(rows: T[], limit: number) => {
  const { rows: data, nextCursor } = pageOf('sales', rows, limit, (r) => ({
    at: r.sale.recordedAt,
    id: r.sale.id,
  }));
  return { data, nextCursor };
};

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
        after(s.recordedAt, s.id, input.cursor),
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
    .where(and(eq(s.consumerUserId, user.id), after(s.recordedAt, s.id, input.cursor)))
    .orderBy(desc(s.recordedAt), desc(s.id))
    .limit(limit + 1);
  const { data, nextCursor } = page(rows, limit);
  return { data: data.map((r) => ({ ...saleView(r.sale), merchantName: r.merchantName })), nextCursor };
}

/**
 * How a refund of `amountFen` splits (API.md "Eco-points"), cumulatively over the sale's refunds:
 * eco-points back = floor(ecoPoints x refundedTotal / amount), money back = refundedTotal -
 * value(eco-points back) at the sale's unit price, at most the money paid, each minus what earlier
 * refunds gave back.
 */
export function refundSplit(sale: Sale, amountFen: number) {
  const refundedTotal = sale.refundedFen + amountFen;
  if (sale.ecoPoints === 0) {
    return {
      ecoPointsTotal: 0,
      ecoPoints: 0,
      cashTotal: sale.cashRefundedFen + amountFen,
      cashFen: amountFen,
    };
  }
  const ecoPointsTotal = proportionalShare(sale.ecoPoints, refundedTotal, sale.amountFen);
  // Never more money than was paid in money: flooring the eco-points of a part can leave its value
  // a fen or more short of the part's share; the last refund gives the rest back exactly.
  const cashDueTotal = Math.min(
    refundedTotal - ecoPointsValueFen(ecoPointsTotal, sale.ecoPointUnitPriceFen ?? 0),
    sale.amountFen - sale.ecoPointsValueFen,
  );
  // Never negative: a unit price above 1 fen per hundredth can make one step's value jump ahead.
  const cashFen = Math.max(0, cashDueTotal - sale.cashRefundedFen);
  return {
    ecoPointsTotal,
    ecoPoints: ecoPointsTotal - sale.ecoPointsReturned,
    cashTotal: sale.cashRefundedFen + cashFen,
    cashFen,
  };
}

/**
 * The largest part of a sale still refundable whose money part (refundSplit) is exactly `moneyFen`,
 * or null if none is: how money Stripe returned on its own (a dashboard refund, a lost dispute) is
 * applied to a sale paid partly with eco-points, the consumer getting that part's eco-points back.
 * The money part is near the part x (money share of the sale); flooring the eco-points moves it by
 * at most one hundredth's value and a fen, so only parts around that estimate are tried. A sale
 * paid whole with eco-points took no money through Stripe: null.
 */
export function largestRefundWithMoney(sale: Sale, moneyFen: number): number | null {
  const leftFen = sale.amountFen - sale.refundedFen;
  if (!Number.isSafeInteger(moneyFen) || moneyFen < 1 || leftFen < 1) return null;
  const moneyShareFen = sale.amountFen - sale.ecoPointsValueFen;
  if (moneyShareFen <= 0) return null;
  const slackFen = Math.ceil((sale.ecoPointUnitPriceFen ?? 0) / 100) + 2;
  // Refunds are cumulative: the part whose running money total reaches what is refunded plus this.
  const estimate = (fen: number) =>
    Number((BigInt(sale.cashRefundedFen + fen) * BigInt(sale.amountFen)) / BigInt(moneyShareFen)) -
    sale.refundedFen;
  const low = Math.max(1, estimate(moneyFen - slackFen) - 1);
  for (let part = Math.min(leftFen, estimate(moneyFen + slackFen) + 1); part >= low; part--) {
    if (refundSplit(sale, part).cashFen === moneyFen) return part;
  }
  return null;
}

/**
 * Eco-points a refund gives back come from the merchant; what it no longer holds the platform
 * issues to the consumer instead and charges to the merchant's proceeds at today's unit price.
 */
async function ecoPointsBackTransfers(txCtx: Ctx, sale: Sale, ecoPoints: number): Promise<TransferInput[]> {
  if (ecoPoints === 0) return [];
  const consumer = accounts.consumerEcoPoints(sale.consumerUserId);
  const held = (await balanceOf(txCtx.db, accounts.merchantEcoPoints(sale.merchantId))).available;
  const fromMerchant = Math.max(0, Math.min(ecoPoints, held));
  const shortfall = ecoPoints - fromMerchant;
  const transfers: TransferInput[] = [];
  if (fromMerchant > 0) {
    transfers.push({
      debit: accounts.merchantEcoPoints(sale.merchantId),
      credit: consumer,
      amount: fromMerchant,
    });
  }
  if (shortfall > 0) {
    transfers.push({ debit: accounts.platformEcoPointsIssued(), credit: consumer, amount: shortfall });
    const chargeFen = ecoPointsValueFen(
      shortfall,
      (await parametersAt(txCtx, txCtx.now())).ecoPointUnitPriceFen,
    );
    if (chargeFen > 0) {
      transfers.push({
        debit: accounts.merchantProceeds(sale.merchantId),
        credit: accounts.platformEcoPointRefundCharges(),
        amount: chargeFen,
      });
    }
  }
  return transfers;
}

/**
 * Refunds part or all of a completed sale, inside the caller's transaction with the sale locked.
 * Vouchers due back are floor(vouchersIssued x refundedTotal / amount) over all refunds so far;
 * they are clawed back as far as the consumer still holds them; ad points go back in proportion to
 * the vouchers actually clawed back (floor, cumulative); eco-points paid with go back as
 * refundSplit says. `extra` adds money legs (online orders), for `expectedCashFen` of money back.
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
    expectedCashFen?: number;
    /** Who refunded when no one signed in did (a refund made in the Stripe dashboard). */
    createdBy?: string;
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
  const split = refundSplit(sale, input.amountFen);
  if (input.expectedCashFen !== undefined && split.cashFen !== input.expectedCashFen) {
    throw conflict('balance_changed', 'The order was refunded meanwhile; try again');
  }
  const dueTotal = proportionalShare(sale.vouchersIssued, refundedTotal, sale.amountFen);
  const dueNow = dueTotal - sale.vouchersDueBack;
  const held = (await balanceOf(txCtx.db, accounts.consumerVouchers(sale.consumerUserId))).available;
  const clawedBack = Math.max(0, Math.min(dueNow, held));
  const clawedTotal = sale.vouchersClawedBack + clawedBack;
  const returnedTotal = proportionalShare(sale.adPointsCharged, clawedTotal, sale.vouchersIssued);
  const adPointsReturned = returnedTotal - sale.adPointsReturned;

  const pointLegs: TransferInput[] = [];
  if (clawedBack > 0) {
    pointLegs.push({
      debit: accounts.consumerVouchers(sale.consumerUserId),
      credit: accounts.platformVouchersIssued(),
      amount: clawedBack,
    });
  }
  if (adPointsReturned > 0) {
    pointLegs.push({
      debit: accounts.platformAdPointsRevenue(),
      credit: accounts.merchantAdPoints(sale.merchantId),
      amount: adPointsReturned,
    });
  }
  // The merchant's usable eco-points are read again if it spent some meanwhile: an online refund
  // has already been paid by Stripe, so a merchant's eco-topup must not make it fail.
  for (let attempt = 1; ; attempt++) {
    const transfers: TransferInput[] = [
      ...(input.extra ?? []),
      ...(await ecoPointsBackTransfers(txCtx, sale, split.ecoPoints)),
      ...pointLegs,
    ];
    if (transfers.length === 0) break;
    try {
      await postTransaction(txCtx.db, {
        key: `refund:${input.refundId}`,
        kind: 'refund',
        transfers,
        meta: { saleId: sale.id, refundId: input.refundId, orderId: input.orderId ?? null },
        now: txCtx.now(),
      });
      break;
    } catch (error) {
      if (!(error instanceof LedgerError && error.code === 'insufficient_funds')) throw error;
      const refused = (error.details as { account?: { ownerType?: string; code?: string } } | undefined)
        ?.account;
      if (refused?.ownerType === 'merchant' && refused.code === 'eco_points' && attempt < 3) continue;
      // The consumer spent vouchers between our read and the debit: a retry sees the new balance.
      throw conflict('balance_changed', 'The consumer balance changed during the refund; try again');
    }
  }
  const createdBy = input.createdBy ?? requireCaller(txCtx).id;
  await txCtx.db.insert(schema.refunds).values({
    id: input.refundId,
    saleId: sale.id,
    orderId: input.orderId ?? null,
    amountFen: input.amountFen,
    vouchersDueBack: dueNow,
    vouchersClawedBack: clawedBack,
    adPointsReturned,
    ecoPointsReturned: split.ecoPoints,
    cashRefundedFen: split.cashFen,
    stripeRefundId: input.stripeRefundId ?? null,
    createdBy,
    createdAt: txCtx.now(),
  });
  await txCtx.db
    .update(schema.sales)
    .set({
      refundedFen: refundedTotal,
      vouchersDueBack: dueTotal,
      vouchersClawedBack: clawedTotal,
      adPointsReturned: returnedTotal,
      ecoPointsReturned: split.ecoPointsTotal,
      cashRefundedFen: split.cashTotal,
    })
    .where(eq(schema.sales.id, sale.id));
  return {
    id: input.refundId,
    refunded: input.amountFen,
    vouchersClawedBack: clawedBack,
    adPointsReturned,
    ecoPointsReturned: split.ecoPoints,
    cashRefunded: split.cashFen,
  };
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
