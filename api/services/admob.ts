import { schema } from '@alliance/db';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../context';
import { ApiError, badRequest } from '../errors';
import { recordCompletion, recordRefusal } from './ad-views';
import { businessDay } from './business-day';
import { parametersAt } from './parameters';
import { inTransaction } from './tx';

/**
 * AdMob server-side verification (SSV): Google calls our callback URL with the reward in the query
 * string, signed with ECDSA P-256 / SHA-256 over everything before `&signature=`; the signature is
 * DER, base64url; `key_id` names one of the keys published at ADMOB_KEYS_URL.
 */

interface KeyCache {
  keys: Map<string, CryptoKey>;
  fetchedAtMs: number;
}

/** Public keys per URL. Not state that matters: any process can fetch them again. */
const keyCaches = new Map<string, KeyCache>();
const keyTtlMs = 24 * 60 * 60_000;
/** An unknown key id triggers one refetch, but not more often than this (random key ids must not make us hammer Google). */
const minRefetchMs = 10_000;
const fetchTimeoutMs = 5_000;

async function fetchKeys(url: string, nowMs: number): Promise<KeyCache> {
  let body: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(fetchTimeoutMs) });
    if (!res.ok) throw new Error(`status ${res.status}`);
    body = await res.json();
  } catch {
    throw new ApiError(503, 'keys_unavailable', 'The AdMob verifier keys could not be fetched');
  }
  const keys = new Map<string, CryptoKey>();
  const list = (body as { keys?: Array<{ keyId?: unknown; base64?: unknown; pem?: unknown }> })?.keys ?? [];
  for (const entry of Array.isArray(list) ? list : []) {
    const der =
      typeof entry.base64 === 'string'
        ? entry.base64
        : typeof entry.pem === 'string'
          ? pemBody(entry.pem)
          : null;
    if (entry.keyId === undefined || !der) continue;
    try {
      const key = await crypto.subtle.importKey(
        'spki',
        base64Decode(der),
        { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['verify'],
      );
      keys.set(String(entry.keyId), key);
    } catch {
      // A key we cannot read verifies nothing; the others still do.
    }
  }
  const cache = { keys, fetchedAtMs: nowMs };
  keyCaches.set(url, cache);
  return cache;
}

async function verifierKey(ctx: Ctx, keyId: string): Promise<CryptoKey | undefined> {
  const url = ctx.config.ADMOB_KEYS_URL;
  const nowMs = ctx.now().getTime();
  let cache = keyCaches.get(url);
  if (!cache || nowMs - cache.fetchedAtMs > keyTtlMs) cache = await fetchKeys(url, nowMs);
  const key = cache.keys.get(keyId);
  if (key || nowMs - cache.fetchedAtMs < minRefetchMs) return key;
  return (await fetchKeys(url, nowMs)).keys.get(keyId);
}

const pemBody = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

function base64Decode(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` → the 64-byte r||s WebCrypto verifies; null if malformed. */
export function derToP1363(der: Uint8Array): Uint8Array<ArrayBuffer> | null {
  let i = 0;
  if (der[i++] !== 0x30) return null;
  const seqLen = der[i++];
  if (seqLen === undefined || seqLen & 0x80 || i + seqLen !== der.length) return null;
  const out = new Uint8Array(64);
  for (let part = 0; part < 2; part++) {
    if (der[i++] !== 0x02) return null;
    const len = der[i++];
    if (len === undefined || len === 0 || len > 33 || i + len > der.length) return null;
    let bytes = der.subarray(i, i + len);
    i += len;
    while (bytes.length > 32 && bytes[0] === 0) bytes = bytes.subarray(1);
    if (bytes.length > 32) return null;
    out.set(bytes, part * 32 + (32 - bytes.length));
  }
  return i === der.length ? out : null;
}

async function signatureValid(
  ctx: Ctx,
  rawQuery: string,
): Promise<{ ok: true; keyId: string } | { ok: false; reason: string }> {
  const at = rawQuery.indexOf('&signature=');
  if (at < 0) return { ok: false, reason: 'missing_signature' };
  const params = new URLSearchParams(rawQuery);
  const signature = params.get('signature');
  const keyId = params.get('key_id');
  if (!signature || !keyId) return { ok: false, reason: 'missing_signature' };
  let raw: Uint8Array<ArrayBuffer> | null;
  try {
    raw = derToP1363(base64Decode(signature));
  } catch {
    raw = null;
  }
  if (!raw) return { ok: false, reason: 'invalid_signature' };
  const key = await verifierKey(ctx, keyId);
  if (!key) return { ok: false, reason: 'unknown_key' };
  const message = new TextEncoder().encode(rawQuery.slice(0, at));
  const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, raw, message);
  return ok ? { ok: true, keyId } : { ok: false, reason: 'invalid_signature' };
}

export type AdmobOutcome =
  | {
      status: 'verified';
      transactionId: string;
      completedToday: number;
      conversion: null | { vouchers: number; ecoPoints: number };
    }
  | { status: 'duplicate'; transactionId: string }
  | { status: 'refused'; transactionId: string; reason: 'unknown_user' | 'daily_limit_reached' };

/**
 * A signed reward callback. A bad signature is 400 and writes only a refusal record; a verified one
 * is answered 200 whatever happens next (so AdMob stops retrying), and counts once per transaction id.
 */
export async function handleAdmobCallback(
  ctx: Ctx,
  input: { rawQuery: string; clientAddress?: string },
): Promise<AdmobOutcome> {
  const verdict = await signatureValid(ctx, input.rawQuery);
  if (!verdict.ok) {
    await recordRefusal(ctx, {
      reason: verdict.reason,
      stage: 'admob',
      clientAddress: input.clientAddress,
      details: { query: input.rawQuery.slice(0, 2000) },
    });
    throw new ApiError(400, 'invalid_signature', 'The AdMob signature does not verify');
  }
  const params = new URLSearchParams(input.rawQuery);
  const transactionId = params.get('transaction_id');
  if (!transactionId || transactionId.length > 200) throw badRequest('transaction_id is required');
  const userId = params.get('user_id') ?? '';
  const rewardAmount = Number.parseInt(params.get('reward_amount') ?? '', 10);

  return inTransaction(ctx, async (tx) => {
    const now = tx.now();
    const [reward] = await tx.db
      .insert(schema.admobRewards)
      .values({
        transactionId,
        userId,
        adUnit: params.get('ad_unit'),
        rewardItem: params.get('reward_item'),
        rewardAmount:
          Number.isInteger(rewardAmount) && Math.abs(rewardAmount) <= 2_147_483_647 ? rewardAmount : null,
        keyId: verdict.keyId,
        outcome: 'verified',
        query: input.rawQuery.slice(0, 4000),
        receivedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!reward) return { status: 'duplicate' as const, transactionId };

    const refuse = async (reason: 'unknown_user' | 'daily_limit_reached') => {
      await tx.db
        .update(schema.admobRewards)
        .set({ outcome: `refused:${reason}` })
        .where(eq(schema.admobRewards.transactionId, transactionId));
      await recordRefusal(tx, {
        reason,
        stage: 'admob',
        consumerId: userId || null,
        clientAddress: input.clientAddress,
        details: { transactionId },
      });
      return { status: 'refused' as const, transactionId, reason };
    };

    const [user] = userId ? await tx.db.select().from(schema.users).where(eq(schema.users.id, userId)) : [];
    if (!user) return refuse('unknown_user');
    const p = await parametersAt(tx, now);
    const result = await recordCompletion(tx, {
      consumerId: user.id,
      businessDate: businessDay(now, p.businessTimeZone).date,
      params: p,
      source: 'admob',
      admobTransactionId: transactionId,
    });
    if (!result.ok) return refuse(result.reason);
    return {
      status: 'verified' as const,
      transactionId,
      completedToday: result.completedToday,
      conversion: result.conversion,
    };
  });
}
