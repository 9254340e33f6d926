import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { ApiError } from '../errors';
import { newRouter } from '../http';
import { randomBase32 } from '../ids';
import { renderDocsPage } from './docs-page';
import { errors, jsonResponse } from './schemas';

const healthTimeoutMs = 2000;

export const systemRoutes = newRouter();

systemRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/health',
    tags: ['System'],
    summary: 'Liveness: the database answers `select 1` within 2 s',
    responses: {
      200: jsonResponse(
        'Healthy',
        z.object({ ok: z.literal(true), database: z.enum(['pglite', 'postgres']), time: z.string() }),
      ),
      503: errors[503],
    },
  }),
  async (c) => {
    const { db, dbKind, now, log } = c.get('deps');
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        db.execute(sql`select 1`),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 2 s')), healthTimeoutMs);
        }),
      ]);
    } catch (error) {
      log.error('health check failed', { error: (error as Error).message });
      throw new ApiError(503, 'database_unavailable', 'The database does not answer');
    } finally {
      clearTimeout(timer);
    }
    return c.json({ ok: true as const, database: dbKind, time: now().toISOString() }, 200);
  },
);

export const openApiInfo = {
  openapi: '3.1.0',
  info: {
    title: 'Alliance ad-commerce platform API',
    version: '1.0.0',
    description:
      'Amounts are integers in minor units: fen for CNY, hundredths for every kind of point. ' +
      'Errors: `{"error": {"code", "message", "requestId"}}`. POSTs that move value accept `Idempotency-Key`.',
  },
};

systemRoutes.get('/docs', (c) => {
  // Its one inline script and style run by nonce; nothing else may.
  const nonce = randomBase32(24);
  c.header(
    'Content-Security-Policy',
    `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; frame-ancestors 'none'`,
  );
  return c.html(renderDocsPage(nonce));
});
