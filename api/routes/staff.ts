import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireUser, serviceCtx } from '../http';
import type { OrgKind } from '../services/access';
import { addStaff, listStaff, removeStaff } from '../services/organisations';
import { IdParam } from './merchants';
import { bearer, errors, jsonBody, jsonResponse, Phone } from './schemas';

/** Who acts for a merchant or a supplier: the same routes under each kind's public path. */
export const staffRoutes = newRouter();

const StaffMember = z
  .object({ userId: z.string(), phone: z.string(), role: z.enum(['owner', 'staff']), addedAt: z.string() })
  .openapi('StaffMember');

const staffView = (row: { userId: string; phone: string; role: string; addedAt: Date }) => ({
  userId: row.userId,
  phone: row.phone,
  role: row.role as 'owner' | 'staff',
  addedAt: row.addedAt.toISOString(),
});

const OrganisationId = IdParam('id');

for (const kind of ['merchant', 'supplier'] as const satisfies readonly OrgKind[]) {
  const path = `/${kind}s/{id}/staff`;
  const tag = kind === 'merchant' ? 'Merchants' : 'Suppliers';

  staffRoutes.openapi(
    createRoute({
      method: 'get',
      path,
      tags: [tag],
      summary: `Who acts for the ${kind} (owner only)`,
      security: bearer,
      request: { params: OrganisationId },
      responses: {
        200: jsonResponse('Staff', z.object({ data: z.array(StaffMember) })),
        401: errors[401],
        403: errors[403],
        404: errors[404],
      },
    }),
    async (c) => {
      requireUser(c);
      const rows = await listStaff(serviceCtx(c), kind, c.req.valid('param').id);
      return c.json({ data: rows.map(staffView) }, 200);
    },
  );

  staffRoutes.openapi(
    createRoute({
      method: 'post',
      path,
      tags: [tag],
      summary: 'Add staff by phone number; the account is created if absent (owner only)',
      security: bearer,
      request: { params: OrganisationId, ...jsonBody(z.object({ phone: Phone })) },
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
      const added = await addStaff(serviceCtx(c), kind, c.req.valid('param').id, c.req.valid('json').phone);
      return c.json(staffView(added), 201);
    },
  );

  staffRoutes.openapi(
    createRoute({
      method: 'delete',
      path: `${path}/{userId}`,
      tags: [tag],
      summary: 'Remove a staff member (owner only; the owner cannot be removed)',
      security: bearer,
      request: { params: OrganisationId.extend({ userId: z.string().min(1).max(64) }) },
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
      return c.json(await removeStaff(serviceCtx(c), kind, id, userId), 200);
    },
  );
}
