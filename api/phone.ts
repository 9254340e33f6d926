/**
 * Phone numbers never leave in full except to their owner (SPEC section 7): this is the one way a
 * phone is shown to anyone else or written to a log. `+8613800000001` → `+86 138****0001`: the
 * country code, at most three leading digits of the national number (never more than all but eight),
 * four stars whatever the length, and the last four digits. Pure, so the web apps use it too.
 */
export function maskPhone(phone: string): string {
  const digits = /^\+([1-9]\d{7,14})$/.exec(phone)?.[1];
  if (!digits) return '****';
  const national = digits.slice(countryCodeLength(digits));
  const lead = national.slice(0, Math.max(0, Math.min(3, national.length - 8)));
  return `+${digits.slice(0, digits.length - national.length)} ${lead}****${national.slice(-4)}`;
}

/** E.164 country codes by their leading digits: 1 and 7 are one digit, these two, the rest three. */
function countryCodeLength(digits: string): number {
  if (/^[17]/.test(digits)) return 1;
  return /^(2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58])/.test(digits) ? 2 : 3;
}

const phoneInText = /\+[1-9]\d{7,14}/g;

/** `value` with every phone number in it masked, however deep in objects, arrays or text. */
export function maskPhonesIn(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(phoneInText, maskPhone);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskPhonesIn(v, depth + 1));
  // Plain objects only: dates and other instances serialise themselves.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPhonesIn(v, depth + 1)]));
}
