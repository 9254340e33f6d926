import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireUser, serviceCtx } from '../http';
import { getWallet } from '../services/wallet';
import { bearer, errors, jsonResponse } from './schemas';

export const walletRoutes = newRouter();

walletRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/wallet',
    tags: ['Video tasks'],
    summary: 'Vouchers, eco-points and today’s video tasks',
    security: bearer,
    responses: {
      200: jsonResponse(
        'The caller’s wallet (hundredths of a point)',
        z.object({
          vouchers: z.number().int(),
          ecoPoints: z.number().int().openapi({ description: 'Usable now' }),
          ecoPointsHeld: z
            .number()
            .int()
            .openapi({ description: 'Held for an unpaid order or a pending withdrawal, not in ecoPoints' }),
          today: z.object({
            businessDate: z.string().openapi({ example: '2026-11-30' }),
            completed: z.number().int(),
            required: z.number().int(),
            conversionsLeft: z.number().int(),
            conversionVouchers: z
              .number()
              .int()
              .openapi({ description: 'vouchers (hundredths) a conversion takes; needed to start a video' }),
            conversionEcoPoints: z
              .number()
              .int()
              .openapi({ description: 'eco-points (hundredths) a conversion gives' }),
          }),
          resetsAt: z.string().openapi({ description: 'when the next business day starts' }),
        }),
      ),
      401: errors[401],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await getWallet(serviceCtx(c)), 200);
  },
);
