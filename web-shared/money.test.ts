import { describe, expect, it } from 'vitest';
import { formatFen, formatMinor, formatPoints, parseMinor } from './money';

describe('money formatting from integer minor units', () => {
  it('formats fen as yuan', () => {
    expect(formatFen(100)).toBe('¥1.00');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(-250)).toBe('-¥2.50');
    expect(formatFen(123456789)).toBe('¥1,234,567.89');
  });

  it('formats points in hundredths, with an optional sign', () => {
    expect(formatPoints(100)).toBe('1.00');
    expect(formatPoints(1)).toBe('0.01');
    expect(formatPoints(100, { sign: true })).toBe('+1.00');
    expect(formatPoints(-100, { sign: true })).toBe('-1.00');
    expect(formatMinor(9007199254740991, { group: false })).toBe('90071992547409.91');
  });

  it('refuses non-integers instead of rounding them', () => {
    expect(() => formatFen(1.5)).toThrow(RangeError);
    expect(() => formatFen(Number.NaN)).toThrow(RangeError);
  });

  it('parses typed amounts without floating point', () => {
    expect(parseMinor('12.3')).toBe(1230);
    expect(parseMinor('0.05')).toBe(5);
    expect(parseMinor('7')).toBe(700);
    expect(parseMinor('7.')).toBe(700);
    expect(parseMinor('0.29')).toBe(29); // 0.29 * 100 is 28.999999999999996 in floats
    expect(parseMinor('1.234')).toBeNull();
    expect(parseMinor('-1')).toBeNull();
    expect(parseMinor('abc')).toBeNull();
    expect(parseMinor('')).toBeNull();
  });
});
