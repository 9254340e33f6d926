import { HTTPException } from 'hono/http-exception';
import type { Deps } from './context';
import { ApiError, ledgerRefusal, unauthorized } from './errors';
import { newRouter, requireOperator, requireUser, serviceCtx } from './http';
import { randomBase32 } from './ids';
import { LedgerError } from './ledger';
import { idempotency } from './middleware/idempotency';
import { bodySizeLimit, inputGuard } from './middleware/input-guard';
import { securityHeaders } from './middleware/security-headers';
import { adViewRoutes } from './routes/ad-views';
import { admobRoutes } from './routes/admob';
import { authRoutes } from './routes/auth';
import { campaignRoutes } from './routes/campaigns';
import { catalogRoutes } from './routes/catalog';
import { ecoPointRoutes } from './routes/eco-points';
import { ledgerRoutes } from './routes/ledger';
import { meRoutes } from './routes/me';
import { merchantRoutes } from './routes/merchants';
import { orderRoutes } from './routes/orders';
import { payoutRoutes } from './routes/payouts';
import { platformRoutes } from './routes/platform';
import { reconciliationRoutes } from './routes/reconciliation';
import { salesRoutes } from './routes/sales';
import { staffRoutes } from './routes/staff';
import { supplierRoutes } from './routes/suppliers';
import { supplyRoutes } from './routes/supply';
import { openApiInfo, systemRoutes } from './routes/system';
import { topupRoutes } from './routes/topups';
import { walletRoutes } from './routes/wallet';
import { webhookRoutes } from './routes/webhooks';
import { resolveSessionUser } from './services/auth';

/** Reachable without a token: sign-in, signed provider callbacks, and the public shop pages. */
const publicEndpoints: Array<[method: string, path: RegExp]> = [
  ['POST', /^\/v1\/auth\/(otp|verify)$/],
  ['POST', /^\/v1\/webhooks\/stripe$/],
  ['GET', /^\/v1\/callbacks\/admob$/],
  ['GET', /^\/v1\/merchants$/],
  ['GET', /^\/v1\/merchants\/[^/]+\/listings$/],
  ['GET', /^\/v1\/merchants\/[^/]+\/voucher-quote$/],
];

function isPublic(method: string, path: string): boolean {
  return publicEndpoints.some(([m, pattern]) => m === method && pattern.test(path));
}

export function createApp(deps: Deps) {
  const app = newRouter();

  app.use('*', securityHeaders);
  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 64) || `req_${randomBase32(16)}`;
    c.set('requestId', requestId);
    c.set('deps', deps);
    // Before the handler, so the response is built with it (see securityHeaders).
    c.header('X-Request-Id', requestId);
    const started = Date.now();
    await next();
    if (!c.res.headers.has('X-Request-Id')) c.header('X-Request-Id', requestId);
    if (c.req.path.startsWith('/v1/')) {
      deps.log.info('request', {
        requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Date.now() - started,
        user: c.get('user')?.id,
      });
    }
  });

  // A bearer token, when sent, must be valid; endpoints decide whether one is required.
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization');
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw unauthorized('invalid_token', 'Malformed Authorization header');
      c.set('user', await resolveSessionUser(serviceCtx(c), deps.auth, match[1]));
    }
    // Who may call at all is decided here, before any input is parsed, so that a caller who may
    // not use an endpoint learns nothing from its validation errors. Routes check again, in detail.
    if (!isPublic(c.req.method, c.req.path)) requireUser(c);
    if (c.req.path.startsWith('/v1/platform/')) requireOperator(c);
    await next();
  });
  app.use('/v1/*', bodySizeLimit);
  app.use('/v1/*', inputGuard);
  app.use('/v1/*', idempotency);

  app.onError((thrown, c) => {
    const requestId = c.get('requestId') ?? `req_${randomBase32(16)}`;
    const error = (thrown instanceof LedgerError && ledgerRefusal(thrown)) || thrown;
    if (error instanceof ApiError) {
      return c.json({ error: { code: error.code, message: error.message, requestId } }, error.status);
    }
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's own validators (malformed JSON) and body-limit errors.
      const code =
        error.status === 400 ? 'validation_error' : error.status === 413 ? 'payload_too_large' : 'http_error';
      return c.json({ error: { code, message: error.message || 'Bad request', requestId } }, error.status);
    }
    deps.log.error('unhandled error', { requestId, error: String((error as Error)?.stack ?? error) });
    return c.json({ error: { code: 'internal_error', message: 'Internal error', requestId } }, 500);
  });
  app.notFound((c) =>
    c.json({ error: { code: 'not_found', message: 'Not found', requestId: c.get('requestId') } }, 404),
  );

  app.route('/', systemRoutes);
  app.route('/v1', authRoutes);
  app.route('/v1', meRoutes);
  app.route('/v1', merchantRoutes);
  app.route('/v1', supplierRoutes);
  app.route('/v1', staffRoutes);
  app.route('/v1', topupRoutes);
  app.route('/v1', platformRoutes);
  app.route('/v1', webhookRoutes);
  app.route('/v1', ledgerRoutes);
  app.route('/v1', campaignRoutes);
  app.route('/v1', adViewRoutes);
  app.route('/v1', walletRoutes);
  app.route('/v1', admobRoutes);
  app.route('/v1', salesRoutes);
  app.route('/v1', catalogRoutes);
  app.route('/v1', orderRoutes);
  app.route('/v1', supplyRoutes);
  app.route('/v1', payoutRoutes);
  app.route('/v1', ecoPointRoutes);
  app.route('/v1', reconciliationRoutes);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', openApiInfo);
  return app;
}

export type App = ReturnType<typeof createApp>;
