import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adPointsChargeForAmount,
  adPointsForValue,
  ecoPointsValueFen,
  formatHundredths,
  maxEcoPointsForAmount,
  proportionalShare,
  vouchersForAmount,
  withdrawalFee,
} from '../services/rounding';
import { largestRefundWithMoney, noEcoPoints, refundSplit, type Sale } from '../services/sales';

// Default parameters: 1.00 voucher per yuan (100 hundredths), ad rate 1500 bp (15%).
describe('rounding rules (SPEC section 2)', () => {
  it('100 yuan: vouchers 100.00, charge 15.00', () => {
    expect(vouchersForAmount(10_000, 100)).toBe(10_000);
    expect(adPointsChargeForAmount(10_000, 1500)).toBe(1500);
  });

  it('0.07 yuan: vouchers 0.07, charge 1.05 hundredths rounds half up to 0.01', () => {
    expect(vouchersForAmount(7, 100)).toBe(7);
    expect(adPointsChargeForAmount(7, 1500)).toBe(1);
  });

  it('333.33 yuan: vouchers 333.33, charge 4999.95 hundredths rounds up to 50.00', () => {
    expect(vouchersForAmount(33_333, 100)).toBe(33_333);
    expect(adPointsChargeForAmount(33_333, 1500)).toBe(5000);
  });

  it('a grant rounds down and a charge rounds half up, exactly at the half', () => {
    // 0.5 voucher per yuan: 1 fen earns 0.5 hundredths → 0.
    expect(vouchersForAmount(1, 50)).toBe(0);
    expect(vouchersForAmount(3, 50)).toBe(1);
    // 10 fen at 500 bp = 0.5 hundredths → 1; 9 fen = 0.45 → 0; 30 fen = 1.5 → 2.
    expect(adPointsChargeForAmount(10, 500)).toBe(1);
    expect(adPointsChargeForAmount(9, 500)).toBe(0);
    expect(adPointsChargeForAmount(30, 500)).toBe(2);
  });

  it('stays exact beyond 2^53 intermediate products', () => {
    expect(adPointsChargeForAmount(9_007_199_254_740_991, 10_000)).toBe(9_007_199_254_740_991);
    expect(vouchersForAmount(9_007_199_254_740_900, 100)).toBe(9_007_199_254_740_900);
  });

  it('refund shares round down and add up to the whole', () => {
    expect(proportionalShare(10_000, 3333, 10_000)).toBe(3333);
    expect(proportionalShare(1500, 1, 3)).toBe(500);
    expect(proportionalShare(7, 1, 3)).toBe(2);
    expect(proportionalShare(7, 3, 3)).toBe(7);
    expect(proportionalShare(5, 0, 0)).toBe(0);
  });

  it('refuses negative or fractional inputs', () => {
    expect(() => vouchersForAmount(-1, 100)).toThrow(RangeError);
    expect(() => adPointsChargeForAmount(1.5, 1500)).toThrow(RangeError);
  });
});

describe('eco-point rules (API.md "Eco-points", ADR 0008)', () => {
  it('value(p) = floor(p x unit price / 100) fen: 30.00 eco-points at 1 yuan are 30 yuan', () => {
    expect(ecoPointsValueFen(3000, 100)).toBe(3000);
    // 0.01 eco-point at 0.50 yuan is worth 0.5 fen: the value rounds down.
    expect(ecoPointsValueFen(1, 50)).toBe(0);
    expect(ecoPointsValueFen(1001, 150)).toBe(1501);
    // The largest request (1e9 hundredths) at the highest unit price stays a safe integer.
    expect(ecoPointsValueFen(1e9, 1_000_000)).toBe(1e13);
  });

  it('the most eco-points worth no more than an amount: the largest p with value(p) <= amount', () => {
    expect(maxEcoPointsForAmount(10_000, 100)).toBe(10_000);
    // At 0.50 yuan, 1.00 yuan buys 2.00 points, and 2.01 points are still worth floor(100.5) = 100 fen.
    expect(maxEcoPointsForAmount(100, 50)).toBe(201);
    expect(ecoPointsValueFen(201, 50)).toBe(100);
    expect(ecoPointsValueFen(202, 50)).toBe(101);
    // At 1.50 yuan: value(1001) = 1501, value(1000) = 1500.
    expect(maxEcoPointsForAmount(1500, 150)).toBe(1000);
    expect(maxEcoPointsForAmount(0, 100)).toBe(0);
    expect(() => maxEcoPointsForAmount(1, 0)).toThrow(RangeError);
  });

  it('eco-topup ad points = floor(value x 100 / ad point price): a grant rounds down', () => {
    expect(adPointsForValue(3000, 100)).toBe(3000);
    // 15.01 yuan at 1.20 yuan per ad point = 12.508… → 12.50.
    expect(adPointsForValue(1501, 120)).toBe(1250);
    expect(adPointsForValue(1, 1000)).toBe(0);
    expect(() => adPointsForValue(1, 0)).toThrow(RangeError);
  });

  it('withdrawal fee = ceil(p x fee bp / 10000): a charge rounds up to 0.01', () => {
    expect(withdrawalFee(2001, 150)).toBe(31);
    expect(withdrawalFee(2000, 150)).toBe(30);
    expect(withdrawalFee(1, 1)).toBe(1);
    expect(withdrawalFee(5000, 0)).toBe(0);
    expect(withdrawalFee(5000, 10_000)).toBe(5000);
  });
});

describe('formatHundredths', () => {
  it('formats integer minor units without floating point', () => {
    expect(formatHundredths(10_000)).toBe('100.00');
    expect(formatHundredths(7)).toBe('0.07');
    expect(formatHundredths(-1_505)).toBe('-15.05');
    expect(formatHundredths(123_456_789_01)).toBe('123456789.01');
  });
});

describe('ecoPointsValueFen', () => {
  it('is floor(points x unit price / 100), in BigInt for platform totals', () => {
    expect(ecoPointsValueFen(100n, 100)).toBe(100n);
    expect(ecoPointsValueFen(3_000n, 100)).toBe(3_000n);
    expect(ecoPointsValueFen(199n, 50)).toBe(99n);
    expect(ecoPointsValueFen(10n ** 17n, 100)).toBe(10n ** 17n);
  });
});

describe('largestRefundWithMoney (money Stripe returned, applied to an eco-point sale)', () => {
  /** A sale of `amountFen` paid with `ecoPoints` at `unitPriceFen`, after `refunds` made in order. */
  function saleAfter(amountFen: number, ecoPoints: number, unitPriceFen: number, refunds: number[]): Sale {
    let sale = {
      ...noEcoPoints,
      amountFen,
      refundedFen: 0,
      ecoPoints,
      ecoPointUnitPriceFen: unitPriceFen,
      ecoPointsValueFen: ecoPointsValueFen(ecoPoints, unitPriceFen),
    } as Sale;
    for (const part of refunds) {
      if (part > sale.amountFen - sale.refundedFen) break;
      const split = refundSplit(sale, part);
      sale = {
        ...sale,
        refundedFen: sale.refundedFen + part,
        cashRefundedFen: split.cashTotal,
        ecoPointsReturned: split.ecoPointsTotal,
      };
    }
    return sale;
  }

  it('refunds never give back more money than was paid, and all of them give back exactly what was paid', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 100_000 }), { maxLength: 4 }),
        (amountFen, unitPriceFen, ecoRaw, refunds) => {
          const ecoPoints = Math.min(ecoRaw, Math.floor((amountFen * 100) / unitPriceFen));
          const sale = saleAfter(amountFen, ecoPoints, unitPriceFen, refunds);
          const paidInMoneyFen = sale.amountFen - sale.ecoPointsValueFen;
          expect(sale.cashRefundedFen).toBeLessThanOrEqual(paidInMoneyFen);
          const rest = sale.amountFen - sale.refundedFen;
          if (rest === 0) return;
          const last = refundSplit(sale, rest);
          expect(last.cashTotal).toBe(paidInMoneyFen);
          expect(last.ecoPointsTotal).toBe(ecoPoints);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('SPEC flow 4 order (100 yuan, 30.00 eco-points): 10 yuan of money is 14.28 yuan of the order; all 70 is all of it', () => {
    const sale = saleAfter(10_000, 3000, 100, []);
    expect(largestRefundWithMoney(sale, 1000)).toBe(1428);
    expect(largestRefundWithMoney(sale, 7000)).toBe(10_000);
    expect(largestRefundWithMoney(sale, 7001)).toBeNull();
    expect(largestRefundWithMoney(saleAfter(10_000, 3000, 100, [5000]), 3500)).toBe(5000);
  });

  it('is the largest part whose money part is exactly the money, or null when none is (against every part)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.integer({ min: 1, max: 1500 }), { maxLength: 3 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.boolean(),
        (amountFen, unitPriceFen, ecoRaw, refunds, seed, moneyOfAPart) => {
          // Eco-points worth at most the amount, as checkout allows.
          const ecoPoints = Math.min(ecoRaw, Math.floor((amountFen * 100) / unitPriceFen));
          const sale = saleAfter(amountFen, ecoPoints, unitPriceFen, refunds);
          const leftFen = sale.amountFen - sale.refundedFen;
          // Mostly the money of some part (so there is an answer), else any amount.
          const moneyFen =
            moneyOfAPart && leftFen > 0 ? refundSplit(sale, (seed % leftFen) + 1).cashFen : seed;
          let largest: number | null = null;
          for (let part = 1; part <= leftFen; part++) {
            if (refundSplit(sale, part).cashFen === moneyFen) largest = part;
          }
          // A sale paid whole with eco-points took no money through Stripe: nothing to apply.
          const paidInMoney = sale.amountFen > sale.ecoPointsValueFen;
          expect(largestRefundWithMoney(sale, moneyFen)).toBe(moneyFen < 1 || !paidInMoney ? null : largest);
        },
      ),
      { numRuns: 300 },
    );
  });
});
