/**
 * Many processes act as one: two Node API processes (api/node.ts) on one PostgreSQL database,
 * called round-robin. Codes, rate limits, idempotency records and view sessions live in the
 * database, so a request may land on either process.
 */
import { type OpenDb, openDb } from '@alliance/db/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../e2e/server';
import { postTransaction } from '../ledger';
import { accounts } from '../services/accounts';
import { operatorPhone } from './harness';
import { createPostgresDatabase, onPostgres } from './test-db';

describe.skipIf(!onPostgres)('two API processes on one database', () => {
  const otpPerPhoneHour = 3;
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let opened: OpenDb;
  let servers: TestServer[] = [];
  let turn = 0;
  let phoneSeq = 0;

  /** The next process in turn, like a round-robin load balancer. */
  const next = () => servers[turn++ % servers.length]!;

  async function call(server: TestServer, method: string, path: string, options: Options = {}) {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  async function signIn(phone = `+86136${String(++phoneSeq).padStart(8, '0')}`) {
    const otp = await call(next(), 'POST', '/v1/auth/otp', { body: { phone } });
    expect(otp.status).toBe(200);
    const verified = await call(next(), 'POST', '/v1/auth/verify', {
      body: { phone, code: otp.body.devCode },
    });
    expect(verified.status).toBe(200);
    return { token: verified.body.token as string, id: verified.body.user.id as string };
  }

  beforeAll(async () => {
    // Migrated once here, before the processes start (each would otherwise migrate on start).
    database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
    opened = await openDb({ databaseUrl: database.url, maxConnections: 2 });
    const env = {
      DATABASE_URL: database.url,
      AUTH_PROVIDER: 'dev',
      AUTH_OTP_PER_PHONE_HOUR: String(otpPerPhoneHour),
      AUTH_OTP_PER_IP_HOUR: '1000',
      OPERATOR_PHONES: operatorPhone,
      LOG_LEVEL: 'warn',
      // Unset: each process then uses the session secret kept in the database, the same for both.
      SESSION_SECRET: '',
    };
    servers = await Promise.all([startServer(env), startServer(env)]);
  }, 200_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await opened?.close();
    await database?.drop();
  });

  it('a code asked for on one process verifies on the other, and its token works on both', async () => {
    const phone = '+8613600000900';
    const [a, b] = servers as [TestServer, TestServer];
    const otp = await call(a, 'POST', '/v1/auth/otp', { body: { phone } });
    expect(otp.status).toBe(200);
    const verified = await call(b, 'POST', '/v1/auth/verify', { body: { phone, code: otp.body.devCode } });
    expect(verified.status).toBe(200);
    for (const server of servers) {
      const me = await call(server, 'GET', '/v1/me', { token: verified.body.token });
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ id: verified.body.user.id, phone });
    }
    // Used once, on either process.
    const again = await call(a, 'POST', '/v1/auth/verify', { body: { phone, code: otp.body.devCode } });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_code');
  });

  it('rate limits count across both: of 8 simultaneous code requests for one phone, exactly 3 pass', async () => {
    const phone = '+8613600000901';
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => call(next(), 'POST', '/v1/auth/otp', { body: { phone } })),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
    expect(replies.filter((r) => r.status === 429).every((r) => r.body.error.code === 'rate_limited')).toBe(
      true,
    );
  });

  it('one Idempotency-Key on both processes has one effect, in turn and at once', async () => {
    const owner = await signIn();
    const [a, b] = servers as [TestServer, TestServer];
    const apply = (server: TestServer, key: string, name: string) =>
      call(server, 'POST', '/v1/merchants', {
        token: owner.token,
        body: { name },
        headers: { 'idempotency-key': key },
      });
    const first = await apply(a, 'apply-1', 'Shop One');
    expect(first.status).toBe(201);
    const replay = await apply(b, 'apply-1', 'Shop One');
    expect(replay).toEqual(first);
    const reused = await apply(b, 'apply-1', 'Shop Other');
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');

    const together = await Promise.all([apply(a, 'apply-2', 'Shop Two'), apply(b, 'apply-2', 'Shop Two')]);
    const created = together.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    // The other one either replays the first response or is told to retry; it never creates.
    for (const r of together) {
      if (r.status === 201) expect(r.body.id).toBe(created[0]!.body.id);
      else
        expect(r).toMatchObject({
          status: 409,
          body: { error: { code: 'idempotency_request_in_progress' } },
        });
    }
    const me = await call(next(), 'GET', '/v1/me', { token: owner.token });
    expect(me.body.merchants.map((m: { name: string }) => m.name).sort()).toEqual(['Shop One', 'Shop Two']);
  });

  it('a video view started on one process, reported on both, completes on the other', async () => {
    const operator = await signIn(operatorPhone);
    const campaign = await call(next(), 'POST', '/v1/platform/campaigns', {
      token: operator.token,
      body: {
        title: 'Short',
        mediaUrl: '/videos/short.webm',
        durationSeconds: 5,
        pricePerCompletion: 50,
        budget: 500,
      },
    });
    expect(campaign.status).toBe(201);
    const viewer = await signIn();
    // Vouchers as a confirmed sale would issue them (sales are tested elsewhere).
    await postTransaction(opened.db, {
      key: `test:issue:${viewer.id}`,
      kind: 'test_issue',
      transfers: [
        {
          debit: accounts.platformVouchersIssued(),
          credit: accounts.consumerVouchers(viewer.id),
          amount: 10_000,
        },
      ],
    });
    const [a, b] = servers as [TestServer, TestServer];
    const view = await call(a, 'POST', '/v1/ad-views', { token: viewer.token });
    expect(view.status).toBe(201);
    // A visible report each second of real time, alternating processes; credit follows the server clock.
    for (let seq = 1; seq <= 4; seq++) {
      await new Promise((r) => setTimeout(r, 1000));
      const progress = await call(seq % 2 ? b : a, 'POST', `/v1/ad-views/${view.body.id}/progress`, {
        token: viewer.token,
        body: { token: view.body.token, seq, position: seq, visible: true },
      });
      expect(progress.status).toBe(200);
    }
    const outOfTurn = await call(a, 'POST', `/v1/ad-views/${view.body.id}/progress`, {
      token: viewer.token,
      body: { token: view.body.token, seq: 4, position: 4, visible: true },
    });
    expect(outOfTurn.body.error.code).toBe('out_of_sequence');
    let completed = await call(b, 'POST', `/v1/ad-views/${view.body.id}/complete`, {
      token: viewer.token,
      body: { token: view.body.token },
    });
    for (let attempt = 0; completed.body.error?.code === 'too_early' && attempt < 40; attempt++) {
      await new Promise((r) => setTimeout(r, 100));
      completed = await call(b, 'POST', `/v1/ad-views/${view.body.id}/complete`, {
        token: viewer.token,
        body: { token: view.body.token },
      });
    }
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ status: 'verified', completedToday: 1 });
    const twice = await call(a, 'POST', `/v1/ad-views/${view.body.id}/complete`, {
      token: viewer.token,
      body: { token: view.body.token },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_completed');
  });
});

interface Options {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}
