import { schema } from '@alliance/db';
import { and, desc, eq } from 'drizzle-orm';
import type { Ctx } from '../context';
import { conflict, notFound, unprocessable } from '../errors';
import { newId } from '../ids';
import { balanceOf, LedgerError, postTransaction } from '../ledger';
import { after, type CursorKey, pageOf } from '../paging';
import { merchantForCaller } from './access';
import { accounts } from './accounts';
import { requireActive } from './organisations';
import { parametersAt } from './parameters';
import { divFloor, formatHundredths, proportionalShare } from './rounding';
import { paymentProviderError, stripeFor } from './stripe';
import { recordStripeAnomaly } from './stripe-anomalies';
import { inTransaction } from './tx';

export const minTopupFen = 100;
/** One top-up at most 100,000.00 yuan: a prepaid advertising budget, not a deposit account. */
export const maxTopupFen = 10_000_000;

type TopupRow = typeof schema.topups.$inferSelect;
export type TopupStatus = 'pending' | 'paid' | 'partially_refunded' | 'refunded' | 'expired';

function topupView(row: TopupRow) {
  return {
    id: row.id,
    merchantId: row.merchantId,
    status: row.status as TopupStatus,
    amount: row.amountFen,
    adPoints: row.adPoints,
    adPointPriceFen: row.adPointPriceFen,
    checkoutSessionId: row.checkoutSessionId,
    checkoutUrl: row.checkoutUrl,
    createdAt: row.createdAt.toISOString(),
    paidAt: row.paidAt?.toISOString() ?? null,
    receiptNumber: row.receiptNumber,
    refunded: Math.min(row.amountFen, row.refundedFen + row.disputedFen),
    adPointsReversed: row.adPointsReversed,
    adPointsUnrecovered: row.adPointsUnrecovered,
  };
}
export type TopupView = ReturnType<typeof topupView>;

/**
 * Ad points a top-up buys, fixed when it is created with the price in force: a grant, so it
 * rounds down (SPEC section 2). 10000 fen at 100 fen a point = 100.00 points = 10000 hundredths.
 */
export function adPointsForTopup(amountFen: number, adPointPriceFen: number): number {
  return divFloor(BigInt(amountFen) * 100n, BigInt(adPointPriceFen));
}

/**
 * Opens a Stripe Checkout Session (card, Alipay, WeChat Pay) for an active merchant's staff.
 * Stripe is asked first, with the top-up id in its metadata, so a provider failure writes nothing.
 */
export async function createTopup(
  ctx: Ctx,
  merchantId: string,
  input: { amount: number },
): Promise<TopupView> {
  const merchant = await merchantForCaller(ctx, merchantId);
  if (input.amount < minTopupFen)
    throw unprocessable('amount_too_small', `A top-up is at least ${minTopupFen} fen`);
  if (input.amount > maxTopupFen)
    throw unprocessable('amount_too_large', `A top-up is at most ${maxTopupFen} fen`);
  requireActive(merchant);
  const createdAt = ctx.now();
  const { adPointPriceFen } = await parametersAt(ctx, createdAt);
  const adPoints = adPointsForTopup(input.amount, adPointPriceFen);
  if (adPoints < 1) throw unprocessable('amount_too_small', 'The amount buys less than 0.01 ad point');

  const id = newId('top');
  const returnUrl = `${ctx.config.publicUrl}/biz/merchants/${merchantId}/topups/${id}`;
  const metadata = { topup_id: id, merchant_id: merchantId };
  let session: { id: string; url: string | null };
  try {
    session = await stripeFor(ctx).checkout.sessions.create(
      {
        mode: 'payment',
        // API 2026-10-28 (stripe 23) replaced payment_method_types with this filter.
        allowed_payment_method_types: ['card', 'alipay', 'wechat_pay'],
        payment_method_options: { wechat_pay: { client: 'web' } },
        // Stripe's own words on its page follow the payer's browser language.
        locale: 'auto',
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: 'cny',
              unit_amount: input.amount,
              // The merchant reads this on Stripe's page: in the platform's language, not an internal phrase.
              product_data: { name: `${merchant.name} · 广告积分 ${formatHundredths(adPoints)}` },
            },
          },
        ],
        client_reference_id: id,
        metadata,
        payment_intent_data: { metadata },
        success_url: `${returnUrl}?checkout=success`,
        cancel_url: `${returnUrl}?checkout=cancelled`,
      },
      { idempotencyKey: `topup:${id}:checkout` },
    );
  } catch (error) {
    throw paymentProviderError(error);
  }
  const [row] = await ctx.db
    .insert(schema.topups)
    .values({
      id,
      merchantId,
      status: 'pending',
      amountFen: input.amount,
      adPoints,
      adPointPriceFen,
      checkoutSessionId: session.id,
      checkoutUrl: session.url,
      createdBy: ctx.user!.id,
      createdAt,
    })
    .returning();
  return topupView(row!);
}

export async function listTopups(
  ctx: Ctx,
  merchantId: string,
  page: { limit: number; cursor?: CursorKey<'time'> },
) {
  await merchantForCaller(ctx, merchantId, { operatorMay: true });
  const t = schema.topups;
  const found = await ctx.db
    .select()
    .from(t)
    .where(and(eq(t.merchantId, merchantId), after(t.createdAt, t.id, page.cursor)))
    .orderBy(desc(t.createdAt), desc(t.id))
    .limit(page.limit + 1);
  const { rows, nextCursor } = pageOf('topups', found, page.limit, (r) => ({ at: r.createdAt, id: r.id }));
  return { data: rows.map(topupView), nextCursor };
}

async function topupForCaller(ctx: Ctx, merchantId: string, topupId: string) {
  const merchant = await merchantForCaller(ctx, merchantId, { operatorMay: true });
  const t = schema.topups;
  const [row] = await ctx.db
    .select()
    .from(t)
    .where(and(eq(t.id, topupId), eq(t.merchantId, merchantId)));
  if (!row) throw notFound('not_found', 'No such top-up');
  return { merchant, row };
}

export async function getTopup(ctx: Ctx, merchantId: string, topupId: string): Promise<TopupView> {
  return topupView((await topupForCaller(ctx, merchantId, topupId)).row);
}

/** The receipt for a paid top-up (SPEC section 7: prepaid advertising, each top-up has one). */
export async function topupReceipt(ctx: Ctx, merchantId: string, topupId: string) {
  const { merchant, row } = await topupForCaller(ctx, merchantId, topupId);
  if (!row.receiptNumber || !row.paidAt)
    throw conflict('topup_not_paid', 'A receipt exists once the top-up is paid');
  return {
    receiptNumber: row.receiptNumber,
    topupId: row.id,
    issuedBy: 'Alliance platform',
    description: `Prepaid advertising service: ${formatHundredths(row.adPoints)} ad points`,
    merchant: { id: merchant.id, name: merchant.name, address: merchant.address, contact: merchant.contact },
    amount: row.amountFen,
    currency: 'cny' as const,
    adPoints: row.adPoints,
    adPointPriceFen: row.adPointPriceFen,
    paidAt: row.paidAt.toISOString(),
    paymentMethod: row.paymentMethod,
    status: row.status,
    refunded: topupView(row).refunded,
    stripe: {
      checkoutSessionId: row.checkoutSessionId,
      paymentIntentId: row.paymentIntentId,
      chargeId: row.chargeId,
    },
  };
}

export interface PaymentFacts {
  eventId: string;
  paymentIntentId: string | null;
  chargeId?: string | null;
  paymentMethod?: string | null;
}

export function receiptNumber(paidAt: Date, topupId: string) {
  return `R${paidAt.toISOString().slice(0, 10).replaceAll('-', '')}-${topupId.slice(4, 14).toUpperCase()}`;
}

/**
 * Credits a pending top-up's ad points once (ledger key `topup:<id>:credit`); called by the
 * verified webhook after it matched the session, and by demo data. A paid top-up is left alone.
 */
export async function creditPaidTopup(
  ctx: Ctx,
  topupId: string,
  payment: PaymentFacts,
): Promise<'credited' | 'already_credited' | 'anomaly'> {
  return inTransaction(ctx, async (tx): Promise<'credited' | 'already_credited' | 'anomaly'> => {
    const t = schema.topups;
    const [row] = await tx.db.select().from(t).where(eq(t.id, topupId)).for('update');
    if (!row) throw notFound('not_found', 'No such top-up');
    if (row.status === 'expired') {
      // Stripe does not complete an expired session; if it ever says so, a person must look.
      await recordStripeAnomaly(tx, {
        eventId: payment.eventId,
        kind: 'completed_after_expiry',
        topupId: row.id,
        merchantId: row.merchantId,
        detail: { checkoutSessionId: row.checkoutSessionId },
      });
      return 'anomaly';
    }
    if (row.status !== 'pending') return 'already_credited';
    await postTransaction(tx.db, {
      key: `topup:${row.id}:credit`,
      kind: 'topup_credit',
      transfers: [
        {
          debit: accounts.platformAdPointsIssued(),
          credit: accounts.merchantAdPoints(row.merchantId),
          amount: row.adPoints,
        },
        // The money, as the verified webhook says Stripe collected it.
        {
          debit: accounts.platformTopupClearing(),
          credit: accounts.merchantPrepaidMoney(row.merchantId),
          amount: row.amountFen,
        },
      ],
      meta: { topupId: row.id, merchantId: row.merchantId, amountFen: row.amountFen },
      now: tx.now(),
    });
    const paidAt = tx.now();
    const paid = {
      status: 'paid',
      paidAt,
      receiptNumber: receiptNumber(paidAt, row.id),
      creditEventId: payment.eventId,
      paymentIntentId: payment.paymentIntentId,
      chargeId: payment.chargeId ?? row.chargeId,
      paymentMethod: payment.paymentMethod ?? row.paymentMethod,
    };
    await tx.db.update(t).set(paid).where(eq(t.id, row.id));
    // A refund or lost dispute that arrived before the completion is applied now.
    await settleReversals(tx, { ...row, ...paid }, payment.eventId);
    return 'credited';
  });
}

/** The payer left the Checkout Session until it expired: the top-up will never be paid. */
export async function expireTopup(ctx: Ctx, checkoutSessionId: string): Promise<string | null> {
  const t = schema.topups;
  const expired = await ctx.db
    .update(t)
    .set({ status: 'expired' })
    .where(and(eq(t.checkoutSessionId, checkoutSessionId), eq(t.status, 'pending')))
    .returning({ id: t.id });
  if (expired.length > 0) return 'topup_expired';
  const [known] = await ctx.db.select({ id: t.id }).from(t).where(eq(t.checkoutSessionId, checkoutSessionId));
  return known ? 'ignored' : null;
}

/**
 * Money went back to the payer (refunds are cumulative on the charge; disputes add up). Records
 * it and takes back the matching ad points, as far as they are unspent. Idempotent per state:
 * the same cumulative amount again changes nothing.
 */
export async function recordTopupMoneyReturned(
  ctx: Ctx,
  topupId: string,
  change: { refundedFenTotal?: number; disputedFenAdded?: number; eventId: string },
) {
  return inTransaction(ctx, async (tx) => {
    const t = schema.topups;
    const [row] = await tx.db.select().from(t).where(eq(t.id, topupId)).for('update');
    if (!row) throw notFound('not_found', 'No such top-up');
    const next = {
      refundedFen: Math.max(row.refundedFen, change.refundedFenTotal ?? 0),
      disputedFen: row.disputedFen + (change.disputedFenAdded ?? 0),
    };
    if (next.refundedFen === row.refundedFen && next.disputedFen === row.disputedFen) return 'no_change';
    await tx.db.update(t).set(next).where(eq(t.id, row.id));
    return settleReversals(tx, { ...row, ...next }, change.eventId);
  });
}

/** Books money Stripe gave back (refunds, lost disputes) on the CNY ledger, once per new amount. */
async function moveReturnedMoney(ctx: Ctx, row: TopupRow, returnedFen: number): Promise<void> {
  const newlyReturnedFen = returnedFen - row.moneyReturnedFen;
  if (newlyReturnedFen <= 0) return;
  await postTransaction(ctx.db, {
    key: `topup:${row.id}:money-returned:${returnedFen}`,
    kind: 'topup_money_returned',
    transfers: [
      {
        debit: accounts.merchantPrepaidMoney(row.merchantId),
        credit: accounts.platformTopupClearing(),
        amount: newlyReturnedFen,
      },
    ],
    meta: { topupId: row.id, merchantId: row.merchantId, returnedFen },
    now: ctx.now(),
  });
  await ctx.db
    .update(schema.topups)
    .set({ moneyReturnedFen: returnedFen })
    .where(eq(schema.topups.id, row.id));
}

/** Takes back what the returned money is owed in points: cumulative, never below zero. */
async function settleReversals(ctx: Ctx, row: TopupRow, eventId: string): Promise<string> {
  // Before the credit there is nothing to take back; the credit settles it later.
  if (row.status === 'pending') return 'recorded_before_credit';
  const returnedFen = Math.min(row.amountFen, row.refundedFen + row.disputedFen);
  await moveReturnedMoney(ctx, row, returnedFen);
  const duePoints =
    proportionalShare(row.adPoints, returnedFen, row.amountFen) -
    row.adPointsReversed -
    row.adPointsUnrecovered;
  const status =
    returnedFen >= row.amountFen ? 'refunded' : returnedFen > 0 ? 'partially_refunded' : row.status;
  if (duePoints <= 0) {
    if (status !== row.status)
      await ctx.db.update(schema.topups).set({ status }).where(eq(schema.topups.id, row.id));
    return 'no_points_due';
  }
  const merchantAccount = accounts.merchantAdPoints(row.merchantId);
  let taken = 0;
  // A sale may spend points between the balance read and the transfer: read again and retry.
  for (let attempt = 0; ; attempt++) {
    const { available } = await balanceOf(ctx.db, merchantAccount);
    taken = Math.max(0, Math.min(duePoints, available));
    if (taken === 0) break;
    try {
      await postTransaction(ctx.db, {
        key: `topup:${row.id}:reverse:${returnedFen}`,
        kind: 'topup_reversal',
        transfers: [{ debit: merchantAccount, credit: accounts.platformAdPointsIssued(), amount: taken }],
        meta: { topupId: row.id, merchantId: row.merchantId, returnedFen },
        now: ctx.now(),
      });
      break;
    } catch (error) {
      if (!(error instanceof LedgerError && error.code === 'insufficient_funds') || attempt >= 2) throw error;
    }
  }
  const unrecovered = duePoints - taken;
  await ctx.db.insert(schema.topupReversals).values({
    id: newId('trv'),
    topupId: row.id,
    source: `returned:${returnedFen}`,
    moneyFen: returnedFen,
    adPointsDue: duePoints,
    adPointsTaken: taken,
    adPointsUnrecovered: unrecovered,
    eventId,
    createdAt: ctx.now(),
  });
  await ctx.db
    .update(schema.topups)
    .set({
      status,
      adPointsReversed: row.adPointsReversed + taken,
      adPointsUnrecovered: row.adPointsUnrecovered + unrecovered,
    })
    .where(eq(schema.topups.id, row.id));
  if (unrecovered > 0) {
    await recordStripeAnomaly(ctx, {
      eventId,
      kind: 'points_unrecovered',
      topupId: row.id,
      merchantId: row.merchantId,
      detail: { returnedFen, adPointsDue: duePoints, adPointsTaken: taken, adPointsUnrecovered: unrecovered },
    });
  }
  return unrecovered > 0 ? 'points_partly_reversed' : 'points_reversed';
}
