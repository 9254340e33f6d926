import { createRoute, z } from '@hono/zod-openapi';
import { clientAddress, newRouter, requireOperator, requireUser, serviceCtx } from '../http';
import { completeView, listRefusals, reportProgress, startView } from '../services/ad-views';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse } from './schemas';

export const adViewRoutes = newRouter();

const ViewId = z.object({ id: z.string().max(64) });
const Token = z.string().min(1).max(200);

adViewRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/ad-views',
    tags: ['Video tasks'],
    summary: 'Start a view of the next video (consumer); the token is shown only here',
    security: bearer,
    request: { headers: IdempotencyKeyHeader },
    responses: {
      201: jsonResponse(
        'Started',
        z.object({
          id: z.string(),
          token: z.string(),
          slot: z.number().int().openapi({ description: 'completed today + 1' }),
          startedAt: z.string(),
          campaign: z.object({
            id: z.string(),
            title: z.string(),
            mediaUrl: z.string(),
            durationSeconds: z.number().int(),
          }),
        }),
      ),
      401: errors[401],
      404: errors[404],
      409: errors[409],
      429: errors[429],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await startView(serviceCtx(c), { clientAddress: clientAddress(c) }), 201);
  },
);

adViewRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/ad-views/{id}/progress',
    tags: ['Video tasks'],
    summary: 'Report playback progress',
    description:
      'Credited only over intervals between visible reports at most 10 s apart (server clock), never ahead of the server’s elapsed time.',
    security: bearer,
    request: {
      params: ViewId,
      ...jsonBody(
        z.object({
          token: Token,
          seq: z.number().int().min(1).max(100_000),
          position: z.number().min(0).max(86_400),
          visible: z.boolean().default(true),
        }),
      ),
    },
    responses: {
      200: jsonResponse(
        'What was credited',
        z.object({
          id: z.string(),
          seq: z.number().int(),
          creditedSeconds: z.number(),
          progressSeconds: z.number(),
          requiredSeconds: z.number(),
          elapsedSeconds: z.number(),
        }),
      ),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const body = c.req.valid('json');
    const ctx = serviceCtx(c);
    return c.json(
      await reportProgress(ctx, {
        viewId: c.req.valid('param').id,
        ...body,
        clientAddress: clientAddress(c),
      }),
      200,
    );
  },
);

adViewRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/ad-views/{id}/complete',
    tags: ['Video tasks'],
    summary: 'Complete a view; the sixth of the day converts vouchers into eco-points',
    security: bearer,
    request: { params: ViewId, headers: IdempotencyKeyHeader, ...jsonBody(z.object({ token: Token })) },
    responses: {
      200: jsonResponse(
        'Verified',
        z.object({
          status: z.literal('verified'),
          completedToday: z.number().int(),
          conversion: z.object({ vouchers: z.number().int(), ecoPoints: z.number().int() }).nullable(),
        }),
      ),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    const { token } = c.req.valid('json');
    return c.json(
      await completeView(serviceCtx(c), {
        viewId: c.req.valid('param').id,
        token,
        clientAddress: clientAddress(c),
      }),
      200,
    );
  },
);

adViewRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/platform/ad-views/refusals',
    tags: ['Video tasks'],
    summary:
      'Refused starts, reports, completions and AdMob callbacks: counts by reason, recent list (operator)',
    security: bearer,
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
    responses: {
      200: jsonResponse(
        'Refusals',
        z.object({
          counts: z.array(z.object({ reason: z.string(), count: z.number().int() })),
          recent: z.array(
            z.object({
              id: z.string(),
              reason: z.string(),
              stage: z.string(),
              consumerId: z.string().nullable(),
              viewId: z.string().nullable(),
              clientAddress: z.string().nullable(),
              createdAt: z.string(),
            }),
          ),
        }),
      ),
      400: errors[400],
      401: errors[401],
      403: errors[403],
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await listRefusals(serviceCtx(c), { limit: c.req.valid('query').limit }), 200);
  },
);
