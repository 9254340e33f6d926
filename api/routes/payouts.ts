import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireOperator, requireUser, serviceCtx } from '../http';
import {
  markMerchantPayoutPaid,
  markPayoutPaid,
  merchantPayable,
  merchantPayouts,
  platformMerchantPayouts,
  platformPayouts,
  runMerchantPayoutBatch,
  runPayoutBatch,
  setMerchantPayoutAccount,
  setSupplierPayoutAccount,
  supplierPayable,
  supplierPayouts,
} from '../services/payouts';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse } from './schemas';

export const payoutRoutes = newRouter();

const Id = z.string().min(1).max(64);
const StripeAccountId = z.string().regex(/^acct_[A-Za-z0-9_]{1,64}$/, 'must be a Stripe account id (acct_…)');

const PayoutBatch = z
  .object({
    id: z.string(),
    supplierId: z.string(),
    amount: z.number().int().openapi({ description: 'fen' }),
    status: z.enum(['pending', 'paid']),
    periodEnd: z.string(),
    paidVia: z.string().nullable().openapi({ description: 'stripe_transfer | bank' }),
    stripeTransferId: z.string().nullable(),
    reference: z.string().nullable(),
    paidAt: z.string().nullable(),
    createdAt: z.string(),
    items: z.array(
      z.object({
        fulfillmentId: z.string(),
        orderId: z.string(),
        kind: z.enum(['settlement', 'reversal']),
        amount: z.number().int().openapi({ description: 'fen; reversals negative' }),
      }),
    ),
  })
  .openapi('PayoutBatch');

payoutRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/suppliers/{id}/payable',
    tags: ['Supply chain'],
    summary: 'What the supplier is owed and not yet paid out, and what was paid out (its staff, operators)',
    security: bearer,
    request: { params: z.object({ id: Id }) },
    responses: {
      200: jsonResponse(
        'Balances in fen',
        z.object({
          payable: z.number().int(),
          paidOut: z.number().int(),
          inPayout: z.number().int().openapi({ description: 'part of payable in batches awaiting payment' }),
        }),
      ),
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await supplierPayable(serviceCtx(c), c.req.valid('param').id), 200);
  },
);

payoutRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/suppliers/{id}/payouts',
    tags: ['Supply chain'],
    summary: "A supplier's payout batches with the fulfillments each covers (its staff, operators)",
    security: bearer,
    request: { params: z.object({ id: Id }) },
    responses: {
      200: jsonResponse('Batches, newest first', z.object({ data: z.array(PayoutBatch) })),
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await supplierPayouts(serviceCtx(c), c.req.valid('param').id), 200);
  },
);

payoutRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/suppliers/{id}/payout-account',
    tags: ['Supply chain'],
    summary: 'Set the Stripe Connect account payouts are transferred to (supplier owner)',
    security: bearer,
    request: {
      params: z.object({ id: Id }),
      ...jsonBody(
        z.object({
          stripeAccountId: StripeAccountId,
        }),
      ),
    },
    responses: {
      200: jsonResponse('Saved', z.object({ supplierId: z.string(), stripeAccountId: z.string() })),
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(
      await setSupplierPayoutAccount(serviceCtx(c), {
        supplierId: c.req.valid('param').id,
        ...c.req.valid('json'),
      }),
      200,
    );
  },
);

payoutRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/platform/payouts',
    tags: ['Platform'],
    summary: 'Every supplier payout batch (operator)',
    security: bearer,
    request: {
      query: z.object({
        status: z.enum(['pending', 'paid']).optional(),
        limit: z.coerce.number().int().min(1).max(500).optional(),
      }),
    },
    responses: {
      200: jsonResponse('Batches, newest first', z.object({ data: z.array(PayoutBatch) })),
      400: errors[400],
      401: errors[401],
      403: errors[403],
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await platformPayouts(serviceCtx(c), c.req.valid('query')), 200);
  },
);

payoutRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/platform/payouts/run',
    tags: ['Platform'],
    summary: 'Run the payout batch now, as the schedule would (operator)',
    description: 'One batch per supplier owed something; running it twice at once still makes one.',
    security: bearer,
    request: { headers: IdempotencyKeyHeader },
    responses: {
      200: jsonResponse(
        'What this run did',
        z.object({
          created: z.array(PayoutBatch),
          paid: z.array(z.string()),
          failed: z.array(z.object({ batchId: z.string(), error: z.string() })),
        }),
      ),
      401: errors[401],
      403: errors[403],
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await runPayoutBatch(serviceCtx(c)), 200);
  },
);

payoutRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/platform/payouts/{id}/mark-paid',
    tags: ['Platform'],
    summary: 'Record a batch paid by bank transfer, with its reference (operator); once only',
    security: bearer,
    request: {
      params: z.object({ id: Id }),
      headers: IdempotencyKeyHeader,
      ...jsonBody(z.object({ reference: z.string().trim().min(1).max(200) })),
    },
    responses: {
      200: jsonResponse('Paid', PayoutBatch),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      404: errors[404],
      409: errors[409],
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(
      await markPayoutPaid(serviceCtx(c), { batchId: c.req.valid('param').id, ...c.req.valid('json') }),
      200,
    );
  },
);

const MerchantPayoutBatch = z
  .object({
    id: z.string(),
    merchantId: z.string(),
    amount: z.number().int().openapi({ description: 'fen' }),
    status: z.enum(['pending', 'paid']),
    periodEnd: z.string(),
    paidVia: z.string().nullable().openapi({ description: 'stripe_transfer | bank' }),
    stripeTransferId: z.string().nullable(),
    reference: z.string().nullable(),
    paidAt: z.string().nullable(),
    createdAt: z.string(),
    items: z.array(
      z.object({
        kind: z.enum(['order', 'refund', 'settlement', 'reversal']),
        sourceId: z.string().openapi({ description: 'the order, refund or fulfillment' }),
        orderId: z.string(),
        amount: z.number().int().openapi({ description: 'fen; refunds and settlements negative' }),
      }),
    ),
  })
  .openapi('MerchantPayoutBatch');

payoutRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/payable',
    tags: ['Merchants'],
    summary:
      'What the platform owes the merchant from online orders and has not paid out (its staff, operators)',
    security: bearer,
    request: { params: z.object({ id: Id }) },
    responses: {
      200: jsonResponse(
        'Balances in fen',
        z.object({ payable: z.number().int(), paidOut: z.number().int(), inPayout: z.number().int() }),
      ),
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await merchantPayable(serviceCtx(c), c.req.valid('param').id), 200);
  },
);

payoutRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/payouts',
    tags: ['Merchants'],
    summary: "A merchant's payout batches with the orders each covers (its staff, operators)",
    security: bearer,
    request: { params: z.object({ id: Id }) },
    responses: {
      200: jsonResponse('Batches, newest first', z.object({ data: z.array(MerchantPayoutBatch) })),
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await merchantPayouts(serviceCtx(c), c.req.valid('param').id), 200);
  },
);

payoutRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/merchants/{id}/payout-account',
    tags: ['Merchants'],
    summary: 'Set the Stripe Connect account payouts are transferred to (merchant owner)',
    security: bearer,
    request: { params: z.object({ id: Id }), ...jsonBody(z.object({ stripeAccountId: StripeAccountId })) },
    responses: {
      200: jsonResponse('Saved', z.object({ merchantId: z.string(), stripeAccountId: z.string() })),
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(
      await setMerchantPayoutAccount(serviceCtx(c), {
        merchantId: c.req.valid('param').id,
        ...c.req.valid('json'),
      }),
      200,
    );
  },
);

payoutRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/platform/merchant-payouts',
    tags: ['Platform'],
    summary: 'Every merchant payout batch (operator)',
    security: bearer,
    request: {
      query: z.object({
        status: z.enum(['pending', 'paid']).optional(),
        limit: z.coerce.number().int().min(1).max(500).optional(),
      }),
    },
    responses: {
      200: jsonResponse('Batches, newest first', z.object({ data: z.array(MerchantPayoutBatch) })),
      400: errors[400],
      401: errors[401],
      403: errors[403],
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await platformMerchantPayouts(serviceCtx(c), c.req.valid('query')), 200);
  },
);

payoutRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/platform/merchant-payouts/run',
    tags: ['Platform'],
    summary: 'Run the merchant payout batch now, as the schedule would (operator)',
    description:
      'An order is paid out once the hold (deliveryAutoConfirmDays) has passed and none of its supplier lines is open; ' +
      'refunds, settlements and reversals are netted in.',
    security: bearer,
    request: { headers: IdempotencyKeyHeader },
    responses: {
      200: jsonResponse(
        'What this run did',
        z.object({
          created: z.array(MerchantPayoutBatch),
          paid: z.array(z.string()),
          failed: z.array(z.object({ batchId: z.string(), error: z.string() })),
        }),
      ),
      401: errors[401],
      403: errors[403],
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await runMerchantPayoutBatch(serviceCtx(c)), 200);
  },
);

payoutRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/platform/merchant-payouts/{id}/mark-paid',
    tags: ['Platform'],
    summary: 'Record a merchant batch paid by bank transfer, with its reference (operator); once only',
    security: bearer,
    request: {
      params: z.object({ id: Id }),
      headers: IdempotencyKeyHeader,
      ...jsonBody(z.object({ reference: z.string().trim().min(1).max(200) })),
    },
    responses: {
      200: jsonResponse('Paid', MerchantPayoutBatch),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      404: errors[404],
      409: errors[409],
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(
      await markMerchantPayoutPaid(serviceCtx(c), {
        batchId: c.req.valid('param').id,
        ...c.req.valid('json'),
      }),
      200,
    );
  },
);
