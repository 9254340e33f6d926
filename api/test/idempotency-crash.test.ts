import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openTestDb } from './test-db';

const root = fileURLToPath(new URL('../..', import.meta.url));
const operatorPhone = '+8613900000000';
const ownerPhone = '+8613800000901';
const consumerPhone = '+8613800000902';
const burst = 100;

/** The real Node entry on this file's database; resolves with its base URL once it listens. */
function startServer(databaseUrl: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/node.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      AUTH_PROVIDER: 'dev',
      DEMO_DATA: 'false',
      PORT: '0',
      LOG_LEVEL: 'silent',
      OPERATOR_PHONES: operatorPhone,
      SESSION_SECRET: 'crash-test-session-secret-crash-test-session',
      AUTH_OTP_PER_IP_HOUR: '100000',
      AUTH_VERIFY_PER_IP_HOUR: '100000',
      IDEMPOTENCY_LEASE_SECONDS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const port = /consumer app\s+http:\/\/localhost:(\d+)\//.exec(out)?.[1];
      if (port) resolve({ child, base: `http://127.0.0.1:${port}` });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening`)));
  });
}

// Crash tests run on real PostgreSQL only: the server is a child process killed with SIGKILL.
describe.skipIf(!onPostgres)('Idempotency-Key after the server is killed mid-burst (PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let server: { child: ChildProcess; base: string } | undefined;
  beforeAll(async () => {
    db = await openTestDb({ maxConnections: 2 });
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await db.close();
  });

  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; key?: string },
  ) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.key) headers['idempotency-key'] = options.key;
    const res = await fetch(`${server!.base}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
  const signIn = async (phone: string) => {
    const otp = await call('POST', '/v1/auth/otp', { body: { phone } });
    return (await call('POST', '/v1/auth/verify', { body: { phone, code: otp.body.devCode } })).body
      .token as string;
  };

  it('every key then gets its real outcome or safely does the work once', async () => {
    server = await startServer(db.url!);
    const owner = await signIn(ownerPhone);
    const operator = await signIn(operatorPhone);
    const consumer = await signIn(consumerPhone);
    const merchant = (await call('POST', '/v1/merchants', { token: owner, body: { name: 'Crash Tea' } })).body
      .id;
    await call('POST', `/v1/platform/merchants/${merchant}/approve`, { token: operator });
    const adjusted = await call('POST', '/v1/platform/adjustments', {
      token: operator,
      body: {
        ownerType: 'merchant',
        ownerId: merchant,
        unit: 'ad_points',
        amount: burst * 150,
        reason: 'crash test',
      },
    });
    expect(adjusted.status).toBe(201);
    const memberCode = (await call('GET', '/v1/me', { token: consumer })).body.memberCode;
    const sales: string[] = [];
    for (let i = 0; i < burst; i++) {
      const sale = await call('POST', `/v1/merchants/${merchant}/sales`, {
        token: owner,
        body: { memberCode, amount: 1000 },
      });
      expect(sale.status).toBe(201);
      sales.push(sale.body.id);
    }

    // The burst: every confirmation at once; the server dies once a few have answered.
    const first = server;
    let answered = 0;
    const killed = new Promise<void>((resolve) => first.child.on('exit', () => resolve()));
    await Promise.allSettled(
      sales.map((id, i) =>
        call('POST', `/v1/sales/${id}/confirm`, { token: consumer, body: {}, key: `confirm-${i}` }).then(
          () => {
            if (++answered === 1) first.child.kill('SIGKILL');
          },
        ),
      ),
    );
    await killed;

    // A new process on the same database; each key is retried (the 1 s lease lapsed while it started).
    server = await startServer(db.url!);
    const retries = await Promise.all(
      sales.map((id, i) =>
        call('POST', `/v1/sales/${id}/confirm`, { token: consumer, body: {}, key: `confirm-${i}` }),
      ),
    );
    const outcomes = retries.map((r) => (r.status === 200 ? r.body.status : r.body?.error?.code));
    expect(outcomes.filter((o) => o !== 'completed' && o !== 'already_confirmed')).toEqual([]);
    for (const id of sales) {
      const sale = await call('GET', `/v1/sales/${id}`, { token: consumer });
      expect(sale.body.status).toBe('completed');
    }
    // Every sale issued its vouchers exactly once, and the ledger holds.
    const wallet = await call('GET', '/v1/wallet', { token: consumer });
    expect(wallet.body.vouchers).toBe(burst * 1000);
    const verify = await call('GET', '/v1/platform/ledger/verify', { token: operator });
    expect(verify.body.ok).toBe(true);
  });
});
