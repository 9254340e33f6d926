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

/** ceil(numerator / denominator) for non-negative integers. */
export function divCeil(numerator: bigint, denominator: bigint): number {
  return Number((numerator + denominator - 1n) / denominator);
}

/**
 * Cash value (fen) of `ecoPoints` hundredths at `unitPriceFen` per 1.00 eco-point (API.md):
 * floor(p x unitPriceFen / 100). The platform never values a point above its price. A bigint in
 * gives a bigint out, for platform-wide totals (a negative total is valued as minus its opposite).
 */
export function ecoPointsValueFen(ecoPoints: number, unitPriceFen: number): number;
export function ecoPointsValueFen(ecoPoints: bigint, unitPriceFen: number): bigint;
export function ecoPointsValueFen(ecoPoints: number | bigint, unitPriceFen: number): number | bigint {
  assertNonNegativeInt('unitPriceFen', unitPriceFen);
  if (typeof ecoPoints === 'bigint') {
    if (ecoPoints < 0n) return -ecoPointsValueFen(-ecoPoints, unitPriceFen);
    return (ecoPoints * BigInt(unitPriceFen)) / 100n;
  }
  assertNonNegativeInt('ecoPoints', ecoPoints);
  return divFloor(BigInt(ecoPoints) * BigInt(unitPriceFen), 100n);
}

/**
 * The most eco-points (hundredths) whose value stays within `amountFen`: the largest p with
 * floor(p x unitPriceFen / 100) <= amountFen, i.e. p x unitPriceFen < (amountFen + 1) x 100.
 */
export function maxEcoPointsForAmount(amountFen: number, unitPriceFen: number): number {
  assertNonNegativeInt('amountFen', amountFen);
  assertNonNegativeInt('unitPriceFen', unitPriceFen);
  if (unitPriceFen === 0) throw new RangeError('unitPriceFen must be positive');
  return divFloor((BigInt(amountFen) + 1n) * 100n - 1n, BigInt(unitPriceFen));
}

/** Ad points (hundredths) an eco-topup buys: floor(valueFen x 100 / adPointPriceFen), a grant. */
export function adPointsForValue(valueFen: number, adPointPriceFen: number): number {
  assertNonNegativeInt('valueFen', valueFen);
  assertNonNegativeInt('adPointPriceFen', adPointPriceFen);
  if (adPointPriceFen === 0) throw new RangeError('adPointPriceFen must be positive');
  return divFloor(BigInt(valueFen) * 100n, BigInt(adPointPriceFen));
}

/** A withdrawal's fee (hundredths): ceil(ecoPoints x feeBp / 10000), a charge rounded up to 0.01. */
export function withdrawalFee(ecoPoints: number, feeBp: number): number {
  assertNonNegativeInt('ecoPoints', ecoPoints);
  assertNonNegativeInt('feeBp', feeBp);
  return divCeil(BigInt(ecoPoints) * BigInt(feeBp), 10_000n);
}

/** "1234.50" from 123450 hundredths (or fen as yuan), by integer arithmetic: for receipts and labels. */
export function formatHundredths(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
