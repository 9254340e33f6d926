import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireUser, serviceCtx } from '../http';
import { getMe, issueMemberCode } from '../services/me';
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
          wallet: z.object({ vouchers: z.number().int(), ecoPoints: z.number().int() }),
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

meRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/me/member-code',
    tags: ['Auth'],
    summary: 'A fresh 8-digit member code, valid for five minutes (shown as QR and digits at the till)',
    description:
      "Each call replaces the caller's previous code. A merchant records a sale with it like the fixed member code.",
    security: bearer,
    responses: {
      201: jsonResponse('The code', z.object({ code: z.string(), expiresAt: z.string() })),
      401: errors[401],
      409: errors[409],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    return c.json(await issueMemberCode(serviceCtx(c), user), 201);
  },
);
