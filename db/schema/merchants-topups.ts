import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { organisations } from './members';

const amount = (name: string) => bigint(name, { mode: 'number' });

/**
 * A merchant's purchase of ad points through Stripe Checkout. The points are fixed at creation
 * with the ad point price in force then; only a verified webhook turns `pending` into `paid`.
 */
export const topups = pgTable(
  'topups',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => organisations.id),
    /** pending | paid | partially_refunded | refunded | expired */
    status: text('status').notNull().default('pending'),
    amountFen: amount('amount_fen').notNull(),
    adPoints: amount('ad_points').notNull(),
    adPointPriceFen: amount('ad_point_price_fen').notNull(),
    checkoutSessionId: text('checkout_session_id').notNull().unique(),
    checkoutUrl: text('checkout_url'),
    paymentIntentId: text('payment_intent_id'),
    chargeId: text('charge_id'),
    paymentMethod: text('payment_method'),
    /** RCP-YYYYMMDD-<n>, given when paid. */
    receiptNumber: text('receipt_number').unique(),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    creditEventId: text('credit_event_id'),
    /** Cumulative money given back by refunds (Stripe's charge.amount_refunded). */
    refundedFen: amount('refunded_fen').notNull().default(0),
    /** Money taken back by lost disputes. */
    disputedFen: amount('disputed_fen').notNull().default(0),
    /** Ad points actually taken back, and the part that was already spent and could not be. */
    adPointsReversed: amount('ad_points_reversed').notNull().default(0),
    adPointsUnrecovered: amount('ad_points_unrecovered').notNull().default(0),
    /** Returned money already moved back on the CNY ledger (the refund and dispute legs). */
    moneyReturnedFen: amount('money_returned_fen').notNull().default(0),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('topups_merchant_idx').on(t.merchantId, t.createdAt),
    index('topups_payment_intent_idx').on(t.paymentIntentId),
    // A day's paid top-ups (reconciliation) read their day.
    index('topups_paid_idx').on(t.paidAt),
  ],
);

/**
 * Each time money of a top-up went back (a refund amount reached, a dispute lost): what the
 * points due were, what was taken back and what could not be. `source` makes it happen once.
 */
export const topupReversals = pgTable(
  'topup_reversals',
  {
    id: text('id').primaryKey(),
    topupId: text('topup_id')
      .notNull()
      .references(() => topups.id),
    /** refund:<cumulative amount_refunded> | dispute:<dispute id> */
    source: text('source').notNull(),
    moneyFen: amount('money_fen').notNull(),
    adPointsDue: amount('ad_points_due').notNull(),
    adPointsTaken: amount('ad_points_taken').notNull(),
    adPointsUnrecovered: amount('ad_points_unrecovered').notNull(),
    eventId: text('event_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('topup_reversals_source_idx').on(t.topupId, t.source)],
);

/** Every verified Stripe event, once (Stripe delivers at least once). */
export const stripeEvents = pgTable(
  'stripe_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    objectId: text('object_id'),
    /** What processing concluded: credited, duplicate_session, anomaly, ignored, ... */
    outcome: text('outcome').notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('stripe_events_object_idx').on(t.objectId),
    // The nightly Stripe comparison reads a day's lost disputes (reconciliation-stripe.ts).
    index('stripe_events_lost_disputes_idx')
      .on(t.receivedAt)
      .where(sql`${t.type} = 'charge.dispute.closed' and ${t.outcome} = 'dispute_lost'`),
  ],
);

/**
 * Verified events that matched nothing or did not match (unknown session, amount or metadata
 * mismatch), and refunds whose points were already spent: listed for operators, never hidden.
 */
export const stripeAnomalies = pgTable(
  'stripe_anomalies',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id').notNull(),
    /** unknown_session | amount_mismatch | metadata_mismatch | unknown_charge | points_unrecovered | ... */
    kind: text('kind').notNull(),
    topupId: text('topup_id'),
    merchantId: text('merchant_id'),
    detail: jsonb('detail').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** Set once, when an operator dealt with it: who, when, what they wrote, the refund applied if any. */
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolvedBy: text('resolved_by'),
    resolutionNote: text('resolution_note'),
    refundId: text('refund_id'),
  },
  (t) => [
    index('stripe_anomalies_created_idx').on(t.createdAt),
    index('stripe_anomalies_open_idx').on(t.createdAt).where(sql`${t.resolvedAt} is null`),
    // A day's report reads how its events' anomalies were handled since.
    index('stripe_anomalies_event_idx').on(t.eventId),
  ],
);
