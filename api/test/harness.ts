import type { OpenDb } from '@alliance/db';
import WebSocket from 'ws';
import { createApp } from '../app';
import { composeDeps } from '../compose';
import { loadConfig } from '../config';
import type { Deps } from '../context';
import { startFakeStripe } from '../fake-stripe/server';
import { createLogger } from '../log';
import { createAuthProvider, type RealtimeTransport } from '../services/auth-provider';
import { createStripeClient } from '../services/stripe';
import { openTestDb } from './test-db';

export const operatorPhone = '+8613900000000';

export interface TestClock {
  now: () => Date;
  set(at: Date | string): void;
  advance(ms: number): void;
}

export function testClock(start: Date | string = '2026-11-30T02:00:00Z'): TestClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is instead of JSON.stringify(body). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** The whole API on this file's own database, called in-process through app.request(). */
export async function createTestApp(options: { clock?: TestClock; env?: Record<string, string> } = {}) {
  const opened: OpenDb = await openTestDb();
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    OPERATOR_PHONES: operatorPhone,
    SESSION_SECRET: 'test-session-secret-test-session-secret',
    DATA_DIR: 'memory',
    ...options.env,
  });
  const clock = options.clock ?? { now: () => new Date() };
  const auth = await createAuthProvider(config, opened.db, {
    realtimeTransport: WebSocket as unknown as RealtimeTransport,
  });
  // The fake Stripe delivers its signed webhooks into this app, in process.
  const fakeStripe = await startFakeStripe({
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    now: clock.now,
    deliver: async (rawBody, signature) =>
      (
        await app.request('/v1/webhooks/stripe', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': signature },
          body: rawBody,
        })
      ).status,
  });
  const stripe = createStripeClient('sk_test_harness', {
    host: fakeStripe.host,
    port: fakeStripe.port,
    protocol: 'http',
  });
  const deps: Deps = composeDeps({
    db: opened.db,
    dbKind: opened.kind,
    config,
    log: createLogger(process.env.TEST_LOG ? 'debug' : 'silent'),
    now: clock.now,
    auth,
    stripe,
  });
  const app = createApp(deps);

  async function request<T = any>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await app.request(path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (docs page)
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** Signs a phone in through the dev provider; returns its token and user. */
  async function signIn(phone: string) {
    const otp = await request('POST', '/v1/auth/otp', { body: { phone } });
    if (otp.status !== 200) throw new Error(`otp failed: ${otp.status} ${JSON.stringify(otp.body)}`);
    const verified = await request('POST', '/v1/auth/verify', { body: { phone, code: otp.body.devCode } });
    if (verified.status !== 200)
      throw new Error(`verify failed: ${verified.status} ${JSON.stringify(verified.body)}`);
    return verified.body as { token: string; user: { id: string; phone: string; roles: string[] } };
  }

  return {
    app,
    deps,
    db: opened.db,
    dbKind: opened.kind,
    request,
    signIn,
    fakeStripe,
    close: async () => {
      await fakeStripe.close();
      await opened.close();
    },
  };
}

/**
 * The owner onboards through the fake Stripe's hosted form, as in the browser: the account is then
 * enabled and Stripe's account.updated has reached the app. Returns the connected account's id.
 */
export async function onboardPayoutAccount(
  t: TestApp,
  kind: 'merchants' | 'suppliers',
  organisationId: string,
  ownerToken: string,
): Promise<string> {
  const started = await t.request('POST', `/v1/${kind}/${organisationId}/payout-account/onboarding`, {
    token: ownerToken,
  });
  if (started.status !== 200)
    throw new Error(`onboarding: ${started.status} ${JSON.stringify(started.body)}`);
  const form = await fetch(started.body.url);
  if (form.status !== 200) throw new Error(`onboarding form: ${form.status}`);
  const completed = await fetch(`${started.body.url}/complete`, { method: 'POST', redirect: 'manual' });
  if (completed.status !== 303) throw new Error(`onboarding complete: ${completed.status}`);
  return started.body.account.stripeAccountId;
}
