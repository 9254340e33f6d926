/**
 * Amounts arrive as integers in minor units (fen for CNY, hundredths for points). They are
 * formatted and parsed with string arithmetic only, so no value ever passes through a float.
 */

function splitMinor(amount: number): { negative: boolean; whole: string; cents: string } {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`not an integer amount: ${amount}`);
  const digits = String(Math.abs(amount)).padStart(3, '0');
  return { negative: amount < 0, whole: digits.slice(0, -2), cents: digits.slice(-2) };
}

function groupThousands(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 12345 → "123.45"; -5 → "-0.05"; grouped: 123456789 → "1,234,567.89". */
export function formatMinor(amount: number, opts: { group?: boolean; sign?: boolean } = {}): string {
  const { negative, whole, cents } = splitMinor(amount);
  const body = `${opts.group === false ? whole : groupThousands(whole)}.${cents}`;
  if (negative) return `-${body}`;
  return opts.sign && amount > 0 ? `+${body}` : body;
}

/** Fen as yuan: 100 → "¥1.00", -250 → "-¥2.50". */
export function formatFen(fen: number): string {
  const text = formatMinor(fen);
  return text.startsWith('-') ? `-¥${text.slice(1)}` : `¥${text}`;
}

/** Points in hundredths: 100 → "1.00"; `sign` adds "+" to positive movements in histories. */
export function formatPoints(hundredths: number, opts: { sign?: boolean } = {}): string {
  return formatMinor(hundredths, { sign: opts.sign });
}

/**
 * "12.3" → 1230, "0.05" → 5, "7" → 700. Returns null for anything that is not a non-negative
 * amount with at most two decimals (the caller shows a validation message).
 */
export function parseMinor(text: string): number | null {
  const match = /^\s*(\d{1,13})(?:\.(\d{0,2}))?\s*$/.exec(text);
  if (!match) return null;
  const whole = match[1]!;
  const cents = (match[2] ?? '').padEnd(2, '0');
  const value = Number(`${whole}${cents}`);
  return Number.isSafeInteger(value) ? value : null;
}
