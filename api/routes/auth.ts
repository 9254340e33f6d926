import { createRoute, z } from '@hono/zod-openapi';
import { clientAddress, newRouter, serviceCtx } from '../http';
import { requestOtp, verifyOtp } from '../services/auth';
import { errors, jsonBody, jsonResponse, Phone } from './schemas';

export const authRoutes = newRouter();

const UserBody = z.object({
  id: z.string(),
  phone: z.string(),
  roles: z.array(z.enum(['consumer', 'operator'])),
});

authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/auth/otp',
    tags: ['Auth'],
    summary: 'Send a sign-in code by SMS',
    request: jsonBody(z.object({ phone: Phone })),
    responses: {
      200: jsonResponse(
        'Code sent; `devCode` only with AUTH_PROVIDER=dev',
        z.object({ sent: z.literal(true), devCode: z.string().optional() }),
      ),
      400: errors[400],
      429: errors[429],
    },
  }),
  async (c) => {
    const { phone } = c.req.valid('json');
    const deps = c.get('deps');
    return c.json(
      await requestOtp(serviceCtx(c), deps.auth, { phone, clientAddress: clientAddress(c) }),
      200,
    );
  },
);

authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/auth/verify',
    tags: ['Auth'],
    summary: 'Exchange the SMS code for a bearer token',
    request: jsonBody(z.object({ phone: Phone, code: z.string().regex(/^\d{6}$/, 'must be 6 digits') })),
    responses: {
      200: jsonResponse('Signed in', z.object({ token: z.string(), user: UserBody })),
      400: errors[400],
      401: errors[401],
      429: errors[429],
    },
  }),
  async (c) => {
    const input = c.req.valid('json');
    return c.json(
      await verifyOtp(serviceCtx(c), c.get('deps').auth, { ...input, clientAddress: clientAddress(c) }),
      200,
    );
  },
);
