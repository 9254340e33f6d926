import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { schema } from '@alliance/db';
import { eq } from 'drizzle-orm';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../app';
import { cacheTtlMs, TtlCache } from '../caches';
import { composeDeps } from '../compose';
import { accountHistory, postTransaction, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { privacyNoticeVersion } from '../services/privacy';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { startSupabaseStandIn } from './supabase-stand-in';

const phone = '+8613800000001';
const clock = testClock('2026-11-30T02:00:00Z');
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({
    clock,
    env: { AUTH_OTP_PER_PHONE_HOUR: '10', AUTH_OTP_PER_IP_HOUR: '1000', AUTH_VERIFY_PER_IP_HOUR: '100000' },
  });
});
afterAll(() => t.close());

const userCount = async () => (await t.db.select().from(schema.users)).length;

describe('sign-in with an SMS code (dev provider)', () => {
  it('signs in, creates one account per phone and returns it from /v1/me', async () => {
    const otp = await t.request('POST', '/v1/auth/otp', { body: { phone } });
    expect(otp.status).toBe(200);
    expect(otp.body.sent).toBe(true);
    expect(otp.body.devCode).toMatch(/^\d{6}$/);
    const verified = await t.request('POST', '/v1/auth/verify', { body: { phone, code: otp.body.devCode } });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toEqual({ id: expect.stringMatching(/^usr_/), phone, roles: ['consumer'] });

    const me = await t.request('GET', '/v1/me', { token: verified.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user: verified.body.user,
      memberCode: expect.stringMatching(/^\d{10}$/),
      consent: { required: true, version: privacyNoticeVersion, acceptedVersion: null, acceptedAt: null },
      wallet: { vouchers: 0, ecoPoints: 0, ecoPointsHeld: 0 },
      merchants: [],
      suppliers: [],
    });

    const again = await t.signIn(phone);
    expect(again.user.id).toBe(verified.body.user.id);
    expect(await userCount()).toBe(1);
  });

  it('gives operators the operator role', async () => {
    const op = await t.signIn(operatorPhone);
    expect(op.user.roles).toEqual(['consumer', 'operator']);
  });

  it('refuses a wrong code with 401 invalid_code and creates no account', async () => {
    const before = await userCount();
    const other = '+8613800000077';
    const otp = await t.request('POST', '/v1/auth/otp', { body: { phone: other } });
    const wrong = otp.body.devCode === '000000' ? '111111' : '000000';
    const res = await t.request('POST', '/v1/auth/verify', { body: { phone: other, code: wrong } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_code');
    expect(res.body.error.requestId).toMatch(/^req_/);
    expect(await userCount()).toBe(before);
  });

  it('locks a code after 5 wrong tries, even for the right code', async () => {
    const p = '+8613800000078';
    const otp = await t.request('POST', '/v1/auth/otp', { body: { phone: p } });
    const wrong = otp.body.devCode === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      expect((await t.request('POST', '/v1/auth/verify', { body: { phone: p, code: wrong } })).status).toBe(
        401,
      );
    }
    const right = await t.request('POST', '/v1/auth/verify', { body: { phone: p, code: otp.body.devCode } });
    expect(right.status).toBe(401);
    expect(right.body.error.code).toBe('invalid_code');
  });

  // On PostgreSQL the guesses run on 20 connections at once; on PGlite they interleave between queries.
  it('voids a code after 5 wrong checks however many arrive at once', async () => {
    const p = '+8613800000081';
    const otp = await t.request('POST', '/v1/auth/otp', { body: { phone: p } });
    const wrong = otp.body.devCode === '000000' ? '111111' : '000000';
    const guesses = await Promise.all(
      Array.from({ length: 800 }, () =>
        t.request('POST', '/v1/auth/verify', { body: { phone: p, code: wrong } }),
      ),
    );
    expect(guesses.every((g) => g.status === 401 && g.body.error.code === 'invalid_code')).toBe(true);
    const right = await t.request('POST', '/v1/auth/verify', { body: { phone: p, code: otp.body.devCode } });
    expect(right.status).toBe(401);
    expect(right.body.error.code).toBe('invalid_code');
    const [row] = await t.db.select().from(schema.otpCodes).where(eq(schema.otpCodes.phone, p));
    expect(row!.failedAttempts).toBe(5);
    expect(row!.consumedAt).toBeNull();
  });

  it('refuses an expired code (older than 5 minutes)', async () => {
    const p = '+8613800000079';
    const otp = await t.request('POST', '/v1/auth/otp', { body: { phone: p } });
    clock.advance(5 * 60 * 1000 + 1);
    const res = await t.request('POST', '/v1/auth/verify', { body: { phone: p, code: otp.body.devCode } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_code');
  });

  it('uses a code once', async () => {
    const p = '+8613800000080';
    const otp = await t.request('POST', '/v1/auth/otp', { body: { phone: p } });
    expect(
      (await t.request('POST', '/v1/auth/verify', { body: { phone: p, code: otp.body.devCode } })).status,
    ).toBe(200);
    const replay = await t.request('POST', '/v1/auth/verify', { body: { phone: p, code: otp.body.devCode } });
    expect(replay.status).toBe(401);
  });

  it.each([
    ['not E.164', { phone: '13800000001' }],
    ['letters', { phone: '+86abc' }],
    ['a number', { phone: 8613800000001 }],
    ['missing', {}],
  ])('refuses a malformed phone (%s) with 400 validation_error', async (_name, body) => {
    const res = await t.request('POST', '/v1/auth/otp', { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
  });

  it('refuses malformed JSON with 400 validation_error', async () => {
    const res = await t.request('POST', '/v1/auth/otp', { rawBody: '{"phone": ' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
  });

  it('rate-limits codes per phone with 429 rate_limited', async () => {
    const p = '+8613800000090';
    for (let i = 0; i < 10; i++) {
      expect((await t.request('POST', '/v1/auth/otp', { body: { phone: p } })).status).toBe(200);
    }
    const res = await t.request('POST', '/v1/auth/otp', { body: { phone: p } });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('rate_limited');
    clock.advance(60 * 60 * 1000);
    expect((await t.request('POST', '/v1/auth/otp', { body: { phone: p } })).status).toBe(200);
  });

  it('refuses a missing, malformed or forged token with 401', async () => {
    expect((await t.request('GET', '/v1/me')).status).toBe(401);
    const malformed = await t.request('GET', '/v1/me', { headers: { authorization: 'Token abc' } });
    expect(malformed.status).toBe(401);
    expect(malformed.body.error.code).toBe('invalid_token');
    const { token } = await t.signIn(phone);
    const [h, p] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, phone: '+8613800009999' })).toString(
      'base64url',
    );
    const forged = await t.request('GET', '/v1/me', {
      token: `${h}.${forgedPayload}.${token.split('.')[2]}`,
    });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('invalid_token');
  });
});

describe('rate limit per client address', () => {
  it('limits code checks per address (AUTH_VERIFY_PER_IP_HOUR) with 429 rate_limited', async () => {
    const t2 = await createTestApp({ env: { AUTH_VERIFY_PER_IP_HOUR: '3', TRUST_PROXY: 'true' } });
    try {
      const from = { 'x-forwarded-for': '203.0.113.7' };
      for (let i = 0; i < 3; i++) {
        const res = await t2.request('POST', '/v1/auth/verify', {
          body: { phone: `+861380000030${i}`, code: '123456' },
          headers: from,
        });
        expect(res.status).toBe(401);
      }
      const limited = await t2.request('POST', '/v1/auth/verify', {
        body: { phone: '+8613800000309', code: '123456' },
        headers: from,
      });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      const elsewhere = await t2.request('POST', '/v1/auth/verify', {
        body: { phone: '+8613800000309', code: '123456' },
        headers: { 'x-forwarded-for': '203.0.113.8' },
      });
      expect(elsewhere.status).toBe(401);
    } finally {
      await t2.close();
    }
  });

  it('counts every phone from one address', async () => {
    const t2 = await createTestApp({ env: { AUTH_OTP_PER_IP_HOUR: '3', TRUST_PROXY: 'true' } });
    try {
      const from = { 'x-forwarded-for': '203.0.113.9' };
      for (let i = 0; i < 3; i++) {
        expect(
          (await t2.request('POST', '/v1/auth/otp', { body: { phone: `+861380000020${i}` }, headers: from }))
            .status,
        ).toBe(200);
      }
      const res = await t2.request('POST', '/v1/auth/otp', {
        body: { phone: '+8613800000209' },
        headers: from,
      });
      expect(res.status).toBe(429);
      const elsewhere = await t2.request('POST', '/v1/auth/otp', {
        body: { phone: '+8613800000209' },
        headers: { 'x-forwarded-for': '203.0.113.10' },
      });
      expect(elsewhere.status).toBe(200);
    } finally {
      await t2.close();
    }
  });
});

describe('Supabase-issued tokens', () => {
  let server: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;
  const issuer = 'https://demo-project.supabase.co/auth/v1';

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey as CryptoKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sign = (claims: Record<string, unknown>, key = privateKey, audience = 'authenticated') =>
    new SignJWT({ phone: '8613800000555', role: 'authenticated', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setSubject('0b7c6f3e-5f1e-4d3a-9a55-8a3c2f1b9e01')
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);

  it('accepts an ES256 token from the JWKS and maps its phone claim to one account', async () => {
    const s = await createTestApp({
      env: {
        AUTH_PROVIDER: 'supabase',
        SUPABASE_URL: 'https://demo-project.supabase.co',
        SUPABASE_JWKS_URL: jwksUrl,
      },
    });
    try {
      const token = await sign({});
      const me = await s.request('GET', '/v1/me', { token });
      expect(me.status).toBe(200);
      expect(me.body.user.phone).toBe('+8613800000555');
      const again = await s.request('GET', '/v1/me', { token: await sign({}) });
      expect(again.body.user.id).toBe(me.body.user.id);

      const wrongAud = await s.request('GET', '/v1/me', { token: await sign({}, privateKey, 'anon') });
      expect(wrongAud.status).toBe(401);
      expect(wrongAud.body.error.code).toBe('invalid_token');

      const otherKey = (await generateKeyPair('ES256')).privateKey as CryptoKey;
      const foreign = await s.request('GET', '/v1/me', { token: await sign({}, otherKey) });
      expect(foreign.status).toBe(401);

      const expired = await new SignJWT({ phone: '8613800000555' })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
        .setIssuer(issuer)
        .setAudience('authenticated')
        .setExpirationTime(Math.floor(Date.now() / 1000) - 600)
        .sign(privateKey);
      expect((await s.request('GET', '/v1/me', { token: expired })).status).toBe(401);
      const wrongIss = await new SignJWT({ phone: '8613800000555' })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
        .setIssuer('https://evil.example/auth/v1')
        .setAudience('authenticated')
        .setExpirationTime('1h')
        .sign(privateKey);
      expect((await s.request('GET', '/v1/me', { token: wrongIss })).status).toBe(401);
    } finally {
      await s.close();
    }
  });
});

describe('sign-in through Supabase Auth (stand-in GoTrue, real supabase-js and JWT checks)', () => {
  let gotrue: Awaited<ReturnType<typeof startSupabaseStandIn>>;
  let s: TestApp;
  beforeAll(async () => {
    gotrue = await startSupabaseStandIn();
    s = await createTestApp({
      env: { AUTH_PROVIDER: 'supabase', SUPABASE_URL: gotrue.url, SUPABASE_ANON_KEY: 'stand-in-anon-key' },
    });
  });
  afterAll(async () => {
    await s.close();
    await gotrue.close();
  });

  it('sends a code, exchanges it for a Supabase token, and the token signs in', async () => {
    const p = '+8613800000600';
    const otp = await s.request('POST', '/v1/auth/otp', { body: { phone: p } });
    expect(otp.status).toBe(200);
    expect(otp.body).toEqual({ sent: true });
    const code = gotrue.lastCode(p)!;
    const wrong = code === '111111' ? '222222' : '111111';
    const refused = await s.request('POST', '/v1/auth/verify', { body: { phone: p, code: wrong } });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_code');

    const verified = await s.request('POST', '/v1/auth/verify', { body: { phone: p, code } });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toEqual({ id: expect.stringMatching(/^usr_/), phone: p, roles: ['consumer'] });
    const me = await s.request('GET', '/v1/me', { token: verified.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(verified.body.user.id);
  });

  it.each([500, 503])('answers 502 auth_provider_error when Supabase fails with %i', async (status) => {
    gotrue.failWith(status);
    try {
      const otp = await s.request('POST', '/v1/auth/otp', { body: { phone: '+8613800000601' } });
      expect(otp.status).toBe(502);
      expect(otp.body.error.code).toBe('auth_provider_error');
      const verify = await s.request('POST', '/v1/auth/verify', {
        body: { phone: '+8613800000601', code: '123456' },
      });
      expect(verify.status).toBe(502);
      expect(verify.body.error.code).toBe('auth_provider_error');
    } finally {
      gotrue.failWith(0);
    }
  });

  it('answers 502, not 401, when the keys that check a token cannot be fetched', async () => {
    const p = '+8613800000603';
    await s.request('POST', '/v1/auth/otp', { body: { phone: p } });
    const { token } = (
      await s.request('POST', '/v1/auth/verify', { body: { phone: p, code: gotrue.lastCode(p) } })
    ).body;
    const gone = await startSupabaseStandIn();
    await gone.close();
    const u = await createTestApp({
      env: {
        AUTH_PROVIDER: 'supabase',
        SUPABASE_URL: gotrue.url,
        SUPABASE_JWKS_URL: `${gone.url}/auth/v1/.well-known/jwks.json`,
      },
    });
    try {
      const me = await u.request('GET', '/v1/me', { token });
      expect(me.status).toBe(502);
      expect(me.body.error.code).toBe('auth_provider_error');
    } finally {
      await u.close();
    }
  });

  it('answers 502 when Supabase cannot be reached at all', async () => {
    const gone = await startSupabaseStandIn();
    await gone.close();
    const u = await createTestApp({
      env: { AUTH_PROVIDER: 'supabase', SUPABASE_URL: gone.url, SUPABASE_ANON_KEY: 'stand-in-anon-key' },
    });
    // supabase-js prints the network error itself (auth-js lib/fetch.js); what counts is the answer.
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const otp = await u.request('POST', '/v1/auth/otp', { body: { phone: '+8613800000602' } });
      expect(otp.status).toBe(502);
      expect(otp.body.error.code).toBe('auth_provider_error');
    } finally {
      printed.mockRestore();
      await u.close();
    }
  });
});

describe('personal data (SPEC section 7, PIPL)', () => {
  it('asks for consent on first sign-in and records which notice was accepted, and when', async () => {
    const { token } = await t.signIn('+8613800000701');
    const me = await t.request('GET', '/v1/me', { token });
    expect(me.body.consent).toEqual({
      required: true,
      version: privacyNoticeVersion,
      acceptedVersion: null,
      acceptedAt: null,
    });
    const old = await t.request('POST', '/v1/me/consent', { token, body: { version: '2020-01-01' } });
    expect(old.status).toBe(422);
    expect(old.body.error.code).toBe('unknown_privacy_notice');
    const accepted = await t.request('POST', '/v1/me/consent', {
      token,
      body: { version: privacyNoticeVersion },
    });
    expect(accepted.status).toBe(200);
    const expected = {
      required: false,
      version: privacyNoticeVersion,
      acceptedVersion: privacyNoticeVersion,
      acceptedAt: clock.now().toISOString(),
    };
    expect(accepted.body).toEqual(expected);
    clock.advance(1000);
    await t.request('POST', '/v1/me/consent', { token, body: { version: privacyNoticeVersion } });
    expect((await t.request('GET', '/v1/me', { token })).body.consent).toEqual(expected);
    expect(
      (await t.request('POST', '/v1/me/consent', { body: { version: privacyNoticeVersion } })).status,
    ).toBe(401);
  });

  it("exports the person's data as JSON, their own only", async () => {
    const p = '+8613800000702';
    const { token, user } = await t.signIn(p);
    const op = await t.signIn(operatorPhone);
    await t.request('POST', '/v1/platform/adjustments', {
      token: op.token,
      body: { ownerType: 'consumer', ownerId: user.id, unit: 'vouchers', amount: 250, reason: 'welcome' },
    });
    const exported = await t.request('GET', '/v1/me/export', { token });
    expect(exported.status).toBe(200);
    expect(exported.body.user).toMatchObject({
      id: user.id,
      phone: p,
      memberCode: expect.stringMatching(/^\d{10}$/),
    });
    expect(exported.body.wallet).toEqual({ vouchers: 250, ecoPoints: 0 });
    expect(exported.body.ledger.vouchers).toHaveLength(1);
    expect(exported.body.ledger.vouchers[0]).toMatchObject({ amount: 250 });
    expect(exported.body).toMatchObject({ sales: [], orders: [], adViews: [] });
    expect((await t.request('GET', '/v1/me/export')).status).toBe(401);
  });

  it('deletes an account: personal data erased, ledger history kept under the anonymised id', async () => {
    const p = '+8613800000703';
    const { token, user } = await t.signIn(p);
    const op = await t.signIn(operatorPhone);
    await t.request('POST', '/v1/platform/adjustments', {
      token: op.token,
      body: { ownerType: 'consumer', ownerId: user.id, unit: 'vouchers', amount: 300, reason: 'welcome' },
    });
    const rotating = await t.request('POST', '/v1/me/member-code', { token });
    expect(rotating.status).toBe(201);
    const unconfirmed = await t.request('DELETE', '/v1/me', { token, body: {} });
    expect(unconfirmed.status).toBe(400);

    const deleted = await t.request('DELETE', '/v1/me', { token, body: { confirm: true } });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: user.id, deleted: true });
    expect((await t.request('GET', '/v1/me', { token })).status).toBe(401);
    const [row] = await t.db.select().from(schema.users).where(eq(schema.users.id, user.id));
    expect(row).toMatchObject({ phone: `deleted:${user.id}`, memberCode: `deleted:${user.id}` });
    expect(row!.deletedAt).not.toBeNull();
    // The rotating code is gone with the account: it names nobody at the till any more.
    expect(
      await t.db.select().from(schema.memberCodes).where(eq(schema.memberCodes.userId, user.id)),
    ).toEqual([]);
    const history = await accountHistory(t.db, accounts.consumerVouchers(user.id), { limit: 10 });
    expect(history.map((e) => e.amount)).toEqual([300]);
    expect((await verifyLedger(t.db)).ok).toBe(true);
    // The phone number is free again: signing in makes a new, unrelated account.
    const again = await t.signIn(p);
    expect(again.user.id).not.toBe(user.id);
  });

  it('refuses deletion with 409 while the person owns an active merchant or has points held', async () => {
    const owner = await t.signIn('+8613800000704');
    const op = await t.signIn(operatorPhone);
    const merchant = await t.request('POST', '/v1/merchants', {
      token: owner.token,
      body: { name: 'Tea Corner' },
    });
    await t.request('POST', `/v1/platform/merchants/${merchant.body.id}/approve`, { token: op.token });
    const refused = await t.request('DELETE', '/v1/me', { token: owner.token, body: { confirm: true } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('owns_active_business');

    const holder = await t.signIn('+8613800000705');
    const eco = accounts.consumerEcoPoints(holder.user.id);
    await postTransaction(t.db, {
      key: `privacy-eco-${holder.user.id}`,
      kind: 'x',
      transfers: [{ debit: accounts.platformEcoPointsIssued(), credit: eco, amount: 2000 }],
    });
    const enable = await t.request('POST', '/v1/platform/parameters', {
      token: op.token,
      body: { name: 'withdrawalsEnabled', value: 1 },
    });
    expect(enable.status).toBe(201);
    const withdrawal = await t.request('POST', '/v1/withdrawals', {
      token: holder.token,
      body: { ecoPoints: 1000 },
    });
    expect(withdrawal.status).toBe(201);
    const held = await t.request('DELETE', '/v1/me', { token: holder.token, body: { confirm: true } });
    expect(held.status).toBe(409);
    expect(held.body.error.code).toBe('pending_withdrawal');
    expect((await t.request('GET', '/v1/me', { token: holder.token })).status).toBe(200);
  });
});

describe('per-process caches of sessions and parameters (api/caches.ts, ADR 0003)', () => {
  /** A second API process on the same database: the same wiring, caches of its own. */
  const otherProcess = () => {
    const { supplyChain: _hooks, caches: _caches, ...parts } = t.deps;
    const app = createApp(composeDeps(parts));
    return async (path: string, token: string) => {
      const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as any };
    };
  };

  /** The caches' clock (performance.now) jumps ahead; the test clock is for business time only. */
  const laterBy = (ms: number) => {
    const at = performance.now() + ms;
    vi.spyOn(performance, 'now').mockReturnValue(at);
  };

  it("a deleted account's token: refused at once where deleted, elsewhere once the TTL has passed", async () => {
    const { token } = await t.signIn('+8613800000801');
    const other = otherProcess();
    expect((await other('/v1/me', token)).status).toBe(200);
    const deleted = await t.request('DELETE', '/v1/me', { token, body: { confirm: true } });
    expect(deleted.status).toBe(200);
    expect((await t.request('GET', '/v1/me', { token })).status).toBe(401);
    // Within the TTL the other process still knows the token (accepted, ADR 0003)…
    expect((await other('/v1/me', token)).status).toBe(200);
    // …and once it has passed, it asks the database again.
    laterBy(cacheTtlMs);
    try {
      const refused = await other('/v1/me', token);
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('invalid_token');
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('a changed parameter applies at once on the process that changed it, elsewhere within the TTL', async () => {
    const op = await t.signIn(operatorPhone);
    const consumer = await t.signIn('+8613800000802');
    const other = otherProcess();
    const before = await t.request('GET', '/v1/wallet', { token: consumer.token });
    expect((await other('/v1/wallet', consumer.token)).body.today.required).toBe(before.body.today.required);
    const changed = await t.request('POST', '/v1/platform/parameters', {
      token: op.token,
      body: { name: 'videosPerConversion', value: 9 },
    });
    expect(changed.status).toBe(201);
    expect((await t.request('GET', '/v1/wallet', { token: consumer.token })).body.today.required).toBe(9);
    laterBy(cacheTtlMs);
    try {
      expect((await other('/v1/wallet', consumer.token)).body.today.required).toBe(9);
    } finally {
      vi.restoreAllMocks();
    }
    await t.request('POST', '/v1/platform/parameters', {
      token: op.token,
      body: { name: 'videosPerConversion', value: 6 },
    });
  });

  it('of changes recorded at the same instant, the last recorded is in force', async () => {
    const op = await t.signIn(operatorPhone);
    const consumer = await t.signIn('+8613800000803');
    // The test clock stands still between these requests.
    for (const value of [7, 8, 6]) {
      const changed = await t.request('POST', '/v1/platform/parameters', {
        token: op.token,
        body: { name: 'videosPerConversion', value },
      });
      expect(changed.status).toBe(201);
      expect((await t.request('GET', '/v1/wallet', { token: consumer.token })).body.today.required).toBe(
        value,
      );
    }
  });

  it('a load that began before an eviction is not kept', async () => {
    const cache = new TtlCache<string, number>(cacheTtlMs, 10);
    let release!: () => void;
    const slow = cache.get('k', () => new Promise<number>((resolve) => (release = () => resolve(1))));
    cache.evict();
    release();
    expect(await slow).toBe(1);
    expect(await cache.get('k', async () => 2)).toBe(2);
    expect(await cache.get('k', async () => 3)).toBe(2);
  });
});

describe('system endpoints', () => {
  it('reports health with the database kind', async () => {
    const res = await t.request('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.database).toBe(t.dbKind);
  });

  it('answers 503 when the database does not answer', async () => {
    const db = t.deps.db;
    t.deps.db = { execute: () => Promise.reject(new Error('connection refused')) } as never;
    try {
      const res = await t.request('GET', '/health');
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('database_unavailable');
    } finally {
      t.deps.db = db;
    }
  });

  it('publishes OpenAPI 3.1 and a reference page', async () => {
    const spec = await t.request('GET', '/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe('3.1.0');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/v1/auth/otp', '/v1/auth/verify', '/v1/me']),
    );
    const docs = await t.request('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(String(docs.body)).toContain('/openapi.json');
  });

  it('answers unknown paths with the error shape (401 first for anonymous callers)', async () => {
    expect((await t.request('GET', '/v1/nope')).status).toBe(401);
    const { token } = await t.signIn(phone);
    const res = await t.request('GET', '/v1/nope', { token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
