import { schema } from '@alliance/db';
import { and, asc, desc, eq, inArray, lte, or, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Ctx, SupplierOrderLine } from '../context';
import { ApiError, conflict, forbidden, notFound, unauthorized, unprocessable } from '../errors';
import { newId } from '../ids';
import { balanceOf, postPending, postTransaction, type TransferInput, voidPending } from '../ledger';
import { after, pageOf } from '../paging';
import { memberRole, merchantForCaller, requireOperator } from './access';
import { accounts } from './accounts';
import { ecoPointsPart, insufficientEcoPoints, isInsufficient } from './eco-points';
import { organisationRow, requireActive } from './organisations';
import { maxAmountFen } from './rounding';
import {
  applyRefund,
  assertAmount,
  issueVouchersForSale,
  largestRefundWithMoney,
  noEcoPoints,
  type PageInput,
  pageSize,
  refundSplit,
  type Sale,
  saleTermsAt,
} from './sales';
import { paymentProviderError, stripeFor } from './stripe';
import {
  anomalyById,
  markResolved,
  openAnomaly,
  recordStripeAnomaly,
  refundableAnomalyKinds,
} from './stripe-anomalies';
import type { PaymentFacts } from './topups';
import { inTransaction } from './tx';

/**
 * An unpaid order holds its stock this long. Stripe's shortest Checkout Session is 30 minutes; the
 * session expires 30 minutes after creation and the order a minute later, so a session can never
 * be paid for an order whose stock was already released (ADR 0003).
 */
export const orderPaymentWindowMs = 31 * 60 * 1000;
const checkoutSessionLifetimeS = 30 * 60 + 30;
const maxExpiredPerRun = 200;

export type Order = typeof schema.orders.$inferSelect;
type OrderItem = typeof schema.orderItems.$inferSelect;

export interface ShipTo {
  name: string;
  phone: string;
  region: string;
  address: string;
}

function requireCaller(ctx: Ctx) {
  if (!ctx.user) throw unauthorized();
  return ctx.user;
}

function supplierLines(items: OrderItem[]): SupplierOrderLine[] {
  return items.flatMap((item, lineIndex) =>
    item.supplierProductId && item.supplierId
      ? [
          {
            orderItemId: item.id,
            lineIndex,
            listingId: item.listingId,
            supplierProductId: item.supplierProductId,
            supplierId: item.supplierId,
            quantity: item.quantity,
            unitPriceFen: item.unitPriceFen,
            wholesalePriceFen: item.wholesalePriceFen ?? 0,
          },
        ]
      : [],
  );
}

/** Fen still to pay in money once the eco-points applied are counted. */
export const cashAmountFen = (order: Pick<Order, 'amountFen' | 'ecoPointsValueFen'>) =>
  order.amountFen - order.ecoPointsValueFen;

type SaleOutcome = Pick<Sale, 'vouchersIssued' | 'reason'>;

export function orderView(order: Order, items: OrderItem[], sale?: SaleOutcome) {
  return {
    id: order.id,
    merchantId: order.merchantId,
    status: order.status,
    amount: order.amountFen,
    ecoPoints: order.ecoPoints,
    cashAmount: cashAmountFen(order),
    refunded: order.refundedFen,
    items: items.map((i) => ({
      listingId: i.listingId,
      title: i.title,
      quantity: i.quantity,
      unitPrice: i.unitPriceFen,
      ships: i.ships,
    })),
    shipTo: (order.shipTo as ShipTo | null) ?? null,
    checkoutSessionId: order.checkoutSessionId,
    checkoutUrl: order.checkoutUrl,
    saleId: order.saleId,
    vouchersIssued: sale?.vouchersIssued ?? null,
    vouchersReason: sale?.reason ?? null,
    expiresAt: order.expiresAt.toISOString(),
    paidAt: order.paidAt?.toISOString() ?? null,
    createdAt: order.createdAt.toISOString(),
  };
}

async function itemsOf(ctx: Ctx, orderIds: string[]): Promise<Map<string, OrderItem[]>> {
  const byOrder = new Map<string, OrderItem[]>();
  if (orderIds.length === 0) return byOrder;
  const rows = await ctx.db
    .select()
    .from(schema.orderItems)
    .where(inArray(schema.orderItems.orderId, orderIds))
    .orderBy(asc(schema.orderItems.id));
  for (const row of rows) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);
  return byOrder;
}

/** What each paid order's sale earned (vouchers, or the reason for none), by sale id. */
async function outcomesOf(ctx: Ctx, orders: Order[]): Promise<Map<string, SaleOutcome>> {
  const ids = orders.flatMap((o) => (o.saleId ? [o.saleId] : []));
  if (ids.length === 0) return new Map();
  const s = schema.sales;
  const rows = await ctx.db
    .select({ id: s.id, vouchersIssued: s.vouchersIssued, reason: s.reason })
    .from(s)
    .where(inArray(s.id, ids));
  return new Map(rows.map((r) => [r.id, r]));
}

export interface CreateOrderInput {
  merchantId: string;
  items: Array<{ listingId: string; quantity: number }>;
  shipTo?: ShipTo;
  /** Hundredths of eco-points the consumer pays part (or all) of the order with. */
  ecoPoints?: number;
}

/**
 * Reserves stock and opens a Stripe Checkout Session. Stock is taken with a conditional UPDATE
 * (stock >= quantity), rows in id order, so concurrent orders never oversell and never deadlock.
 * If Stripe cannot open the session, the reservation is undone and the order removed: nothing stays.
 * Eco-points applied are held by a pending ledger transfer to the merchant in the same transaction
 * (the ledger's row lock decides between two orders racing for them); an order they cover whole is
 * paid at once, without Stripe, and the session of any other is for the money part only.
 */
export async function createOrder(ctx: Ctx, input: CreateOrderInput) {
  const user = requireCaller(ctx);
  const merchant = await organisationRow(ctx, 'merchant', input.merchantId);
  if (merchant?.status !== 'active' && merchant?.status !== 'suspended')
    throw notFound('not_found', 'No such merchant');
  requireActive(merchant);
  if (await memberRole(ctx, merchant.id, user.id))
    throw unprocessable('self_sale_not_allowed', "A merchant's staff cannot buy from it for vouchers");

  const ids = [...new Set(input.items.map((i) => i.listingId))];
  const l = schema.listings;
  const listings = await ctx.db
    .select()
    .from(l)
    .where(and(inArray(l.id, ids), eq(l.merchantId, merchant.id), eq(l.active, true)));
  const byId = new Map(listings.map((row) => [row.id, row]));
  const missing = ids.find((id) => !byId.has(id));
  if (missing) throw notFound('listing_not_found', `No listing ${missing} in this shop`);
  const lines = input.items.map((item) => ({ item, listing: byId.get(item.listingId)! }));
  if (lines.some(({ listing }) => listing.ships) && !input.shipTo) {
    throw unprocessable('ship_to_required', 'Some items ship: give shipTo {name, phone, region, address}');
  }
  const amountFen = lines.reduce((sum, { item, listing }) => sum + item.quantity * listing.priceFen, 0);
  if (amountFen > maxAmountFen)
    throw unprocessable('amount_too_large', `An order may be at most ${maxAmountFen} fen`);

  const now = ctx.now();
  const eco = input.ecoPoints ? await ecoPointsPart(ctx, amountFen, input.ecoPoints, now) : null;
  if (eco && (await balanceOf(ctx.db, accounts.consumerEcoPoints(user.id))).available < eco.ecoPoints) {
    throw insufficientEcoPoints();
  }
  const orderId = newId('ord');
  const order: Order = {
    id: orderId,
    merchantId: merchant.id,
    consumerUserId: user.id,
    status: 'pending_payment',
    amountFen,
    refundedFen: 0,
    disputedFen: 0,
    shipTo: input.shipTo ?? null,
    ecoPoints: eco?.ecoPoints ?? 0,
    ecoPointUnitPriceFen: eco?.ecoPointUnitPriceFen ?? null,
    ecoPointsValueFen: eco?.ecoPointsValueFen ?? 0,
    ecoHoldTransferId: null,
    checkoutSessionId: null,
    checkoutUrl: null,
    paymentIntentId: null,
    saleId: null,
    expiresAt: new Date(now.getTime() + orderPaymentWindowMs),
    paidAt: null,
    createdAt: now,
  };
  const items: OrderItem[] = lines.map(({ item, listing }, index) => ({
    // Ids sort in line order, so the line index is stable when read back.
    id: `${orderId.replace('ord_', 'oit_')}_${String(index).padStart(3, '0')}`,
    orderId,
    listingId: listing.id,
    title: listing.title,
    quantity: item.quantity,
    unitPriceFen: listing.priceFen,
    ships: listing.ships,
    supplierProductId: listing.supplierProductId,
    supplierId: listing.supplierId,
    wholesalePriceFen: listing.wholesalePriceFen,
  }));

  const paidAtOnce = await inTransaction(ctx, async (tx) => {
    if (eco) {
      try {
        const held = await postTransaction(tx.db, {
          key: `order:${orderId}:eco-hold`,
          kind: 'order_eco_points_hold',
          transfers: [
            {
              debit: accounts.consumerEcoPoints(user.id),
              credit: accounts.merchantEcoPoints(merchant.id),
              amount: eco.ecoPoints,
              pending: {},
            },
          ],
          meta: { orderId, merchantId: merchant.id },
          now,
        });
        order.ecoHoldTransferId = held.transferIds[0]!;
      } catch (error) {
        if (isInsufficient(error)) throw insufficientEcoPoints();
        throw error;
      }
    }
    await tx.db.insert(schema.orders).values(order);
    await tx.db.insert(schema.orderItems).values(items);
    const ownLines = items
      .filter((i) => !i.supplierProductId)
      .sort((a, b) => (a.listingId < b.listingId ? -1 : 1));
    for (const line of ownLines) {
      const taken = await tx.db
        .update(l)
        .set({ stock: sql`${l.stock} - ${line.quantity}` })
        .where(and(eq(l.id, line.listingId), eq(l.active, true), sql`${l.stock} >= ${line.quantity}`))
        .returning({ id: l.id });
      if (taken.length === 0) throw conflict('out_of_stock', `Not enough stock of "${line.title}"`);
    }
    const supplied = supplierLines(items);
    if (supplied.length > 0) await tx.supplyChain.reserve(tx, orderId, supplied);
    return cashAmountFen(order) === 0 ? completeOrderPayment(tx, order, items, null) : null;
  });
  if (paidAtOnce) return orderView(paidAtOnce, items);

  const returnUrl = `${ctx.config.publicUrl}/orders/${orderId}`;
  const metadata = { order_id: orderId, merchant_id: merchant.id };
  let session: Stripe.Checkout.Session;
  try {
    session = await stripeFor(ctx).checkout.sessions.create(
      {
        mode: 'payment',
        allowed_payment_method_types: ['card', 'alipay', 'wechat_pay'],
        payment_method_options: { wechat_pay: { client: 'web' } },
        locale: 'auto',
        line_items: checkoutLines(order, items),
        client_reference_id: orderId,
        metadata,
        payment_intent_data: { metadata, transfer_group: orderId },
        expires_at: Math.floor(now.getTime() / 1000) + checkoutSessionLifetimeS,
        success_url: `${returnUrl}?checkout=success`,
        cancel_url: `${returnUrl}?checkout=cancelled`,
      },
      { idempotencyKey: `order:${orderId}:checkout` },
    );
  } catch (error) {
    await inTransaction(ctx, async (tx) => {
      await releaseEcoPoints(tx, order);
      await releaseStock(tx, order, items);
      await tx.db.delete(schema.orderItems).where(eq(schema.orderItems.orderId, orderId));
      await tx.db.delete(schema.orders).where(eq(schema.orders.id, orderId));
    });
    throw paymentProviderError(error);
  }
  const [saved] = await ctx.db
    .update(schema.orders)
    .set({ checkoutSessionId: session.id, checkoutUrl: session.url })
    .where(eq(schema.orders.id, orderId))
    .returning();
  return orderView(saved!, items);
}

/**
 * What Checkout charges: the lines as priced, or, when eco-points pay part, one line for the money
 * part named after the items (Checkout has no way to take part of a line off without a coupon).
 */
function checkoutLines(order: Order, items: OrderItem[]) {
  if (order.ecoPoints === 0) {
    return items.map((i) => ({
      quantity: i.quantity,
      price_data: { currency: 'cny', unit_amount: i.unitPriceFen, product_data: { name: i.title } },
    }));
  }
  const name = items
    .map((i) => (i.quantity > 1 ? `${i.title} × ${i.quantity}` : i.title))
    .join(', ')
    .slice(0, 250);
  return [
    {
      quantity: 1,
      price_data: { currency: 'cny', unit_amount: cashAmountFen(order), product_data: { name } },
    },
  ];
}

/**
 * An unpaid order that ends gives its eco-points back: the hold is voided, exactly once. Called
 * before the stock is released, as creation takes the hold before the stock, so that the two
 * lock the eco-point rows and the listing rows in the same order.
 */
async function releaseEcoPoints(txCtx: Ctx, order: Order) {
  if (!order.ecoHoldTransferId) return;
  await voidPending(txCtx.db, {
    key: `order:${order.id}:eco-release`,
    pendingTransferId: order.ecoHoldTransferId,
    now: txCtx.now(),
    meta: { orderId: order.id },
  });
}

async function releaseStock(txCtx: Ctx, order: Order, items: OrderItem[]) {
  await restockOwnListings(
    txCtx,
    items.filter((i) => !i.supplierProductId),
  );
  if (supplierLines(items).length > 0) await txCtx.supplyChain.release(txCtx, order.id);
}

/** The merchant's own lines back in its listings' stock, in listing id order (the lock order). */
async function restockOwnListings(txCtx: Ctx, lines: OrderItem[]) {
  const l = schema.listings;
  for (const line of [...lines].sort((a, b) => (a.listingId < b.listingId ? -1 : 1))) {
    await txCtx.db
      .update(l)
      .set({ stock: sql`${l.stock} + ${line.quantity}` })
      .where(eq(l.id, line.listingId));
  }
}

/** The merchant's own products that are delivered: what its own shipment holds (ADR 0015). */
const ownShippedLines = (items: OrderItem[]) => items.filter((i) => !i.supplierProductId && i.ships);

/**
 * The merchant's own shipment of an order was cancelled before it left (services/supply-fulfillments.ts),
 * inside that transaction: its lines go back in stock. Returns what they cost the consumer, in fen,
 * for the refund that follows.
 */
export async function restockOwnShipment(txCtx: Ctx, orderId: string): Promise<number> {
  const lines = ownShippedLines((await itemsOf(txCtx, [orderId])).get(orderId) ?? []);
  await restockOwnListings(txCtx, lines);
  return lines.reduce((sum, i) => sum + i.unitPriceFen * i.quantity, 0);
}

/**
 * The verified webhook says a Checkout Session with metadata.order_id was paid. Inside the webhook's
 * transaction and exactly once (ledger key `order:<id>:paid`): the order is paid, the consumer gets
 * vouchers and the merchant is charged ad points on the whole amount as for any sale (same
 * insufficient rule), and the money is owed to the merchant on the CNY ledger.
 */
export async function onOrderCheckoutCompleted(
  ctx: Ctx,
  session: Stripe.Checkout.Session,
  event: Stripe.Event,
  payment: PaymentFacts,
): Promise<string> {
  const orderId = session.metadata?.order_id ?? '';
  const [order] = await ctx.db
    .select()
    .from(schema.orders)
    .where(eq(schema.orders.id, orderId))
    .for('update');
  const detail = {
    checkoutSessionId: session.id,
    orderId,
    amountTotal: session.amount_total,
    currency: session.currency,
  };
  if (!order) {
    await recordStripeAnomaly(ctx, { eventId: event.id, kind: 'unknown_order', detail });
    return 'anomaly';
  }
  const anomaly = { eventId: event.id, merchantId: order.merchantId };
  if (order.checkoutSessionId !== session.id) {
    await recordStripeAnomaly(ctx, { ...anomaly, kind: 'metadata_mismatch', detail });
    return 'anomaly';
  }
  if (session.amount_total !== cashAmountFen(order) || session.currency !== 'cny') {
    await recordStripeAnomaly(ctx, {
      ...anomaly,
      kind: 'amount_mismatch',
      detail: { ...detail, expectedAmount: cashAmountFen(order) },
    });
    return 'anomaly';
  }
  if (order.status === 'paid') return 'already_paid';
  if (order.status !== 'pending_payment') {
    // The session outlives the order by design never; if it happens, an operator refunds by hand.
    await recordStripeAnomaly(ctx, { ...anomaly, kind: 'order_paid_after_expiry', detail });
    return 'anomaly';
  }

  const items = (await itemsOf(ctx, [order.id])).get(order.id) ?? [];
  const paid = await completeOrderPayment(ctx, order, items, payment.paymentIntentId);
  return paid.saleReason ? 'order_paid_without_vouchers' : 'order_paid';
}

/**
 * The order is paid, inside the caller's transaction with the order row locked: the held eco-points
 * go to the merchant (`order:<id>:eco-points`), then one transaction `order:<id>:paid` gives the
 * consumer vouchers and charges the merchant ad points on the money part as for any sale (same
 * insufficient rule) and owes the merchant the money on the CNY ledger.
 */
async function completeOrderPayment(
  ctx: Ctx,
  order: Order,
  items: OrderItem[],
  paymentIntentId: string | null,
): Promise<Order & { saleReason: string | null }> {
  const now = ctx.now();
  if (order.ecoHoldTransferId) {
    await postPending(ctx.db, {
      key: `order:${order.id}:eco-points`,
      pendingTransferId: order.ecoHoldTransferId,
      now,
      meta: { orderId: order.id },
    });
  }
  const cashFen = cashAmountFen(order);
  const terms = await saleTermsAt(ctx, order.merchantId, cashFen, now);
  const saleId = newId('sal');
  const money: TransferInput[] =
    cashFen > 0
      ? [
          {
            debit: accounts.platformOrderClearing(),
            credit: accounts.merchantProceeds(order.merchantId),
            amount: cashFen,
          },
        ]
      : [];
  const issued = await issueVouchersForSale(
    ctx,
    { id: saleId, merchantId: order.merchantId, consumerUserId: order.consumerUserId, ...terms },
    `order:${order.id}:paid`,
    money,
  );
  await ctx.db.insert(schema.sales).values({
    id: saleId,
    channel: 'online',
    merchantId: order.merchantId,
    consumerUserId: order.consumerUserId,
    recordedBy: null,
    orderId: order.id,
    amountFen: order.amountFen,
    ...terms,
    status: 'completed',
    ...issued,
    ...noEcoPoints,
    ecoPoints: order.ecoPoints,
    ecoPointUnitPriceFen: order.ecoPointUnitPriceFen,
    ecoPointsValueFen: order.ecoPointsValueFen,
    expiresAt: null,
    recordedAt: now,
    decidedAt: now,
  });
  const [paid] = await ctx.db
    .update(schema.orders)
    .set({ status: 'paid', paidAt: now, paymentIntentId, saleId })
    .where(eq(schema.orders.id, order.id))
    .returning();
  const supplied = supplierLines(items);
  // Own products that are delivered: the merchant ships them itself (ADR 0015); the supply chain
  // records that shipment beside the suppliers' ones.
  const merchantShips = ownShippedLines(items).length > 0;
  if (supplied.length > 0 || merchantShips) await ctx.supplyChain.paid(ctx, paid!, supplied, merchantShips);
  return { ...paid!, saleReason: issued.reason };
}

/** The order's share of a refund, in the caller's transaction: as an in-store refund, and less proceeds. */
async function recordOrderRefund(
  tx: Ctx,
  order: typeof schema.orders.$inferSelect,
  input: {
    refundId: string;
    amountFen: number;
    stripeRefundId?: string;
    createdBy?: string;
    expectedCashFen: number;
  },
) {
  const [sale] = await tx.db
    .select()
    .from(schema.sales)
    .where(eq(schema.sales.id, order.saleId!))
    .for('update');
  return applyRefund(tx, sale as Sale, {
    ...input,
    orderId: order.id,
    extra:
      input.expectedCashFen > 0
        ? [
            {
              debit: accounts.merchantProceeds(order.merchantId),
              credit: accounts.platformOrderClearing(),
              amount: input.expectedCashFen,
            },
          ]
        : [],
  });
}

/**
 * Stripe reports every refund of an order's charge, with the charge's refunded total. Refunds made
 * here reserved their amount on the order before Stripe was asked, so whatever Stripe refunded past
 * the order's refunded total was made elsewhere (the Stripe dashboard): it is applied like an order
 * refund of that amount, once (the order row is locked and its total moves with it). A refund that
 * cannot be applied (the order is not paid, or the total exceeds the order) is left for operators.
 */
export async function onOrderChargeRefunded(ctx: Ctx, event: Stripe.Event): Promise<string | null> {
  const charge = event.data.object as Stripe.Charge;
  const order = await lockOrderOfPayment(ctx, charge);
  if (!order) return null;
  const o = schema.orders;
  const refundedTotalFen = typeof charge.amount_refunded === 'number' ? charge.amount_refunded : 0;
  const unrecordedFen = refundedTotalFen - (await refundedThroughStripeFen(ctx, order));
  if (unrecordedFen <= 0) return 'order_refund_acknowledged';
  // A dashboard refund moves money only; an order partly paid with eco-points is refunded from the
  // back office, which splits the amount (API.md), so such a refund is left for operators.
  if (
    order.status !== 'paid' ||
    !order.saleId ||
    refundedTotalFen + order.disputedFen > order.amountFen ||
    order.ecoPoints > 0
  ) {
    await recordStripeAnomaly(ctx, {
      eventId: event.id,
      kind: 'order_refund_unmatched',
      merchantId: order.merchantId,
      detail: {
        orderId: order.id,
        chargeId: charge.id,
        refundedTotalFen,
        unrecordedFen,
        orderRefundedFen: order.refundedFen,
      },
    });
    return 'anomaly';
  }
  await recordOrderRefund(ctx, order, {
    refundId: newId('rfd'),
    amountFen: unrecordedFen,
    createdBy: `stripe_dashboard:${event.id}`,
    expectedCashFen: unrecordedFen,
  });
  await ctx.db
    .update(o)
    .set({ refundedFen: refundedTotalFen + order.disputedFen })
    .where(eq(o.id, order.id));
  return 'order_refund_recorded';
}

/**
 * The money of an order that Stripe's refunded total should show, as this platform counts it: the
 * refunds recorded, less those that were lost disputes (Stripe leaves them out of that total), plus
 * the money of a refund reserved on the order whose recording has not committed yet. Without
 * eco-points every fen of the order is money; with them, each refund's money part is on its row.
 */
async function refundedThroughStripeFen(ctx: Ctx, order: Order): Promise<number> {
  if (order.ecoPoints === 0 || !order.saleId) return order.refundedFen - order.disputedFen;
  const [sale] = await ctx.db.select().from(schema.sales).where(eq(schema.sales.id, order.saleId));
  const r = schema.refunds;
  const [disputes] = await ctx.db
    .select({ cashFen: sql<string>`coalesce(sum(${r.cashRefundedFen}), 0)` })
    .from(r)
    .where(and(eq(r.saleId, order.saleId), sql`${r.createdBy} like 'stripe_dispute:%'`));
  const reservedFen = order.refundedFen - sale!.refundedFen;
  const reservedCashFen = reservedFen > 0 ? refundSplit(sale as Sale, reservedFen).cashFen : 0;
  return sale!.cashRefundedFen - Number(disputes!.cashFen) + reservedCashFen;
}

/** The order a Stripe charge or dispute is about (by payment intent or metadata), row locked; null if none. */
export async function lockOrderOfPayment(
  ctx: Ctx,
  object: { payment_intent?: unknown; metadata?: Record<string, string> | null },
): Promise<Order | null> {
  const o = schema.orders;
  const conditions = [];
  if (typeof object.payment_intent === 'string')
    conditions.push(eq(o.paymentIntentId, object.payment_intent));
  if (object.metadata?.order_id) conditions.push(eq(o.id, object.metadata.order_id));
  if (conditions.length === 0) return null;
  const [order] = await ctx.db
    .select()
    .from(o)
    .where(or(...conditions))
    .limit(1)
    .for('update');
  return order ?? null;
}

/**
 * A lost dispute of an order's charge (its row locked, the dispute not seen lost before): Stripe took
 * the money back, so it is applied as a refund of that money made in Stripe's dashboard is (vouchers
 * clawed back, ad points returned, the merchant's proceeds reduced) and counted as disputed. One it
 * cannot be applied to (not paid, eco-points in it, more than is left to take back) is left for
 * operators.
 */
export async function recordOrderDisputeLost(
  ctx: Ctx,
  order: Order,
  dispute: Stripe.Dispute,
  eventId: string,
): Promise<string> {
  const amountFen = dispute.amount;
  if (
    order.status !== 'paid' ||
    !order.saleId ||
    order.ecoPoints > 0 ||
    dispute.currency !== 'cny' ||
    !Number.isSafeInteger(amountFen) ||
    amountFen < 1 ||
    order.refundedFen + amountFen > order.amountFen
  ) {
    await recordStripeAnomaly(ctx, {
      eventId,
      kind: 'order_dispute_unmatched',
      merchantId: order.merchantId,
      detail: {
        orderId: order.id,
        disputeId: dispute.id,
        disputeAmount: amountFen,
        orderRefundedFen: order.refundedFen,
      },
    });
    return 'anomaly';
  }
  await recordOrderRefund(ctx, order, {
    refundId: newId('rfd'),
    amountFen,
    createdBy: `stripe_dispute:${dispute.id}`,
    expectedCashFen: amountFen,
  });
  const o = schema.orders;
  await ctx.db
    .update(o)
    .set({ refundedFen: order.refundedFen + amountFen, disputedFen: order.disputedFen + amountFen })
    .where(eq(o.id, order.id));
  return 'dispute_lost';
}

/**
 * An operator applies money Stripe returned on an order that could not be applied on its own (the
 * order was paid partly with eco-points, so Stripe's amount does not say which part it refunds): as
 * a refund of the largest part of the order whose money part is exactly that money, so the consumer
 * also gets that part's eco-points back and vouchers and ad points move as for any refund. Stripe
 * is asked first what it returned: the charge's refunded total now (less what is already recorded),
 * or the dispute, which must be lost. The anomaly is resolved in the same transaction, once.
 */
export async function applyAnomalyRefund(ctx: Ctx, anomalyId: string, input: { note?: string }) {
  const operator = requireOperator(ctx);
  // Checked before Stripe is asked, and again under the row lock.
  const seen = await openAnomaly(ctx, anomalyId, { lock: false });
  if (!refundableAnomalyKinds.has(seen.kind)) {
    throw notRefundable('Only money Stripe returned on an order can be applied as a refund');
  }
  const detail = seen.detail as { orderId?: string; chargeId?: string; disputeId?: string };
  const returned = await moneyStripeReturned(ctx, seen.kind, detail);
  return inTransaction(ctx, async (tx) => {
    const anomaly = await openAnomaly(tx, anomalyId, { lock: true });
    const o = schema.orders;
    const [order] = await tx.db
      .select()
      .from(o)
      .where(eq(o.id, detail.orderId ?? ''))
      .for('update');
    if (order?.status !== 'paid' || !order.saleId) {
      throw notRefundable('The order is not paid here; correct the balances with an adjustment');
    }
    const [sale] = await tx.db
      .select()
      .from(schema.sales)
      .where(eq(schema.sales.id, order.saleId))
      .for('update');
    if (sale!.refundedFen !== order.refundedFen) {
      throw conflict('refund_in_progress', 'A refund of this order is being recorded; try again in a minute');
    }
    const createdBy = returned.disputeId
      ? `stripe_dispute:${returned.disputeId}`
      : `stripe_dashboard:${anomaly.eventId}`;
    const r = schema.refunds;
    const [recordedBefore] = returned.disputeId
      ? await tx.db
          .select({ id: r.id })
          .from(r)
          .where(and(eq(r.saleId, order.saleId), eq(r.createdBy, createdBy)))
          .limit(1)
      : [];
    const moneyFen = recordedBefore
      ? 0
      : returned.disputeId
        ? returned.fen
        : returned.fen - (await refundedThroughStripeFen(tx, order));
    if (moneyFen < 1) {
      throw conflict(
        'nothing_to_apply',
        'This money is already recorded on the order; mark the anomaly handled',
      );
    }
    const partFen = largestRefundWithMoney(sale as Sale, moneyFen);
    if (partFen === null) {
      throw notRefundable(
        'No part of the order is refunded with exactly this money; correct the balances with an adjustment',
      );
    }
    const refundId = newId('rfd');
    const refund = await recordOrderRefund(tx, order, {
      refundId,
      amountFen: partFen,
      createdBy,
      expectedCashFen: moneyFen,
    });
    await tx.db
      .update(o)
      .set({
        refundedFen: order.refundedFen + partFen,
        disputedFen: order.disputedFen + (returned.disputeId ? partFen : 0),
      })
      .where(eq(o.id, order.id));
    await markResolved(tx, anomaly.id, { by: operator.id, note: input.note?.trim() || null, refundId });
    return { anomaly: await anomalyById(tx, anomaly.id), refund };
  });
}

const notRefundable = (message: string) => conflict('not_refundable', message);

/** What Stripe says it returned for an anomaly: a charge's refunded total, or a lost dispute's amount. */
async function moneyStripeReturned(
  ctx: Ctx,
  kind: string,
  detail: { chargeId?: string; disputeId?: string },
): Promise<{ fen: number; disputeId: string | null }> {
  const stripe = stripeFor(ctx);
  const ask = <T>(call: () => Promise<T>) =>
    call().catch((error: unknown) => {
      throw paymentProviderError(error);
    });
  if (kind === 'order_dispute_unmatched') {
    if (!detail.disputeId) throw notRefundable('Stripe did not name the dispute');
    const dispute = await ask(() => stripe.disputes.retrieve(detail.disputeId!));
    if (dispute.status !== 'lost' || dispute.currency !== 'cny') {
      throw notRefundable('Stripe does not show this dispute lost in yuan');
    }
    return { fen: dispute.amount, disputeId: dispute.id };
  }
  if (!detail.chargeId) throw notRefundable('Stripe did not name the charge');
  const charge = await ask(() => stripe.charges.retrieve(detail.chargeId!));
  if (charge.currency !== 'cny') throw notRefundable('The charge is not in yuan');
  return { fen: charge.amount_refunded, disputeId: null };
}

/** Ends an unpaid order (its row locked by the caller): the status, then its eco-points and stock back. */
async function endUnpaid(txCtx: Ctx, order: Order, status: 'expired' | 'cancelled'): Promise<Order> {
  const [ended] = await txCtx.db
    .update(schema.orders)
    .set({ status })
    .where(eq(schema.orders.id, order.id))
    .returning();
  await releaseEcoPoints(txCtx, order);
  await releaseStock(txCtx, order, (await itemsOf(txCtx, [order.id])).get(order.id) ?? []);
  return ended as Order;
}

/**
 * The consumer who placed an order cancels it while it awaits payment. Its Checkout Session is
 * expired at Stripe first, so it can no longer be paid; a session already paid refuses, and the
 * order stays for its payment to be recorded. Then, with the order locked, it is cancelled and its
 * stock and eco-points go back at once, as on expiry. Cancelling it again answers the same.
 */
export async function cancelOrder(ctx: Ctx, orderId: string) {
  const { order, ownOrder } = await readableOrder(ctx, orderId);
  if (!ownOrder) throw forbidden('Only the consumer who placed an order can cancel it');
  const o = schema.orders;
  if (order.status === 'pending_payment' && order.checkoutSessionId) {
    await expireCheckoutSession(ctx, order.checkoutSessionId);
  }
  const cancelled = await inTransaction(ctx, async (tx) => {
    const [locked] = await tx.db.select().from(o).where(eq(o.id, order.id)).for('update');
    if (!locked) throw notFound('not_found', 'No such order');
    if (locked.status === 'cancelled') return locked;
    if (locked.status === 'paid') throw orderPaid();
    if (locked.status !== 'pending_payment') {
      throw conflict(
        'order_expired',
        'This order expired unpaid; its stock and eco-points were already returned',
      );
    }
    return endUnpaid(tx, locked, 'cancelled');
  });
  return orderView(cancelled, (await itemsOf(ctx, [order.id])).get(order.id) ?? []);
}

const orderPaid = () => conflict('order_paid', 'This order is paid; the merchant can refund it');

/** Stripe's session can no longer be paid once this returns; a paid one refuses (order_paid). */
async function expireCheckoutSession(ctx: Ctx, sessionId: string): Promise<void> {
  const stripe = stripeFor(ctx);
  try {
    await stripe.checkout.sessions.expire(sessionId);
  } catch (error) {
    // Only an open session can be expired: ask what it is now.
    const session = await stripe.checkout.sessions.retrieve(sessionId).catch(() => null);
    if (session?.status === 'expired') return;
    if (session?.status === 'complete') throw orderPaid();
    throw paymentProviderError(error);
  }
}

/** Job: unpaid orders past their window expire and give their stock and eco-points back, one transaction each. */
export async function expireUnpaidOrders(ctx: Ctx): Promise<{ expired: number }> {
  const o = schema.orders;
  const due = await ctx.db
    .select({ id: o.id })
    .from(o)
    .where(and(eq(o.status, 'pending_payment'), lte(o.expiresAt, ctx.now())))
    .limit(maxExpiredPerRun);
  let expired = 0;
  for (const { id } of due) {
    const done = await inTransaction(ctx, async (tx) => {
      const [order] = await tx.db
        .select()
        .from(o)
        .where(and(eq(o.id, id), eq(o.status, 'pending_payment')))
        .for('update');
      if (!order) return false;
      await endUnpaid(tx, order, 'expired');
      return true;
    });
    if (done) expired++;
  }
  return { expired };
}

/** The consumer who placed it, the merchant's staff, or an operator; 404 for anyone else. */
/** An order its consumer, the merchant's staff or an operator may read; 404 for anyone else. */
async function readableOrder(ctx: Ctx, orderId: string): Promise<{ order: Order; ownOrder: boolean }> {
  const user = requireCaller(ctx);
  const [order] = await ctx.db.select().from(schema.orders).where(eq(schema.orders.id, orderId));
  if (!order) throw notFound('not_found', 'No such order');
  const ownOrder = order.consumerUserId === user.id;
  if (!ownOrder) {
    await merchantForCaller(ctx, order.merchantId, { operatorMay: true }).catch(() => {
      throw notFound('not_found', 'No such order');
    });
  }
  return { order, ownOrder };
}

export async function getOrder(ctx: Ctx, orderId: string) {
  const { order } = await readableOrder(ctx, orderId);
  const outcome = (await outcomesOf(ctx, [order])).get(order.saleId ?? '');
  return orderView(order, (await itemsOf(ctx, [order.id])).get(order.id) ?? [], outcome);
}

async function pageOfOrders(ctx: Ctx, where: ReturnType<typeof and>, input: PageInput) {
  const o = schema.orders;
  const limit = pageSize(input.limit);
  const found = await ctx.db
    .select()
    .from(o)
    .where(and(where, after(o.createdAt, o.id, input.cursor)))
    .orderBy(desc(o.createdAt), desc(o.id))
    .limit(limit + 1);
  const { rows, nextCursor } = pageOf('orders', found, limit, (r) => ({ at: r.createdAt, id: r.id }));
  const items = await itemsOf(
    ctx,
    rows.map((r) => r.id),
  );
  const outcomes = await outcomesOf(ctx, rows);
  return {
    data: rows.map((r) => orderView(r, items.get(r.id) ?? [], outcomes.get(r.saleId ?? ''))),
    nextCursor,
  };
}

export async function listConsumerOrders(ctx: Ctx, input: PageInput) {
  const user = requireCaller(ctx);
  return pageOfOrders(ctx, eq(schema.orders.consumerUserId, user.id), input);
}

export async function listMerchantOrders(ctx: Ctx, merchantId: string, input: PageInput) {
  await merchantForCaller(ctx, merchantId, { operatorMay: true });
  return pageOfOrders(ctx, eq(schema.orders.merchantId, merchantId), input);
}

/**
 * Merchant staff refund part or all of a paid order: the amount is reserved on the order (of
 * concurrent refunds past the amount, the later ones get 422), Stripe returns the money part (none
 * when the refund is all eco-points; a provider failure gives the reservation back), then one
 * transaction claws back vouchers, returns ad points and eco-points as for an in-store refund and
 * takes the money back from the merchant's proceeds.
 */
export async function refundOrder(ctx: Ctx, orderId: string, input: { amountFen: number }) {
  requireCaller(ctx);
  const [order] = await ctx.db.select().from(schema.orders).where(eq(schema.orders.id, orderId));
  if (!order) throw notFound('not_found', 'No such order');
  await merchantForCaller(ctx, order.merchantId).catch(() => {
    throw notFound('not_found', 'No such order');
  });
  assertAmount(input.amountFen);
  if (order.status !== 'paid' || !order.saleId) {
    throw conflict('order_not_paid', 'Only a paid order can be refunded');
  }
  // Reserve the amount before asking Stripe: of concurrent refunds past the amount, the later ones
  // get 422 here instead of a refusal from Stripe. A Stripe failure gives the reservation back.
  const o = schema.orders;
  const [reserved] = await ctx.db
    .update(o)
    .set({ refundedFen: sql`${o.refundedFen} + ${input.amountFen}` })
    .where(
      and(
        eq(o.id, order.id),
        eq(o.status, 'paid'),
        sql`${o.refundedFen} + ${input.amountFen} <= ${o.amountFen}`,
      ),
    )
    .returning({ refundedFen: o.refundedFen });
  if (!reserved) {
    const [now] = await ctx.db.select({ refundedFen: o.refundedFen }).from(o).where(eq(o.id, order.id));
    throw unprocessable(
      'refund_exceeds_amount',
      `At most ${order.amountFen - (now?.refundedFen ?? order.refundedFen)} fen is left to refund`,
    );
  }
  const [saleNow] = await ctx.db.select().from(schema.sales).where(eq(schema.sales.id, order.saleId));
  const { cashFen } = refundSplit(saleNow as Sale, input.amountFen);
  if (cashFen > 0 && !order.paymentIntentId)
    throw conflict('order_not_paid', 'Only a paid order can be refunded');
  const refundId = newId('rfd');
  let stripeRefund: Stripe.Refund | null = null;
  const giveBackReservation = () =>
    ctx.db
      .update(o)
      .set({ refundedFen: sql`${o.refundedFen} - ${input.amountFen}` })
      .where(eq(o.id, order.id));
  if (cashFen > 0) {
    try {
      stripeRefund = await stripeFor(ctx).refunds.create(
        {
          payment_intent: order.paymentIntentId!,
          amount: cashFen,
          metadata: { order_id: order.id, refund_id: refundId },
        },
        { idempotencyKey: `refund:${refundId}` },
      );
    } catch (error) {
      await giveBackReservation();
      throw paymentProviderError(error);
    }
  }
  try {
    return await inTransaction(ctx, (tx) =>
      recordOrderRefund(tx, order, {
        refundId,
        amountFen: input.amountFen,
        stripeRefundId: stripeRefund?.id,
        expectedCashFen: cashFen,
      }),
    );
  } catch (error) {
    if (!stripeRefund) {
      await giveBackReservation();
      throw error;
    }
    // Stripe already returned the money: operators must see it even though the request failed.
    ctx.log.error('order refund not recorded after Stripe refunded', {
      orderId: order.id,
      refundId,
      stripeRefundId: stripeRefund.id,
      error: String(error),
    });
    if (error instanceof ApiError) throw error;
    throw new ApiError(
      409,
      'refund_not_recorded',
      'Stripe refunded the money but the refund could not be recorded; operators are told',
    );
  }
}
