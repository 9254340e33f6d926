import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, operatorPhone, type TestApp } from './harness';

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
  t = await createTestApp();
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
