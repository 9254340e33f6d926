import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireUser, serviceCtx } from '../http';
import { addStaff, listStaff, removeStaff } from '../services/merchants';
import { applySupplier, getSupplier } from '../services/suppliers';
import { ApplicationBody, IdParam, OrgStatus, StaffMember, staffView } from './merchants';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse, Phone } from './schemas';

/** Suppliers join and manage staff here; their catalog and fulfillment routes live with the supply chain. */
export const supplierRoutes = newRouter();

export const Supplier = z
  .object({
    id: z.string(),
    name: z.string(),
    status: OrgStatus,
    address: z.string().nullable(),
    contact: z.string().nullable(),
    rejectionReason: z.string().nullable(),
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

supplierRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/suppliers/{id}/staff',
    tags: ['Suppliers'],
    summary: 'Who acts for the supplier (owner only)',
    security: bearer,
    request: { params: SupplierId },
    responses: {
      200: jsonResponse('Staff', z.object({ data: z.array(StaffMember) })),
      401: errors[401],
      403: errors[403],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    const rows = await listStaff(serviceCtx(c), 'supplier', c.req.valid('param').id);
    return c.json({ data: rows.map(staffView) }, 200);
  },
);

supplierRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/suppliers/{id}/staff',
    tags: ['Suppliers'],
    summary: 'Add staff by phone number; the account is created if absent (owner only)',
    security: bearer,
    request: { params: SupplierId, ...jsonBody(z.object({ phone: Phone })) },
    responses: {
      201: jsonResponse('Added', StaffMember),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      404: errors[404],
      409: errors[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const added = await addStaff(
      serviceCtx(c),
      'supplier',
      c.req.valid('param').id,
      c.req.valid('json').phone,
    );
    return c.json(staffView(added), 201);
  },
);

supplierRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/suppliers/{id}/staff/{userId}',
    tags: ['Suppliers'],
    summary: 'Remove a staff member (owner only; the owner cannot be removed)',
    security: bearer,
    request: { params: SupplierId.extend({ userId: z.string().min(1).max(64) }) },
    responses: {
      200: jsonResponse('Removed', z.object({ removed: z.literal(true), userId: z.string() })),
      401: errors[401],
      403: errors[403],
      404: errors[404],
      409: errors[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const { id, userId } = c.req.valid('param');
    return c.json(await removeStaff(serviceCtx(c), 'supplier', id, userId), 200);
  },
);
