/**
 * Cloudflare Worker entry: the same Hono app, on PostgreSQL through Hyperdrive, with Supabase Auth
 * and real Stripe (secrets from `wrangler secret put`). Migrations are applied by the deploy step
 * (`DATABASE_URL=… npx tsx db/migrate.ts`), not here. Scheduled events run the same job bodies.
 */
import { openPostgres } from '@alliance/db';
import { createApp } from './app';
import { composeDeps } from './compose';
import { loadConfig } from './config';
import type { Deps } from './context';
import { runScheduledMinute } from './jobs';
import { createLogger } from './log';
import { createAuthProvider } from './services/auth-provider';
import { createStripeClient } from './services/stripe';

interface Env {
  HYPERDRIVE: { connectionString: string };
  [name: string]: unknown;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

async function depsFor(env: Env): Promise<{ deps: Deps; close(): Promise<void> }> {
  const vars = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >;
  const config = loadConfig({ ...vars, DATABASE_URL: env.HYPERDRIVE.connectionString });
  if (!config.STRIPE_SECRET_KEY) throw new Error('STRIPE_SECRET_KEY must be set on Workers');
  if (config.AUTH_PROVIDER !== 'supabase') throw new Error('AUTH_PROVIDER must be supabase on Workers');
  // Hyperdrive pools connections; a client per request is the recommended use.
  const { db, close } = openPostgres(env.HYPERDRIVE.connectionString, 5);
  const log = createLogger(config.LOG_LEVEL);
  const deps = composeDeps({
    db,
    dbKind: 'postgres',
    config,
    log,
    now: () => new Date(),
    auth: await createAuthProvider(config, db),
    stripe: createStripeClient(config.STRIPE_SECRET_KEY),
  });
  return { deps, close };
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { deps, close } = await depsFor(env);
    const response = await createApp(deps).fetch(request, env);
    ctx.waitUntil(close());
    return response;
  },
  /** The one minute trigger (api/jobs/schedules.ts workerCrons): the jobs due in that minute. */
  async scheduled(
    event: { cron: string; scheduledTime: number },
    env: Env,
    ctx: ExecutionContext,
  ): Promise<void> {
    const { deps, close } = await depsFor(env);
    ctx.waitUntil(runScheduledMinute(deps, event.scheduledTime).finally(close));
  },
};
