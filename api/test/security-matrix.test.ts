import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { schema } from '@alliance/db';
import { serve } from '@hono/node-server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, operatorPhone, type TestApp } from './harness';
import { activeMerchant, grantEcoPoints, grantMerchantEcoPoints, signInConsumer } from './sales-fixtures';

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
  'GET /v1/merchants/{id}/voucher-quote',
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
    await grantMerchantEcoPoints(t, merchant.id, 100);
    await grantEcoPoints(t, holder.id, 2000);
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

describe('input that no endpoint takes', () => {
  const nul = 'a\u0000b';
  const lone = 'a\ud800b';

  it('answers U+0000 or an unpaired surrogate in a body, path or query with 400 validation_error', async () => {
    const probes = [
      t.request('POST', '/v1/merchants', { token: consumer, body: { name: nul } }),
      t.request('POST', '/v1/merchants', { token: consumer, body: { name: lone } }),
      t.request('POST', '/v1/merchants', { token: consumer, body: { [nul]: 'x', name: 'ok' } }),
      t.request('POST', '/v1/suppliers', { token: consumer, body: { name: 'lone \udc00 low' } }),
      t.request('GET', '/v1/merchants/mer_%00x', { token: consumer }),
      t.request('GET', '/v1/merchants/mer_%ED%A0%80x', { token: consumer }),
      t.request('GET', '/v1/orders?cursor=%00', { token: consumer }),
      t.request('POST', '/v1/auth/otp', { body: { phone: '+8613800000001', extra: nul } }),
    ];
    for (const res of await Promise.all(probes)) {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
    const paired = await t.request('POST', '/v1/merchants', {
      token: consumer,
      body: { name: 'Caf\u00e9 \ud83c\udf75' },
    });
    expect(paired.status).toBe(201);
  });

  it('answers a body over 64 KiB with 413 payload_too_large', async () => {
    const res = await t.request('POST', '/v1/merchants', {
      token: consumer,
      body: { name: 'x'.repeat(70 * 1024) },
      headers: { 'idempotency-key': 'too-large' },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('checks bodies the same over HTTP, by their declared length or streamed in chunks', async () => {
    // In process a Request has no Content-Length; over HTTP the size is read from that header.
    const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const post = (body: string, chunked: boolean) =>
      new Promise<{ status: number; code?: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/merchants',
            headers: {
              authorization: `Bearer ${consumer}`,
              'content-type': 'application/json',
              ...(chunked ? {} : { 'content-length': Buffer.byteLength(body) }),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({ status: res.statusCode ?? 0, code: JSON.parse(text).error?.code });
            });
          },
        );
        req.on('error', reject);
        if (chunked) {
          // Two writes: Node sends the body with Transfer-Encoding: chunked.
          req.write(body.slice(0, 10));
          req.end(body.slice(10));
        } else req.end(body);
      });
    try {
      const large = JSON.stringify({ name: 'x'.repeat(70 * 1024) });
      for (const chunked of [false, true]) {
        expect(await post(large, chunked)).toEqual({ status: 413, code: 'payload_too_large' });
        expect(await post(JSON.stringify({ name: 'a\u0000b' }), chunked)).toEqual({
          status: 400,
          code: 'validation_error',
        });
        expect(await post(JSON.stringify({ name: `Over HTTP ${chunked}` }), chunked)).toEqual({
          status: 201,
          code: undefined,
        });
      }
    } finally {
      server.close();
    }
  });

  it('checks a body whose Content-Length is not a number as one of undeclared size', async () => {
    // Node's HTTP parser refuses such a header; a runtime that passed it on must not skip the checks.
    for (const length of ['abc', '-1', '1e3', '']) {
      const res = await t.request('POST', '/v1/merchants', {
        token: consumer,
        body: { name: 'a\u0000b' },
        headers: { 'content-length': length },
      });
      expect([length, res.status, res.body.error.code]).toEqual([length, 400, 'validation_error']);
    }
  });

  it('answers crafted paging cursors with 4xx, never 5xx', async () => {
    const crafted = [
      '+275760-09-13T00:00:00.000Z|sal_x',
      '0000-01-01T00:00:00.000Z|sal_x',
      '2026-11-30T02:00:00.000Z|sal_\u0000',
      '2026-11-30T02:00:00.000Z|\u00ff',
    ].map((text) => Buffer.from(text, 'latin1').toString('base64'));
    const paged = operations.filter(
      (o) => o.method === 'GET' && !o.path.includes('{') && o.path.startsWith('/v1/'),
    );
    for (const op of paged) {
      for (const cursor of crafted) {
        const res = await t.request('GET', `${op.path}?cursor=${encodeURIComponent(cursor)}`, {
          token: operator,
        });
        expect([op.path, res.status < 500]).toEqual([op.path, true]);
      }
    }
  });

  it('answers deeply nested JSON with an Idempotency-Key with 400, not 500', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    for (const rawBody of [deep, `{"name":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`]) {
      const res = await t.request('POST', '/v1/merchants', {
        token: consumer,
        rawBody,
        headers: { 'idempotency-key': `deep-${rawBody.length}` },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
  });

  it('keeps no sign-in response: the same Idempotency-Key does not replay a token', async () => {
    const phone = '+8613800000510';
    const otp = await t.request('POST', '/v1/auth/otp', { body: { phone } });
    const headers = { 'idempotency-key': 'sign-in-once' };
    const first = await t.request('POST', '/v1/auth/verify', {
      body: { phone, code: otp.body.devCode },
      headers,
    });
    expect(first.status).toBe(200);
    const replay = await t.request('POST', '/v1/auth/verify', {
      body: { phone, code: otp.body.devCode },
      headers,
    });
    expect(replay.status).toBe(401);
    const { schema } = await import('@alliance/db');
    const kept = await t.db.select().from(schema.idempotencyKeys);
    expect(kept.filter((row) => row.scope.includes('/v1/auth/'))).toEqual([]);
  });

  it('sends the security headers and a request id on every response, and a CSP that forbids framing on pages', async () => {
    for (const path of ['/health', '/v1/me', '/openapi.json', '/docs', '/v1/nope']) {
      const res = await t.request('GET', path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-z]{16}$/);
    }
    const docs = await t.request('GET', '/docs');
    expect(docs.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(docs.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });
});

/**
 * Property-based fuzzing generated from /openapi.json: every operation, as every role, with odd
 * path ids, query values and bodies built from its own request schema (wrong types, sizes, U+0000,
 * unpaired surrogates, deep nesting, huge numbers, crafted cursors, prototype names). No answer may
 * be a 5xx, and nothing of value may be written. Bounded: a few cases per operation and role.
 */
describe('fuzzing every operation from its OpenAPI description', () => {
  type JsonSchema = { $ref?: string; properties?: Record<string, JsonSchema>; type?: string | string[] };
  type Operation = {
    parameters?: Array<{ name: string; in: string }>;
    requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  };
  const casesPerOperationAndRole = 3;
  const cursor = (text: string) => Buffer.from(text, 'latin1').toString('base64');

  const oddString = fc.constantFrom(
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '',
    'x'.repeat(5000),
    'toString',
    '__proto__',
    'constructor',
    "'; drop table users; --",
    '../../etc/passwd',
    '9'.repeat(400),
    '2026-02-30',
    '+275760-09-13',
    '0000-01-01',
    '<script>alert(1)</script>',
  );
  const oddNumber = fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, 1e12 + 1, -1, 0.5, -(2 ** 31) - 1, 1e15);
  const deep = fc.constantFrom(
    JSON.parse(`${'['.repeat(40)}1${']'.repeat(40)}`),
    JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`),
  );
  const oddValue = fc.oneof(
    oddString,
    oddNumber,
    deep,
    fc.constantFrom(null, true, false, [], {}, [1, 'a'], { __proto__: null, toString: 1 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
  );
  const oddId = fc.constantFrom(
    'x%00y',
    '%ED%A0%80',
    'a'.repeat(300),
    'toString',
    '__proto__',
    '..',
    '%25',
    'mer_99999999999999999999',
    "usr_'or'1'='1",
  );
  const craftedCursor = fc.constantFrom(
    cursor('+275760-09-13T00:00:00.000Z|sal_x'),
    cursor('0000-01-01T00:00:00.000Z|sal_x'),
    cursor('2026-11-30T02:00:00.000Z|sal_\u0000'),
    cursor('2026-11-30T02:00:00.000Z|\u00ff\u00fe'),
    'not base64!',
    '99999999999999999999',
  );
  const oddQuery = fc.oneof(oddString, fc.constantFrom('-1', '1e309', 'NaN', '0', '99999999999999999999'));

  function resolve(spec: { components?: { schemas?: Record<string, JsonSchema> } }, s?: JsonSchema) {
    let current = s;
    for (let hops = 0; current?.$ref && hops < 5; hops++) {
      current = spec.components?.schemas?.[current.$ref.split('/').pop()!];
    }
    return current;
  }

  /** A body shaped by the operation's schema (its property names), every value odd; or an odd whole body. */
  function bodyFor(properties: string[]) {
    const shaped = fc.record(Object.fromEntries(properties.map((name) => [name, oddValue])), {
      requiredKeys: [],
    });
    return fc.oneof(
      { weight: 4, arbitrary: shaped.map((body) => JSON.stringify(body)) },
      fc.constantFrom('{"__proto__": {"admin": true}, "toString": 1}', '[]', 'null', '7', '{', '"x"'),
      deep.map((value) => JSON.stringify(value)),
    );
  }

  it('answers no odd input with a 5xx and writes nothing of value', async () => {
    const spec = (await t.request('GET', '/openapi.json')).body;
    const owner = await t.signIn('+8613800000520');
    const merchant = await t.request('POST', '/v1/merchants', {
      token: owner.token,
      body: { name: 'Fuzz Tea' },
    });
    await t.request('POST', `/v1/platform/merchants/${merchant.body.id}/approve`, { token: operator });
    const roles: Array<[string, string | undefined]> = [
      ['anonymous', undefined],
      ['consumer', consumer],
      ['merchant', owner.token],
      ['operator', operator],
    ];
    const valueRows = async () => ({
      transfers: (await t.db.select({ id: schema.ledgerTransfers.id }).from(schema.ledgerTransfers)).length,
      topups: (await t.db.select({ id: schema.topups.id }).from(schema.topups)).length,
      sales: (await t.db.select({ id: schema.sales.id }).from(schema.sales)).length,
      orders: (await t.db.select({ id: schema.orders.id }).from(schema.orders)).length,
      refunds: (await t.db.select({ id: schema.refunds.id }).from(schema.refunds)).length,
    });
    const before = await valueRows();
    const failures: string[] = [];
    let seed = 1;
    for (const [path, methods] of Object.entries(spec.paths as Record<string, Record<string, Operation>>)) {
      if (!path.startsWith('/v1/')) continue;
      for (const [method, operation] of Object.entries(methods)) {
        const query = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        const bodySchema = resolve(spec, operation.requestBody?.content?.['application/json']?.schema);
        const properties = Object.keys(bodySchema?.properties ?? {});
        const request = fc.record({
          id: fc.oneof(oddId, fc.constant(merchant.body.id as string)),
          query: fc.record(
            Object.fromEntries(query.map((name) => [name, name === 'cursor' ? craftedCursor : oddQuery])),
            { requiredKeys: [] },
          ),
          body: bodyFor(properties),
        });
        for (const [role, token] of roles) {
          for (const sample of fc.sample(request, { numRuns: casesPerOperationAndRole, seed: seed++ })) {
            const search = new URLSearchParams(sample.query as Record<string, string>).toString();
            const url = `${path.replace(/\{[^}]+\}/g, sample.id)}${search ? `?${search}` : ''}`;
            const res = await t.request(method.toUpperCase(), url, {
              token,
              rawBody: method === 'get' ? undefined : sample.body,
              headers: { 'idempotency-key': `fuzz-${seed}` },
            });
            if (res.status >= 500) {
              failures.push(
                `${role} ${method.toUpperCase()} ${url.slice(0, 120)} ${sample.body.slice(0, 120)} → ${res.status}`,
              );
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await valueRows()).toEqual(before);
  });
});

describe('reconciliation and statements, role by role', () => {
  it('reports are for operators only; a statement for its merchant staff and operators', async () => {
    const merchantOwner = await t.signIn('+8613800000501');
    const merchant = await t.request('POST', '/v1/merchants', {
      token: merchantOwner.token,
      body: { name: 'Matrix shop' },
    });
    const supplierOwner = await t.signIn('+8613800000502');
    await t.request('POST', '/v1/suppliers', { token: supplierOwner.token, body: { name: 'Matrix farm' } });
    // The business day in Asia/Shanghai (UTC+8, no daylight saving) on the real clock this file uses.
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const platform: Array<[string, string, number]> = [
      ['POST', '/v1/platform/reconciliation/runs', 201],
      ['GET', `/v1/platform/reconciliation/${today}`, 200],
      ['GET', `/v1/platform/reconciliation/${today}.csv`, 200],
      ['GET', '/v1/platform/reconciliation/trends?days=90', 200],
    ];
    for (const [method, path, operatorStatus] of platform) {
      for (const [who, token, expected] of [
        ['anonymous', undefined, 401],
        ['consumer', consumer, 403],
        ['merchant staff', merchantOwner.token, 403],
        ['supplier staff', supplierOwner.token, 403],
        ['operator', operator, operatorStatus],
      ] as const) {
        const res = await t.request(method, path, { token, body: method === 'POST' ? {} : undefined });
        expect(res.status, `${who} ${method} ${path}`).toBe(expected);
      }
    }
    const statement = `/v1/merchants/${merchant.body.id}/statement`;
    for (const [token, expected] of [
      [undefined, 401],
      [consumer, 404],
      [supplierOwner.token, 404],
      [merchantOwner.token, 200],
      [operator, 200],
    ] as const) {
      expect((await t.request('GET', statement, { token })).status).toBe(expected);
    }
  });
});
