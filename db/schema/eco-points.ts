import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './auth';
import { organisations } from './members';

const hundredths = (name: string) => bigint(name, { mode: 'number' });
const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * A merchant turns received eco-points into ad points (SPEC flow 4). Terms are fixed when it
 * happens; the ledger transaction `eco-topup:<id>` moves both units at once.
 */
export const ecoTopups = pgTable(
  'eco_topups',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => organisations.id),
    ecoPoints: hundredths('eco_points').notNull(),
    adPoints: hundredths('ad_points').notNull(),
    ecoPointUnitPriceFen: integer('eco_point_unit_price_fen').notNull(),
    adPointPriceFen: integer('ad_point_price_fen').notNull(),
    receiptNumber: text('receipt_number').notNull().unique(),
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    check('eco_topups_positive', sql`${t.ecoPoints} > 0 and ${t.adPoints} > 0`),
    index('eco_topups_merchant_idx').on(t.merchantId, t.createdAt),
  ],
);

/**
 * A cash withdrawal of eco-points by a consumer (own points) or a merchant (its points, asked by
 * the owner). The points are held by pending ledger transfers from creation; an operator approves
 * (posted: paid, with the bank payout reference) or rejects (voided: returned), exactly once.
 */
export const withdrawals = pgTable(
  'withdrawals',
  {
    id: text('id').primaryKey(),
    /** consumer | merchant */
    holderType: text('holder_type').notNull(),
    /** The consumer's user id or the merchant id. */
    holderId: text('holder_id').notNull(),
    requestedBy: text('requested_by')
      .notNull()
      .references(() => users.id),
    /** pending | paid | rejected */
    status: text('status').notNull(),
    ecoPoints: hundredths('eco_points').notNull(),
    feeEcoPoints: hundredths('fee_eco_points').notNull(),
    /** value(ecoPoints - fee) at the unit price in force when asked: what the holder is paid. */
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    ecoPointUnitPriceFen: integer('eco_point_unit_price_fen').notNull(),
    /** The pending ledger transfers holding the payable part and the fee (null when the fee is 0). */
    holdTransferId: bigint('hold_transfer_id', { mode: 'number' }).notNull(),
    feeHoldTransferId: bigint('fee_hold_transfer_id', { mode: 'number' }),
    payoutReference: text('payout_reference'),
    rejectionReason: text('rejection_reason'),
    decidedBy: text('decided_by'),
    decidedAt: at('decided_at'),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    check('withdrawals_amounts', sql`${t.ecoPoints} > 0 and ${t.feeEcoPoints} between 0 and ${t.ecoPoints}`),
    index('withdrawals_holder_idx').on(t.holderType, t.holderId, t.createdAt),
    index('withdrawals_status_idx').on(t.status, t.createdAt),
  ],
);
