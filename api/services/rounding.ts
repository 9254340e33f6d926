/**
 * The one place for rounding rules (SPEC section 2). Integer arithmetic only: amounts are fen,
 * points are hundredths, rates are basis points. BigInt inside, so no intermediate product can
 * lose precision whatever the amount. Decisions and worked numbers: docs/adr/0003-sales-rounding-and-confirmation.md.
 */

/** Largest amount (fen) a single sale, order or refund may carry: 10,000,000.00 yuan. */
export const maxAmountFen = 1_000_000_000;

function assertNonNegativeInt(name: string, value: number) {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
}

/** floor(numerator / denominator) for non-negative integers. */
export function divFloor(numerator: bigint, denominator: bigint): number {
  return Number(numerator / denominator);
}

/** round-half-up(numerator / denominator) for non-negative integers. */
export function divHalfUp(numerator: bigint, denominator: bigint): number {
  return Number((2n * numerator + denominator) / (2n * denominator));
}

/**
 * Vouchers granted to a consumer (hundredths) for `amountFen` of sales. A grant rounds down.
 * `voucherRatePerYuan` is in hundredths of a voucher per yuan (100 = 1.00 voucher per yuan), so
 * vouchers = amountFen / 100 yuan x voucherRatePerYuan.
 */
export function vouchersForAmount(amountFen: number, voucherRatePerYuan: number): number {
  assertNonNegativeInt('amountFen', amountFen);
  assertNonNegativeInt('voucherRatePerYuan', voucherRatePerYuan);
  return divFloor(BigInt(amountFen) * BigInt(voucherRatePerYuan), 100n);
}

/**
 * Ad points charged to a merchant (hundredths) for `amountFen` of sales at `adRateBp`.
 * One yuan of sales at 10000 bp costs 1.00 point, so charge = amountFen x adRateBp / 10000
 * hundredths. A charge rounds half up.
 */
export function adPointsChargeForAmount(amountFen: number, adRateBp: number): number {
  assertNonNegativeInt('amountFen', amountFen);
  assertNonNegativeInt('adRateBp', adRateBp);
  return divHalfUp(BigInt(amountFen) * BigInt(adRateBp), 10_000n);
}

/**
 * Share of `total` due for `part` of `whole` (refunds): floor(total x part / whole). Rounds down,
 * so cumulative shares never exceed `total` and the last full refund lands exactly on it.
 */
export function proportionalShare(total: number, part: number, whole: number): number {
  assertNonNegativeInt('total', total);
  assertNonNegativeInt('part', part);
  assertNonNegativeInt('whole', whole);
  if (whole === 0) return 0;
  return divFloor(BigInt(total) * BigInt(part), BigInt(whole));
}

/** "1234.50" from 123450 hundredths (or fen as yuan), by integer arithmetic: for receipts and labels. */
export function formatHundredths(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * value(p) = floor(p x ecoPointUnitPriceFen / 100) fen for `points` hundredths of an eco-point
 * (API.md, eco-points). A grant of money for points rounds down. BigInt: platform-wide totals.
 */
export function ecoPointsValueFen(points: bigint, ecoPointUnitPriceFen: number): bigint {
  if (points < 0n) return -ecoPointsValueFen(-points, ecoPointUnitPriceFen);
  assertNonNegativeInt('ecoPointUnitPriceFen', ecoPointUnitPriceFen);
  return (points * BigInt(ecoPointUnitPriceFen)) / 100n;
}
