import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireUser, serviceCtx } from '../http';
import { pageQuery } from '../paging';
import {
  confirmSale,
  declineSale,
  getSale,
  listConsumerSales,
  listMerchantSales,
  listPendingSales,
  recordSale,
  refundSale,
} from '../services/sales';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse, MinorUnits } from './schemas';

export const salesRoutes = newRouter();

export const SaleBody = z
  .object({
    id: z.string(),
    channel: z.string().openapi({ description: 'in_store | online' }),
    merchantId: z.string(),
    orderId: z.string().nullable(),
    status: z.string().openapi({ description: 'awaiting_confirmation | completed | declined | expired' }),
    amount: z.number().int().openapi({ description: 'fen' }),
    vouchers: z.number().int().openapi({ description: 'hundredths the sale issues when confirmed' }),
    adPointsCharge: z.number().int().openapi({ description: 'hundredths the merchant is charged' }),
    adRateBp: z.number().int(),
    vouchersIssued: z.number().int(),
    adPointsCharged: z.number().int(),
    reason: z.string().nullable(),
    refunded: z.number().int(),
    vouchersClawedBack: z.number().int(),
    adPointsReturned: z.number().int(),
    ecoPoints: z.number().int().openapi({ description: 'Eco-points paid with (hundredths)' }),
    cashDue: z.number().int().openapi({
      description: 'The money part (fen): amount - value of the eco-points; vouchers count this',
    }),
    ecoPointsReturned: z.number().int().openapi({ description: 'Eco-points given back by refunds so far' }),
    expiresAt: z.string().nullable(),
    recordedAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .openapi('Sale');

const Paused = z.object({
  vouchersPaused: z
    .boolean()
    .openapi({ description: "the merchant's ad points do not cover the charge now" }),
});
const SaleId = z.object({ id: z.string().max(64) });
const MerchantId = z.object({ id: z.string().max(64) });
const PageQuery = pageQuery('sales');
export const RefundBody = z
  .object({
    id: z.string(),
    refunded: z.number().int(),
    vouchersClawedBack: z.number().int(),
    adPointsReturned: z.number().int(),
    ecoPointsReturned: z
      .number()
      .int()
      .openapi({ description: 'Eco-points given back to the consumer by this refund (hundredths)' }),
    cashRefunded: z.number().int().openapi({ description: 'The money part of this refund (fen)' }),
  })
  .openapi('Refund');

/**
 * Most eco-points one request may name (hundredths): 10,000,000.00, so that their value at any unit
 * price an operator may set stays a safe integer.
 */
export const maxEcoPoints = 1_000_000_000;

/** Eco-points the consumer pays with: optional hundredths (API.md "Eco-points"). */
export const EcoPointsApplied = z
  .number()
  .int()
  .min(0)
  .max(maxEcoPoints)
  .optional()
  .openapi({ description: 'Hundredths of eco-points to pay with; their value may not exceed the amount' });

salesRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/merchants/{id}/sales',
    tags: ['Sales'],
    summary: 'Record an in-store sale against a member code (merchant staff); the consumer confirms it',
    security: bearer,
    request: {
      params: MerchantId,
      headers: IdempotencyKeyHeader,
      ...jsonBody(z.object({ memberCode: z.string().min(1).max(32), amount: MinorUnits })),
    },
    responses: {
      201: jsonResponse('Awaiting the consumer', SaleBody.merge(Paused)),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    const { id } = c.req.valid('param');
    const { memberCode, amount } = c.req.valid('json');
    return c.json(await recordSale(serviceCtx(c), { merchantId: id, memberCode, amountFen: amount }), 201);
  },
);

salesRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/sales',
    tags: ['Sales'],
    summary: "A merchant's sales, newest first (staff, operators)",
    security: bearer,
    request: {
      params: MerchantId,
      query: PageQuery.extend({
        status: z.enum(['awaiting_confirmation', 'completed', 'declined', 'expired']).optional(),
      }),
    },
    responses: {
      200: jsonResponse(
        'One page',
        z.object({
          data: z.array(SaleBody.extend({ consumer: z.string() })),
          nextCursor: z.string().nullable(),
        }),
      ),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    const { id } = c.req.valid('param');
    return c.json(await listMerchantSales(serviceCtx(c), id, c.req.valid('query')), 200);
  },
);

salesRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/sales/pending',
    tags: ['Sales'],
    summary: 'Sales waiting for my confirmation, with whether the merchant has vouchers paused',
    security: bearer,
    responses: {
      200: jsonResponse(
        'Pending',
        z.object({ data: z.array(SaleBody.merge(Paused).extend({ merchantName: z.string() })) }),
      ),
      401: errors[401],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await listPendingSales(serviceCtx(c)), 200);
  },
);

salesRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/sales',
    tags: ['Sales'],
    summary: 'My purchases, newest first',
    security: bearer,
    request: { query: PageQuery },
    responses: {
      200: jsonResponse(
        'One page',
        z.object({
          data: z.array(SaleBody.extend({ merchantName: z.string() })),
          nextCursor: z.string().nullable(),
        }),
      ),
      400: errors[400],
      401: errors[401],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await listConsumerSales(serviceCtx(c), c.req.valid('query')), 200);
  },
);

salesRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/sales/{id}',
    tags: ['Sales'],
    summary: 'One sale (the consumer it names, the merchant staff, operators)',
    security: bearer,
    request: { params: SaleId },
    responses: {
      200: jsonResponse(
        'The sale, with its refunds',
        SaleBody.merge(Paused).extend({
          merchantName: z.string(),
          refunds: z.array(RefundBody.extend({ createdAt: z.string() })),
        }),
      ),
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await getSale(serviceCtx(c), c.req.valid('param').id), 200);
  },
);

salesRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/sales/{id}/confirm',
    tags: ['Sales'],
    summary:
      'Confirm a sale (the consumer it names): vouchers issued and ad points charged in one transaction',
    security: bearer,
    request: {
      params: SaleId,
      headers: IdempotencyKeyHeader,
      body: {
        content: { 'application/json': { schema: z.object({ ecoPoints: EcoPointsApplied }) } },
        required: false,
      },
    },
    responses: {
      200: jsonResponse(
        'Completed',
        z.object({
          id: z.string(),
          status: z.literal('completed'),
          vouchersIssued: z.number().int(),
          adPointsCharged: z.number().int(),
          reason: z.string().nullable().openapi({ description: 'null or merchant_insufficient_ad_points' }),
          ecoPoints: z.number().int().openapi({ description: 'Eco-points applied (hundredths)' }),
          cashDue: z.number().int().openapi({ description: 'Fen the merchant collects at the counter' }),
        }),
      ),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
      422: {
        ...errors[422],
        description: '`eco_points_exceed_amount`, `insufficient_eco_points`',
      },
    },
  }),
  async (c) => {
    requireUser(c);
    const body = (c.req.valid('json') as { ecoPoints?: number } | undefined) ?? {};
    return c.json(await confirmSale(serviceCtx(c), c.req.valid('param').id, body), 200);
  },
);

salesRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/sales/{id}/decline',
    tags: ['Sales'],
    summary: 'Decline a sale (the consumer it names); nothing is issued',
    security: bearer,
    request: { params: SaleId, headers: IdempotencyKeyHeader },
    responses: {
      200: jsonResponse('Declined', SaleBody),
      401: errors[401],
      404: errors[404],
      409: errors[409],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await declineSale(serviceCtx(c), c.req.valid('param').id), 200);
  },
);

salesRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/sales/{id}/refund',
    tags: ['Sales'],
    summary: 'Refund part or all of an in-store sale (merchant staff): vouchers and ad points in proportion',
    security: bearer,
    request: { params: SaleId, headers: IdempotencyKeyHeader, ...jsonBody(z.object({ amount: MinorUnits })) },
    responses: {
      200: jsonResponse('This refund', RefundBody),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    const { amount } = c.req.valid('json');
    return c.json(await refundSale(serviceCtx(c), c.req.valid('param').id, { amountFen: amount }), 200);
  },
);
