import { createRoute, z } from '@hono/zod-openapi';
import { clientAddress, newRouter, serviceCtx } from '../http';
import { handleAdmobCallback } from '../services/admob';
import { errors, jsonResponse } from './schemas';

export const admobRoutes = newRouter();

const q = z.string().max(2000).optional();

admobRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/callbacks/admob',
    tags: ['Video tasks'],
    summary: 'AdMob server-side verification callback (no bearer; ECDSA signature over the query)',
    request: {
      query: z.object({
        ad_network: q,
        ad_unit: q,
        custom_data: q,
        reward_amount: q,
        reward_item: q,
        timestamp: q,
        transaction_id: q,
        user_id: q,
        signature: q,
        key_id: q,
      }),
    },
    responses: {
      200: jsonResponse(
        'Signature verified; counted once per transaction id, or refused (recorded for operators)',
        z.object({
          status: z.enum(['verified', 'duplicate', 'refused']),
          transactionId: z.string(),
          reason: z.string().optional(),
          completedToday: z.number().int().optional(),
          conversion: z
            .object({ vouchers: z.number().int(), ecoPoints: z.number().int() })
            .nullable()
            .optional(),
        }),
      ),
      400: errors[400],
      503: jsonResponse('Verifier keys unavailable; AdMob retries', z.object({ error: z.any() })),
    },
  }),
  async (c) => {
    // The signature covers the query string exactly as sent, so it is taken raw, not re-encoded.
    const url = c.req.url;
    const at = url.indexOf('?');
    const rawQuery = at < 0 ? '' : url.slice(at + 1);
    return c.json(
      await handleAdmobCallback(serviceCtx(c), { rawQuery, clientAddress: clientAddress(c) }),
      200,
    );
  },
);
