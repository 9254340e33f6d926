import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireUser, serviceCtx } from '../http';
import { getMe } from '../services/me';
import { bearer, errors, jsonResponse } from './schemas';

export const meRoutes = newRouter();

const Membership = z.object({ id: z.string(), name: z.string(), status: z.string() });

meRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/me',
    tags: ['Auth'],
    summary: 'The signed-in user, member code, wallet and memberships',
    security: bearer,
    responses: {
      200: jsonResponse(
        'The caller',
        z.object({
          user: z.object({ id: z.string(), phone: z.string(), roles: z.array(z.string()) }),
          memberCode: z.string(),
          wallet: z.object({
            vouchers: z.number().int(),
            ecoPoints: z.number().int().openapi({ description: 'Usable now' }),
            ecoPointsHeld: z
              .number()
              .int()
              .openapi({ description: 'Held for an unpaid order or a pending withdrawal' }),
          }),
          merchants: z.array(Membership),
          suppliers: z.array(Membership),
        }),
      ),
      401: errors[401],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    return c.json(await getMe(serviceCtx(c), user), 200);
  },
);
