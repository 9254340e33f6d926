import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireOperator, requireUser, serviceCtx } from '../http';
import type { OrgKind } from '../services/access';
import {
  getPayoutAccount,
  refreshPayoutAccount,
  setPayoutAccount,
  startOnboarding,
} from '../services/payout-accounts';
import { listPayouts, markPayoutPaid, payable, runPayouts } from '../services/payouts';
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

const PayoutAccount = z
  .object({
    status: z.enum(['none', 'incomplete', 'enabled']).openapi({
      description:
        'none: no account; incomplete: Stripe does not pay out yet; enabled: transfers reach the bank',
    }),
    stripeAccountId: z.string().nullable(),
    detailsSubmitted: z.boolean(),
    payoutsEnabled: z.boolean(),
    createdVia: z.enum(['onboarding', 'operator']).nullable(),
    statusAt: z.string().nullable().openapi({ description: 'when Stripe last told the platform the status' }),
    mayOnboard: z.boolean().openapi({ description: 'the caller is the owner and may start onboarding' }),
  })
  .openapi('PayoutAccount');

const Onboarding = z.object({
  url: z.string().openapi({ description: "Stripe's hosted onboarding page (single use) to redirect to" }),
  expiresAt: z.string(),
  account: PayoutAccount,
});

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
    payableSummary:
      'What the supplier is owed and not yet paid out, and what was paid out (its staff, operators)',
    payoutsSummary: "A supplier's payout batches with the fulfillments each covers (its staff, operators)",
    noun: 'supplier',
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
    payableSummary:
      'What the platform owes the merchant from online orders and has not paid out (its staff, operators)',
    payoutsSummary: "A merchant's payout batches with the orders each covers (its staff, operators)",
    noun: 'merchant',
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
      method: 'get',
      path: `${p.path}/{id}/payout-account`,
      tags: [p.tag],
      summary: `The ${p.noun}'s payout account and its Stripe status (its staff, operators)`,
      security: bearer,
      request: { params: z.object({ id: Id }) },
      responses: { 200: jsonResponse('The account', PayoutAccount), 401: errors[401], 404: errors[404] },
    }),
    async (c) => {
      requireUser(c);
      return c.json(await getPayoutAccount(serviceCtx(c), kind, c.req.valid('param').id), 200);
    },
  );

  payoutRoutes.openapi(
    createRoute({
      method: 'post',
      path: `${p.path}/{id}/payout-account/onboarding`,
      tags: [p.tag],
      summary: `Start or continue Stripe Connect onboarding (${p.noun} owner)`,
      description:
        'Creates the Express connected account once (later calls reuse it) and returns a fresh single-use ' +
        'Account Link. Staff: 403 `owner_only`; not yet approved: 409.',
      security: bearer,
      request: { params: z.object({ id: Id }) },
      responses: {
        200: jsonResponse('Where to send the owner', Onboarding),
        401: errors[401],
        403: errors[403],
        404: errors[404],
        409: errors[409],
        502: errors[502],
      },
    }),
    async (c) => {
      requireUser(c);
      return c.json(await startOnboarding(serviceCtx(c), kind, c.req.valid('param').id), 200);
    },
  );

  payoutRoutes.openapi(
    createRoute({
      method: 'post',
      path: `${p.path}/{id}/payout-account/refresh`,
      tags: [p.tag],
      summary: `Ask Stripe for the payout account's status now (its staff, operators)`,
      security: bearer,
      request: { params: z.object({ id: Id }) },
      responses: {
        200: jsonResponse('The account as Stripe says now', PayoutAccount),
        401: errors[401],
        404: errors[404],
        409: errors[409],
        502: errors[502],
      },
    }),
    async (c) => {
      requireUser(c);
      return c.json(await refreshPayoutAccount(serviceCtx(c), kind, c.req.valid('param').id), 200);
    },
  );

  payoutRoutes.openapi(
    createRoute({
      method: 'put',
      path: `${p.path}/{id}/payout-account`,
      tags: [p.tag],
      summary: `Name an existing Stripe connected account for the ${p.noun} (operator)`,
      description:
        'For an account made outside onboarding; Stripe must know it (422 `unknown_stripe_account`) and it ' +
        'pays one organisation only (409 `payout_account_in_use`).',
      security: bearer,
      request: { params: z.object({ id: Id }), ...jsonBody(z.object({ stripeAccountId: StripeAccountId })) },
      responses: {
        200: jsonResponse('Saved, with its status', PayoutAccount),
        400: errors[400],
        401: errors[401],
        403: errors[403],
        404: errors[404],
        409: errors[409],
        422: errors[422],
        502: errors[502],
      },
    }),
    async (c) => {
      requireOperator(c);
      const input = { organisationId: c.req.valid('param').id, ...c.req.valid('json') };
      return c.json(await setPayoutAccount(serviceCtx(c), kind, input), 200);
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
