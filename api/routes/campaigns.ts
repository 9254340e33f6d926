import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireOperator, serviceCtx } from '../http';
import { createCampaign, listCampaigns, setCampaignStatus } from '../services/campaigns';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse, MinorUnits } from './schemas';

export const campaignRoutes = newRouter();

const Campaign = z
  .object({
    id: z.string(),
    title: z.string(),
    advertiser: z.string().nullable(),
    mediaUrl: z.string(),
    durationSeconds: z.number().int(),
    pricePerCompletion: z.number().int().openapi({ description: 'fen' }),
    budget: z.number().int().openapi({ description: 'fen' }),
    budgetUsed: z.number().int(),
    budgetLeft: z.number().int(),
    dailyCap: z.number().int().nullable(),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    status: z.enum(['active', 'paused']),
    serving: z
      .boolean()
      .openapi({ description: 'active, in its window, budget left for one more completion' }),
    createdAt: z.string(),
    completionsByDay: z.array(z.object({ businessDate: z.string(), completions: z.number().int() })),
  })
  .openapi('Campaign');

const CampaignBody = z.object({
  title: z.string().trim().min(1).max(120),
  advertiser: z.string().trim().max(120).nullish(),
  mediaUrl: z
    .string()
    .min(1)
    .max(2000)
    .openapi({ description: 'absolute http(s) URL or a path on this site' }),
  durationSeconds: z.number().int().min(1).max(3600),
  pricePerCompletion: MinorUnits,
  budget: MinorUnits,
  startsAt: z.iso.datetime({ offset: true }).nullish(),
  endsAt: z.iso.datetime({ offset: true }).nullish(),
  dailyCap: z.number().int().min(-1e9).max(1e9).nullish(),
});

campaignRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/platform/campaigns',
    tags: ['Video tasks'],
    summary: 'Create a video campaign and book its budget (operator)',
    security: bearer,
    request: { headers: IdempotencyKeyHeader, ...jsonBody(CampaignBody) },
    responses: {
      201: jsonResponse('Created', Campaign),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      422: errors[422],
    },
  }),
  async (c) => {
    requireOperator(c);
    const body = c.req.valid('json');
    const created = await createCampaign(serviceCtx(c), {
      ...body,
      startsAt: body.startsAt ? new Date(body.startsAt) : null,
      endsAt: body.endsAt ? new Date(body.endsAt) : null,
    });
    return c.json(created, 201);
  },
);

campaignRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/platform/campaigns',
    tags: ['Video tasks'],
    summary: 'Campaigns with budget used and verified completions per business day (operator)',
    security: bearer,
    responses: {
      200: jsonResponse('Campaigns, newest first', z.object({ data: z.array(Campaign) })),
      401: errors[401],
      403: errors[403],
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await listCampaigns(serviceCtx(c)), 200);
  },
);

campaignRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/platform/campaigns/{id}',
    tags: ['Video tasks'],
    summary: 'Pause or resume a campaign (operator)',
    security: bearer,
    request: {
      params: z.object({ id: z.string().max(64) }),
      ...jsonBody(z.object({ status: z.enum(['active', 'paused']) })),
    },
    responses: {
      200: jsonResponse('Updated', Campaign),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      404: errors[404],
    },
  }),
  async (c) => {
    requireOperator(c);
    const { id } = c.req.valid('param');
    return c.json(await setCampaignStatus(serviceCtx(c), { id, status: c.req.valid('json').status }), 200);
  },
);
