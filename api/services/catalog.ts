import { schema } from '@alliance/db';
import { and, desc, eq } from 'drizzle-orm';
import type { Ctx } from '../context';
import { notFound, unprocessable } from '../errors';
import { newId } from '../ids';
import { merchantForCaller } from './access';
import { organisationRow, requireActive } from './organisations';
import { maxAmountFen } from './rounding';
import { withSellability } from './supply';

export type Listing = typeof schema.listings.$inferSelect;
const maxListingsPerPage = 200;
const maxStock = 1_000_000;

export function listingView(row: Listing) {
  return {
    id: row.id,
    merchantId: row.merchantId,
    title: row.title,
    price: row.priceFen,
    stock: row.stock,
    imageUrl: row.imageUrl,
    ships: row.ships,
    active: row.active,
    supplierProductId: row.supplierProductId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function assertPrice(priceFen: number) {
  if (priceFen <= 0) throw unprocessable('amount_not_positive', 'price must be more than 0 fen');
  if (priceFen > maxAmountFen)
    throw unprocessable('amount_too_large', `price may be at most ${maxAmountFen} fen`);
}

function assertStock(stock: number) {
  if (stock < 0 || stock > maxStock)
    throw unprocessable('invalid_stock', `stock must be between 0 and ${maxStock}`);
}

export type CreateListingInput =
  | { title: string; priceFen: number; stock: number; imageUrl?: string | null; ships?: boolean }
  | { supplierProductId: string; priceFen: number };

/**
 * A merchant's own product, or a supplier's product listed at the merchant's price (never below
 * wholesale). Supplier listings hold no stock of their own: the supplier product's stock is reserved
 * when ordered (supply-chain hooks in orders.ts), and they always ship.
 */
export async function createListing(ctx: Ctx, merchantId: string, input: CreateListingInput) {
  const merchant = await merchantForCaller(ctx, merchantId);
  assertPrice(input.priceFen);
  requireActive(merchant);
  const now = ctx.now();
  const base = { id: newId('lst'), merchantId, priceFen: input.priceFen, createdAt: now, updatedAt: now };
  let row: typeof schema.listings.$inferInsert;
  if ('supplierProductId' in input) {
    const p = schema.supplierProducts;
    const [product] = await ctx.db
      .select({ product: p, supplierStatus: schema.organisations.status })
      .from(p)
      .innerJoin(schema.organisations, eq(schema.organisations.id, p.supplierId))
      .where(eq(p.id, input.supplierProductId));
    if (product?.product.status !== 'active' || product.supplierStatus !== 'active') {
      throw notFound('not_found', 'No such supplier product');
    }
    if (input.priceFen < product.product.wholesalePriceFen) {
      throw unprocessable(
        'price_below_wholesale',
        `The price may not be below the wholesale price of ${product.product.wholesalePriceFen} fen`,
      );
    }
    row = {
      ...base,
      title: product.product.title,
      imageUrl: product.product.imageUrl,
      stock: 0,
      ships: true,
      supplierProductId: product.product.id,
      supplierId: product.product.supplierId,
      wholesalePriceFen: product.product.wholesalePriceFen,
    };
  } else {
    assertStock(input.stock);
    row = {
      ...base,
      title: input.title,
      stock: input.stock,
      imageUrl: input.imageUrl ?? null,
      ships: input.ships ?? true,
    };
  }
  const [created] = await ctx.db.insert(schema.listings).values(row).returning();
  return listingView(created!);
}

export interface UpdateListingInput {
  title?: string;
  priceFen?: number;
  stock?: number;
  imageUrl?: string | null;
  ships?: boolean;
  active?: boolean;
}

/** Staff edit their listing; a supplier listing's price stays at or above wholesale. */
export async function updateListing(
  ctx: Ctx,
  merchantId: string,
  listingId: string,
  input: UpdateListingInput,
) {
  await merchantForCaller(ctx, merchantId);
  const l = schema.listings;
  const [current] = await ctx.db
    .select()
    .from(l)
    .where(and(eq(l.id, listingId), eq(l.merchantId, merchantId)));
  if (!current) throw notFound('not_found', 'No such listing');
  if (input.priceFen !== undefined) assertPrice(input.priceFen);
  if (input.stock !== undefined) assertStock(input.stock);
  if (current.supplierProductId) {
    if (input.priceFen !== undefined && input.priceFen < (current.wholesalePriceFen ?? 0)) {
      throw unprocessable(
        'price_below_wholesale',
        `The price may not be below the wholesale price of ${current.wholesalePriceFen} fen`,
      );
    }
    if (input.stock !== undefined || input.title !== undefined || input.ships === false) {
      throw unprocessable(
        'supplier_listing_fixed',
        "A supplier listing's title, stock and shipping come from the supplier",
      );
    }
  }
  const [updated] = await ctx.db
    .update(l)
    .set({
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.priceFen !== undefined ? { priceFen: input.priceFen } : {}),
      ...(input.stock !== undefined ? { stock: input.stock } : {}),
      ...(input.imageUrl !== undefined ? { imageUrl: input.imageUrl } : {}),
      ...(input.ships !== undefined ? { ships: input.ships } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      updatedAt: ctx.now(),
    })
    .where(eq(l.id, listingId))
    .returning();
  return listingView(updated!);
}

/**
 * The shop of an active merchant (public); its own staff and operators also see inactive
 * listings and the shop of a merchant not yet active. Anyone else: 404 for a pending or rejected
 * merchant; a suspended one's shop is empty and says it takes no orders (ADR 0017).
 */
export async function listListings(ctx: Ctx, merchantId: string) {
  const merchant = await organisationRow(ctx, 'merchant', merchantId);
  if (!merchant) throw notFound('not_found', 'No such merchant');
  let insider = false;
  if (ctx.user) {
    insider = await merchantForCaller(ctx, merchantId, { operatorMay: true }).then(
      () => true,
      () => false,
    );
  }
  const acceptingOrders = merchant.status === 'active';
  if (!insider && !acceptingOrders && merchant.status !== 'suspended')
    throw notFound('not_found', 'No such merchant');
  const merchantView = { id: merchant.id, name: merchant.name, acceptingOrders };
  if (!insider && !acceptingOrders) return { merchant: merchantView, data: [] };
  const l = schema.listings;
  const rows = await ctx.db
    .select()
    .from(l)
    .where(and(eq(l.merchantId, merchantId), insider ? undefined : eq(l.active, true)))
    .orderBy(desc(l.createdAt), desc(l.id))
    .limit(maxListingsPerPage);
  return {
    merchant: merchantView,
    data: await withSellability(ctx, rows.map(listingView)),
  };
}
