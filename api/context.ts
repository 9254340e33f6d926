import type { Db, DbKind, DbOrTx, schema } from '@alliance/db';
import type Stripe from 'stripe';
import type { createCaches } from './caches';
import type { Config } from './config';
import type { Logger } from './log';
import type { AuthProvider } from './services/auth-provider';

export type Role = 'consumer' | 'operator';

/** Short-lived per-process caches (api/caches.ts). */
export type Caches = ReturnType<typeof createCaches<SessionUser>>;

export interface SessionUser {
  id: string;
  phone: string;
  roles: Role[];
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
 * What the supply chain (services/supply.ts) does for the supplier lines of an order
 * (services/orders.ts), each inside the order's own transaction: `reserve` when the order is created
 * (throw 409 `out_of_stock` if the supplier cannot cover it), `paid` once when Stripe says the order
 * is paid (the suppliers' fulfillments, and the merchant's own shipment when `merchantShips`: own
 * products to deliver, ADR 0015), `release` once when an unpaid order expires or its checkout could
 * not be opened. Orders do not import the supply chain (it imports them) nor write its tables;
 * api/compose.ts joins the two.
 */
export interface SupplyChainOrderHooks {
  reserve(txCtx: Ctx, orderId: string, lines: SupplierOrderLine[]): Promise<void>;
  paid(
    txCtx: Ctx,
    order: typeof schema.orders.$inferSelect,
    lines: SupplierOrderLine[],
    merchantShips: boolean,
  ): Promise<void>;
  release(txCtx: Ctx, orderId: string): Promise<void>;
}

/** What the process holds: wiring only, no state that matters (DESIGN.md). Built by api/compose.ts. */
export interface Deps {
  db: Db;
  dbKind: DbKind;
  config: Config;
  log: Logger;
  /** The server's clock; tests inject their own. */
  now: () => Date;
  auth: AuthProvider;
  /** Stripe, real or the embedded fake on loopback (services/stripe.ts); unset where no payments run. */
  stripe?: Stripe;
  supplyChain: SupplyChainOrderHooks;
  /** Short-lived per-process caches (api/caches.ts); built by composeDeps. */
  caches: Caches;
}

/** What a service sees: the database or the caller's transaction, the clock, the caller. */
export interface Ctx {
  db: DbOrTx;
  config: Config;
  log: Logger;
  now: () => Date;
  user?: SessionUser;
  stripe?: Stripe;
  supplyChain: SupplyChainOrderHooks;
  caches: Caches;
}

/** The context a service call gets from the process: for a caller, or for a job (no caller). */
export function ctxOf(deps: Deps, user?: SessionUser): Ctx {
  const { db, config, log, now, stripe, supplyChain, caches } = deps;
  return { db, config, log, now, user, stripe, supplyChain, caches };
}

export type AppEnv = {
  Variables: {
    requestId: string;
    deps: Deps;
    user?: SessionUser;
  };
};
