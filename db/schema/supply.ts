import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { users } from './auth';
import { organisations } from './members';

const fen = (name: string) => bigint(name, { mode: 'number' });
const at = (name: string) => timestamp(name, { withTimezone: true });

/** A supplier's wholesale catalog entry. `stock` can never go below zero: the database refuses an oversell. */
export const supplierProducts = pgTable(
  'supplier_products',
  {
    id: text('id').primaryKey(),
    supplierId: text('supplier_id')
      .notNull()
      .references(() => organisations.id),
    title: text('title').notNull(),
    description: text('description'),
    imageUrl: text('image_url'),
    wholesalePriceFen: fen('wholesale_price_fen').notNull(),
    stock: integer('stock').notNull(),
    /** Regions the supplier ships to; null means everywhere. */
    shippingRegions: jsonb('shipping_regions').$type<string[]>(),
    /** active | inactive */
    status: text('status').notNull().default('active'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('supplier_products_stock_non_negative', sql`${t.stock} >= 0`),
    check('supplier_products_wholesale_positive', sql`${t.wholesalePriceFen} > 0`),
    index('supplier_products_supplier_idx').on(t.supplierId),
  ],
);

/**
 * Stock held for an unpaid order line, with the wholesale price in force when it was reserved.
 * reserved → consumed (order paid) | released (order expired or cancelled), each exactly once.
 */
export const supplierReservations = pgTable(
  'supplier_reservations',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    /** Position of the line in the order, so one order may hold one product on two lines. */
    lineIndex: integer('line_index').notNull(),
    orderItemId: text('order_item_id'),
    listingId: text('listing_id'),
    supplierProductId: text('supplier_product_id')
      .notNull()
      .references(() => supplierProducts.id),
    supplierId: text('supplier_id')
      .notNull()
      .references(() => organisations.id),
    quantity: integer('quantity').notNull(),
    wholesalePriceFen: fen('wholesale_price_fen').notNull(),
    unitPriceFen: fen('unit_price_fen').notNull(),
    /** reserved | consumed | released */
    status: text('status').notNull().default('reserved'),
    createdAt: at('created_at').notNull().defaultNow(),
    resolvedAt: at('resolved_at'),
  },
  (t) => [
    uniqueIndex('supplier_reservations_order_line').on(t.orderId, t.lineIndex),
    check('supplier_reservations_quantity_positive', sql`${t.quantity} > 0`),
  ],
);

/** What one supplier ships for one paid order. */
export const fulfillments = pgTable(
  'fulfillments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    supplierId: text('supplier_id')
      .notNull()
      .references(() => organisations.id),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => organisations.id),
    consumerUserId: text('consumer_user_id')
      .notNull()
      .references(() => users.id),
    /** to_ship | shipped | delivered | cancelled | returned (supply-chain/index.ts) */
    status: text('status').notNull().default('to_ship'),
    shipTo: jsonb('ship_to').$type<{ name: string; phone: string; region: string; address: string }>(),
    /** The supplierSettlementTrigger in force when the order was paid. */
    settlementTrigger: text('settlement_trigger').notNull(),
    wholesaleCostFen: fen('wholesale_cost_fen').notNull(),
    carrier: text('carrier'),
    trackingNumber: text('tracking_number'),
    shippedAt: at('shipped_at'),
    deliveredAt: at('delivered_at'),
    cancelledAt: at('cancelled_at'),
    cancelReason: text('cancel_reason'),
    /** Set in the transaction that moved the wholesale cost to the supplier's payable. */
    settledAt: at('settled_at'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('fulfillments_order_supplier').on(t.orderId, t.supplierId),
    index('fulfillments_supplier_status_idx').on(t.supplierId, t.status),
    index('fulfillments_merchant_idx').on(t.merchantId, t.settledAt),
    index('fulfillments_shipped_idx').on(t.shippedAt).where(sql`${t.status} = 'shipped'`),
  ],
);

export const fulfillmentItems = pgTable(
  'fulfillment_items',
  {
    id: text('id').primaryKey(),
    fulfillmentId: text('fulfillment_id')
      .notNull()
      .references(() => fulfillments.id),
    orderItemId: text('order_item_id'),
    listingId: text('listing_id'),
    supplierProductId: text('supplier_product_id')
      .notNull()
      .references(() => supplierProducts.id),
    title: text('title').notNull(),
    quantity: integer('quantity').notNull(),
    wholesalePriceFen: fen('wholesale_price_fen').notNull(),
    unitPriceFen: fen('unit_price_fen').notNull(),
  },
  (t) => [index('fulfillment_items_fulfillment_idx').on(t.fulfillmentId)],
);

/** Goods back at the supplier: reverses the settlement (if there was one) exactly once. */
export const fulfillmentReturns = pgTable('fulfillment_returns', {
  id: text('id').primaryKey(),
  fulfillmentId: text('fulfillment_id')
    .notNull()
    .unique()
    .references(() => fulfillments.id),
  reason: text('reason'),
  /** 0 when the fulfillment had not been settled yet (on_delivery trigger, not delivered). */
  reversedFen: fen('reversed_fen').notNull(),
  recordedBy: text('recorded_by').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

/**
 * One payout to one organisation (a supplier's settled wholesale, a merchant's online proceeds),
 * covering the events listed in payout_items. Paid once.
 */
export const payoutBatches = pgTable(
  'payout_batches',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    amountFen: fen('amount_fen').notNull(),
    /** Events up to this instant are covered. */
    periodEnd: at('period_end').notNull(),
    /** pending | paid */
    status: text('status').notNull().default('pending'),
    /** stripe_transfer | bank */
    paidVia: text('paid_via'),
    stripeTransferId: text('stripe_transfer_id'),
    reference: text('reference'),
    paidBy: text('paid_by'),
    paidAt: at('paid_at'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('payout_batches_organisation_period').on(t.organisationId, t.periodEnd),
    check('payout_batches_amount_positive', sql`${t.amountFen} > 0`),
    index('payout_batches_status_idx').on(t.status, t.createdAt),
  ],
);

/**
 * An event on what an organisation is owed, covered by a batch, once per organisation: a supplier's
 * settlement (+) and reversal (-); a merchant's paid order (+), refund (-), settlement (-) and
 * reversal (+). A fulfillment's settlement is one event for its supplier and one for its merchant.
 */
export const payoutItems = pgTable(
  'payout_items',
  {
    id: text('id').primaryKey(),
    batchId: text('batch_id')
      .notNull()
      .references(() => payoutBatches.id),
    /** The batch's organisation, so an event is unique per payee. */
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    /** order | refund | settlement | reversal */
    kind: text('kind').notNull(),
    /** The order, refund or fulfillment id. */
    sourceId: text('source_id').notNull(),
    orderId: text('order_id').notNull(),
    /** Signed fen. */
    amountFen: fen('amount_fen').notNull(),
  },
  (t) => [
    uniqueIndex('payout_items_event_once').on(t.organisationId, t.kind, t.sourceId),
    index('payout_items_batch_idx').on(t.batchId),
  ],
);

/**
 * Where an organisation is paid: its Stripe Connect account (ADR 0016), created by the platform when
 * the owner starts onboarding, or named by an operator. Transfers go to it only while Stripe says
 * payouts are enabled; otherwise operators pay by bank and mark the batch paid.
 */
export const payoutAccounts = pgTable(
  'payout_accounts',
  {
    organisationId: text('organisation_id')
      .primaryKey()
      .references(() => organisations.id),
    stripeAccountId: text('stripe_account_id').notNull(),
    /** onboarding (an Express account the platform created) | operator (an id an operator entered) */
    createdVia: text('created_via').notNull().default('operator'),
    /** Stripe's `details_submitted`: the owner finished the onboarding form. */
    detailsSubmitted: boolean('details_submitted').notNull().default(false),
    /** Stripe's `payouts_enabled`: transfers to it can reach the organisation's bank. */
    payoutsEnabled: boolean('payouts_enabled').notNull().default(false),
    /** When Stripe last said so (event created / retrieve time): an older account.updated is not applied. */
    statusAt: at('status_at'),
    updatedBy: text('updated_by').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  // One Stripe account pays one organisation.
  (t) => [uniqueIndex('payout_accounts_stripe_account_once').on(t.stripeAccountId)],
);
