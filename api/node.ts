/** Node entry: the API, the consumer app at / and the back office at /biz/, on one port. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openDb } from '@alliance/db/node';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, Hono } from 'hono';
import WebSocket from 'ws';
import { createApp } from './app';
import { composeDeps } from './compose';
import { loadConfig } from './config';
import { fakeStripeSecretKey, startFakeStripe } from './fake-stripe/server';
import { startJobs } from './jobs';
import { createLogger } from './log';
import { createAuthProvider, type RealtimeTransport } from './services/auth-provider';
import { demoOperatorPhone, loadDemoData } from './services/demo';
import { createStripeClient, stripeEndpoint } from './services/stripe';

const root = fileURLToPath(new URL('..', import.meta.url));

async function main() {
  const config = loadConfig(process.env);
  const log = createLogger(config.LOG_LEVEL);
  const { db, kind, close } = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const demoEnabled = config.DEMO_DATA ?? kind === 'pglite';
  // The demo needs someone to approve applications; a real deployment names its operators.
  if (demoEnabled && config.operatorPhones.size === 0) config.operatorPhones.add(demoOperatorPhone);
  const now = () => new Date();
  // ws's typings differ from supabase's structural WebSocket type; the class is what it expects.
  const auth = await createAuthProvider(config, db, {
    realtimeTransport: WebSocket as unknown as RealtimeTransport,
  });
  let listeningPort = config.PORT;
  // Without STRIPE_SECRET_KEY the same Stripe code talks to a fake on loopback (docs/stripe.md),
  // whose checkout page sends signed webhooks to this server.
  const fakeStripe = config.STRIPE_SECRET_KEY
    ? undefined
    : await startFakeStripe({
        webhookSecret: config.STRIPE_WEBHOOK_SECRET,
        pageBase: () => `${config.publicUrl}/_stripe`,
        deliver: async (rawBody, signature) =>
          (
            await fetch(`http://127.0.0.1:${listeningPort}/v1/webhooks/stripe`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'stripe-signature': signature },
              body: rawBody,
            })
          ).status,
      });
  const stripe = fakeStripe
    ? createStripeClient(fakeStripeSecretKey, {
        host: fakeStripe.host,
        port: fakeStripe.port,
        protocol: 'http',
      })
    : createStripeClient(
        config.STRIPE_SECRET_KEY!,
        config.STRIPE_API_BASE ? stripeEndpoint(config.STRIPE_API_BASE) : undefined,
      );
  const deps = composeDeps({ db, dbKind: kind, config, log, now, auth, stripe });

  if (demoEnabled) {
    const demo = await loadDemoData(deps);
    if (demo.loaded) log.info('demo data loaded', {});
    console.log('\nDemo accounts (sign in with any of these; in dev mode the SMS code is shown on screen):');
    for (const line of demo.accounts) console.log(`  ${line}`);
  }

  const server = new Hono();
  // The fake's checkout and Connect onboarding pages under this port (a second port breaks behind a
  // proxy or port-forward); its API stays on loopback.
  if (fakeStripe) {
    const forward = async (c: Context) => {
      const url = new URL(c.req.url);
      return fetch(`${fakeStripe.url}${url.pathname.slice('/_stripe'.length)}${url.search}`, {
        method: c.req.method,
        headers: { 'content-type': c.req.header('content-type') ?? 'text/plain' },
        body: c.req.method === 'GET' ? undefined : await c.req.arrayBuffer(),
        redirect: 'manual',
      });
    };
    server.all('/_stripe/checkout/*', forward);
    server.all('/_stripe/connect/*', forward);
  }
  server.route('/', createApp(deps));
  mountSpa(server, '/biz', `${root}web-merchant/dist`);
  mountSpa(server, '', `${root}web-consumer/dist`);

  const http = serve({ fetch: server.fetch, port: config.PORT }, (info) => {
    listeningPort = info.port;
    // With PORT=0 the port is known only now; checkout return URLs need the real one.
    if (!config.PUBLIC_URL) config.publicUrl = `http://localhost:${info.port}`;
    console.log(
      `\nAlliance is running (${kind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL'}):`,
    );
    console.log(`  consumer app   http://localhost:${info.port}/`);
    console.log(`  back office    http://localhost:${info.port}/biz/`);
    console.log(`  API reference  http://localhost:${info.port}/docs`);
    console.log(`  health         http://localhost:${info.port}/health`);
    if (fakeStripe)
      console.log(
        `  Stripe         embedded fake at ${fakeStripe.url} (set STRIPE_SECRET_KEY for the real one)`,
      );
    console.log('');
  });

  const jobs = startJobs(deps);
  const shutdown = async () => {
    await jobs.stop();
    http.close();
    await fakeStripe?.close();
    await close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** A built single-page app: static files, and index.html for every other path under its prefix. */
function mountSpa(server: Hono, prefix: string, distDir: string) {
  const indexPath = `${distDir}/index.html`;
  if (!existsSync(indexPath)) {
    console.warn(`Not serving ${prefix || '/'}: ${indexPath} is missing (run npm run build:web).`);
    return;
  }
  const indexHtml = readFileSync(indexPath, 'utf8');
  server.use(
    `${prefix}/*`,
    serveStatic({ root: distDir, rewriteRequestPath: (p) => p.slice(prefix.length) || '/' }),
  );
  server.get(prefix || '/', (c) => c.html(indexHtml));
  server.get(`${prefix}/*`, (c) => c.html(indexHtml));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
