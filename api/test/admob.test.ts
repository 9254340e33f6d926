import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { schema } from '@alliance/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger';
import { derToP1363 } from '../services/admob';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { grantVouchers } from './sales-fixtures';
import { onPostgres } from './test-db';

const clock = testClock('2026-11-30T02:00:00Z');
let t: TestApp;
let server: Server;
let keysUrl: string;
let keyFetches = 0;
/** What the key server publishes; tests rotate it. */
let published: Array<{ keyId: number; pair: CryptoKeyPair }> = [];

const newPair = () =>
  crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]) as Promise<CryptoKeyPair>;
let key1: CryptoKeyPair;
let key2: CryptoKeyPair;
let stranger: CryptoKeyPair;

async function keysJson() {
  const keys = [];
  for (const { keyId, pair } of published) {
    const spki = Buffer.from(await crypto.subtle.exportKey('spki', pair.publicKey)).toString('base64');
    keys.push({ keyId, pem: `-----BEGIN PUBLIC KEY-----\n${spki}\n-----END PUBLIC KEY-----`, base64: spki });
  }
  return JSON.stringify({ keys });
}

beforeAll(async () => {
  [key1, key2, stranger] = await Promise.all([newPair(), newPair(), newPair()]);
  published = [{ keyId: 1001, pair: key1 }];
  server = createServer(async (_req, res) => {
    keyFetches++;
    res.setHeader('content-type', 'application/json');
    res.end(await keysJson());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  keysUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/verifier-keys.json`;
  t = await createTestApp({ clock, env: { ADMOB_KEYS_URL: keysUrl, AUTH_OTP_PER_IP_HOUR: '100000' } });
});
afterAll(async () => {
  await t.close();
  await new Promise((resolve) => server.close(resolve));
});

/** Google's format: DER-encoded ECDSA signature, base64url, over the query up to `&signature=`. */
function p1363ToDer(raw: Uint8Array): Buffer {
  const int = (bytes: Uint8Array) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    let v = bytes.subarray(i);
    if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(raw.subarray(0, 32)), int(raw.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

let txSeq = 0;
async function signedQuery(
  fields: { userId: string; transactionId?: string; rewardAmount?: string },
  pair = key1,
  keyId = 1001,
) {
  const transactionId = fields.transactionId ?? `txn${++txSeq}${Date.now()}`;
  const content = `ad_network=5450213213286189855&ad_unit=1234567890&custom_data=&reward_amount=${fields.rewardAmount ?? '1'}&reward_item=Reward&timestamp=${clock.now().getTime()}&transaction_id=${transactionId}&user_id=${encodeURIComponent(fields.userId)}`;
  const raw = new Uint8Array(
    await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      pair.privateKey,
      new TextEncoder().encode(content),
    ),
  );
  const signature = p1363ToDer(raw).toString('base64url');
  return { query: `${content}&signature=${signature}&key_id=${keyId}`, transactionId, content, signature };
}

const callback = (query: string) => t.request('GET', `/v1/callbacks/admob?${query}`);

async function consumer(phone: string, vouchers = 10_000) {
  const session = await t.signIn(phone);
  await grantVouchers(t, session.user.id, vouchers);
  return { token: session.token, id: session.user.id };
}

describe('AdMob server-side verification', () => {
  it('turns DER signatures into r||s and refuses malformed ones', () => {
    const raw = new Uint8Array(64).map((_, i) => i + 1);
    expect(derToP1363(p1363ToDer(raw))).toEqual(raw);
    expect(derToP1363(new Uint8Array([0x30, 0x02, 0x02, 0x00]))).toBeNull();
    expect(derToP1363(new Uint8Array([0x31, 0x00]))).toBeNull();
  });

  it('counts six signed rewards as verified completions, converts at the sixth and dedupes by transaction id', async () => {
    const c = await consumer('+8613600000001');
    for (let n = 1; n <= 6; n++) {
      const { query, transactionId } = await signedQuery({ userId: c.id });
      const res = await callback(query);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 'verified',
        transactionId,
        completedToday: n,
        conversion: n === 6 ? { vouchers: -100, ecoPoints: 100 } : null,
      });
      if (n === 1) {
        const again = await callback(query);
        expect(again.status).toBe(200);
        expect(again.body).toEqual({ status: 'duplicate', transactionId });
      }
    }
    const wallet = (await t.request('GET', '/v1/wallet', { token: c.token })).body;
    expect(wallet).toMatchObject({
      vouchers: 9_900,
      ecoPoints: 100,
      today: { completed: 6, conversionsLeft: 0 },
    });

    const seventh = await signedQuery({ userId: c.id });
    const refused = await callback(seventh.query);
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({
      status: 'refused',
      transactionId: seventh.transactionId,
      reason: 'daily_limit_reached',
    });
    // The keys were fetched once for all of it.
    expect(keyFetches).toBe(1);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('refuses a forged or altered signature with 400 and counts nothing', async () => {
    const c = await consumer('+8613600000002');
    const signed = await signedQuery({ userId: c.id });
    // Signed, then altered in transit.
    const altered = signed.query.replace('reward_amount=1', 'reward_amount=9');
    const res = await callback(altered);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_signature');
    const forged = await signedQuery({ userId: c.id }, stranger, 1001);
    expect((await callback(forged.query)).status).toBe(400);
    expect((await callback(`${signed.content}&key_id=1001`)).status).toBe(400);
    expect((await callback(`${signed.content}&signature=AAAA&key_id=1001`)).status).toBe(400);
    expect((await callback('')).status).toBe(400);
    const wallet = (await t.request('GET', '/v1/wallet', { token: c.token })).body;
    expect(wallet.today.completed).toBe(0);
    const rows = await t.db.select().from(schema.admobRewards);
    expect(rows.some((r) => r.userId === c.id)).toBe(false);
  });

  it('refetches the keys once for an unknown key id (rotation), at most every 10 s', async () => {
    const c = await consumer('+8613600000003');
    const before = keyFetches;
    const rotated = await signedQuery({ userId: c.id }, key2, 2002);
    clock.advance(11_000);
    // Not published yet: one refetch, still unknown, refused.
    expect((await callback(rotated.query)).status).toBe(400);
    expect(keyFetches).toBe(before + 1);
    published = [
      { keyId: 1001, pair: key1 },
      { keyId: 2002, pair: key2 },
    ];
    // Within 10 s of the last fetch an unknown key does not trigger another fetch.
    expect((await callback(rotated.query)).status).toBe(400);
    expect(keyFetches).toBe(before + 1);
    clock.advance(11_000);
    const res = await callback(rotated.query);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('verified');
    expect(keyFetches).toBe(before + 2);
  });

  it('answers 200 for a verified callback naming no user of ours, and records it for operators', async () => {
    // An out-of-range reward amount is kept as null, not a 500.
    const signed = await signedQuery({ userId: 'usr_nobody', rewardAmount: '99999999999' });
    const res = await callback(signed.query);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'refused',
      transactionId: signed.transactionId,
      reason: 'unknown_user',
    });
    const op = (await t.signIn(operatorPhone)).token;
    const refusals = await t.request('GET', '/v1/platform/ad-views/refusals', { token: op });
    const reasons = Object.fromEntries(
      refusals.body.counts.map((x: { reason: string; count: number }) => [x.reason, x.count]),
    );
    expect(reasons).toMatchObject({ unknown_user: 1, daily_limit_reached: 1, unknown_key: 2 });
    expect(reasons.invalid_signature).toBeGreaterThanOrEqual(3);
  });

  it('answers 503 when the key server cannot be reached, writing nothing', async () => {
    const other = await createTestApp({ clock, env: { ADMOB_KEYS_URL: 'http://127.0.0.1:9/keys.json' } });
    try {
      const signed = await signedQuery({ userId: 'usr_x' });
      const res = await other.request('GET', `/v1/callbacks/admob?${signed.query}`);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('keys_unavailable');
      expect(await other.db.select().from(schema.admobRewards)).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

// Real PostgreSQL only: PGlite runs one query at a time, so it cannot show a race.
describe.skipIf(!onPostgres)('AdMob under concurrency (PostgreSQL)', () => {
  it('counts one transaction id once when it arrives three times in parallel', async () => {
    clock.set('2026-12-05T02:00:00Z');
    const c = await consumer('+8613600000009');
    const { query } = await signedQuery({ userId: c.id });
    const results = await Promise.all([callback(query), callback(query), callback(query)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.map((r) => r.body.status).sort()).toEqual(['duplicate', 'duplicate', 'verified']);
    expect((await t.request('GET', '/v1/wallet', { token: c.token })).body.today.completed).toBe(1);
  });
});
