/**
 * The server a bench drives, in a process of its own (so its CPU, memory and profile are its own,
 * as in production): BENCH_MODE=api is the platform's app as api/node.ts builds it (silent log);
 * BENCH_MODE=bare is the reference for `wallet reads`, a bare Hono route on @hono/node-server that
 * makes three sequential postgres.js queries. Prints `port <n>` once listening; exits on SIGTERM.
 * Started by bench/http.ts; run it with `node --cpu-prof` through BENCH_CPU_PROF to profile.
 * BENCH_EVENT_LOOP=1 prints the event loop's utilisation every half second to stderr.
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { openDb } from '@alliance/db/node';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';
import { createApp } from '../api/app';
import { composeDeps } from '../api/compose';
import { loadConfig } from '../api/config';
import { createLogger } from '../api/log';
import { createAuthProvider } from '../api/services/auth-provider';

export const benchSessionSecret = 'bench-session-secret-bench-session-secret';

const databaseUrl = process.env.BENCH_SERVE_DATABASE_URL!;
const pool = Number(process.env.BENCH_SERVE_POOL ?? 10);

async function start(): Promise<{
  fetch: (request: Request) => Response | Promise<Response>;
  close(): Promise<void>;
}> {
  if (process.env.BENCH_MODE === 'bare') {
    const sql = postgres(databaseUrl, { max: pool, onnotice: () => {} });
    const app = new Hono();
    app.get('/bare/:userId', async (c) => {
      const userId = c.req.param('userId');
      const [user] = await sql`select id, phone from users where id = ${userId}`;
      const [vouchers] = await sql`select coalesce(sum(credits_posted - debits_posted), 0)::int8 as available
        from ledger_accounts where owner_type = 'consumer' and owner_id = ${userId} and code = 'vouchers'`;
      const [counter] = await sql`select completed from video_daily_counters
        where consumer_id = ${userId} and business_date = ${new Date().toISOString().slice(0, 10)}`;
      return c.json({
        user: user?.id,
        vouchers: Number(vouchers?.available ?? 0),
        completed: counter?.completed ?? 0,
      });
    });
    return { fetch: app.fetch, close: () => sql.end({ timeout: 5 }) };
  }
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: 'memory',
    SESSION_SECRET: benchSessionSecret,
    AUTH_OTP_PER_IP_HOUR: '1000000',
  });
  const opened = await openDb({ databaseUrl, maxConnections: pool, migrate: false });
  const deps = composeDeps({
    db: opened.db,
    dbKind: opened.kind,
    config,
    log: createLogger('silent'),
    now: () => new Date(),
    auth: await createAuthProvider(config, opened.db),
  });
  return { fetch: createApp(deps).fetch, close: opened.close };
}

const app = await start();
if (process.env.BENCH_EVENT_LOOP) {
  let last = performance.eventLoopUtilization();
  setInterval(() => {
    const now = performance.eventLoopUtilization();
    console.error(
      `event loop ${(performance.eventLoopUtilization(now, last).utilization * 100).toFixed(0)} % busy`,
    );
    last = now;
  }, 500).unref();
}
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
server.once('listening', () => console.log(`port ${(server.address() as AddressInfo).port}`));
process.once('SIGTERM', () => {
  server.close();
  // The profile (--cpu-prof) is written on a normal exit.
  void app.close().finally(() => process.exit(0));
});
