import { describe, expect, it } from 'vitest';
import {
  deliveryAutoConfirmCutoff,
  listingSellability,
  nextFulfillmentStatus,
  orderReleasableToMerchant,
  planPayout,
  settlementEventFen,
  settlesOn,
  wholesaleCostFen,
} from './index';

describe('fulfillment state machine', () => {
  it('ships, delivers and returns in order, once each', () => {
    expect(nextFulfillmentStatus('to_ship', 'ship')).toEqual({ ok: true, next: 'shipped' });
    expect(nextFulfillmentStatus('shipped', 'confirm_delivery')).toEqual({ ok: true, next: 'delivered' });
    expect(nextFulfillmentStatus('delivered', 'return')).toEqual({ ok: true, next: 'returned' });
    expect(nextFulfillmentStatus('shipped', 'return')).toEqual({ ok: true, next: 'returned' });
    expect(nextFulfillmentStatus('to_ship', 'cancel')).toEqual({ ok: true, next: 'cancelled' });
  });

  it('refuses the rest with a code', () => {
    expect(nextFulfillmentStatus('shipped', 'ship')).toEqual({ ok: false, code: 'already_shipped' });
    expect(nextFulfillmentStatus('delivered', 'ship')).toEqual({ ok: false, code: 'already_shipped' });
    expect(nextFulfillmentStatus('cancelled', 'ship')).toEqual({ ok: false, code: 'fulfillment_cancelled' });
    expect(nextFulfillmentStatus('shipped', 'cancel')).toEqual({ ok: false, code: 'not_cancellable' });
    expect(nextFulfillmentStatus('to_ship', 'confirm_delivery')).toEqual({ ok: false, code: 'not_shipped' });
    expect(nextFulfillmentStatus('delivered', 'confirm_delivery')).toEqual({
      ok: false,
      code: 'already_delivered',
    });
    expect(nextFulfillmentStatus('to_ship', 'return')).toEqual({ ok: false, code: 'not_returnable' });
    expect(nextFulfillmentStatus('returned', 'return')).toEqual({ ok: false, code: 'not_returnable' });
  });

  it('settles on the configured event only', () => {
    expect(settlesOn('on_shipment', 'ship')).toBe(true);
    expect(settlesOn('on_shipment', 'confirm_delivery')).toBe(false);
    expect(settlesOn('on_delivery', 'ship')).toBe(false);
    expect(settlesOn('on_delivery', 'confirm_delivery')).toBe(true);
  });
});

describe('amounts', () => {
  it('sums wholesale x quantity in fen', () => {
    expect(wholesaleCostFen([{ wholesalePriceFen: 8000, quantity: 1 }])).toBe(8000);
    expect(
      wholesaleCostFen([
        { wholesalePriceFen: 8000, quantity: 2 },
        { wholesalePriceFen: 1, quantity: 3 },
      ]),
    ).toBe(16003);
    expect(() => wholesaleCostFen([{ wholesalePriceFen: 1.5, quantity: 1 }])).toThrow(RangeError);
    expect(() => wholesaleCostFen([{ wholesalePriceFen: 100, quantity: 0 }])).toThrow(RangeError);
  });

  it('plans a payout from unbatched events, netting reversals, none when not positive', () => {
    const events = [
      { id: 'a', signedAmountFen: settlementEventFen('settlement', 8000) },
      { id: 'b', signedAmountFen: settlementEventFen('settlement', 500) },
      { id: 'b', signedAmountFen: settlementEventFen('reversal', 500) },
    ];
    expect(planPayout(events)).toEqual({ items: events, totalFen: 8000 });
    expect(planPayout([])).toBeNull();
    expect(planPayout([{ signedAmountFen: -8000 }])).toBeNull();
    expect(() => planPayout([{ signedAmountFen: 0.5 }])).toThrow(RangeError);
  });

  it('releases an order to the merchant after the hold, once no supplier line is open', () => {
    const paidAt = new Date('2026-11-30T02:00:00Z');
    const later = new Date('2026-12-10T02:00:00Z');
    const base = { paidAt, now: later, holdDays: 10 };
    expect(orderReleasableToMerchant({ ...base, fulfillments: [] })).toBe(true);
    expect(
      orderReleasableToMerchant({ ...base, now: new Date('2026-12-10T01:59:59Z'), fulfillments: [] }),
    ).toBe(false);
    expect(orderReleasableToMerchant({ ...base, fulfillments: [{ status: 'shipped', settled: true }] })).toBe(
      true,
    );
    expect(
      orderReleasableToMerchant({ ...base, fulfillments: [{ status: 'shipped', settled: false }] }),
    ).toBe(false);
    expect(
      orderReleasableToMerchant({ ...base, fulfillments: [{ status: 'to_ship', settled: false }] }),
    ).toBe(false);
    expect(
      orderReleasableToMerchant({
        ...base,
        fulfillments: [
          { status: 'cancelled', settled: false },
          { status: 'returned', settled: false },
        ],
      }),
    ).toBe(true);
  });

  it('auto-confirms delivery whole days after shipment', () => {
    expect(deliveryAutoConfirmCutoff(new Date('2026-12-10T02:00:00Z'), 10).toISOString()).toBe(
      '2026-11-30T02:00:00.000Z',
    );
    expect(() => deliveryAutoConfirmCutoff(new Date(), -1)).toThrow(RangeError);
  });
});

describe('listing sellability', () => {
  const ok = {
    listingPriceFen: 10000,
    wholesalePriceFen: 8000,
    stock: 5,
    productActive: true,
    supplierActive: true,
  };
  it('is sellable at or above wholesale with stock', () => {
    expect(listingSellability(ok)).toEqual({ sellable: true, reason: null });
    expect(listingSellability({ ...ok, wholesalePriceFen: 10000 })).toEqual({ sellable: true, reason: null });
  });
  it('names the first reason it is not', () => {
    expect(listingSellability({ ...ok, wholesalePriceFen: 10001 })).toEqual({
      sellable: false,
      reason: 'price_below_wholesale',
    });
    expect(listingSellability({ ...ok, stock: 0 })).toEqual({ sellable: false, reason: 'out_of_stock' });
    expect(listingSellability({ ...ok, supplierActive: false, stock: 0 })).toEqual({
      sellable: false,
      reason: 'supplier_inactive',
    });
    expect(listingSellability({ ...ok, productActive: false })).toEqual({
      sellable: false,
      reason: 'product_inactive',
    });
  });
});
