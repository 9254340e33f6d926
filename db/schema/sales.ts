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
const hundredths = (name: string) => bigint(name, { mode: 'number' });
const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * A purchase that earns vouchers: an in-store sale the merchant records and the consumer confirms,
 * or the sale an online order becomes when Stripe says it is paid (channel `online`, `orderId`).
 * The parameters used are copied onto the row, so later parameter changes never alter it.
 */
export const sales = pgTable(
  'sales',
  {
    id: text('id').primaryKey(),
    /** in_store | online */
    channel: text('channel').notNull(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => organisations.id),
    consumerUserId: text('consumer_user_id')
      .notNull()
      .references(() => users.id),
    /** Staff member who recorded an in-store sale; null for online. */
    recordedBy: text('recorded_by'),
    orderId: text('order_id'),
    amountFen: fen('amount_fen').notNull(),
    voucherRatePerYuan: integer('voucher_rate_per_yuan').notNull(),
    adRateBp: integer('ad_rate_bp').notNull(),
    /** What the sale would issue and charge, computed when recorded (api/services/rounding.ts). */
    vouchers: hundredths('vouchers').notNull(),
    adPointsCharge: hundredths('ad_points_charge').notNull(),
    /** awaiting_confirmation | completed | declined | expired */
    status: text('status').notNull(),
    /** null, or merchant_insufficient_ad_points when the sale completed without vouchers. */
    reason: text('reason'),
    vouchersIssued: hundredths('vouchers_issued').notNull().default(0),
    adPointsCharged: hundredths('ad_points_charged').notNull().default(0),
    /** Running totals over this sale's refunds. */
    refundedFen: fen('refunded_fen').notNull().default(0),
    vouchersDueBack: hundredths('vouchers_due_back').notNull().default(0),
    vouchersClawedBack: hundredths('vouchers_clawed_back').notNull().default(0),
    adPointsReturned: hundredths('ad_points_returned').notNull().default(0),
    /**
     * Eco-points the consumer paid with (SPEC flow 4), their unit price and value then; the money
     * part (cashDue) is amount - value, and vouchers and the charge are computed on it.
     */
    ecoPoints: hundredths('eco_points').notNull().default(0),
    ecoPointUnitPriceFen: integer('eco_point_unit_price_fen'),
    ecoPointsValueFen: fen('eco_points_value_fen').notNull().default(0),
    /** Running totals over refunds: eco-points given back, and money given back (eco-point sales). */
    ecoPointsReturned: hundredths('eco_points_returned').notNull().default(0),
    cashRefundedFen: fen('cash_refunded_fen').notNull().default(0),
    expiresAt: at('expires_at'),
    recordedAt: at('recorded_at').notNull(),
    decidedAt: at('decided_at'),
  },
  (t) => [
    check('sales_amount_positive', sql`${t.amountFen} > 0`),
    check('sales_refund_within_amount', sql`${t.refundedFen} between 0 and ${t.amountFen}`),
    check('sales_clawback_within_issued', sql`${t.vouchersClawedBack} between 0 and ${t.vouchersIssued}`),
    check('sales_eco_points_within_amount', sql`${t.ecoPointsValueFen} between 0 and ${t.amountFen}`),
    check('sales_eco_points_returned_within', sql`${t.ecoPointsReturned} between 0 and ${t.ecoPoints}`),
    uniqueIndex('sales_order_once').on(t.orderId),
    index('sales_merchant_idx').on(t.merchantId, t.recordedAt, t.id),
    index('sales_consumer_idx').on(t.consumerUserId, t.recordedAt, t.id),
    index('sales_awaiting_idx').on(t.expiresAt).where(sql`${t.status} = 'awaiting_confirmation'`),
    // A day's completed sales (reconciliation) read their day, not every sale ever made.
    index('sales_decided_idx').on(t.decidedAt).where(sql`${t.status} = 'completed'`),
  ],
);

/** One refund of a sale (and of its order, for online sales); amounts are this refund's own. */
export const refunds = pgTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    saleId: text('sale_id')
      .notNull()
      .references(() => sales.id),
    orderId: text('order_id'),
    amountFen: fen('amount_fen').notNull(),
    vouchersDueBack: hundredths('vouchers_due_back').notNull(),
    vouchersClawedBack: hundredths('vouchers_clawed_back').notNull(),
    adPointsReturned: hundredths('ad_points_returned').notNull(),
    /** Eco-points given back to the consumer by this refund, and the money part (null before eco-points). */
    ecoPointsReturned: hundredths('eco_points_returned').notNull().default(0),
    cashRefundedFen: fen('cash_refunded_fen'),
    stripeRefundId: text('stripe_refund_id'),
    createdBy: text('created_by').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [check('refunds_amount_positive', sql`${t.amountFen} > 0`), index('refunds_sale_idx').on(t.saleId)],
);

/**
 * Everything sold online. A merchant's own product has no supplier product; a supply-chain listing
 * references one and carries the wholesale price it was listed at.
 */
export const listings = pgTable(
  'listings',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => organisations.id),
    title: text('title').notNull(),
    priceFen: fen('price_fen').notNull(),
    /** Own products only; supplier listings draw on the supplier product's stock. */
    stock: integer('stock').notNull().default(0),
    imageUrl: text('image_url'),
    /** Whether an order of it needs a shipping address; false = picked up in store. */
    ships: boolean('ships').notNull().default(true),
    active: boolean('active').notNull().default(true),
    supplierProductId: text('supplier_product_id'),
    supplierId: text('supplier_id'),
    wholesalePriceFen: fen('wholesale_price_fen'),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    check('listings_price_positive', sql`${t.priceFen} > 0`),
    check('listings_stock_non_negative', sql`${t.stock} >= 0`),
    index('listings_merchant_idx').on(t.merchantId, t.createdAt),
  ],
);

/** An online order of one merchant's listings, paid through Stripe Checkout. */
export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => organisations.id),
    consumerUserId: text('consumer_user_id')
      .notNull()
      .references(() => users.id),
    /** pending_payment | paid | expired | cancelled (by the consumer, before paying) */
    status: text('status').notNull(),
    amountFen: fen('amount_fen').notNull(),
    /** Refunded so far, lost disputes included (fen). */
    refundedFen: fen('refunded_fen').notNull().default(0),
    /** Of refundedFen, what Stripe took back in lost disputes (not in the charge's refunded total). */
    disputedFen: fen('disputed_fen').notNull().default(0),
    shipTo: jsonb('ship_to'),
    /**
     * Eco-points applied (hundredths), at the unit price in force when ordered; cashAmount = amount -
     * value. They are held by the pending ledger transfer `ecoHoldTransferId` until paid or expired.
     */
    ecoPoints: hundredths('eco_points').notNull().default(0),
    ecoPointUnitPriceFen: integer('eco_point_unit_price_fen'),
    ecoPointsValueFen: fen('eco_points_value_fen').notNull().default(0),
    ecoHoldTransferId: bigint('eco_hold_transfer_id', { mode: 'number' }),
    checkoutSessionId: text('checkout_session_id'),
    checkoutUrl: text('checkout_url'),
    paymentIntentId: text('payment_intent_id'),
    saleId: text('sale_id'),
    expiresAt: at('expires_at').notNull(),
    paidAt: at('paid_at'),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    check('orders_amount_positive', sql`${t.amountFen} > 0`),
    check('orders_eco_points_within_amount', sql`${t.ecoPointsValueFen} between 0 and ${t.amountFen}`),
    uniqueIndex('orders_checkout_session_idx').on(t.checkoutSessionId),
    index('orders_consumer_idx').on(t.consumerUserId, t.createdAt),
    index('orders_merchant_idx').on(t.merchantId, t.createdAt),
    index('orders_pending_idx').on(t.expiresAt).where(sql`${t.status} = 'pending_payment'`),
  ],
);

/** Lines of an order, with the price and wholesale terms copied at the time of ordering. */
export const orderItems = pgTable(
  'order_items',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    listingId: text('listing_id')
      .notNull()
      .references(() => listings.id),
    title: text('title').notNull(),
    quantity: integer('quantity').notNull(),
    unitPriceFen: fen('unit_price_fen').notNull(),
    ships: boolean('ships').notNull(),
    supplierProductId: text('supplier_product_id'),
    supplierId: text('supplier_id'),
    wholesalePriceFen: fen('wholesale_price_fen'),
  },
  (t) => [
    check('order_items_quantity_positive', sql`${t.quantity} > 0`),
    index('order_items_order_idx').on(t.orderId),
  ],
);
