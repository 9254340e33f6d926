import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireUser, serviceCtx } from '../http';
import { getMe } from '../services/me';
import { issueMemberCode } from '../services/member-codes';
import { acceptPrivacyNotice, deleteAccount, exportPersonalData } from '../services/privacy';
import { bearer, errors, jsonBody, jsonResponse } from './schemas';

export const meRoutes = newRouter();

const Membership = z.object({ id: z.string(), name: z.string(), status: z.string() });

const Consent = z
  .object({
    required: z.boolean().openapi({ description: 'True until the privacy notice in force is accepted' }),
    version: z.string().openapi({ description: 'The privacy notice in force' }),
    acceptedVersion: z.string().nullable(),
    acceptedAt: z.string().nullable(),
  })
  .openapi('Consent');

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
          consent: Consent,
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

meRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/me/consent',
    tags: ['Auth'],
    summary: 'Accept the privacy notice in force (asked on first sign-in and after it changes)',
    security: bearer,
    request: jsonBody(z.object({ version: z.string().min(1).max(32) })),
    responses: {
      200: jsonResponse('Accepted', Consent),
      400: errors[400],
      401: errors[401],
      422: errors[422],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    return c.json(await acceptPrivacyNotice(serviceCtx(c), user, c.req.valid('json')), 200);
  },
);

meRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/me/export',
    tags: ['Auth'],
    summary:
      'Everything kept about the caller, as JSON (account, wallet, ledger history, sales, orders, views)',
    security: bearer,
    responses: {
      200: jsonResponse('The personal data export', z.record(z.string(), z.unknown())),
      401: errors[401],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    return c.json(await exportPersonalData(serviceCtx(c), user), 200);
  },
);

meRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/me',
    tags: ['Auth'],
    summary:
      'Delete the account: personal data erased, ledger history kept under the anonymised id. 409 ' +
      '`owns_active_business`, `pending_order` or `pending_withdrawal` while those are open.',
    security: bearer,
    request: jsonBody(z.object({ confirm: z.literal(true) })),
    responses: {
      200: jsonResponse('Deleted', z.object({ id: z.string(), deleted: z.literal(true) })),
      400: errors[400],
      401: errors[401],
      409: errors[409],
    },
  }),
  async (c) => {
    const user = requireUser(c);
    c.req.valid('json');
    return c.json(await deleteAccount(serviceCtx(c), user), 200);
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
