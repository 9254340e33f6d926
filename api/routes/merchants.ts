import { createRoute, z } from '@hono/zod-openapi';
import { clientAddress, newRouter, requireUser, serviceCtx } from '../http';
import { pageQuery } from '../paging';
import { applyMerchant, getMerchant, merchantDirectory, merchantPointsHistory } from '../services/merchants';
import { voucherQuote } from '../services/sales';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse, MinorUnits } from './schemas';

export const merchantRoutes = newRouter();

export const ApplicationBody = z.object({
  name: z.string().min(1).max(100),
  category: z.string().max(50).optional(),
  address: z.string().max(200).optional(),
  contact: z.string().max(100).optional(),
});

export const OrgStatus = z.enum(['pending', 'active', 'rejected', 'suspended']);

export const Merchant = z
  .object({
    id: z.string(),
    name: z.string(),
    status: OrgStatus,
    category: z.string().nullable(),
    address: z.string().nullable(),
    contact: z.string().nullable(),
    adPoints: z.number().int().openapi({ description: 'Available ad points, hundredths' }),
    adRateBp: z
      .number()
      .int()
      .openapi({ description: 'Ad rate in force: the merchant override or the platform rate' }),
    ecoPoints: z
      .number()
      .int()
      .openapi({ description: 'Received eco-points usable now (hundredths): not those held' }),
    ecoPointsHeld: z
      .number()
      .int()
      .openapi({ description: 'Eco-points held for a pending withdrawal (hundredths)' }),
    vouchersActive: z.boolean().openapi({ description: 'Active and holds ad points > 0' }),
    lowBalance: z.boolean().openapi({ description: 'adPoints < lowBalanceAlertAdPoints' }),
    lowBalanceAlertAdPoints: z.number().int(),
    rejectionReason: z.string().nullable(),
    suspensionReason: z
      .string()
      .nullable()
      .openapi({ description: "While suspended: the operator's reason (ADR 0017)" }),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .openapi('Merchant');

export const IdParam = (name: string) =>
  z.object({
    id: z
      .string()
      .min(1)
      .max(64)
      .openapi({ param: { name, in: 'path' } }),
  });
const MerchantId = IdParam('id');

merchantRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/merchants',
    tags: ['Merchants'],
    summary: 'Apply for a merchant account; the caller becomes its owner',
    security: bearer,
    request: { headers: IdempotencyKeyHeader, ...jsonBody(ApplicationBody) },
    responses: {
      201: jsonResponse('Application recorded, pending review', Merchant),
      400: errors[400],
      401: errors[401],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await applyMerchant(serviceCtx(c), c.req.valid('json')), 201);
  },
);

merchantRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants',
    tags: ['Merchants'],
    summary: 'Directory of active merchants and whether their vouchers are active (public)',
    request: { query: pageQuery('merchants') },
    responses: {
      200: jsonResponse(
        'Active merchants',
        z.object({
          data: z.array(
            z.object({
              id: z.string(),
              name: z.string(),
              category: z.string().nullable(),
              address: z.string().nullable(),
              vouchersActive: z.boolean(),
            }),
          ),
          nextCursor: z.string().nullable(),
        }),
      ),
      400: errors[400],
    },
  }),
  async (c) => c.json(await merchantDirectory(serviceCtx(c), c.req.valid('query')), 200),
);

merchantRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}',
    tags: ['Merchants'],
    summary: 'A merchant, with its ad points and low-balance state (its staff, operators)',
    security: bearer,
    request: { params: MerchantId },
    responses: { 200: jsonResponse('The merchant', Merchant), 401: errors[401], 404: errors[404] },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await getMerchant(serviceCtx(c), c.req.valid('param').id), 200);
  },
);

const PointsHistory = z.object({
  data: z.array(
    z.object({
      transferId: z.number().int(),
      transactionId: z.number().int(),
      kind: z.string(),
      type: z.string().openapi({ description: 'single | pending (held, not yet moved) | post | void' }),
      amount: z.number().int(),
      balanceAfter: z.number().int(),
      createdAt: z.string(),
      meta: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

/** Ledger history entries with their meta as a plain object (null when none). */
const historyBody = (history: Awaited<ReturnType<typeof merchantPointsHistory>>) => ({
  ...history,
  data: history.data.map((e) => ({ ...e, meta: (e.meta ?? null) as Record<string, unknown> | null })),
});

merchantRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/ad-points/history',
    tags: ['Merchants'],
    summary: 'Ad point movements from the ledger, newest first (its staff, operators)',
    security: bearer,
    request: { params: MerchantId, query: pageQuery('ledgerHistory') },
    responses: {
      200: jsonResponse('One page of movements; amount is signed (+ credit, - debit)', PointsHistory),
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    const { id } = c.req.valid('param');
    return c.json(
      historyBody(await merchantPointsHistory(serviceCtx(c), id, 'ad_points', c.req.valid('query'))),
      200,
    );
  },
);

merchantRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/eco-points/history',
    tags: ['Merchants'],
    summary:
      'Eco-point movements from the ledger, newest first: received from consumers, eco-topups, withdrawals (its staff, operators)',
    security: bearer,
    request: { params: MerchantId, query: pageQuery('ledgerHistory') },
    responses: {
      200: jsonResponse('One page of movements; amount is signed (+ credit, - debit)', PointsHistory),
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    const { id } = c.req.valid('param');
    return c.json(
      historyBody(await merchantPointsHistory(serviceCtx(c), id, 'eco_points', c.req.valid('query'))),
      200,
    );
  },
);

merchantRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/voucher-quote',
    tags: ['Merchants'],
    summary: 'Vouchers a purchase of this amount would earn now, and whether they are paused (public)',
    description:
      "Paused: the merchant's ad points cannot cover the charge of this amount, so a purchase now earns none (SPEC flow 2).",
    request: { params: MerchantId, query: z.object({ amount: z.coerce.number().pipe(MinorUnits) }) },
    responses: {
      200: jsonResponse(
        'The quote',
        z.object({
          amount: z.number().int().openapi({ description: 'fen' }),
          vouchers: z.number().int().openapi({ description: 'hundredths, earned unless paused' }),
          vouchersPaused: z.boolean(),
        }),
      ),
      400: errors[400],
      404: errors[404],
      422: errors[422],
      429: errors[429],
    },
  }),
  async (c) =>
    c.json(
      await voucherQuote(serviceCtx(c), {
        merchantId: c.req.valid('param').id,
        amountFen: c.req.valid('query').amount,
        clientAddress: clientAddress(c),
      }),
      200,
    ),
);
