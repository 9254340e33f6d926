/**
 * Supply chain, part 2: fulfillments move through supply-chain's state machine, and the wholesale
 * cost is settled on the CNY ledger in the same transaction as the state change that triggers it:
 * merchant proceeds → supplier payable, key `settlement:<fulfillmentId>`; a return reverses it,
 * key `settlement:<fulfillmentId>:reversal`. The conditional UPDATE on the status makes each
 * transition happen once; the ledger key makes each movement happen once even if it did not.
 */
import { schema } from '@alliance/db';
import {
  deliveryAutoConfirmCutoff,
  type FulfillmentEvent,
  type FulfillmentStatus,
  nextFulfillmentStatus,
  type SettlementTrigger,
  settlesOn,
} from '@alliance/supply-chain';
import { and, asc, desc, eq, inArray, lte } from 'drizzle-orm';
import type { Ctx } from '../context';
import { ApiError, conflict, notFound, unauthorized } from '../errors';
import { newId } from '../ids';
import { postTransaction } from '../ledger';
import { maskPhone } from '../phone';
import { callerActsFor, isOperator, merchantForCaller, supplierForCaller } from './access';
import { accounts } from './accounts';
import { refundOrder, restockOwnShipment, type ShipTo } from './orders';
import { parametersAt } from './parameters';
import { restock } from './supply';
import { inTransaction } from './tx';

type FulfillmentRow = typeof schema.fulfillments.$inferSelect;

export interface FulfillmentItemView {
  supplierProductId: string;
  listingId: string | null;
  orderItemId: string | null;
  title: string;
  quantity: number;
  wholesalePrice: number;
}

export interface FulfillmentView {
  id: string;
  orderId: string;
  supplierId: string;
  merchantId: string;
  status: FulfillmentStatus;
  items: FulfillmentItemView[];
  shipTo: ShipTo | null;
  wholesaleCost: number;
  settlementTrigger: SettlementTrigger;
  settled: boolean;
  carrier: string | null;
  trackingNumber: string | null;
  shippedAt: string | null;
  deliveredAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  createdAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The courier needs the full phone until delivery; after it (or a cancel or return) it is masked (ADR 0014). */
function shipToFor(row: FulfillmentRow): ShipTo | null {
  const shipTo = row.shipTo as ShipTo | null;
  if (!shipTo || row.status === 'to_ship' || row.status === 'shipped') return shipTo;
  return { ...shipTo, phone: maskPhone(shipTo.phone) };
}

async function views(ctx: Ctx, rows: FulfillmentRow[]): Promise<FulfillmentView[]> {
  if (rows.length === 0) return [];
  const items = await ctx.db
    .select()
    .from(schema.fulfillmentItems)
    .where(
      inArray(
        schema.fulfillmentItems.fulfillmentId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(schema.fulfillmentItems.id));
  return rows.map((row) => ({
    id: row.id,
    orderId: row.orderId,
    supplierId: row.supplierId,
    merchantId: row.merchantId,
    status: row.status as FulfillmentStatus,
    items: items
      .filter((i) => i.fulfillmentId === row.id)
      .map((i) => ({
        supplierProductId: i.supplierProductId,
        listingId: i.listingId,
        orderItemId: i.orderItemId,
        title: i.title,
        quantity: i.quantity,
        wholesalePrice: i.wholesalePriceFen,
      })),
    shipTo: shipToFor(row),
    wholesaleCost: row.wholesaleCostFen,
    settlementTrigger: row.settlementTrigger as SettlementTrigger,
    settled: row.settledAt !== null,
    carrier: row.carrier,
    trackingNumber: row.trackingNumber,
    shippedAt: iso(row.shippedAt),
    deliveredAt: iso(row.deliveredAt),
    cancelledAt: iso(row.cancelledAt),
    cancelReason: row.cancelReason,
    createdAt: row.createdAt.toISOString(),
  }));
}

const fulfillmentStatuses = new Set<string>(['to_ship', 'shipped', 'delivered', 'cancelled', 'returned']);

/** A supplier's fulfillments (its staff and operators), oldest first so the queue reads in order. */
export async function listSupplierFulfillments(
  ctx: Ctx,
  input: { supplierId: string; status?: FulfillmentStatus; limit?: number },
): Promise<{ data: FulfillmentView[] }> {
  await supplierForCaller(ctx, input.supplierId, { operatorMay: true });
  if (input.status && !fulfillmentStatuses.has(input.status)) return { data: [] };
  const f = schema.fulfillments;
  const rows = await ctx.db
    .select()
    .from(f)
    .where(and(eq(f.supplierId, input.supplierId), input.status ? eq(f.status, input.status) : undefined))
    .orderBy(asc(f.createdAt), asc(f.id))
    .limit(Math.min(Math.max(input.limit ?? 100, 1), 500));
  return { data: await views(ctx, rows) };
}

/**
 * The fulfillments of an order, for the consumer who placed it, the merchant's staff and operators
 * (carrier and tracking number included). Anyone else: 404.
 */
export async function orderFulfillments(ctx: Ctx, orderId: string): Promise<{ data: FulfillmentView[] }> {
  const user = ctx.user;
  if (!user) throw unauthorized();
  const [order] = await ctx.db
    .select({ merchantId: schema.orders.merchantId, consumerUserId: schema.orders.consumerUserId })
    .from(schema.orders)
    .where(eq(schema.orders.id, orderId));
  if (!order) throw notFound('not_found', 'No such order');
  if (order.consumerUserId !== user.id && !isOperator(ctx) && !(await callerActsFor(ctx, order.merchantId))) {
    throw notFound('not_found', 'No such order');
  }
  const f = schema.fulfillments;
  const rows = await ctx.db
    .select()
    .from(f)
    .where(eq(f.orderId, orderId))
    .orderBy(asc(f.createdAt), asc(f.id));
  return { data: await views(ctx, rows) };
}

type Actor = 'supplier' | 'merchant' | 'consumer' | 'operator' | 'system';

/**
 * The fulfillment row, locked for this transaction, if one of `allowed` may act on it; 404
 * otherwise (whoever is not allowed must not learn that it exists).
 */
async function lockFulfillmentFor(
  ctx: Ctx,
  fulfillmentId: string,
  allowed: readonly Actor[],
): Promise<FulfillmentRow> {
  const user = ctx.user;
  if (!user && !allowed.includes('system')) throw unauthorized();
  const f = schema.fulfillments;
  const [row] = await ctx.db.select().from(f).where(eq(f.id, fulfillmentId)).for('update');
  if (!row) throw notFound('not_found', 'No such fulfillment');
  if (!user) return row;
  const may =
    (allowed.includes('operator') && isOperator(ctx)) ||
    (allowed.includes('consumer') && row.consumerUserId === user.id) ||
    (allowed.includes('supplier') && (await callerActsFor(ctx, row.supplierId))) ||
    (allowed.includes('merchant') && (await callerActsFor(ctx, row.merchantId)));
  if (!may) throw notFound('not_found', 'No such fulfillment');
  return row;
}

function transitionOrThrow(row: FulfillmentRow, event: FulfillmentEvent): FulfillmentStatus {
  const result = nextFulfillmentStatus(row.status as FulfillmentStatus, event);
  if (!result.ok) throw conflict(result.code, `The fulfillment is ${row.status}`);
  return result.next;
}

/** Moves the wholesale cost from the merchant's proceeds to the supplier's payable, once. */
async function settle(ctx: Ctx, row: FulfillmentRow): Promise<void> {
  if (row.settledAt !== null || row.wholesaleCostFen <= 0) return;
  await postTransaction(ctx.db, {
    key: `settlement:${row.id}`,
    kind: 'supply_settlement',
    transfers: [
      {
        debit: accounts.merchantProceeds(row.merchantId),
        credit: accounts.supplierPayable(row.supplierId),
        amount: row.wholesaleCostFen,
      },
    ],
    meta: {
      fulfillmentId: row.id,
      orderId: row.orderId,
      merchantId: row.merchantId,
      supplierId: row.supplierId,
    },
    now: ctx.now(),
  });
  await ctx.db
    .update(schema.fulfillments)
    .set({ settledAt: ctx.now() })
    .where(eq(schema.fulfillments.id, row.id));
}

export interface FulfillmentResult {
  id: string;
  status: FulfillmentStatus;
  settled: boolean;
}

/**
 * The supplier ships (its staff only; a merchant or anyone else gets 404). Shipping twice is 409
 * `already_shipped` and settles nothing more (send an Idempotency-Key to get the first 200 replayed).
 */
export async function shipFulfillment(
  ctx: Ctx,
  input: { fulfillmentId: string; carrier: string; trackingNumber: string },
): Promise<FulfillmentResult> {
  return inTransaction(ctx, async (tx) => {
    const row = await lockFulfillmentFor(tx, input.fulfillmentId, ['supplier']);
    const next = transitionOrThrow(row, 'ship');
    const now = tx.now();
    const [updated] = await tx.db
      .update(schema.fulfillments)
      .set({ status: next, carrier: input.carrier, trackingNumber: input.trackingNumber, shippedAt: now })
      .where(and(eq(schema.fulfillments.id, row.id), eq(schema.fulfillments.status, row.status)))
      .returning();
    if (!updated) throw conflict('already_shipped', 'The fulfillment was shipped meanwhile');
    if (settlesOn(row.settlementTrigger as SettlementTrigger, 'ship')) await settle(tx, updated);
    return {
      id: row.id,
      status: next,
      settled: settlesOn(row.settlementTrigger as SettlementTrigger, 'ship'),
    };
  });
}

/** Delivery confirmed by the consumer, or by the auto-confirm job (`system`). */
async function confirmDeliveryOf(
  ctx: Ctx,
  fulfillmentId: string,
  actors: readonly Actor[],
  orderId?: string,
) {
  return inTransaction(ctx, async (tx) => {
    const row = await lockFulfillmentFor(tx, fulfillmentId, actors);
    if (orderId !== undefined && row.orderId !== orderId) throw notFound('not_found', 'No such fulfillment');
    const next = transitionOrThrow(row, 'confirm_delivery');
    const [updated] = await tx.db
      .update(schema.fulfillments)
      .set({ status: next, deliveredAt: tx.now() })
      .where(and(eq(schema.fulfillments.id, row.id), eq(schema.fulfillments.status, row.status)))
      .returning();
    if (!updated) throw conflict('not_shipped', 'The fulfillment changed meanwhile');
    if (settlesOn(row.settlementTrigger as SettlementTrigger, 'confirm_delivery')) await settle(tx, updated);
    return { id: row.id, status: next, settled: await isSettled(tx, row.id) };
  });
}

async function isSettled(ctx: Ctx, id: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ settledAt: schema.fulfillments.settledAt })
    .from(schema.fulfillments)
    .where(eq(schema.fulfillments.id, id));
  return Boolean(row?.settledAt);
}

/** The consumer who placed the order confirms the goods arrived. */
export async function confirmDelivery(
  ctx: Ctx,
  input: { orderId: string; fulfillmentId: string },
): Promise<FulfillmentResult> {
  return confirmDeliveryOf(ctx, input.fulfillmentId, ['consumer'], input.orderId);
}

/**
 * Job body: shipments older than `deliveryAutoConfirmDays` count as delivered (and settle, under the
 * on_delivery trigger). Each one in its own transaction; a fulfillment confirmed meanwhile is skipped.
 */
export async function autoConfirmDeliveries(
  ctx: Ctx,
  options: { limit?: number } = {},
): Promise<{ confirmed: string[] }> {
  const now = ctx.now();
  const { deliveryAutoConfirmDays } = await parametersAt(ctx, now);
  const cutoff = deliveryAutoConfirmCutoff(now, deliveryAutoConfirmDays);
  const f = schema.fulfillments;
  const due = await ctx.db
    .select({ id: f.id })
    .from(f)
    .where(and(eq(f.status, 'shipped'), lte(f.shippedAt, cutoff)))
    .orderBy(asc(f.shippedAt))
    .limit(Math.min(options.limit ?? 500, 5000));
  const confirmed: string[] = [];
  const systemCtx: Ctx = { ...ctx, user: undefined };
  for (const { id } of due) {
    try {
      await confirmDeliveryOf(systemCtx, id, ['system']);
      confirmed.push(id);
    } catch (error) {
      // Confirmed by the consumer or returned in the meantime: nothing to do.
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    }
  }
  return { confirmed };
}

/**
 * Cancel before shipment (the supplier cannot supply, the merchant withdraws it, or an operator):
 * the units go back to stock (a merchant's own shipment: its own listings' stock). The consumer's money for those lines comes out of the merchant's
 * proceeds, so only the merchant authorises the refund: when its staff cancel, the refund follows
 * at once through the order refund (vouchers clawed back, ad points returned in proportion); when the
 * supplier or an operator cancels, `refundDue` tells the merchant what to refund on the order.
 * Either is the lines' value, or what is left to refund on the order when that is less. A failed Stripe refund leaves the fulfillment cancelled and reports `refundError`.
 */
export async function cancelFulfillment(
  ctx: Ctx,
  input: { fulfillmentId: string; reason: string },
): Promise<
  FulfillmentResult & { orderId: string; refundDue: number; refunded: number; refundError: string | null }
> {
  const cancelled = await inTransaction(ctx, async (tx) => {
    const row = await lockFulfillmentFor(tx, input.fulfillmentId, ['supplier', 'merchant', 'operator']);
    const next = transitionOrThrow(row, 'cancel');
    await tx.db
      .update(schema.fulfillments)
      .set({ status: next, cancelledAt: tx.now(), cancelReason: input.reason })
      .where(eq(schema.fulfillments.id, row.id));
    let linesFen: number;
    // The merchant's own shipment holds the order's own delivered lines (ADR 0015), not items.
    if (row.supplierId === row.merchantId) {
      linesFen = await restockOwnShipment(tx, row.orderId);
    } else {
      const items = await tx.db
        .select()
        .from(schema.fulfillmentItems)
        .where(eq(schema.fulfillmentItems.fulfillmentId, row.id));
      await restock(tx, items);
      linesFen = items.reduce((sum, i) => sum + i.unitPriceFen * i.quantity, 0);
    }
    // The order may already be refunded in part or whole (a goodwill refund, another line's):
    // what is due is at most what is left of it.
    const [order] = await tx.db
      .select({ amountFen: schema.orders.amountFen, refundedFen: schema.orders.refundedFen })
      .from(schema.orders)
      .where(eq(schema.orders.id, row.orderId));
    return { row, next, refundFen: Math.min(linesFen, order!.amountFen - order!.refundedFen) };
  });
  let refunded = 0;
  let refundError: string | null = null;
  if (cancelled.refundFen > 0 && (await callerActsFor(ctx, cancelled.row.merchantId))) {
    try {
      refunded = (await refundOrder(ctx, cancelled.row.orderId, { amountFen: cancelled.refundFen })).refunded;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      ctx.log.error('refund after fulfillment cancel failed', {
        fulfillmentId: cancelled.row.id,
        code: error.code,
      });
      refundError = error.code;
    }
  }
  return {
    id: cancelled.row.id,
    status: cancelled.next,
    settled: false,
    orderId: cancelled.row.orderId,
    refundDue: cancelled.refundFen - refunded,
    refunded,
    refundError,
  };
}

/**
 * Goods came back to the supplier (its staff or an operator record it): the settlement, if there
 * was one, is reversed exactly once. Returned goods are not put back in stock automatically (they
 * may be damaged); the supplier raises the stock when they are sellable again.
 */
export async function returnFulfillment(
  ctx: Ctx,
  input: { fulfillmentId: string; reason?: string | null },
): Promise<FulfillmentResult & { reversed: number }> {
  return inTransaction(ctx, async (tx) => {
    const row = await lockFulfillmentFor(tx, input.fulfillmentId, ['supplier', 'operator']);
    const next = transitionOrThrow(row, 'return');
    await tx.db.update(schema.fulfillments).set({ status: next }).where(eq(schema.fulfillments.id, row.id));
    const reversedFen = row.settledAt !== null ? row.wholesaleCostFen : 0;
    if (reversedFen > 0) {
      await postTransaction(tx.db, {
        key: `settlement:${row.id}:reversal`,
        kind: 'supply_settlement_reversal',
        transfers: [
          {
            debit: accounts.supplierPayable(row.supplierId),
            credit: accounts.merchantProceeds(row.merchantId),
            amount: reversedFen,
          },
        ],
        meta: {
          fulfillmentId: row.id,
          orderId: row.orderId,
          merchantId: row.merchantId,
          supplierId: row.supplierId,
        },
        now: tx.now(),
      });
    }
    await tx.db.insert(schema.fulfillmentReturns).values({
      id: newId('ret'),
      fulfillmentId: row.id,
      reason: input.reason ?? null,
      reversedFen,
      recordedBy: tx.user?.id ?? 'system',
      createdAt: tx.now(),
    });
    return { id: row.id, status: next, settled: false, reversed: reversedFen };
  });
}

/** Recent fulfillments of a merchant's orders (its staff, operators). */
export async function merchantFulfillments(
  ctx: Ctx,
  merchantId: string,
): Promise<{ data: FulfillmentView[] }> {
  await merchantForCaller(ctx, merchantId, { operatorMay: true });
  const f = schema.fulfillments;
  const rows = await ctx.db
    .select()
    .from(f)
    .where(eq(f.merchantId, merchantId))
    .orderBy(desc(f.createdAt), desc(f.id))
    .limit(200);
  return { data: await views(ctx, rows) };
}
