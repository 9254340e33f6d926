/**
 * The supplier domain as plain rules: no HTTP, no database. Services in api/ apply them inside
 * their transactions. Money is integer fen throughout.
 */

export type FulfillmentStatus = 'to_ship' | 'shipped' | 'delivered' | 'cancelled' | 'returned';
export type FulfillmentEvent = 'ship' | 'cancel' | 'confirm_delivery' | 'return';
export type SettlementTrigger = 'on_shipment' | 'on_delivery';

/**
 * Fulfillment state machine. A fulfillment is shipped once, delivered once, and a return can only
 * follow goods that left the supplier; cancelling is possible only before shipment.
 */
const transitions: Record<FulfillmentEvent, Partial<Record<FulfillmentStatus, FulfillmentStatus>>> = {
  ship: { to_ship: 'shipped' },
  cancel: { to_ship: 'cancelled' },
  confirm_delivery: { shipped: 'delivered' },
  return: { shipped: 'returned', delivered: 'returned' },
};

/** Error codes a refused transition maps to (API 409s). */
const refusals: Record<FulfillmentEvent, string> = {
  ship: 'already_shipped',
  cancel: 'not_cancellable',
  confirm_delivery: 'not_shipped',
  return: 'not_returnable',
};

export type TransitionResult = { ok: true; next: FulfillmentStatus } | { ok: false; code: string };

export function nextFulfillmentStatus(current: FulfillmentStatus, event: FulfillmentEvent): TransitionResult {
  const next = transitions[event][current];
  if (next) return { ok: true, next };
  // Shipping a cancelled fulfillment is not "already shipped": say what it is.
  if (event === 'ship' && current === 'cancelled') return { ok: false, code: 'fulfillment_cancelled' };
  if (event === 'confirm_delivery' && current === 'delivered')
    return { ok: false, code: 'already_delivered' };
  return { ok: false, code: refusals[event] };
}

/** Whether this event is the one that settles the wholesale cost, under the trigger in force. */
export function settlesOn(trigger: SettlementTrigger, event: FulfillmentEvent): boolean {
  return (
    (trigger === 'on_shipment' && event === 'ship') ||
    (trigger === 'on_delivery' && event === 'confirm_delivery')
  );
}

export function isSettlementTrigger(value: string): value is SettlementTrigger {
  return value === 'on_shipment' || value === 'on_delivery';
}

export interface WholesaleLine {
  wholesalePriceFen: number;
  quantity: number;
}

/** What the merchant owes the supplier for a fulfillment: sum of wholesale x quantity. */
export function wholesaleCostFen(lines: readonly WholesaleLine[]): number {
  let total = 0;
  for (const line of lines) {
    assertFen(line.wholesalePriceFen, 'wholesalePriceFen');
    if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0)
      throw new RangeError('quantity must be a positive integer');
    total += line.wholesalePriceFen * line.quantity;
  }
  assertFen(total, 'wholesale cost');
  return total;
}

export type UnsellableReason =
  | 'supplier_inactive'
  | 'product_inactive'
  | 'price_below_wholesale'
  | 'out_of_stock';

export interface ListingTerms {
  listingPriceFen: number;
  wholesalePriceFen: number;
  stock: number;
  productActive: boolean;
  supplierActive: boolean;
}

/**
 * Whether a supplier-product listing can be ordered now. The first reason wins, in the order a
 * merchant can act on them: a supplier or product gone, then price, then stock.
 */
export function listingSellability(
  terms: ListingTerms,
): { sellable: true; reason: null } | { sellable: false; reason: UnsellableReason } {
  if (!terms.supplierActive) return { sellable: false, reason: 'supplier_inactive' };
  if (!terms.productActive) return { sellable: false, reason: 'product_inactive' };
  if (terms.listingPriceFen < terms.wholesalePriceFen)
    return { sellable: false, reason: 'price_below_wholesale' };
  if (terms.stock <= 0) return { sellable: false, reason: 'out_of_stock' };
  return { sellable: true, reason: null };
}

/** Auto-confirmation of delivery: shipments at or before this instant have waited `days` whole days. */
export function deliveryAutoConfirmCutoff(now: Date, days: number): Date {
  if (!Number.isSafeInteger(days) || days < 0) throw new RangeError('days must be a non-negative integer');
  return new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
}

export type SettlementEventKind = 'settlement' | 'reversal';

/** A signed movement on a payee's balance (fen): settlements and paid orders +, reversals and refunds -. */
export interface PayoutEvent {
  signedAmountFen: number;
}

export interface PayoutPlan<T extends PayoutEvent> {
  items: T[];
  totalFen: number;
}

/**
 * A payee's next payout: every event not yet in a batch, netted. No batch when the net is not
 * positive (a return after a payout can leave the payee owing; the next batch nets it).
 */
export function planPayout<T extends PayoutEvent>(unbatched: readonly T[]): PayoutPlan<T> | null {
  let totalFen = 0;
  for (const e of unbatched) {
    if (!Number.isSafeInteger(e.signedAmountFen))
      throw new RangeError('signedAmountFen must be an integer (fen)');
    totalFen += e.signedAmountFen;
  }
  if (totalFen <= 0) return null;
  return { items: [...unbatched], totalFen };
}

/** Signed amount of a supplier's settlement event. */
export function settlementEventFen(kind: SettlementEventKind, amountFen: number): number {
  assertFen(amountFen, 'amountFen');
  return kind === 'settlement' ? amountFen : -amountFen;
}

/**
 * Whether a paid order's money may go to the merchant: the hold (return window) has passed and no
 * supplier line is still open, so the wholesale it owes is known (settled, or nothing: cancelled or
 * returned). Until then a payout could hand out money the supplier is owed.
 */
export function orderReleasableToMerchant(input: {
  paidAt: Date;
  now: Date;
  holdDays: number;
  fulfillments: ReadonlyArray<{ status: FulfillmentStatus; settled: boolean }>;
}): boolean {
  if (input.paidAt.getTime() > deliveryAutoConfirmCutoff(input.now, input.holdDays).getTime()) return false;
  return input.fulfillments.every((f) => f.status === 'cancelled' || f.status === 'returned' || f.settled);
}

function assertFen(value: number, name: string) {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer (fen)`);
}
