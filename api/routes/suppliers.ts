import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireUser, serviceCtx } from '../http';
import { applySupplier, getSupplier } from '../services/suppliers';
import { ApplicationBody, IdParam, OrgStatus } from './merchants';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse } from './schemas';

/** Suppliers join here; staff in routes/staff.ts, catalog and fulfillments with the supply chain. */
export const supplierRoutes = newRouter();

export const Supplier = z
  .object({
    id: z.string(),
    name: z.string(),
    status: OrgStatus,
    address: z.string().nullable(),
    contact: z.string().nullable(),
    rejectionReason: z.string().nullable(),
    suspensionReason: z
      .string()
      .nullable()
      .openapi({ description: "While suspended: the operator's reason (ADR 0017)" }),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .openapi('Supplier');

const SupplierId = IdParam('id');

supplierRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/suppliers',
    tags: ['Suppliers'],
    summary: 'Apply for a supplier account; the caller becomes its owner',
    security: bearer,
    request: { headers: IdempotencyKeyHeader, ...jsonBody(ApplicationBody.omit({ category: true })) },
    responses: {
      201: jsonResponse('Application recorded, pending review', Supplier),
      400: errors[400],
      401: errors[401],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await applySupplier(serviceCtx(c), c.req.valid('json')), 201);
  },
);

supplierRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/suppliers/{id}',
    tags: ['Suppliers'],
    summary: 'A supplier (its staff, operators)',
    security: bearer,
    request: { params: SupplierId },
    responses: { 200: jsonResponse('The supplier', Supplier), 401: errors[401], 404: errors[404] },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await getSupplier(serviceCtx(c), c.req.valid('param').id), 200);
  },
);
