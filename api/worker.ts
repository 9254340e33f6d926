/**
 * Cloudflare Worker entry: the same Hono app, on PostgreSQL through Hyperdrive, with Supabase Auth
 * and real Stripe (secrets from `wrangler secret put`), and both web apps as static assets
 * (wrangler.toml `[assets]`). Migrations are applied by the deploy step
 * (`DATABASE_URL=… npx tsx db/migrate.ts`), not here. Scheduled events run the same job bodies.
 */
import { type Db, openPostgres } from '@alliance/db';
import { createApp } from './app';
import { composeDeps } from './compose';
import { type Config, loadConfig } from './config';
import type { Deps } from './context';
import { runScheduledMinute } from './jobs';
import { createLogger } from './log';
import { type AuthProvider, createAuthProvider } from './services/auth-provider';
import { createStripeClient, stripeEndpoint } from './services/stripe';

interface Env {
  HYPERDRIVE: { connectionString: string };
  /** The static assets binding: web-consumer at /, web-merchant at /biz/ (scripts/worker-assets.sh). */
  ASSETS: { fetch(request: Request): Promise<Response> };
  [name: string]: unknown;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * One auth provider per isolate: the Supabase provider caches the project's JWKS, which a
 * provider made per request would fetch again for every authenticated request.
 */
let authCache: { key: string; provider: Promise<AuthProvider> } | undefined;

function authProviderFor(config: Config, db: Db): Promise<AuthProvider> {
  const key = JSON.stringify([config.SUPABASE_URL, config.SUPABASE_ANON_KEY, config.SUPABASE_JWKS_URL]);
  if (authCache?.key !== key) authCache = { key, provider: createAuthProvider(config, db) };
  return authCache.provider;
}

async function depsFor(env: Env): Promise<{ deps: Deps; close(): Promise<void> }> {
  const vars = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >;
  const config = loadConfig({ ...vars, DATABASE_URL: env.HYPERDRIVE.connectionString });
  if (!config.STRIPE_SECRET_KEY) throw new Error('STRIPE_SECRET_KEY must be set on Workers');
  // The config default is a public development secret: anyone could sign webhooks with it.
  if (!vars.STRIPE_WEBHOOK_SECRET) throw new Error('STRIPE_WEBHOOK_SECRET must be set on Workers');
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
    auth: await authProviderFor(config, db),
    stripe: createStripeClient(
      config.STRIPE_SECRET_KEY,
      config.STRIPE_API_BASE ? stripeEndpoint(config.STRIPE_API_BASE) : undefined,
    ),
  });
  return { deps, close };
}

/**
 * A path that is neither a file nor an API route is a page of one of the single-page apps: the
 * back office's index.html under /biz, the consumer app's elsewhere (as api/node.ts serves them).
 */
function spaIndex(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const index = url.pathname === '/biz' || url.pathname.startsWith('/biz/') ? '/biz/' : '/';
  return env.ASSETS.fetch(new Request(new URL(index, url), { method: request.method }));
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { deps, close } = await depsFor(env);
    const response = await createApp(deps).fetch(request, env);
    ctx.waitUntil(close());
    const path = new URL(request.url).pathname;
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && !path.startsWith('/v1/');
    return response.status === 404 && isPage ? spaIndex(request, env) : response;
  },
  /** The one minute trigger (api/jobs/schedules.ts workerCrons): the jobs due in that minute. */
  async scheduled(
    event: { cron: string; scheduledTime: number },
    env: Env,
    ctx: ExecutionContext,
  ): Promise<void> {
    const { deps, close } = await depsFor(env);
    try {
      await runScheduledMinute(deps, event.scheduledTime);
    } catch (error) {
      deps.log.error('scheduled job failed', {
        cron: event.cron,
        error: String((error as Error)?.stack ?? error),
      });
      throw error;
    } finally {
      ctx.waitUntil(close());
    }
  },
};
