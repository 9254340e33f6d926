import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { newRouter } from '../http';
import { renderDocsPage } from './docs-page';
import { jsonResponse } from './schemas';

export const systemRoutes = newRouter();

systemRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/health',
    tags: ['System'],
    summary: 'Liveness and the database kind',
    responses: {
      200: jsonResponse(
        'Healthy',
        z.object({ ok: z.literal(true), database: z.enum(['pglite', 'postgres']), time: z.string() }),
      ),
    },
  }),
  async (c) => {
    const { db, dbKind, now } = c.get('deps');
    await db.execute(sql`select 1`);
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

systemRoutes.get('/docs', (c) => c.html(renderDocsPage()));
