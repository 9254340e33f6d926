import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireOperator, serviceCtx } from '../http';
import { pageQuery } from '../paging';
import {
  approveMerchant,
  listMerchantApplications,
  reinstateMerchant,
  rejectMerchant,
  setMerchantAdRate,
  suspendMerchant,
} from '../services/merchants';
import { applyAnomalyRefund } from '../services/orders';
import { statusChanges } from '../services/organisations';
import { changePlatformParameter, parameterOverview } from '../services/parameters';
import { listStripeAnomalies, resolveStripeAnomaly } from '../services/stripe-anomalies';
import {
  approveSupplier,
  listSupplierApplications,
  reinstateSupplier,
  rejectSupplier,
  suspendSupplier,
} from '../services/suppliers';
import { Merchant, OrgStatus } from './merchants';
import { AnomalyHandling, bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse } from './schemas';
import { Supplier } from './suppliers';

/**
 * Operator endpoints of this area: applications, suspensions (ADR 0017), parameters, Stripe anomalies.
 * 403 for everyone else.
 */
export const platformRoutes = newRouter();

const IdParam = z.object({ id: z.string().min(1).max(64) });
const StatusQuery = z.object({
  status: OrgStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
const RejectBody = z.object({ reason: z.string().max(500).optional() });
const operatorErrors = { 401: errors[401], 403: errors[403] };
const StatusChange = z
  .object({
    id: z.string(),
    fromStatus: OrgStatus,
    toStatus: OrgStatus,
    reason: z.string().nullable(),
    changedBy: z.string(),
    changedByPhone: z.string().openapi({ description: "The operator's phone, masked" }),
    changedAt: z.string(),
  })
  .openapi('OrganisationStatusChange');
const conflictShape = errors[409].content['application/json'].schema;

for (const kind of ['merchants', 'suppliers'] as const) {
  const View = kind === 'merchants' ? Merchant : Supplier;
  const tag = kind === 'merchants' ? 'Merchants' : 'Suppliers';

  platformRoutes.openapi(
    createRoute({
      method: 'get',
      path: `/platform/${kind}`,
      tags: [tag],
      summary: `Operators: ${kind} by status (applications: ?status=pending), oldest first`,
      security: bearer,
      request: { query: StatusQuery },
      responses: {
        200: jsonResponse('List', z.object({ data: z.array(View) })),
        400: errors[400],
        ...operatorErrors,
      },
    }),
    async (c) => {
      requireOperator(c);
      const query = c.req.valid('query');
      const ctx = serviceCtx(c);
      const data =
        kind === 'merchants'
          ? await listMerchantApplications(ctx, query)
          : await listSupplierApplications(ctx, query);
      return c.json({ data }, 200);
    },
  );

  platformRoutes.openapi(
    createRoute({
      method: 'post',
      path: `/platform/${kind}/{id}/approve`,
      tags: [tag],
      summary: 'Operators: approve an application (approving an active one again changes nothing)',
      security: bearer,
      request: { params: IdParam },
      responses: {
        200: jsonResponse('Active', View),
        ...operatorErrors,
        404: errors[404],
        409: jsonResponse(
          '`not_pending` (rejected or suspended)',
          errors[409].content['application/json'].schema,
        ),
      },
    }),
    async (c) => {
      requireOperator(c);
      const { id } = c.req.valid('param');
      const ctx = serviceCtx(c);
      return c.json(
        kind === 'merchants' ? await approveMerchant(ctx, id) : await approveSupplier(ctx, id),
        200,
      );
    },
  );

  platformRoutes.openapi(
    createRoute({
      method: 'post',
      path: `/platform/${kind}/{id}/reject`,
      tags: [tag],
      summary: 'Operators: reject an application with a reason the applicant sees',
      security: bearer,
      request: { params: IdParam, ...jsonBody(RejectBody) },
      responses: {
        200: jsonResponse('Rejected', View),
        400: errors[400],
        ...operatorErrors,
        404: errors[404],
        409: jsonResponse('`not_pending` (already active)', errors[409].content['application/json'].schema),
        422: jsonResponse('`reason_required`', errors[422].content['application/json'].schema),
      },
    }),
    async (c) => {
      requireOperator(c);
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const ctx = serviceCtx(c);
      return c.json(
        kind === 'merchants' ? await rejectMerchant(ctx, id, reason) : await rejectSupplier(ctx, id, reason),
        200,
      );
    },
  );

  platformRoutes.openapi(
    createRoute({
      method: 'post',
      path: `/platform/${kind}/{id}/suspend`,
      tags: [tag],
      summary: 'Operators: suspend an active one with a reason its staff see (ADR 0017)',
      security: bearer,
      request: { params: IdParam, ...jsonBody(RejectBody) },
      responses: {
        200: jsonResponse('Suspended', View),
        400: errors[400],
        ...operatorErrors,
        404: errors[404],
        409: jsonResponse('`already_suspended`, `not_active` (pending or rejected)', conflictShape),
        422: jsonResponse('`reason_required`', errors[422].content['application/json'].schema),
      },
    }),
    async (c) => {
      requireOperator(c);
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const ctx = serviceCtx(c);
      return c.json(
        kind === 'merchants'
          ? await suspendMerchant(ctx, id, reason)
          : await suspendSupplier(ctx, id, reason),
        200,
      );
    },
  );

  platformRoutes.openapi(
    createRoute({
      method: 'post',
      path: `/platform/${kind}/{id}/reinstate`,
      tags: [tag],
      summary: 'Operators: make a suspended one active again (the reason is optional)',
      security: bearer,
      request: { params: IdParam, ...jsonBody(RejectBody) },
      responses: {
        200: jsonResponse('Active', View),
        400: errors[400],
        ...operatorErrors,
        404: errors[404],
        409: jsonResponse('`not_suspended`', conflictShape),
      },
    }),
    async (c) => {
      requireOperator(c);
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const ctx = serviceCtx(c);
      return c.json(
        kind === 'merchants'
          ? await reinstateMerchant(ctx, id, reason)
          : await reinstateSupplier(ctx, id, reason),
        200,
      );
    },
  );

  platformRoutes.openapi(
    createRoute({
      method: 'get',
      path: `/platform/${kind}/{id}/status-changes`,
      tags: [tag],
      summary: 'Operators: every suspension and reinstatement, newest first',
      security: bearer,
      request: { params: IdParam },
      responses: {
        200: jsonResponse('History', z.object({ data: z.array(StatusChange) })),
        ...operatorErrors,
        404: errors[404],
      },
    }),
    async (c) => {
      requireOperator(c);
      const { id } = c.req.valid('param');
      return c.json(
        { data: await statusChanges(serviceCtx(c), kind === 'merchants' ? 'merchant' : 'supplier', id) },
        200,
      );
    },
  );
}

const ParameterChange = z
  .object({
    id: z.string(),
    scope: z.string().openapi({ description: '`platform` or a merchant id (per-merchant ad rate)' }),
    name: z.string(),
    value: z.union([z.number(), z.string()]).nullable(),
    effectiveFrom: z.string(),
    changedBy: z.string(),
    changedAt: z.string(),
    reason: z.string().nullable(),
  })
  .openapi('ParameterChange');

platformRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/platform/merchants/{id}/ad-rate',
    tags: ['Parameters'],
    summary: "Operators: a merchant's own ad rate in basis points (null returns it to the platform rate)",
    security: bearer,
    request: {
      params: IdParam,
      ...jsonBody(
        z.object({
          adRateBp: z.number().int().nullable(),
          effectiveFrom: z.string().datetime({ offset: true }).optional(),
          reason: z.string().max(500).optional(),
        }),
      ),
    },
    responses: {
      200: jsonResponse(
        'Recorded',
        z.object({ merchantId: z.string(), adRateBp: z.number().int(), change: ParameterChange }),
      ),
      400: errors[400],
      ...operatorErrors,
      404: errors[404],
      422: errors[422],
    },
  }),
  async (c) => {
    requireOperator(c);
    const body = c.req.valid('json');
    const result = await setMerchantAdRate(serviceCtx(c), c.req.valid('param').id, {
      adRateBp: body.adRateBp,
      effectiveFrom: body.effectiveFrom ? new Date(body.effectiveFrom) : undefined,
      reason: body.reason,
    });
    const { change } = result;
    return c.json(
      {
        merchantId: result.merchantId,
        adRateBp: result.adRateBp,
        change: {
          id: change.id,
          scope: change.scope,
          name: change.name,
          value: change.intValue,
          effectiveFrom: change.effectiveFrom.toISOString(),
          changedBy: change.changedBy,
          changedAt: change.changedAt.toISOString(),
          reason: change.reason,
        },
      },
      200,
    );
  },
);

platformRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/platform/parameters',
    tags: ['Parameters'],
    summary: 'Operators: the parameters in force now, the defaults, and every change',
    security: bearer,
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(200) }) },
    responses: {
      200: jsonResponse(
        'Parameters',
        z.object({
          values: z.record(z.string(), z.union([z.number(), z.string()])),
          defaults: z.record(z.string(), z.union([z.number(), z.string()])),
          history: z.array(ParameterChange),
        }),
      ),
      400: errors[400],
      ...operatorErrors,
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await parameterOverview(serviceCtx(c), c.req.valid('query')), 200);
  },
);

const ChangeBody = z.object({
  name: z.string().min(1).max(64),
  value: z.union([z.number(), z.string().max(100)]),
  effectiveFrom: z.string().datetime({ offset: true }).optional(),
  reason: z.string().max(500).optional(),
});

for (const method of ['post', 'put'] as const) {
  platformRoutes.openapi(
    createRoute({
      method,
      path: '/platform/parameters',
      tags: ['Parameters'],
      summary: 'Operators: change a platform parameter from now or a later time (kept in history)',
      security: bearer,
      request: jsonBody(ChangeBody),
      responses: {
        201: jsonResponse('Recorded', ParameterChange),
        400: errors[400],
        ...operatorErrors,
        422: jsonResponse(
          '`unknown_parameter`, `invalid_parameter_value`, `effective_in_past`',
          errors[422].content['application/json'].schema,
        ),
      },
    }),
    async (c) => {
      requireOperator(c);
      const body = c.req.valid('json');
      const change = await changePlatformParameter(serviceCtx(c), {
        ...body,
        effectiveFrom: body.effectiveFrom ? new Date(body.effectiveFrom) : undefined,
      });
      return c.json(change, 201);
    },
  );
}

const StripeAnomaly = z
  .object({
    id: z.string(),
    eventId: z.string(),
    kind: z.string(),
    topupId: z.string().nullable(),
    merchantId: z.string().nullable(),
    merchantName: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    refundable: z.boolean().openapi({
      description: 'Open, and money Stripe returned on an order: `apply-refund` may apply it',
    }),
    ...AnomalyHandling.shape,
    resolvedAt: z.string().nullable().openapi({ description: 'Null while the anomaly is open' }),
  })
  .openapi('StripeAnomaly');

platformRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/platform/stripe/anomalies',
    tags: ['Webhooks'],
    summary: 'Operators: verified Stripe events that matched nothing or mismatched, and unrecoverable points',
    security: bearer,
    request: {
      query: pageQuery('stripeAnomalies').extend({ status: z.enum(['open', 'resolved']).optional() }),
    },
    responses: {
      200: jsonResponse(
        'Newest first',
        z.object({ data: z.array(StripeAnomaly), nextCursor: z.string().nullable() }),
      ),
      400: errors[400],
      ...operatorErrors,
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await listStripeAnomalies(serviceCtx(c), c.req.valid('query')), 200);
  },
);

platformRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/platform/stripe/anomalies/{id}/resolve',
    tags: ['Webhooks'],
    summary: 'Operators: record what was done about an anomaly (once; who and when are kept)',
    security: bearer,
    request: {
      params: IdParam,
      headers: IdempotencyKeyHeader,
      ...jsonBody(z.object({ note: z.string().max(500) })),
    },
    responses: {
      200: jsonResponse('Resolved', StripeAnomaly),
      400: errors[400],
      ...operatorErrors,
      404: errors[404],
      409: { ...errors[409], description: '`already_resolved`' },
      422: { ...errors[422], description: '`note_required`' },
    },
  }),
  async (c) => {
    requireOperator(c);
    const { id } = c.req.valid('param');
    return c.json(await resolveStripeAnomaly(serviceCtx(c), id, c.req.valid('json')), 200);
  },
);

platformRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/platform/stripe/anomalies/{id}/apply-refund',
    tags: ['Webhooks'],
    summary:
      'Operators: apply money Stripe returned on an order (a dashboard refund, a lost dispute) as a refund of the largest part of the order with exactly that money part; resolves the anomaly',
    security: bearer,
    request: {
      params: IdParam,
      headers: IdempotencyKeyHeader,
      ...jsonBody(z.object({ note: z.string().max(500).optional() })),
    },
    responses: {
      200: jsonResponse(
        'Applied',
        z.object({
          anomaly: StripeAnomaly,
          refund: z.object({
            id: z.string(),
            refunded: z.number().int(),
            vouchersClawedBack: z.number().int(),
            adPointsReturned: z.number().int(),
            ecoPointsReturned: z.number().int(),
            cashRefunded: z.number().int(),
          }),
        }),
      ),
      400: errors[400],
      ...operatorErrors,
      404: errors[404],
      409: {
        ...errors[409],
        description:
          '`already_resolved`, `not_refundable`, `nothing_to_apply`, `refund_in_progress`, `balance_changed`',
      },
      502: { ...errors[502], description: '`payment_provider_error`: Stripe did not answer' },
    },
  }),
  async (c) => {
    requireOperator(c);
    const { id } = c.req.valid('param');
    return c.json(await applyAnomalyRefund(serviceCtx(c), id, c.req.valid('json')), 200);
  },
);
