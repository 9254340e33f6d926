const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

/** Opaque id with a type prefix (`mer_…`), 20 random base32 characters (100 bits). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBase32(20)}`;
}

/**
 * Random bytes are drawn from the CSPRNG a pool at a time and each byte is used once: one
 * getRandomValues call per id cost about 2 % of a wallet read's CPU (issue 14), the request id alone.
 */
const pool = new Uint8Array(4096);
let poolUsed = pool.length;

export function randomBase32(length: number): string {
  if (length > pool.length) throw new RangeError(`randomBase32: at most ${pool.length} characters`);
  if (poolUsed + length > pool.length) {
    crypto.getRandomValues(pool);
    poolUsed = 0;
  }
  let out = '';
  for (let i = poolUsed; i < poolUsed + length; i++) out += alphabet[pool[i]! & 31];
  poolUsed += length;
  return out;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** JSON with object keys sorted, so equal bodies compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
