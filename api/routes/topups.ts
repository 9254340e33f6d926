import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireUser, serviceCtx } from '../http';
import { pageQuery } from '../paging';
import { createTopup, getTopup, listTopups, topupReceipt } from '../services/topups';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse, MinorUnits } from './schemas';

export const topupRoutes = newRouter();

const Topup = z
  .object({
    id: z.string(),
    merchantId: z.string(),
    status: z.enum(['pending', 'paid', 'partially_refunded', 'refunded', 'expired']),
    amount: z.number().int().openapi({ description: 'fen' }),
    adPoints: z.number().int().openapi({ description: 'hundredths, fixed at creation' }),
    adPointPriceFen: z.number().int(),
    checkoutSessionId: z.string(),
    checkoutUrl: z.string().nullable(),
    createdAt: z.string(),
    paidAt: z.string().nullable(),
    receiptNumber: z.string().nullable(),
    refunded: z.number().int().openapi({ description: 'fen returned by refunds and lost disputes' }),
    adPointsReversed: z.number().int(),
    adPointsUnrecovered: z.number().int(),
  })
  .openapi('Topup');

const Params = z.object({ id: z.string().min(1).max(64), topupId: z.string().min(1).max(64) });
const MerchantParam = z.object({ id: z.string().min(1).max(64) });

topupRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/merchants/{id}/topups',
    tags: ['Top-ups'],
    summary: 'Start a top-up: a Stripe Checkout Session (card, Alipay, WeChat Pay) in fen',
    description:
      'Ad points are fixed now at the ad point price in force (rounded down) and credited only by the verified `checkout.session.completed` webhook.',
    security: bearer,
    request: {
      params: MerchantParam,
      headers: IdempotencyKeyHeader,
      ...jsonBody(z.object({ amount: MinorUnits })),
    },
    responses: {
      201: jsonResponse('Checkout opened; send the merchant to checkoutUrl', Topup),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: jsonResponse(
        '`merchant_not_active`, `merchant_suspended`',
        errors[409].content['application/json'].schema,
      ),
      422: jsonResponse(
        '`amount_too_small` (under 100 fen), `amount_too_large`',
        errors[422].content['application/json'].schema,
      ),
      502: jsonResponse(
        '`payment_provider_error`: Stripe refused or did not answer',
        errors[422].content['application/json'].schema,
      ),
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await createTopup(serviceCtx(c), c.req.valid('param').id, c.req.valid('json')), 201);
  },
);

topupRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/topups',
    tags: ['Top-ups'],
    summary: "The merchant's top-ups, newest first (its staff, operators)",
    security: bearer,
    request: { params: MerchantParam, query: pageQuery('topups') },
    responses: {
      200: jsonResponse('One page', z.object({ data: z.array(Topup), nextCursor: z.string().nullable() })),
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await listTopups(serviceCtx(c), c.req.valid('param').id, c.req.valid('query')), 200);
  },
);

topupRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/topups/{topupId}',
    tags: ['Top-ups'],
    summary: 'One top-up: pending → paid → (partially_refunded | refunded)',
    security: bearer,
    request: { params: Params },
    responses: { 200: jsonResponse('The top-up', Topup), 401: errors[401], 404: errors[404] },
  }),
  async (c) => {
    requireUser(c);
    const { id, topupId } = c.req.valid('param');
    return c.json(await getTopup(serviceCtx(c), id, topupId), 200);
  },
);

topupRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/topups/{topupId}/receipt',
    tags: ['Top-ups'],
    summary: 'The receipt of a paid top-up (prepaid advertising service)',
    security: bearer,
    request: { params: Params },
    responses: {
      200: jsonResponse(
        'Receipt',
        z
          .object({
            receiptNumber: z.string(),
            topupId: z.string(),
            issuedBy: z.string(),
            description: z.string(),
            merchant: z.object({
              id: z.string(),
              name: z.string(),
              address: z.string().nullable(),
              contact: z.string().nullable(),
            }),
            amount: z.number().int(),
            currency: z.literal('cny'),
            adPoints: z.number().int(),
            adPointPriceFen: z.number().int(),
            paidAt: z.string(),
            paymentMethod: z.string().nullable(),
            status: z.string(),
            refunded: z.number().int(),
            stripe: z.object({
              checkoutSessionId: z.string(),
              paymentIntentId: z.string().nullable(),
              chargeId: z.string().nullable(),
            }),
          })
          .openapi('TopupReceipt'),
      ),
      401: errors[401],
      404: errors[404],
      409: jsonResponse('`topup_not_paid`', errors[409].content['application/json'].schema),
    },
  }),
  async (c) => {
    requireUser(c);
    const { id, topupId } = c.req.valid('param');
    return c.json(await topupReceipt(serviceCtx(c), id, topupId), 200);
  },
);
