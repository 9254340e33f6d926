/**
 * Supply chain, part 1: the supplier catalog, the rules for listing a supplier product, and the
 * hooks the order flow calls (reserve stock, release it, turn a paid order into fulfillments).
 * Fulfillment states and settlement are in supply-fulfillments.ts.
 */
import { schema } from '@alliance/db';
import {
  isSettlementTrigger,
  listingSellability,
  type UnsellableReason,
  wholesaleCostFen,
} from '@alliance/supply-chain';
import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Ctx, SupplierOrderLine, SupplyChainOrderHooks } from '../context';
import { conflict, forbidden, notFound, unauthorized, unprocessable } from '../errors';
import { newId } from '../ids';
import { type CursorKey, pageOf } from '../paging';
import { isOperator, membershipsOf, supplierForCaller } from './access';
import type { ShipTo } from './orders';
import { parametersAt } from './parameters';
import { maxAmountFen } from './rounding';
import { inTransaction } from './tx';

type ProductRow = typeof schema.supplierProducts.$inferSelect;

export interface SupplierProductView {
  id: string;
  supplierId: string;
  title: string;
  description: string | null;
  imageUrl: string | null;
  wholesalePrice: number;
  stock: number;
  shippingRegions: string[] | null;
  status: string;
  createdAt: string;
  updatedAt: string;
}

export const maxStock = 1_000_000;

function productView(row: ProductRow): SupplierProductView {
  return {
    id: row.id,
    supplierId: row.supplierId,
    title: row.title,
    description: row.description,
    imageUrl: row.imageUrl,
    wholesalePrice: row.wholesalePriceFen,
    stock: row.stock,
    shippingRegions: row.shippingRegions ?? null,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function checkWholesale(fen: number) {
  if (fen <= 0) throw unprocessable('amount_not_positive', 'wholesalePrice must be more than 0 fen');
  if (fen > maxAmountFen)
    throw unprocessable('amount_too_large', `wholesalePrice may be at most ${maxAmountFen} fen`);
}

function checkStock(stock: number) {
  if (stock < 0) throw unprocessable('invalid_stock', 'stock must not be negative');
  if (stock > maxStock) throw unprocessable('invalid_stock', `stock may be at most ${maxStock}`);
}

export interface CreateSupplierProductInput {
  supplierId: string;
  title: string;
  description?: string | null;
  imageUrl?: string | null;
  wholesalePrice: number;
  stock: number;
  shippingRegions?: string[] | null;
}

/** A supplier's staff adds a product. A pending supplier may prepare its catalog; merchants see it once approved. */
export async function createSupplierProduct(
  ctx: Ctx,
  input: CreateSupplierProductInput,
): Promise<SupplierProductView> {
  const supplier = await supplierForCaller(ctx, input.supplierId);
  checkWholesale(input.wholesalePrice);
  checkStock(input.stock);
  const now = ctx.now();
  const [row] = await ctx.db
    .insert(schema.supplierProducts)
    .values({
      id: newId('spr'),
      supplierId: supplier.id,
      title: input.title,
      description: input.description ?? null,
      imageUrl: input.imageUrl ?? null,
      wholesalePriceFen: input.wholesalePrice,
      stock: input.stock,
      shippingRegions: input.shippingRegions ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return productView(row!);
}

export interface UpdateSupplierProductInput {
  supplierId: string;
  productId: string;
  title?: string;
  description?: string | null;
  imageUrl?: string | null;
  wholesalePrice?: number;
  stock?: number;
  shippingRegions?: string[] | null;
  status?: 'active' | 'inactive';
}

/**
 * Price and stock changes take effect at once: listings priced below the new wholesale, or of a
 * product with no stock, stop being sellable (`supplierListingStatus`). Stock is set, not added; the
 * units held by unpaid orders were already taken out of it.
 */
export async function updateSupplierProduct(
  ctx: Ctx,
  input: UpdateSupplierProductInput,
): Promise<SupplierProductView> {
  await supplierForCaller(ctx, input.supplierId);
  if (input.wholesalePrice !== undefined) checkWholesale(input.wholesalePrice);
  if (input.stock !== undefined) checkStock(input.stock);
  const t = schema.supplierProducts;
  const [row] = await ctx.db
    .update(t)
    .set({
      ...(input.title !== undefined && { title: input.title }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.imageUrl !== undefined && { imageUrl: input.imageUrl }),
      ...(input.wholesalePrice !== undefined && { wholesalePriceFen: input.wholesalePrice }),
      ...(input.stock !== undefined && { stock: input.stock }),
      ...(input.shippingRegions !== undefined && { shippingRegions: input.shippingRegions }),
      ...(input.status !== undefined && { status: input.status }),
      updatedAt: ctx.now(),
    })
    .where(and(eq(t.id, input.productId), eq(t.supplierId, input.supplierId)))
    .returning();
  if (!row) throw notFound('not_found', 'No such product');
  return productView(row);
}

/** The supplier's own catalog (its staff and operators), newest first. */
export async function listSupplierProducts(
  ctx: Ctx,
  supplierId: string,
): Promise<{ data: SupplierProductView[] }> {
  await supplierForCaller(ctx, supplierId, { operatorMay: true });
  const t = schema.supplierProducts;
  const rows = await ctx.db
    .select()
    .from(t)
    .where(eq(t.supplierId, supplierId))
    .orderBy(desc(t.createdAt), desc(t.id))
    .limit(500);
  return { data: rows.map(productView) };
}

/** Only merchant staff and operators may browse wholesale prices. */
async function requireMerchantStaffOrOperator(ctx: Ctx) {
  const user = ctx.user;
  if (!user) throw unauthorized();
  if (isOperator(ctx)) return;
  if ((await membershipsOf(ctx, user.id, 'merchant', 'active')).length === 0)
    throw forbidden('Only staff of an active merchant may browse the supply catalog');
}

export interface BrowseInput {
  q?: string;
  limit?: number;
  cursor?: CursorKey<'id'>;
}

/** What merchants may list: active products of active suppliers, in stock, oldest first by id. */
export async function browseSupplyProducts(
  ctx: Ctx,
  input: BrowseInput,
): Promise<{ data: Array<SupplierProductView & { supplierName: string }>; nextCursor: string | null }> {
  await requireMerchantStaffOrOperator(ctx);
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 100);
  const p = schema.supplierProducts;
  const s = schema.organisations;
  const rows = await ctx.db
    .select({ product: p, supplierName: s.name })
    .from(p)
    .innerJoin(s, eq(s.id, p.supplierId))
    .where(
      and(
        eq(s.status, 'active'),
        eq(p.status, 'active'),
        gt(p.stock, 0),
        input.cursor ? gt(p.id, input.cursor.id) : undefined,
        input.q ? sql`${p.title} ilike ${`%${input.q.replace(/[\\%_]/g, '\\$&')}%`}` : undefined,
      ),
    )
    .orderBy(asc(p.id))
    .limit(limit + 1);
  const page = pageOf('supplyProducts', rows, limit, (r) => ({ id: r.product.id }));
  return {
    data: page.rows.map((r) => ({ ...productView(r.product), supplierName: r.supplierName })),
    nextCursor: page.nextCursor,
  };
}

export interface SupplierListingStatus {
  sellable: boolean;
  reason: UnsellableReason | null;
  stock: number;
  wholesalePrice: number;
}

/**
 * Whether each supplier-product listing can be ordered now, keyed by listing id, for listing views.
 * Listings of products that no longer exist read as `product_inactive`.
 */
export async function supplierListingStatus(
  ctx: Ctx,
  listings: ReadonlyArray<{ listingId: string; supplierProductId: string; priceFen: number }>,
): Promise<Map<string, SupplierListingStatus>> {
  const result = new Map<string, SupplierListingStatus>();
  if (listings.length === 0) return result;
  const p = schema.supplierProducts;
  const s = schema.organisations;
  const rows = await ctx.db
    .select({ product: p, supplierStatus: s.status })
    .from(p)
    .innerJoin(s, eq(s.id, p.supplierId))
    .where(inArray(p.id, [...new Set(listings.map((l) => l.supplierProductId))]));
  const byId = new Map(rows.map((r) => [r.product.id, r]));
  for (const listing of listings) {
    const row = byId.get(listing.supplierProductId);
    if (!row) {
      result.set(listing.listingId, {
        sellable: false,
        reason: 'product_inactive',
        stock: 0,
        wholesalePrice: 0,
      });
      continue;
    }
    const verdict = listingSellability({
      listingPriceFen: listing.priceFen,
      wholesalePriceFen: row.product.wholesalePriceFen,
      stock: row.product.stock,
      productActive: row.product.status === 'active',
      supplierActive: row.supplierStatus === 'active',
    });
    result.set(listing.listingId, {
      ...verdict,
      stock: row.product.stock,
      wholesalePrice: row.product.wholesalePriceFen,
    });
  }
  return result;
}

export interface ReservedLine {
  lineIndex: number;
  supplierProductId: string;
  supplierId: string;
  title: string;
  wholesalePriceFen: number;
}

/**
 * Order creation (inside the order's transaction): takes each supplier line's units out of the
 * product's stock with a conditional UPDATE, so concurrent orders for the last units never
 * oversell. Refuses with 409 `listing_unavailable` when the line cannot be sold at its price
 * (supplier or product inactive, wholesale now above the price) and 409 `out_of_stock` when the
 * units are not there, and 422 `region_not_served` when the product lists shipping regions that
 * do not include the order's `shipTo.region`. The wholesale price in force is kept with the
 * reservation and settled later.
 */
export async function reserveSupplierStock(
  ctx: Ctx,
  input: { orderId: string; lines: readonly SupplierOrderLine[] },
): Promise<ReservedLine[]> {
  return inTransaction(ctx, async (tx) => {
    const p = schema.supplierProducts;
    const reserved: ReservedLine[] = [];
    // The order row is written first in the same transaction; its region decides where goods go.
    const [order] = await tx.db
      .select({ shipTo: schema.orders.shipTo })
      .from(schema.orders)
      .where(eq(schema.orders.id, input.orderId));
    const region = (order?.shipTo as ShipTo | null | undefined)?.region ?? null;
    // One fixed lock order (product id) so two orders of the same products cannot deadlock.
    const ordered = [...input.lines].sort((a, b) =>
      a.supplierProductId < b.supplierProductId
        ? -1
        : a.supplierProductId > b.supplierProductId
          ? 1
          : a.lineIndex - b.lineIndex,
    );
    for (const line of ordered) {
      if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0) {
        throw unprocessable('invalid_quantity', 'quantity must be a positive integer');
      }
      const [taken] = await tx.db
        .update(p)
        .set({ stock: sql`${p.stock} - ${line.quantity}` })
        .where(
          and(
            eq(p.id, line.supplierProductId),
            eq(p.status, 'active'),
            sql`${p.stock} >= ${line.quantity}`,
            sql`${p.wholesalePriceFen} <= ${line.unitPriceFen}`,
            sql`exists (select 1 from ${schema.organisations} where ${schema.organisations.id} = ${p.supplierId} and ${schema.organisations.status} = 'active')`,
          ),
        )
        .returning({
          supplierId: p.supplierId,
          title: p.title,
          wholesalePriceFen: p.wholesalePriceFen,
          shippingRegions: p.shippingRegions,
        });
      if (!taken) {
        const statuses = await supplierListingStatus(tx, [
          { listingId: 'line', supplierProductId: line.supplierProductId, priceFen: line.unitPriceFen },
        ]);
        const status = statuses.get('line')!;
        if (status.reason === null || status.reason === 'out_of_stock') {
          throw conflict('out_of_stock', 'Not enough stock left for this item');
        }
        throw conflict('listing_unavailable', `This item cannot be ordered now (${status.reason})`);
      }
      if (taken.shippingRegions && !(region !== null && taken.shippingRegions.includes(region))) {
        throw unprocessable(
          'region_not_served',
          `"${taken.title}" does not ship to ${region ?? 'this address'}`,
        );
      }
      await tx.db.insert(schema.supplierReservations).values({
        id: newId('rsv'),
        orderId: input.orderId,
        lineIndex: line.lineIndex,
        orderItemId: line.orderItemId,
        listingId: line.listingId,
        supplierProductId: line.supplierProductId,
        supplierId: taken.supplierId,
        quantity: line.quantity,
        wholesalePriceFen: taken.wholesalePriceFen,
        unitPriceFen: line.unitPriceFen,
        createdAt: tx.now(),
      });
      reserved.push({
        lineIndex: line.lineIndex,
        supplierProductId: line.supplierProductId,
        supplierId: taken.supplierId,
        title: taken.title,
        wholesalePriceFen: taken.wholesalePriceFen,
      });
    }
    return reserved.sort((a, b) => a.lineIndex - b.lineIndex);
  });
}

/**
 * An unpaid order expired or was abandoned: its held units go back to stock, exactly once however
 * often this is called (the reservation's status changes once).
 */
export async function releaseSupplierStock(ctx: Ctx, orderId: string): Promise<{ releasedUnits: number }> {
  return inTransaction(ctx, async (tx) => {
    const r = schema.supplierReservations;
    const released = await tx.db
      .update(r)
      .set({ status: 'released', resolvedAt: tx.now() })
      .where(and(eq(r.orderId, orderId), eq(r.status, 'reserved')))
      .returning({ supplierProductId: r.supplierProductId, quantity: r.quantity });
    await restock(tx, released);
    return { releasedUnits: released.reduce((n, line) => n + line.quantity, 0) };
  });
}

/** Puts units back on products, in product-id order (the same lock order as reservation). */
export async function restock(
  ctx: Ctx,
  lines: ReadonlyArray<{ supplierProductId: string; quantity: number }>,
) {
  const totals = new Map<string, number>();
  for (const line of lines)
    totals.set(line.supplierProductId, (totals.get(line.supplierProductId) ?? 0) + line.quantity);
  const p = schema.supplierProducts;
  for (const id of [...totals.keys()].sort()) {
    await ctx.db
      .update(p)
      .set({ stock: sql`${p.stock} + ${totals.get(id)!}` })
      .where(eq(p.id, id));
  }
}

export interface PaidOrderInput {
  orderId: string;
  merchantId: string;
  consumerUserId: string;
  shipTo: ShipTo | null;
  paidAt: Date;
}

export interface CreatedFulfillment {
  id: string;
  supplierId: string;
  wholesaleCostFen: number;
}

/**
 * The order is paid (inside the payment's transaction): each supplier gets one fulfillment
 * (`to_ship`) with its lines and the shipping address, and the held units are consumed. The
 * settlement trigger in force at payment is kept on the fulfillment. Safe to call again: one
 * fulfillment per (order, supplier). Released lines are not supplied: the order flow never takes
 * payment for an expired order (its Checkout Session expires first, ADR 0003).
 */
export async function createFulfillmentsForPaidOrder(
  ctx: Ctx,
  input: PaidOrderInput,
): Promise<CreatedFulfillment[]> {
  return inTransaction(ctx, async (tx) => {
    const r = schema.supplierReservations;
    const f = schema.fulfillments;
    const existing = await tx.db.select().from(f).where(eq(f.orderId, input.orderId));
    if (existing.length > 0) {
      return existing.map((row) => ({
        id: row.id,
        supplierId: row.supplierId,
        wholesaleCostFen: row.wholesaleCostFen,
      }));
    }
    const lines = await tx.db
      .update(r)
      .set({ status: 'consumed', resolvedAt: tx.now() })
      .where(and(eq(r.orderId, input.orderId), eq(r.status, 'reserved')))
      .returning();
    if (lines.length === 0) return [];
    lines.sort((a, b) => a.lineIndex - b.lineIndex);
    const params = await parametersAt(tx, input.paidAt);
    const trigger = isSettlementTrigger(params.supplierSettlementTrigger)
      ? params.supplierSettlementTrigger
      : 'on_shipment';
    const p = schema.supplierProducts;
    const titles = new Map(
      (
        await tx.db
          .select({ id: p.id, title: p.title })
          .from(p)
          .where(inArray(p.id, [...new Set(lines.map((l) => l.supplierProductId))]))
      ).map((row) => [row.id, row.title]),
    );
    const bySupplier = new Map<string, typeof lines>();
    for (const line of lines)
      bySupplier.set(line.supplierId, [...(bySupplier.get(line.supplierId) ?? []), line]);

    const created: CreatedFulfillment[] = [];
    for (const supplierId of [...bySupplier.keys()].sort()) {
      const supplierLines = bySupplier.get(supplierId)!;
      const id = newId('ful');
      const wholesaleCostFen = wholesaleCostOf(supplierLines);
      await tx.db.insert(f).values({
        id,
        orderId: input.orderId,
        supplierId,
        merchantId: input.merchantId,
        consumerUserId: input.consumerUserId,
        status: 'to_ship',
        shipTo: input.shipTo,
        settlementTrigger: trigger,
        wholesaleCostFen,
        createdAt: tx.now(),
      });
      await tx.db.insert(schema.fulfillmentItems).values(
        supplierLines.map((l) => ({
          id: newId('fit'),
          fulfillmentId: id,
          orderItemId: l.orderItemId,
          listingId: l.listingId,
          supplierProductId: l.supplierProductId,
          title: titles.get(l.supplierProductId) ?? '',
          quantity: l.quantity,
          wholesalePriceFen: l.wholesalePriceFen,
          unitPriceFen: l.unitPriceFen,
        })),
      );
      created.push({ id, supplierId, wholesaleCostFen });
    }
    return created;
  });
}

/**
 * The merchant ships its own delivered products (ADR 0015): one fulfillment whose shipper
 * (supplierId) is the merchant, with no wholesale cost and no items (the order's own lines are what
 * it holds), so shipping, tracking, delivery, cancel and return work as for a supplier's. Once per
 * order (unique order and shipper).
 */
async function createOwnShipment(txCtx: Ctx, input: PaidOrderInput): Promise<void> {
  await txCtx.db
    .insert(schema.fulfillments)
    .values({
      id: newId('ful'),
      orderId: input.orderId,
      supplierId: input.merchantId,
      merchantId: input.merchantId,
      consumerUserId: input.consumerUserId,
      status: 'to_ship',
      shipTo: input.shipTo,
      settlementTrigger: 'on_shipment',
      wholesaleCostFen: 0,
      createdAt: txCtx.now(),
    })
    .onConflictDoNothing();
}

const wholesaleCostOf = (lines: ReadonlyArray<{ wholesalePriceFen: number; quantity: number }>) =>
  wholesaleCostFen(lines.map((l) => ({ wholesalePriceFen: l.wholesalePriceFen, quantity: l.quantity })));

/** What orders (services/orders.ts) call for supplier lines; joined to them in api/compose.ts. */
export const supplyChainOrderHooks: SupplyChainOrderHooks = {
  reserve: async (txCtx, orderId, lines) => {
    await reserveSupplierStock(txCtx, { orderId, lines });
  },
  paid: async (txCtx, order, _lines, merchantShips) => {
    const input: PaidOrderInput = {
      orderId: order.id,
      merchantId: order.merchantId,
      consumerUserId: order.consumerUserId,
      shipTo: (order.shipTo as ShipTo | null) ?? null,
      paidAt: order.paidAt ?? txCtx.now(),
    };
    // The suppliers' first: that function creates nothing once the order has any fulfillment.
    await createFulfillmentsForPaidOrder(txCtx, input);
    if (merchantShips) await createOwnShipment(txCtx, input);
  },
  release: async (txCtx, orderId) => {
    await releaseSupplierStock(txCtx, orderId);
  },
};

/** Suppliers' names by id, for views. */
export async function supplierNames(ctx: Ctx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db
    .select({ id: schema.organisations.id, name: schema.organisations.name })
    .from(schema.organisations)
    .where(inArray(schema.organisations.id, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.id, r.name]));
}

type ListingLike = {
  id: string;
  price: number;
  stock: number;
  active: boolean;
  supplierProductId: string | null;
};

/**
 * Listing views with whether each can be ordered now and why not (`sellable`, `reason`). A supplier
 * listing follows its product (stock shown is the supplier's; reasons from supply-chain's
 * listingSellability); a merchant's own product is sellable while active and in stock.
 */
export async function withSellability<T extends ListingLike>(
  ctx: Ctx,
  listings: readonly T[],
): Promise<Array<T & { sellable: boolean; reason: string | null }>> {
  const supplied = await supplierListingStatus(
    ctx,
    listings.flatMap((l) =>
      l.supplierProductId
        ? [{ listingId: l.id, supplierProductId: l.supplierProductId, priceFen: l.price }]
        : [],
    ),
  );
  return listings.map((l) => {
    const status = supplied.get(l.id);
    if (!l.active) return { ...l, sellable: false, reason: 'listing_inactive' };
    if (status) return { ...l, stock: status.stock, sellable: status.sellable, reason: status.reason };
    return l.stock > 0
      ? { ...l, sellable: true, reason: null }
      : { ...l, sellable: false, reason: 'out_of_stock' };
  });
}
