import { describe, expect, it } from 'vitest';
import {
  adPointsChargeForAmount,
  ecoPointsValueFen,
  formatHundredths,
  proportionalShare,
  vouchersForAmount,
} from '../services/rounding';

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
