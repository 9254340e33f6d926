import type { AccountRef } from '../ledger';

/**
 * Every account the business uses, by name. The ledger sees only these refs.
 * Holder accounts may not go below zero; platform accounts are the other side of issuance.
 */
export const accounts = {
  consumerVouchers: (userId: string): AccountRef => ({
    ownerType: 'consumer',
    ownerId: userId,
    code: 'vouchers',
    ledger: 'vouchers',
    noOverdraft: true,
  }),
  consumerEcoPoints: (userId: string): AccountRef => ({
    ownerType: 'consumer',
    ownerId: userId,
    code: 'eco_points',
    ledger: 'eco_points',
    noOverdraft: true,
  }),
  merchantAdPoints: (merchantId: string): AccountRef => ({
    ownerType: 'merchant',
    ownerId: merchantId,
    code: 'ad_points',
    ledger: 'ad_points',
    noOverdraft: true,
  }),
  merchantEcoPoints: (merchantId: string): AccountRef => ({
    ownerType: 'merchant',
    ownerId: merchantId,
    code: 'eco_points',
    ledger: 'eco_points',
    noOverdraft: true,
  }),
  /** Platform side of every voucher issued (goes negative by what is outstanding). */
  platformVouchersIssued: (): AccountRef => platform('vouchers.issued', 'vouchers'),
  platformAdPointsIssued: (): AccountRef => platform('ad_points.issued', 'ad_points'),
  /** Ad points merchants spent on traffic: the platform's advertising revenue, in points. */
  platformAdPointsRevenue: (): AccountRef => platform('ad_points.revenue', 'ad_points'),
  platformEcoPointsIssued: (): AccountRef => platform('eco_points.issued', 'eco_points'),
  /** Eco-points merchants turned into ad points (eco-topups): out of circulation, in points. */
  platformEcoPointsRedeemed: (): AccountRef => platform('eco_points.redeemed', 'eco_points'),
  /** Eco-points of approved withdrawals, net of the fee: paid out in cash, out of circulation. */
  platformEcoPointsWithdrawn: (): AccountRef => platform('eco_points.withdrawn', 'eco_points'),
  /** Withdrawal fees: platform revenue kept in eco-points (ADR 0008). */
  platformEcoPointsWithdrawalFees: (): AccountRef => platform('eco_points.withdrawal_fees', 'eco_points'),
  /**
   * Money merchants paid from their proceeds for eco-points a refund owed back that they no longer
   * held; the platform issued those eco-points to the consumer instead (fen).
   */
  platformEcoPointRefundCharges: (): AccountRef => platform('eco_points.refund_charges', 'cny'),
  /** A video campaign's remaining budget (fen); each verified completion is paid out of it. */
  campaignBudget: (campaignId: string): AccountRef => ({
    ownerType: 'campaign',
    ownerId: campaignId,
    code: 'budget',
    ledger: 'cny',
    noOverdraft: true,
  }),
  /** What advertisers owe for the campaign budgets the platform booked (fen). */
  platformAdvertiserReceivable: (): AccountRef => platform('advertisers.receivable', 'cny'),
  /** Video ad revenue: the price of every verified completion (fen). */
  platformVideoAdRevenue: (): AccountRef => platform('video_ads.revenue', 'cny'),
  /**
   * Money Stripe has collected for orders and not yet paid out (debited when an order is paid,
   * credited back by a Stripe refund): goes negative by what Stripe holds for us.
   */
  platformOrderClearing: (): AccountRef => platform('stripe.orders_clearing', 'cny'),
  /** The same for top-ups: money Stripe collected for prepaid ad points, net of refunds and disputes. */
  platformTopupClearing: (): AccountRef => platform('stripe.topups_clearing', 'cny'),
  /** Money a merchant prepaid for advertising (its paid top-ups, net of money returned). */
  merchantPrepaidMoney: (merchantId: string): AccountRef => ({
    ownerType: 'merchant',
    ownerId: merchantId,
    code: 'prepaid_money',
    ledger: 'cny',
    noOverdraft: true,
  }),
  /** What the platform owes a merchant from its paid online orders (may go negative after refunds). */
  merchantProceeds: (merchantId: string): AccountRef => ({
    ownerType: 'merchant',
    ownerId: merchantId,
    code: 'proceeds',
    ledger: 'cny',
  }),
  /**
   * What the platform owes a supplier for settled fulfillments and has not yet put in a payout batch.
   * May go negative: a return after a payout leaves the supplier owing, and the next batch nets it.
   */
  supplierPayable: (supplierId: string): AccountRef => ({
    ownerType: 'supplier',
    ownerId: supplierId,
    code: 'payable',
    ledger: 'cny',
  }),
  /** Everything paid out to a supplier so far (Stripe transfer or bank payment). */
  supplierPaidOut: (supplierId: string): AccountRef => ({
    ownerType: 'supplier',
    ownerId: supplierId,
    code: 'paid_out',
    ledger: 'cny',
  }),
  /** Everything paid out to a merchant from its proceeds so far (Stripe transfer or bank payment). */
  merchantPaidOut: (merchantId: string): AccountRef => ({
    ownerType: 'merchant',
    ownerId: merchantId,
    code: 'paid_out',
    ledger: 'cny',
  }),
  /** Payout batches created and not yet paid: moved out of payables, not yet out of the platform. */
  platformPayoutsClearing: (): AccountRef => platform('payouts.clearing', 'cny'),
  /** Operator adjustments (SPEC section 6), one per unit. */
  platformAdjustments: (ledger: AccountRef['ledger']): AccountRef =>
    platform(`adjustments.${ledger}`, ledger),
};

/**
 * Rows per platform account (ADR 0001, decision 3). A confirmation locks one random shard of two of
 * them; with 16, eight concurrent confirmations at different merchants shared a shard about half
 * the time and waited for each other's commit (issue 14). 64 makes that about one in five; reads
 * sum the rows, and the rows of an account are created on first use, so more shards cost little.
 */
const hotShards = 64;

function platform(code: string, ledger: AccountRef['ledger']): AccountRef {
  return { ownerType: 'platform', ownerId: 'platform', code, ledger, shards: hotShards };
}
