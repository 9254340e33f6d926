import { schema } from '@alliance/db';
import { and, eq, sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { notFound, unauthorized, unprocessable } from '../errors';
import { newId } from '../ids';
import { type AccountRef, balanceOf, LedgerError, postTransaction } from '../ledger';
import { query } from '../ledger/sql';
import type { VerifyCheck } from '../ledger/verify';
import { merchantForCaller } from './access';
import { accounts } from './accounts';
import { requireActive } from './organisations';
import { parametersAt } from './parameters';
import {
  adPointsForValue,
  ecoPointsValueFen,
  maxEcoPointsForAmount,
  vouchersForAmount,
  withdrawalFee,
} from './rounding';
import { receiptNumber } from './topups';
import { inTransaction } from './tx';

/**
 * What a holder's eco-points look like to them (API.md): `ecoPoints` usable now, `ecoPointsHeld`
 * held for an unpaid order or a pending withdrawal (the account's pending debits).
 */
export async function ecoPointsHolding(ctx: Ctx, ref: AccountRef) {
  const balance = await balanceOf(ctx.db, ref);
  return { ecoPoints: balance.available, ecoPointsHeld: balance.debitsPending };
}

export const insufficientEcoPoints = () =>
  unprocessable('insufficient_eco_points', 'Not enough eco-points to use now');

/**
 * The eco-point part of a payment of `amountFen` (API.md "Eco-points"): its value at the unit price
 * in force may not exceed the amount (422 eco_points_exceed_amount); the rest is money.
 */
export async function ecoPointsPart(ctx: Ctx, amountFen: number, ecoPoints: number, at: Date) {
  const unitPriceFen = (await parametersAt(ctx, at)).ecoPointUnitPriceFen;
  const valueFen = ecoPointsValueFen(ecoPoints, unitPriceFen);
  if (valueFen > amountFen) {
    throw unprocessable('eco_points_exceed_amount', 'The eco-points are worth more than the amount to pay');
  }
  return {
    ecoPoints,
    ecoPointUnitPriceFen: unitPriceFen,
    ecoPointsValueFen: valueFen,
    cashFen: amountFen - valueFen,
  };
}

/** The ledger refused a debit of eco-points: the holder has fewer usable than asked. */
export function isInsufficient(error: unknown): boolean {
  return error instanceof LedgerError && error.code === 'insufficient_funds';
}

/** Only the merchant's owner moves its eco-points: staff get 403, everyone else 404. */
export function merchantForOwner(ctx: Ctx, merchantId: string) {
  return merchantForCaller(ctx, merchantId, { owner: 'forbid' });
}

/**
 * A merchant's owner turns received eco-points into ad points at today's prices:
 * adPoints = floor(value(ecoPoints) x 100 / adPointPriceFen). One ledger transaction moves the
 * eco-points out of circulation and issues the ad points; its meta is the receipt the ad-point
 * history shows.
 */
export async function ecoTopup(ctx: Ctx, merchantId: string, input: { ecoPoints: number }) {
  const user = ctx.user!;
  const merchant = await merchantForOwner(ctx, merchantId);
  requireActive(merchant);
  const now = ctx.now();
  const params = await parametersAt(ctx, now);
  const valueFen = ecoPointsValueFen(input.ecoPoints, params.ecoPointUnitPriceFen);
  const adPoints = adPointsForValue(valueFen, params.adPointPriceFen);
  if (adPoints === 0) {
    throw unprocessable('amount_too_small', 'These eco-points are worth less than 0.01 ad point');
  }
  const id = newId('eto');
  const row = {
    id,
    merchantId: merchant.id,
    ecoPoints: input.ecoPoints,
    adPoints,
    ecoPointUnitPriceFen: params.ecoPointUnitPriceFen,
    adPointPriceFen: params.adPointPriceFen,
    receiptNumber: receiptNumber(now, id),
    createdBy: user.id,
    createdAt: now,
  };
  return inTransaction(ctx, async (tx) => {
    try {
      await postTransaction(tx.db, {
        key: `eco-topup:${id}`,
        kind: 'eco_topup',
        transfers: [
          {
            debit: accounts.merchantEcoPoints(merchant.id),
            credit: accounts.platformEcoPointsRedeemed(),
            amount: input.ecoPoints,
          },
          {
            debit: accounts.platformAdPointsIssued(),
            credit: accounts.merchantAdPoints(merchant.id),
            amount: adPoints,
          },
        ],
        meta: {
          ecoTopupId: id,
          receiptNumber: row.receiptNumber,
          merchantId: merchant.id,
          ecoPoints: input.ecoPoints,
          adPoints,
          ecoPointUnitPriceFen: row.ecoPointUnitPriceFen,
          adPointPriceFen: row.adPointPriceFen,
        },
        now,
      });
    } catch (error) {
      if (isInsufficient(error)) throw insufficientEcoPoints();
      throw error;
    }
    await tx.db.insert(schema.ecoTopups).values(row);
    return {
      id,
      merchantId: merchant.id,
      ecoPoints: row.ecoPoints,
      adPoints,
      ecoPointUnitPriceFen: row.ecoPointUnitPriceFen,
      adPointPriceFen: row.adPointPriceFen,
      receiptNumber: row.receiptNumber,
      createdAt: now.toISOString(),
    };
  });
}

/**
 * What paying `ecoPoints` would leave to pay in money and earn in vouchers, by the same rules as
 * the payment itself, so that the apps show it before the consumer pays without rounding on their
 * own: for an in-store sale waiting for the caller (its frozen rates), or an online amount at a
 * merchant (today's rates). 422 eco_points_exceed_amount as the payment would.
 */
export async function ecoPointsQuote(
  ctx: Ctx,
  input: { ecoPoints: number; saleId?: string; merchantId?: string; amount?: number },
) {
  const user = ctx.user;
  if (!user) throw unauthorized();
  const now = ctx.now();
  let amountFen: number;
  let rates: { voucherRatePerYuan: number };
  if (input.saleId) {
    const s = schema.sales;
    const [sale] = await ctx.db
      .select()
      .from(s)
      .where(and(eq(s.id, input.saleId), eq(s.consumerUserId, user.id), eq(s.channel, 'in_store')));
    if (!sale) throw notFound('not_found', 'No such sale');
    amountFen = sale.amountFen;
    rates = sale;
  } else {
    const [merchant] = await ctx.db
      .select({ status: schema.organisations.status })
      .from(schema.organisations)
      .where(
        and(eq(schema.organisations.id, input.merchantId ?? ''), eq(schema.organisations.kind, 'merchant')),
      );
    if (merchant?.status !== 'active') throw notFound('not_found', 'No such merchant');
    if (!input.amount) throw unprocessable('amount_required', 'Give the amount (fen) or the sale');
    amountFen = input.amount;
    rates = await parametersAt(ctx, now);
  }
  const part = await ecoPointsPart(ctx, amountFen, input.ecoPoints, now);
  const holding = await ecoPointsHolding(ctx, accounts.consumerEcoPoints(user.id));
  return {
    amount: amountFen,
    ecoPoints: part.ecoPoints,
    ecoPointsValue: part.ecoPointsValueFen,
    cashAmount: part.cashFen,
    vouchers: vouchersForAmount(part.cashFen, rates.voucherRatePerYuan),
    ecoPointsUsable: holding.ecoPoints,
    ecoPointsMax: Math.min(holding.ecoPoints, maxEcoPointsForAmount(amountFen, part.ecoPointUnitPriceFen)),
  };
}

/**
 * The eco-point terms in force, readable by anyone signed in, so the apps can say whether
 * withdrawals are open and show the fee, the cash and the ad points before the holder confirms,
 * by the same rounding as the operations themselves (the parameters page is for operators only).
 */
export async function ecoPointsTerms(ctx: Ctx, input: { ecoPoints?: number }) {
  if (!ctx.user) throw unauthorized();
  const params = await parametersAt(ctx, ctx.now());
  const preview = (ecoPoints: number) => {
    const fee = withdrawalFee(ecoPoints, params.withdrawalFeeBp);
    const valueFen = ecoPointsValueFen(ecoPoints, params.ecoPointUnitPriceFen);
    return {
      ecoPoints,
      value: valueFen,
      withdrawalFee: fee,
      withdrawalAmount: ecoPointsValueFen(Math.max(0, ecoPoints - fee), params.ecoPointUnitPriceFen),
      ecoTopupAdPoints: adPointsForValue(valueFen, params.adPointPriceFen),
    };
  };
  return {
    ecoPointUnitPriceFen: params.ecoPointUnitPriceFen,
    adPointPriceFen: params.adPointPriceFen,
    withdrawalsEnabled: params.withdrawalsEnabled === 1,
    withdrawalMinimumEcoPoints: params.withdrawalMinimumEcoPoints,
    withdrawalFeeBp: params.withdrawalFeeBp,
    preview: input.ecoPoints === undefined ? null : preview(input.ecoPoints),
  };
}

export interface EcoPointsFigures {
  /** Net eco-points put into circulation: video conversions, refund shortfalls, adjustments. */
  issued: number;
  /** Posted balances of consumers and merchants, held points included. */
  consumers: number;
  merchants: number;
  /** Of those, held for pending withdrawals and for unpaid orders (pending ledger transfers). */
  pendingWithdrawals: number;
  heldForOrders: number;
  withdrawn: number;
  fees: number;
  redeemed: number;
}

const n = (v: unknown) => Number(v ?? 0);

/**
 * SPEC flow 4: an eco-point is never created or lost. Checks, from the ledger and the business
 * tables together: issued = consumers + merchants (held included) + withdrawn + fees + redeemed;
 * what the ledger holds pending equals the pending withdrawals and unpaid orders' holds; withdrawn,
 * fees and redeemed equal the paid withdrawals and eco-topups; no eco-point sits on any other
 * account. A service-level check (the ledger knows no business words), shown in the ledger verify
 * output and meant for the reconciliation report too.
 */
export async function ecoPointsConservation(ctx: Ctx): Promise<VerifyCheck & { figures: EcoPointsFigures }> {
  const rows = await query<{
    owner_type: string;
    code: string;
    posted: unknown;
    dpend: unknown;
    cpend: unknown;
  }>(
    ctx.db,
    sql`select owner_type, code, sum(credits_posted - debits_posted) as posted,
          sum(debits_pending) as dpend, sum(credits_pending) as cpend
        from ledger_accounts where ledger = 'eco_points' group by owner_type, code order by owner_type, code`,
  );
  const kind = (ref: AccountRef) => rows.find((r) => r.owner_type === ref.ownerType && r.code === ref.code);
  const posted = (ref: AccountRef) => n(kind(ref)?.posted);
  const known = [
    accounts.platformEcoPointsIssued(),
    accounts.platformAdjustments('eco_points'),
    accounts.consumerEcoPoints(''),
    accounts.merchantEcoPoints(''),
    accounts.platformEcoPointsWithdrawn(),
    accounts.platformEcoPointsWithdrawalFees(),
    accounts.platformEcoPointsRedeemed(),
  ];
  const stray = rows.find((r) => !known.some((k) => k.ownerType === r.owner_type && k.code === r.code));

  const w = schema.withdrawals;
  const o = schema.orders;
  const [[withdrawals], [orders], [topups]] = await Promise.all([
    ctx.db
      .select({
        pending: sql<string>`coalesce(sum(${w.ecoPoints}) filter (where ${w.status} = 'pending'), 0)`,
        withdrawn: sql<string>`coalesce(sum(${w.ecoPoints} - ${w.feeEcoPoints}) filter (where ${w.status} = 'paid'), 0)`,
        fees: sql<string>`coalesce(sum(${w.feeEcoPoints}) filter (where ${w.status} = 'paid'), 0)`,
      })
      .from(w),
    ctx.db
      .select({ held: sql<string>`coalesce(sum(${o.ecoPoints}), 0)` })
      .from(o)
      .where(and(eq(o.status, 'pending_payment'), sql`${o.ecoHoldTransferId} is not null`)),
    ctx.db
      .select({ redeemed: sql<string>`coalesce(sum(${schema.ecoTopups.ecoPoints}), 0)` })
      .from(schema.ecoTopups),
  ]);
  const consumer = kind(accounts.consumerEcoPoints(''));
  const merchant = kind(accounts.merchantEcoPoints(''));
  const figures: EcoPointsFigures = {
    issued: -posted(accounts.platformEcoPointsIssued()) - posted(accounts.platformAdjustments('eco_points')),
    consumers: n(consumer?.posted),
    merchants: n(merchant?.posted),
    pendingWithdrawals: n(withdrawals?.pending),
    heldForOrders: n(orders?.held),
    withdrawn: posted(accounts.platformEcoPointsWithdrawn()),
    fees: posted(accounts.platformEcoPointsWithdrawalFees()),
    redeemed: posted(accounts.platformEcoPointsRedeemed()),
  };
  const f = figures;
  const ledgerHeld = n(consumer?.dpend) + n(merchant?.dpend);
  const pendingInto =
    n(kind(accounts.platformEcoPointsWithdrawn())?.cpend) +
    n(kind(accounts.platformEcoPointsWithdrawalFees())?.cpend);
  const problems = [
    stray && `eco-points on an unexpected account ${stray.owner_type}:${stray.code}`,
    f.issued !== f.consumers + f.merchants + f.withdrawn + f.fees + f.redeemed &&
      `issued ${f.issued} but held ${f.consumers + f.merchants + f.withdrawn + f.fees + f.redeemed}`,
    ledgerHeld !== f.pendingWithdrawals + f.heldForOrders &&
      `ledger holds ${ledgerHeld} pending, withdrawals and orders say ${f.pendingWithdrawals + f.heldForOrders}`,
    pendingInto !== f.pendingWithdrawals &&
      `withdrawal accounts await ${pendingInto}, pending withdrawals are ${f.pendingWithdrawals}`,
    f.withdrawn !== n(withdrawals?.withdrawn) &&
      `withdrawn ${f.withdrawn}, paid withdrawals say ${n(withdrawals?.withdrawn)}`,
    f.fees !== n(withdrawals?.fees) && `fees ${f.fees}, paid withdrawals say ${n(withdrawals?.fees)}`,
    f.redeemed !== n(topups?.redeemed) && `redeemed ${f.redeemed}, eco-topups say ${n(topups?.redeemed)}`,
  ].filter((p): p is string => typeof p === 'string');
  return {
    name: 'eco_points_conserved',
    ok: problems.length === 0,
    detail:
      problems.join('; ') ||
      `issued ${f.issued} = consumers ${f.consumers} + merchants ${f.merchants} (held: withdrawals ${f.pendingWithdrawals}, orders ${f.heldForOrders}) + withdrawn ${f.withdrawn} + fees ${f.fees} + redeemed ${f.redeemed}`,
    figures,
  };
}
