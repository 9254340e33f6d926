import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireOperator, requireUser, serviceCtx } from '../http';
import { pageQuery } from '../paging';
import { ecoPointsQuote, ecoPointsTerms, ecoTopup } from '../services/eco-points';
import { maxAmountFen } from '../services/rounding';
import {
  approveWithdrawal,
  createWithdrawal,
  getWithdrawal,
  listPlatformWithdrawals,
  listWithdrawals,
  rejectWithdrawal,
} from '../services/withdrawals';
import { maxEcoPoints } from './sales';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse } from './schemas';

/** SPEC flow 4 after the sale: merchants turn eco-points into ad points; holders withdraw them. */
export const ecoPointRoutes = newRouter();

const Id = z.object({ id: z.string().min(1).max(64) });
const PositiveHundredths = z.number().int().min(1).max(maxEcoPoints);

const EcoTopup = z
  .object({
    id: z.string(),
    merchantId: z.string(),
    ecoPoints: z.number().int(),
    adPoints: z.number().int().openapi({ description: 'floor(value(ecoPoints) x 100 / adPointPriceFen)' }),
    ecoPointUnitPriceFen: z.number().int(),
    adPointPriceFen: z.number().int(),
    receiptNumber: z.string(),
    createdAt: z.string(),
  })
  .openapi('EcoTopup');

const Withdrawal = z
  .object({
    id: z.string(),
    holderType: z.enum(['consumer', 'merchant']),
    merchantId: z.string().nullable(),
    status: z.string().openapi({ description: 'pending | paid | rejected' }),
    ecoPoints: z.number().int().openapi({ description: 'Hundredths withdrawn, fee included' }),
    fee: z.number().int().openapi({ description: 'ceil(ecoPoints x withdrawalFeeBp / 10000) hundredths' }),
    amount: z.number().int().openapi({ description: 'Fen paid out: value(ecoPoints - fee)' }),
    ecoPointUnitPriceFen: z.number().int(),
    payoutReference: z.string().nullable(),
    rejectionReason: z.string().nullable(),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .openapi('Withdrawal');

ecoPointRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/merchants/{id}/eco-topups',
    tags: ['Eco-points'],
    summary: "Turn the merchant's received eco-points into ad points (owner)",
    security: bearer,
    request: {
      params: Id,
      headers: IdempotencyKeyHeader,
      ...jsonBody(z.object({ ecoPoints: PositiveHundredths })),
    },
    responses: {
      201: jsonResponse('Done; the ad-point history shows it with its receipt number', EcoTopup),
      400: errors[400],
      401: errors[401],
      403: { ...errors[403], description: 'Staff who are not the owner (`owner_only`)' },
      404: errors[404],
      409: { ...errors[409], description: '`merchant_not_active`, `merchant_suspended`' },
      422: { ...errors[422], description: '`insufficient_eco_points`, `amount_too_small`' },
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await ecoTopup(serviceCtx(c), c.req.valid('param').id, c.req.valid('json')), 201);
  },
);

ecoPointRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/eco-points/quote',
    tags: ['Eco-points'],
    summary:
      'What paying with eco-points leaves to pay and earns, before paying: for my in-store sale (saleId) or an amount at a merchant',
    security: bearer,
    request: {
      query: z.object({
        ecoPoints: z.coerce.number().int().min(0).max(maxEcoPoints),
        saleId: z.string().min(1).max(64).optional(),
        merchantId: z.string().min(1).max(64).optional(),
        amount: z.coerce.number().int().min(1).max(maxAmountFen).optional(),
      }),
    },
    responses: {
      200: jsonResponse(
        'The split, by the payment rules',
        z.object({
          amount: z.number().int().openapi({ description: 'fen' }),
          ecoPoints: z.number().int(),
          ecoPointsValue: z.number().int().openapi({ description: 'fen: value(ecoPoints)' }),
          cashAmount: z.number().int().openapi({ description: 'fen still to pay in money' }),
          vouchers: z.number().int().openapi({ description: 'hundredths the money part earns' }),
          ecoPointsUsable: z.number().int().openapi({ description: "the caller's eco-points usable now" }),
          ecoPointsMax: z.number().int().openapi({
            description: 'the most the caller may apply here: usable now, and worth no more than the amount',
          }),
        }),
      ),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      422: { ...errors[422], description: '`eco_points_exceed_amount`, `amount_required`' },
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await ecoPointsQuote(serviceCtx(c), c.req.valid('query')), 200);
  },
);

ecoPointRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/eco-points/terms',
    tags: ['Eco-points'],
    summary:
      'The eco-point terms in force (unit price, withdrawal switch, minimum, fee) and, for ecoPoints, what a withdrawal or an eco-topup of them gives',
    security: bearer,
    request: { query: z.object({ ecoPoints: z.coerce.number().int().min(0).max(maxEcoPoints).optional() }) },
    responses: {
      200: jsonResponse(
        'The terms',
        z.object({
          ecoPointUnitPriceFen: z.number().int(),
          adPointPriceFen: z.number().int(),
          withdrawalsEnabled: z
            .boolean()
            .openapi({ description: 'the operator switch `withdrawalsEnabled`' }),
          withdrawalMinimumEcoPoints: z.number().int(),
          withdrawalFeeBp: z.number().int(),
          preview: z
            .object({
              ecoPoints: z.number().int(),
              value: z.number().int().openapi({ description: 'fen: value(ecoPoints)' }),
              withdrawalFee: z.number().int().openapi({ description: 'hundredths' }),
              withdrawalAmount: z
                .number()
                .int()
                .openapi({ description: 'fen paid out: value(ecoPoints - fee)' }),
              ecoTopupAdPoints: z
                .number()
                .int()
                .openapi({ description: 'ad points (hundredths) an eco-topup gives' }),
            })
            .nullable(),
        }),
      ),
      400: errors[400],
      401: errors[401],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await ecoPointsTerms(serviceCtx(c), c.req.valid('query')), 200);
  },
);

ecoPointRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/withdrawals',
    tags: ['Eco-points'],
    summary:
      "Withdraw eco-points as cash: the caller's own, or a merchant's (its owner); held until an operator decides",
    description:
      'Checked in this order: 409 `withdrawals_disabled` (operator switch `withdrawalsEnabled`), 404 for a merchant the caller does not own, 422 `below_minimum`, 422 `insufficient_eco_points`.',
    security: bearer,
    request: {
      headers: IdempotencyKeyHeader,
      ...jsonBody(
        z.object({ ecoPoints: PositiveHundredths, merchantId: z.string().min(1).max(64).optional() }),
      ),
    },
    responses: {
      201: jsonResponse('Pending: the points are held', Withdrawal),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: { ...errors[409], description: '`withdrawals_disabled`' },
      422: { ...errors[422], description: '`below_minimum`, `insufficient_eco_points`' },
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await createWithdrawal(serviceCtx(c), c.req.valid('json')), 201);
  },
);

ecoPointRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/withdrawals',
    tags: ['Eco-points'],
    summary: "My withdrawals, newest first; with merchantId, that merchant's (its owner)",
    security: bearer,
    request: { query: pageQuery('withdrawals').extend({ merchantId: z.string().min(1).max(64).optional() }) },
    responses: {
      200: jsonResponse(
        'One page',
        z.object({ data: z.array(Withdrawal), nextCursor: z.string().nullable() }),
      ),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await listWithdrawals(serviceCtx(c), c.req.valid('query')), 200);
  },
);

ecoPointRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/withdrawals/{id}',
    tags: ['Eco-points'],
    summary: 'One withdrawal (its holder: the consumer, or the merchant owner)',
    security: bearer,
    request: { params: Id },
    responses: { 200: jsonResponse('The withdrawal', Withdrawal), 401: errors[401], 404: errors[404] },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await getWithdrawal(serviceCtx(c), c.req.valid('param').id), 200);
  },
);

ecoPointRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/platform/withdrawals',
    tags: ['Platform'],
    summary: 'Withdrawals to decide (status=pending) or decided, oldest first (operator)',
    security: bearer,
    request: {
      query: pageQuery('withdrawalQueue').extend({
        status: z.enum(['pending', 'paid', 'rejected']).optional(),
      }),
    },
    responses: {
      200: jsonResponse(
        'One page',
        z.object({
          data: z.array(
            Withdrawal.extend({
              merchantName: z.string().nullable(),
              requestedBy: z.string().openapi({ description: "The requester's phone, masked" }),
            }),
          ),
          nextCursor: z.string().nullable(),
        }),
      ),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      422: errors[422],
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await listPlatformWithdrawals(serviceCtx(c), c.req.valid('query')), 200);
  },
);

ecoPointRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/platform/withdrawals/{id}/approve',
    tags: ['Platform'],
    summary:
      'Approve a pending withdrawal once paid out by bank, with its payout reference: the held points leave for good (operator)',
    security: bearer,
    request: {
      params: Id,
      headers: IdempotencyKeyHeader,
      ...jsonBody(z.object({ payoutReference: z.string().max(200) })),
    },
    responses: {
      200: jsonResponse('Paid', Withdrawal),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      404: errors[404],
      409: { ...errors[409], description: '`already_decided`' },
      422: { ...errors[422], description: '`payout_reference_required`' },
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await approveWithdrawal(serviceCtx(c), c.req.valid('param').id, c.req.valid('json')), 200);
  },
);

ecoPointRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/platform/withdrawals/{id}/reject',
    tags: ['Platform'],
    summary: 'Reject a pending withdrawal with a reason: the held points return to the holder (operator)',
    security: bearer,
    request: {
      params: Id,
      headers: IdempotencyKeyHeader,
      ...jsonBody(z.object({ reason: z.string().max(500) })),
    },
    responses: {
      200: jsonResponse('Rejected', Withdrawal),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      404: errors[404],
      409: { ...errors[409], description: '`already_decided`' },
      422: { ...errors[422], description: '`reason_required`' },
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await rejectWithdrawal(serviceCtx(c), c.req.valid('param').id, c.req.valid('json')), 200);
  },
);
