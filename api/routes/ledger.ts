import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireOperator, requireUser, serviceCtx } from '../http';
import { pageQuery } from '../paging';
import { adjustPoints, findConsumer, verifyLedgerInvariants, walletHistory } from '../services/adjustments';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse, MinorUnits, Phone } from './schemas';

export const ledgerRoutes = newRouter();

ledgerRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/platform/adjustments',
    tags: ['Platform'],
    summary: 'Add (+) or remove (-) points as an audited adjustment with a reason (operator)',
    security: bearer,
    request: {
      headers: IdempotencyKeyHeader,
      ...jsonBody(
        z.object({
          ownerType: z.enum(['consumer', 'merchant']),
          ownerId: z.string().min(1).max(64),
          unit: z.enum(['vouchers', 'eco_points', 'ad_points']),
          amount: MinorUnits.openapi({ description: 'Signed hundredths: + adds, - removes', example: -500 }),
          reason: z
            .string()
            .max(500)
            .optional()
            .openapi({ description: 'Required (422 `reason_required` when blank)' }),
        }),
      ),
    },
    responses: {
      201: jsonResponse(
        'Adjusted',
        z.object({
          id: z.string(),
          ownerType: z.string(),
          ownerId: z.string(),
          unit: z.string(),
          amount: z.number().int(),
          reason: z.string(),
          operatorId: z.string(),
          balance: z.number().int().openapi({ description: "The holder's posted balance afterwards" }),
        }),
      ),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      404: errors[404],
      409: errors[409],
      422: {
        ...errors[422],
        description: '`reason_required`, `invalid_amount`, `unsupported_unit`, `insufficient_balance`',
      },
    },
  }),
  async (c) => {
    const operator = requireOperator(c);
    return c.json(await adjustPoints(serviceCtx(c), operator, c.req.valid('json')), 201);
  },
);

ledgerRoutes.openapi(
  createRoute({
    method: 'post',
    // POST, so the full phone number stays out of URLs and access logs.
    path: '/platform/consumers/lookup',
    tags: ['Platform'],
    summary: 'Operators: one consumer by full phone number (masked phone, balances) to adjust their points',
    security: bearer,
    request: jsonBody(z.object({ phone: Phone })),
    responses: {
      200: jsonResponse(
        'The consumer',
        z.object({
          id: z.string(),
          phone: z.string().openapi({ description: 'Masked' }),
          vouchers: z.number().int().openapi({ description: 'Available, hundredths' }),
          ecoPoints: z.number().int().openapi({ description: 'Available, hundredths' }),
          ecoPointsHeld: z
            .number()
            .int()
            .openapi({ description: 'Held for a pending withdrawal, hundredths' }),
        }),
      ),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      404: jsonResponse('`consumer_not_found`', errors[404].content['application/json'].schema),
      429: errors[429],
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await findConsumer(serviceCtx(c), c.req.valid('json').phone), 200);
  },
);

ledgerRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/platform/ledger/verify',
    tags: ['Platform'],
    summary: 'Check every ledger invariant and the tamper-evidence chain (operator)',
    security: bearer,
    responses: {
      200: jsonResponse(
        'Result; each failed check names its first offender',
        z.object({
          ok: z.boolean(),
          checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
        }),
      ),
      401: errors[401],
      403: errors[403],
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await verifyLedgerInvariants(serviceCtx(c)), 200);
  },
);

ledgerRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/wallet/history',
    tags: ['Wallet'],
    summary: "The caller's voucher or eco-point movements, newest first",
    security: bearer,
    request: {
      query: pageQuery('ledgerHistory', 20).extend({ unit: z.enum(['vouchers', 'eco_points']) }),
    },
    responses: {
      200: jsonResponse(
        'One page',
        z.object({
          data: z.array(
            z.object({
              transferId: z.number().int(),
              kind: z.string(),
              type: z.string(),
              amount: z.number().int().openapi({ description: 'Signed hundredths: + in, - out' }),
              balanceAfter: z.number().int(),
              createdAt: z.string(),
              reason: z.string().nullable().openapi({ description: "An operator adjustment's reason" }),
            }),
          ),
          nextCursor: z.string().nullable(),
        }),
      ),
      400: errors[400],
      401: errors[401],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    return c.json(await walletHistory(serviceCtx(c), user, c.req.valid('query')), 200);
  },
);
