import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, serviceCtx } from '../http';
import { handleStripeWebhook } from '../services/stripe-events';
import { errors, jsonResponse } from './schemas';

export const webhookRoutes = newRouter();

webhookRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/webhooks/stripe',
    tags: ['Webhooks'],
    summary: 'Stripe events (no bearer; Stripe-Signature verified over the raw body, 300 s tolerance)',
    description:
      'Handles checkout.session.completed (top-ups, orders), charge.refunded, charge.dispute.closed and account.updated (payout accounts). A verified event that matches nothing is answered 200 and listed for operators.',
    // No body schema: a JSON validator would parse the body, and the signature covers the exact bytes.
    request: { headers: z.object({ 'stripe-signature': z.string().optional() }) },
    responses: {
      200: jsonResponse(
        'Received (and recorded once)',
        z.object({ received: z.literal(true), outcome: z.string() }),
      ),
      400: jsonResponse(
        '`invalid_signature`: nothing was written',
        errors[400].content['application/json'].schema,
      ),
    },
  }),
  async (c) =>
    c.json(
      await handleStripeWebhook(serviceCtx(c), await c.req.text(), c.req.header('stripe-signature')),
      200,
    ),
);
