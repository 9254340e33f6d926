import { schema } from '@alliance/db';
import { and, asc, desc, eq, inArray, lte, or, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Ctx } from '../context';
import { ApiError, conflict, notFound, unauthorized, unprocessable } from '../errors';
import { newId } from '../ids';
import type { TransferInput } from '../ledger';
import { memberRole, merchantForCaller } from './access';
import { accounts } from './accounts';
import { organisationRow } from './organisations';
import { maxAmountFen } from './rounding';
import {
  applyRefund,
  assertAmount,
  decodeCursor,
  encodeCursor,
  issueVouchersForSale,
  type PageInput,
  pageSize,
  type Sale,
  saleTermsAt,
} from './sales';
import { paymentProviderError, stripeFor } from './stripe';
import { recordStripeAnomaly, registerCheckoutHandler, registerStripeEventHandler } from './stripe-events';
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

/** A line of a supplier's product, for the supply chain to reserve, fulfil and settle. */
export interface SupplierOrderLine {
  orderItemId: string;
  lineIndex: number;
  listingId: string;
  supplierProductId: string;
  supplierId: string;
  quantity: number;
  unitPriceFen: number;
  wholesalePriceFen: number;
}

/**
 * What the supply chain does for supplier lines, each inside the order's own transaction:
 * `reserve` when the order is created (throw 409 `out_of_stock` if the supplier cannot cover it),
 * `paid` once when Stripe says the order is paid, `release` once when an unpaid order expires or
 * its checkout could not be opened.
 */
export interface SupplyChainOrderHooks {
  reserve(txCtx: Ctx, orderId: string, lines: SupplierOrderLine[]): Promise<void>;
  paid(txCtx: Ctx, order: Order, lines: SupplierOrderLine[]): Promise<void>;
  release(txCtx: Ctx, orderId: string): Promise<void>;
}

let supplyChainHooks: SupplyChainOrderHooks | null = null;

/** Called once by the supply-chain module when it loads; until then supplier listings cannot be ordered. */
export function registerSupplyChainOrderHooks(hooks: SupplyChainOrderHooks) {
  supplyChainHooks = hooks;
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

type SaleOutcome = Pick<Sale, 'vouchersIssued' | 'reason'>;

export function orderView(order: Order, items: OrderItem[], sale?: SaleOutcome) {
  return {
    id: order.id,
    merchantId: order.merchantId,
    status: order.status,
    amount: order.amountFen,
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
}

/**
 * Reserves stock and opens a Stripe Checkout Session. Stock is taken with a conditional UPDATE
 * (stock >= quantity), rows in id order, so concurrent orders never oversell and never deadlock.
 * If Stripe cannot open the session, the reservation is undone and the order removed: nothing stays.
 */
export async function createOrder(ctx: Ctx, input: CreateOrderInput) {
  const user = requireCaller(ctx);
  const merchant = await organisationRow(ctx, 'merchant', input.merchantId);
  if (merchant?.status !== 'active') throw notFound('not_found', 'No such merchant');
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
  if (lines.some(({ listing }) => listing.supplierProductId) && !supplyChainHooks) {
    throw conflict('out_of_stock', 'Supplier products cannot be ordered right now');
  }
  const amountFen = lines.reduce((sum, { item, listing }) => sum + item.quantity * listing.priceFen, 0);
  if (amountFen > maxAmountFen)
    throw unprocessable('amount_too_large', `An order may be at most ${maxAmountFen} fen`);

  const now = ctx.now();
  const orderId = newId('ord');
  const order: Order = {
    id: orderId,
    merchantId: merchant.id,
    consumerUserId: user.id,
    status: 'pending_payment',
    amountFen,
    refundedFen: 0,
    shipTo: input.shipTo ?? null,
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

  await inTransaction(ctx, async (tx) => {
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
    if (supplied.length > 0) await supplyChainHooks!.reserve(tx, orderId, supplied);
  });

  const returnUrl = `${ctx.config.publicUrl}/orders/${orderId}`;
  const metadata = { order_id: orderId, merchant_id: merchant.id };
  let session: Stripe.Checkout.Session;
  try {
    session = await stripeFor(ctx).checkout.sessions.create(
      {
        mode: 'payment',
        allowed_payment_method_types: ['card', 'alipay', 'wechat_pay'],
        payment_method_options: { wechat_pay: { client: 'web' } },
        line_items: items.map((i) => ({
          quantity: i.quantity,
          price_data: { currency: 'cny', unit_amount: i.unitPriceFen, product_data: { name: i.title } },
        })),
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

async function releaseStock(txCtx: Ctx, order: Order, items: OrderItem[]) {
  const l = schema.listings;
  const own = items.filter((i) => !i.supplierProductId).sort((a, b) => (a.listingId < b.listingId ? -1 : 1));
  for (const line of own) {
    await txCtx.db
      .update(l)
      .set({ stock: sql`${l.stock} + ${line.quantity}` })
      .where(eq(l.id, line.listingId));
  }
  if (supplierLines(items).length > 0 && supplyChainHooks) await supplyChainHooks.release(txCtx, order.id);
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
  if (session.amount_total !== order.amountFen || session.currency !== 'cny') {
    await recordStripeAnomaly(ctx, {
      ...anomaly,
      kind: 'amount_mismatch',
      detail: { ...detail, expectedAmount: order.amountFen },
    });
    return 'anomaly';
  }
  if (order.status === 'paid') return 'already_paid';
  if (order.status !== 'pending_payment') {
    // The session outlives the order by design never; if it happens, an operator refunds by hand.
    await recordStripeAnomaly(ctx, { ...anomaly, kind: 'order_paid_after_expiry', detail });
    return 'anomaly';
  }

  const now = ctx.now();
  const terms = await saleTermsAt(ctx, order.merchantId, order.amountFen, now);
  const saleId = newId('sal');
  const money: TransferInput = {
    debit: accounts.platformOrderClearing(),
    credit: accounts.merchantProceeds(order.merchantId),
    amount: order.amountFen,
  };
  const issued = await issueVouchersForSale(
    ctx,
    { id: saleId, merchantId: order.merchantId, consumerUserId: order.consumerUserId, ...terms },
    `order:${order.id}:paid`,
    [money],
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
    expiresAt: null,
    recordedAt: now,
    decidedAt: now,
  });
  const [paid] = await ctx.db
    .update(schema.orders)
    .set({ status: 'paid', paidAt: now, paymentIntentId: payment.paymentIntentId, saleId })
    .where(eq(schema.orders.id, order.id))
    .returning();
  const items = (await itemsOf(ctx, [order.id])).get(order.id) ?? [];
  const supplied = supplierLines(items);
  if (supplied.length > 0 && supplyChainHooks) await supplyChainHooks.paid(ctx, paid!, supplied);
  // Own products that are delivered: the merchant ships them itself, through a fulfillment whose
  // shipper (supplierId) is the merchant, with no wholesale cost, so shipping, tracking, delivery
  // and cancel work as for a supplier's (after the hook, which creates the suppliers' ones once).
  if (items.some((i) => !i.supplierProductId && i.ships)) {
    await ctx.db
      .insert(schema.fulfillments)
      .values({
        id: newId('ful'),
        orderId: order.id,
        supplierId: order.merchantId,
        merchantId: order.merchantId,
        consumerUserId: order.consumerUserId,
        status: 'to_ship',
        shipTo: order.shipTo as ShipTo | null,
        settlementTrigger: 'on_shipment',
        wholesaleCostFen: 0,
        createdAt: now,
      })
      .onConflictDoNothing();
  }
  return issued.reason ? 'order_paid_without_vouchers' : 'order_paid';
}

/**
 * Stripe reports the refunds this API asked for; they were recorded when asked, so an order's
 * charge is acknowledged here instead of being listed as an unknown charge.
 */
async function onOrderChargeRefunded(ctx: Ctx, event: Stripe.Event): Promise<string | null> {
  const charge = event.data.object as Stripe.Charge;
  const paymentIntentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : null;
  const o = schema.orders;
  const conditions = [];
  if (paymentIntentId) conditions.push(eq(o.paymentIntentId, paymentIntentId));
  if (charge.metadata?.order_id) conditions.push(eq(o.id, charge.metadata.order_id));
  if (conditions.length === 0) return null;
  const [order] = await ctx.db
    .select({ id: o.id })
    .from(o)
    .where(or(...conditions))
    .limit(1);
  return order ? 'order_refund_acknowledged' : null;
}

registerCheckoutHandler('order_id', onOrderCheckoutCompleted);
registerStripeEventHandler('charge.refunded', onOrderChargeRefunded);

/** Job: unpaid orders past their window expire and give their stock back, one transaction each. */
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
      await tx.db.update(o).set({ status: 'expired' }).where(eq(o.id, id));
      await releaseStock(tx, order, (await itemsOf(tx, [id])).get(id) ?? []);
      return true;
    });
    if (done) expired++;
  }
  return { expired };
}

/** The consumer who placed it, the merchant's staff, or an operator; 404 for anyone else. */
export async function getOrder(ctx: Ctx, orderId: string) {
  const user = requireCaller(ctx);
  const [order] = await ctx.db.select().from(schema.orders).where(eq(schema.orders.id, orderId));
  if (!order) throw notFound('not_found', 'No such order');
  if (order.consumerUserId !== user.id) {
    await merchantForCaller(ctx, order.merchantId, { operatorMay: true }).catch(() => {
      throw notFound('not_found', 'No such order');
    });
  }
  const outcome = (await outcomesOf(ctx, [order])).get(order.saleId ?? '');
  return orderView(order, (await itemsOf(ctx, [order.id])).get(order.id) ?? [], outcome);
}

async function pageOfOrders(ctx: Ctx, where: ReturnType<typeof and>, input: PageInput) {
  const o = schema.orders;
  const cursor = decodeCursor(input.cursor);
  const limit = pageSize(input.limit);
  const rows = await ctx.db
    .select()
    .from(o)
    .where(
      and(
        where,
        cursor
          ? sql`(${o.createdAt}, ${o.id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id})`
          : undefined,
      ),
    )
    .orderBy(desc(o.createdAt), desc(o.id))
    .limit(limit + 1);
  const data = rows.slice(0, limit);
  const items = await itemsOf(
    ctx,
    data.map((r) => r.id),
  );
  const outcomes = await outcomesOf(ctx, data);
  const last = data.at(-1);
  return {
    data: data.map((r) => orderView(r, items.get(r.id) ?? [], outcomes.get(r.saleId ?? ''))),
    nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
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
 * Merchant staff refund part or all of a paid order: Stripe returns the money first (a provider
 * failure writes nothing), then one transaction claws back vouchers and returns ad points as for an
 * in-store refund and takes the money back from the merchant's proceeds.
 */
export async function refundOrder(ctx: Ctx, orderId: string, input: { amountFen: number }) {
  requireCaller(ctx);
  const [order] = await ctx.db.select().from(schema.orders).where(eq(schema.orders.id, orderId));
  if (!order) throw notFound('not_found', 'No such order');
  await merchantForCaller(ctx, order.merchantId).catch(() => {
    throw notFound('not_found', 'No such order');
  });
  assertAmount(input.amountFen);
  if (order.status !== 'paid' || !order.saleId || !order.paymentIntentId) {
    throw conflict('order_not_paid', 'Only a paid order can be refunded');
  }
  if (order.refundedFen + input.amountFen > order.amountFen) {
    throw unprocessable(
      'refund_exceeds_amount',
      `At most ${order.amountFen - order.refundedFen} fen is left to refund`,
    );
  }
  const refundId = newId('rfd');
  let stripeRefund: Stripe.Refund;
  try {
    stripeRefund = await stripeFor(ctx).refunds.create(
      {
        payment_intent: order.paymentIntentId,
        amount: input.amountFen,
        metadata: { order_id: order.id, refund_id: refundId },
      },
      { idempotencyKey: `refund:${refundId}` },
    );
  } catch (error) {
    throw paymentProviderError(error);
  }
  try {
    return await inTransaction(ctx, async (tx) => {
      const [locked] = await tx.db
        .select()
        .from(schema.orders)
        .where(eq(schema.orders.id, order.id))
        .for('update');
      const [sale] = await tx.db
        .select()
        .from(schema.sales)
        .where(eq(schema.sales.id, order.saleId!))
        .for('update');
      const result = await applyRefund(tx, sale as Sale, {
        refundId,
        amountFen: input.amountFen,
        orderId: order.id,
        stripeRefundId: stripeRefund.id,
        extra: [
          {
            debit: accounts.merchantProceeds(order.merchantId),
            credit: accounts.platformOrderClearing(),
            amount: input.amountFen,
          },
        ],
      });
      await tx.db
        .update(schema.orders)
        .set({ refundedFen: locked!.refundedFen + input.amountFen })
        .where(eq(schema.orders.id, order.id));
      return result;
    });
  } catch (error) {
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
