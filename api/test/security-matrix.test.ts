import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../ids';
import { postTransaction } from '../ledger';
import { accounts } from '../services/accounts';
import { createTestApp, operatorPhone, type TestApp } from './harness';
import { activeMerchant, signInConsumer } from './sales-fixtures';

/**
 * Every operation in /openapi.json, called by every kind of caller with ids that are not theirs
 * and with malformed bodies: nobody anonymous gets past 401 (bar the public endpoints below),
 * nobody but an operator reaches /v1/platform/*, and no input yields a 500.
 */
let t: TestApp;
let operations: Array<{ method: string; path: string }>;
let consumer: string;
let operator: string;

/** Reachable without a token: sign-in, provider callbacks (signed), and the public shop pages. */
const publicOperations = new Set([
  'POST /v1/auth/otp',
  'POST /v1/auth/verify',
  'POST /v1/webhooks/stripe',
  'GET /v1/callbacks/admob',
  'GET /v1/merchants',
  'GET /v1/merchants/{id}/listings',
]);

beforeAll(async () => {
  t = await createTestApp({ env: { AUTH_OTP_PER_IP_HOUR: '100000' } });
  const spec = await t.request('GET', '/openapi.json');
  operations = Object.entries(spec.body.paths as Record<string, Record<string, unknown>>).flatMap(
    ([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
  );
  consumer = (await t.signIn('+8613800000500')).token;
  operator = (await t.signIn(operatorPhone)).token;
});
afterAll(() => t.close());

const concrete = (path: string) =>
  path.replace(/\{[^}]+\}/g, (name) => `${name.slice(1, 4)}_doesnotexist000000000`);

const bodies: unknown[] = [undefined, {}, { amount: '100' }, { amount: -1, name: 7 }, [1, 2], 'null'];

describe('every endpoint against every role', () => {
  it('lists the API in OpenAPI', () => {
    expect(operations.length).toBeGreaterThan(60);
  });

  it('refuses anonymous callers with 401 except on public endpoints', async () => {
    const leaks: string[] = [];
    for (const op of operations.filter((o) => o.path.startsWith('/v1/'))) {
      const key = `${op.method} ${op.path}`;
      const res = await t.request(op.method, concrete(op.path), {
        body: op.method === 'GET' ? undefined : {},
      });
      if (res.status >= 500) leaks.push(`${key} → ${res.status}`);
      if (!publicOperations.has(key) && res.status !== 401)
        leaks.push(`${key} → ${res.status} without a token`);
    }
    expect(leaks).toEqual([]);
  });

  it('refuses consumers on /v1/platform/* with 403', async () => {
    const leaks: string[] = [];
    for (const op of operations.filter((o) => o.path.startsWith('/v1/platform/'))) {
      const res = await t.request(op.method, concrete(op.path), {
        token: consumer,
        body: op.method === 'GET' ? undefined : {},
      });
      if (res.status !== 403) leaks.push(`${op.method} ${op.path} → ${res.status}`);
    }
    expect(leaks).toEqual([]);
  });

  it('answers objects that do not exist (or are not yours) with 4xx, never 2xx or 5xx', async () => {
    const leaks: string[] = [];
    for (const op of operations.filter((o) => o.path.includes('{'))) {
      for (const token of [consumer, operator]) {
        const res = await t.request(op.method, concrete(op.path), {
          token,
          body: op.method === 'GET' ? undefined : {},
        });
        if (res.status < 400 || res.status >= 500) leaks.push(`${op.method} ${op.path} → ${res.status}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('never answers malformed input with a 500, and always with the error shape', async () => {
    const leaks: string[] = [];
    for (const op of operations.filter((o) => o.method !== 'GET')) {
      for (const body of bodies) {
        for (const token of [undefined, consumer, operator]) {
          const res = await t.request(op.method, concrete(op.path), {
            token,
            rawBody: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
          });
          if (res.status >= 500)
            leaks.push(`${op.method} ${op.path} ${JSON.stringify(body)} → ${res.status}`);
          else if (res.status >= 400 && typeof res.body?.error?.code !== 'string')
            leaks.push(`${op.method} ${op.path} → ${res.status} without an error code`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });
});

describe('eco-point endpoints against every role (SPEC flow 4)', () => {
  it('answers each role as its rights say: 401, 403 owner_only / platform, 404 for what is not theirs', async () => {
    const merchant = await activeMerchant(t);
    const other = await activeMerchant(t);
    const staff = await signInConsumer(t);
    const staffPhone = (await t.request('GET', '/v1/me', { token: staff.token })).body.user.phone;
    await t.request('POST', `/v1/merchants/${merchant.id}/staff`, {
      token: merchant.owner.token,
      body: { phone: staffPhone },
    });
    const holder = await signInConsumer(t);
    const stranger = await signInConsumer(t);
    for (const [credit, amount] of [
      [accounts.merchantEcoPoints(merchant.id), 100],
      [accounts.consumerEcoPoints(holder.id), 2000],
    ] as const) {
      await postTransaction(t.db, {
        key: `test:eco:${newId('tst')}`,
        kind: 'test_grant',
        transfers: [{ debit: accounts.platformEcoPointsIssued(), credit, amount }],
      });
    }
    const enable = await t.request('POST', '/v1/platform/parameters', {
      token: operator,
      body: { name: 'withdrawalsEnabled', value: 1 },
    });
    expect(enable.status).toBe(201);
    const withdrawal = await t.request('POST', '/v1/withdrawals', {
      token: holder.token,
      body: { ecoPoints: 1000 },
    });
    expect(withdrawal.status).toBe(201);
    const w = withdrawal.body.id as string;

    const roles = {
      anonymous: undefined,
      consumer: stranger.token,
      holder: holder.token,
      staff: staff.token,
      owner: merchant.owner.token,
      otherOwner: other.owner.token,
      operator,
    };
    type Role = keyof typeof roles;
    const table: Array<
      [method: string, path: string, body: unknown, expected: Partial<Record<Role, number>>]
    > = [
      [
        'GET',
        `/v1/eco-points/quote?merchantId=${merchant.id}&amount=1000&ecoPoints=100`,
        undefined,
        { consumer: 200, holder: 200, staff: 200, owner: 200, otherOwner: 200, operator: 200 },
      ],
      [
        'GET',
        '/v1/eco-points/terms?ecoPoints=100',
        undefined,
        { consumer: 200, holder: 200, staff: 200, owner: 200, otherOwner: 200, operator: 200 },
      ],
      [
        'GET',
        `/v1/merchants/${merchant.id}/eco-points/history`,
        undefined,
        { consumer: 404, holder: 404, staff: 200, owner: 200, otherOwner: 404, operator: 200 },
      ],
      [
        'POST',
        `/v1/withdrawals`,
        { ecoPoints: 1000, merchantId: merchant.id },
        { consumer: 404, holder: 404, staff: 404, otherOwner: 404, operator: 404, owner: 422 },
      ],
      [
        'GET',
        `/v1/withdrawals?merchantId=${merchant.id}`,
        undefined,
        { consumer: 404, holder: 404, staff: 404, owner: 200, otherOwner: 404, operator: 404 },
      ],
      [
        'GET',
        `/v1/withdrawals/${w}`,
        undefined,
        { consumer: 404, holder: 200, staff: 404, owner: 404, otherOwner: 404, operator: 404 },
      ],
      [
        'GET',
        '/v1/platform/withdrawals?status=pending',
        undefined,
        { consumer: 403, holder: 403, staff: 403, owner: 403, otherOwner: 403, operator: 200 },
      ],
      [
        'POST',
        `/v1/platform/withdrawals/${w}/approve`,
        { payoutReference: 'BANK-1' },
        { consumer: 403, holder: 403, staff: 403, owner: 403, otherOwner: 403 },
      ],
      [
        'POST',
        `/v1/platform/withdrawals/${w}/reject`,
        { reason: 'test' },
        { consumer: 403, holder: 403, staff: 403, owner: 403, otherOwner: 403, operator: 200 },
      ],
      [
        'POST',
        `/v1/merchants/${merchant.id}/eco-topups`,
        { ecoPoints: 100 },
        { consumer: 404, holder: 404, staff: 403, otherOwner: 404, operator: 404, owner: 201 },
      ],
    ];
    const wrong: string[] = [];
    for (const [method, path, body, expected] of table) {
      for (const [role, token] of Object.entries(roles) as Array<[Role, string | undefined]>) {
        const want = role === 'anonymous' ? 401 : expected[role];
        if (want === undefined) continue;
        const res = await t.request(method, path, { token, body });
        if (res.status !== want) wrong.push(`${role} ${method} ${path} → ${res.status}, expected ${want}`);
      }
    }
    expect(wrong).toEqual([]);
    // The rejected withdrawal gave the points back; the merchant's went to ad points.
    const holderWallet = await t.request('GET', '/v1/wallet', { token: holder.token });
    expect(holderWallet.body).toMatchObject({ ecoPoints: 2000, ecoPointsHeld: 0 });
    expect(
      (await t.request('GET', `/v1/merchants/${merchant.id}`, { token: merchant.owner.token })).body,
    ).toMatchObject({ ecoPoints: 0, adPoints: 100 });
  });
});
