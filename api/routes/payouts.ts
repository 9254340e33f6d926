import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireOperator, requireUser, serviceCtx } from '../http';
import type { OrgKind } from '../services/access';
import { listPayouts, markPayoutPaid, payable, runPayouts, setPayoutAccount } from '../services/payouts';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse } from './schemas';

/** Payouts of merchants and suppliers: one set of routes per concept, declared for each kind's public paths. */
export const payoutRoutes = newRouter();

const Id = z.string().min(1).max(64);
const StripeAccountId = z.string().regex(/^acct_[A-Za-z0-9_]{1,64}$/, 'must be a Stripe account id (acct_…)');

const batchFields = {
  amount: z.number().int().openapi({ description: 'fen' }),
  status: z.enum(['pending', 'paid']),
  periodEnd: z.string(),
  paidVia: z.string().nullable().openapi({ description: 'stripe_transfer | bank' }),
  stripeTransferId: z.string().nullable(),
  reference: z.string().nullable(),
  paidAt: z.string().nullable(),
  createdAt: z.string(),
};

const PayoutBatch = z
  .object({
    id: z.string(),
    supplierId: z.string(),
    ...batchFields,
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

const MerchantPayoutBatch = z
  .object({
    id: z.string(),
    merchantId: z.string(),
    ...batchFields,
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

const Payable = z.object({
  payable: z.number().int(),
  paidOut: z.number().int(),
  inPayout: z.number().int().openapi({ description: 'part of payable in batches awaiting payment' }),
});

/** Each kind's public paths and words; the routes below are the same for both. */
const payees = {
  supplier: {
    path: '/suppliers',
    platformPath: '/platform/payouts',
    tag: 'Supply chain',
    Batch: PayoutBatch,
    AccountSaved: z.object({ supplierId: z.string(), stripeAccountId: z.string() }),
    payableSummary:
      'What the supplier is owed and not yet paid out, and what was paid out (its staff, operators)',
    payoutsSummary: "A supplier's payout batches with the fulfillments each covers (its staff, operators)",
    accountSummary: 'Set the Stripe Connect account payouts are transferred to (supplier owner)',
    listSummary: 'Every supplier payout batch (operator)',
    runSummary: 'Run the payout batch now, as the schedule would (operator)',
    runDescription: 'One batch per supplier owed something; running it twice at once still makes one.',
    markPaidSummary: 'Record a batch paid by bank transfer, with its reference (operator); once only',
  },
  merchant: {
    path: '/merchants',
    platformPath: '/platform/merchant-payouts',
    tag: 'Merchants',
    Batch: MerchantPayoutBatch,
    AccountSaved: z.object({ merchantId: z.string(), stripeAccountId: z.string() }),
    payableSummary:
      'What the platform owes the merchant from online orders and has not paid out (its staff, operators)',
    payoutsSummary: "A merchant's payout batches with the orders each covers (its staff, operators)",
    accountSummary: 'Set the Stripe Connect account payouts are transferred to (merchant owner)',
    listSummary: 'Every merchant payout batch (operator)',
    runSummary: 'Run the merchant payout batch now, as the schedule would (operator)',
    runDescription:
      'An order is paid out once the hold (deliveryAutoConfirmDays) has passed and none of its supplier lines is open; ' +
      'refunds, settlements and reversals are netted in.',
    markPaidSummary:
      'Record a merchant batch paid by bank transfer, with its reference (operator); once only',
  },
} as const;

for (const kind of ['supplier', 'merchant'] as const satisfies readonly OrgKind[]) {
  const p = payees[kind];

  payoutRoutes.openapi(
    createRoute({
      method: 'get',
      path: `${p.path}/{id}/payable`,
      tags: [p.tag],
      summary: p.payableSummary,
      security: bearer,
      request: { params: z.object({ id: Id }) },
      responses: { 200: jsonResponse('Balances in fen', Payable), 401: errors[401], 404: errors[404] },
    }),
    async (c) => {
      requireUser(c);
      return c.json(await payable(serviceCtx(c), kind, c.req.valid('param').id), 200);
    },
  );

  payoutRoutes.openapi(
    createRoute({
      method: 'get',
      path: `${p.path}/{id}/payouts`,
      tags: [p.tag],
      summary: p.payoutsSummary,
      security: bearer,
      request: { params: z.object({ id: Id }) },
      responses: {
        200: jsonResponse('Batches, newest first', z.object({ data: z.array(p.Batch) })),
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) => {
      requireUser(c);
      return c.json(await listPayouts(serviceCtx(c), kind, { organisationId: c.req.valid('param').id }), 200);
    },
  );

  payoutRoutes.openapi(
    createRoute({
      method: 'put',
      path: `${p.path}/{id}/payout-account`,
      tags: [p.tag],
      summary: p.accountSummary,
      security: bearer,
      request: { params: z.object({ id: Id }), ...jsonBody(z.object({ stripeAccountId: StripeAccountId })) },
      responses: {
        200: jsonResponse('Saved', p.AccountSaved),
        400: errors[400],
        401: errors[401],
        404: errors[404],
      },
    }),
    async (c) => {
      requireUser(c);
      const { organisationId, stripeAccountId } = await setPayoutAccount(serviceCtx(c), kind, {
        organisationId: c.req.valid('param').id,
        ...c.req.valid('json'),
      });
      return c.json(
        kind === 'supplier'
          ? { supplierId: organisationId, stripeAccountId }
          : { merchantId: organisationId, stripeAccountId },
        200,
      );
    },
  );

  payoutRoutes.openapi(
    createRoute({
      method: 'get',
      path: p.platformPath,
      tags: ['Platform'],
      summary: p.listSummary,
      security: bearer,
      request: {
        query: z.object({
          status: z.enum(['pending', 'paid']).optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
      },
      responses: {
        200: jsonResponse('Batches, newest first', z.object({ data: z.array(p.Batch) })),
        400: errors[400],
        401: errors[401],
        403: errors[403],
      },
    }),
    async (c) => {
      requireOperator(c);
      return c.json(await listPayouts(serviceCtx(c), kind, c.req.valid('query')), 200);
    },
  );

  payoutRoutes.openapi(
    createRoute({
      method: 'post',
      path: `${p.platformPath}/run`,
      tags: ['Platform'],
      summary: p.runSummary,
      description: p.runDescription,
      security: bearer,
      request: { headers: IdempotencyKeyHeader },
      responses: {
        200: jsonResponse(
          'What this run did',
          z.object({
            created: z.array(p.Batch),
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
      return c.json(await runPayouts(serviceCtx(c), kind), 200);
    },
  );

  payoutRoutes.openapi(
    createRoute({
      method: 'post',
      path: `${p.platformPath}/{id}/mark-paid`,
      tags: ['Platform'],
      summary: p.markPaidSummary,
      security: bearer,
      request: {
        params: z.object({ id: Id }),
        headers: IdempotencyKeyHeader,
        ...jsonBody(z.object({ reference: z.string().trim().min(1).max(200) })),
      },
      responses: {
        200: jsonResponse('Paid', p.Batch),
        400: errors[400],
        401: errors[401],
        403: errors[403],
        404: errors[404],
        409: errors[409],
      },
    }),
    async (c) => {
      requireOperator(c);
      const input = { batchId: c.req.valid('param').id, ...c.req.valid('json') };
      return c.json(await markPayoutPaid(serviceCtx(c), kind, input), 200);
    },
  );
}
