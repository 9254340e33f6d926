import { createRoute, z } from '@hono/zod-openapi';
import { badRequest } from '../errors';
import { newRouter, requireOperator, serviceCtx } from '../http';
import { getReconciliation, reconciliationTrends, runReconciliation } from '../services/reconciliation';
import { reconciliationCsv } from '../services/reconciliation-csv';
import { AnomalyHandling, bearer, errors, IdempotencyKeyHeader, jsonResponse } from './schemas';

export const reconciliationRoutes = newRouter();

const BusinessDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
  .openapi({ example: '2026-11-30' });

const CsvLanguage = z.enum(['zh-CN', 'en']);

const Difference = z.object({
  kind: z.string().openapi({
    description:
      'ledger_check_failed | stripe_difference | stripe_charge_not_in_ledger | ledger_entry_without_stripe_charge | ' +
      'stripe_amount_mismatch | stripe_dispute_not_in_ledger | stripe_event_unmatched | stripe_unavailable | ' +
      'ad_points_charge_mismatch',
  }),
  subject: z
    .string()
    .openapi({ description: 'What to look at: a merchant, an object id, a Stripe event id' }),
  expected: z.number().int().nullable(),
  actual: z.number().int().nullable(),
  detail: z.string(),
  handled: AnomalyHandling.nullable()
    .optional()
    .openapi({
      description:
        '`stripe_event_unmatched` only: how an operator has handled the anomaly since the report was made ' +
        '(read with the report, not stored), null while it is open',
    }),
});

const Totals = {
  gmvOnline: z.number().int().openapi({ description: 'fen of online sales completed that day' }),
  gmvInStore: z.number().int(),
  adPointsBought: z.number().int().openapi({ description: 'hundredths bought by top-ups paid that day' }),
  adPointsConsumed: z.number().int().openapi({ description: 'hundredths charged on sales that day' }),
  vouchersIssued: z.number().int(),
  vouchersConverted: z.number().int().openapi({ description: 'vouchers turned into eco-points that day' }),
  completions: z.number().int().openapi({ description: 'verified video completions that day' }),
  topups: z.number().int(),
  supplierSettled: z.number().int(),
  supplierPaidOut: z.number().int(),
  supplierPayable: z.number().int().openapi({ description: "owed to suppliers at the day's end" }),
};

const Report = z
  .object({
    businessDate: z.string(),
    generatedAt: z.string(),
    ok: z.boolean(),
    merchants: z.array(
      z.object({
        merchantId: z.string(),
        name: z.string(),
        sales: z.number().int(),
        inStoreSales: z.number().int(),
        onlineSales: z.number().int(),
        vouchersIssued: z.number().int(),
        adPointsCharged: z.number().int(),
        expectedAdPointsCharged: z.number().int(),
        topups: z.number().int(),
        adPointsBought: z.number().int(),
        adPoints: z.number().int(),
        ecoPoints: z.number().int(),
      }),
    ),
    suppliers: z.array(
      z.object({
        supplierId: z.string(),
        name: z.string(),
        settled: z.number().int(),
        paidOut: z.number().int(),
        payable: z.number().int(),
      }),
    ),
    vouchers: z.object({ outstanding: z.number().int() }),
    ecoPoints: z.object({
      outstanding: z.number().int(),
      unitPriceFen: z.number().int(),
      liability: z.number().int(),
    }),
    stripe: z.object({
      collected: z.number().int(),
      refunded: z.number().int(),
      disputed: z.number().int().optional().openapi({
        description:
          'Lost disputes Stripe confirms (fen); absent from reports written before they were counted',
      }),
      ledger: z.number().int(),
      difference: z.number().int(),
    }),
    checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
    differences: z.array(Difference),
    totals: z.object(Totals),
  })
  .openapi('ReconciliationReport');

reconciliationRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/platform/reconciliation/runs',
    tags: ['Platform'],
    summary: 'Reconcile a business day now and store the report (operator)',
    description:
      'Default today (Asia/Shanghai). Day figures count what happened that day before refunds; balances are ' +
      "at the day's end. `ok` is true only when `differences` is empty.",
    security: bearer,
    request: {
      headers: IdempotencyKeyHeader,
      body: {
        content: { 'application/json': { schema: z.object({ date: BusinessDate.optional() }) } },
        required: false,
      },
    },
    responses: {
      201: jsonResponse('The report, stored', Report),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      409: { ...errors[409], description: '`reconciliation_running`: another report took over a minute' },
      422: { ...errors[422], description: '`date_in_future`, `invalid_date`' },
    },
  }),
  async (c) => {
    requireOperator(c);
    // Without a body (it is optional) the validator hands over nothing: today.
    const body = (c.req.valid('json') as { date?: string } | undefined) ?? {};
    return c.json(await runReconciliation(serviceCtx(c), { date: body.date }), 201);
  },
);

reconciliationRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/platform/reconciliation/trends',
    tags: ['Platform'],
    summary: "The dashboard's daily series over the last 30 or 90 business days (operator)",
    description:
      "Each day's totals and eco-point liability from its latest stored report; a day without a report " +
      'has `reported: false` and no values.',
    security: bearer,
    request: {
      query: z.object({
        days: z.enum(['30', '90']).optional().openapi({ description: '30 (default) or 90' }),
      }),
    },
    responses: {
      200: jsonResponse(
        'Series, oldest first',
        z.object({
          days: z.number().int(),
          data: z.array(
            z.object({
              businessDate: z.string(),
              reported: z.boolean(),
              ...Object.fromEntries(Object.entries(Totals).map(([k, v]) => [k, v.optional()])),
              ecoPointLiability: z.number().int().optional().openapi({ description: "fen at the day's end" }),
            }),
          ),
        }),
      ),
      400: errors[400],
      401: errors[401],
      403: errors[403],
    },
  }),
  async (c) => {
    requireOperator(c);
    const { days } = c.req.valid('query');
    return c.json(await reconciliationTrends(serviceCtx(c), Number(days ?? 30)), 200);
  },
);

// `{date}.csv` has a suffix after its parameter, which the OpenAPI router cannot express: the route
// is a plain one with the date in its pattern, registered before `{date}`, and described below.
reconciliationRoutes.openAPIRegistry.registerPath({
  method: 'get',
  path: '/platform/reconciliation/{date}.csv',
  tags: ['Platform'],
  summary: "A day's latest report as CSV, one row per merchant and supplier (operator)",
  description:
    'UTF-8 with a BOM (Excel); Chinese headers unless `lang=en`; amounts in yuan and points with two decimals; ' +
    'cells a spreadsheet would read as a formula start with an apostrophe.',
  security: bearer,
  request: {
    params: z.object({ date: BusinessDate }),
    query: z.object({ lang: CsvLanguage.optional() }),
  },
  responses: {
    200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
  },
});

reconciliationRoutes.get('/platform/reconciliation/:file{[0-9]{4}-[0-9]{2}-[0-9]{2}\\.csv}', async (c) => {
  requireOperator(c);
  const date = c.req.param('file').slice(0, 10);
  const lang = CsvLanguage.optional().safeParse(c.req.query('lang'));
  if (!lang.success) throw badRequest('lang: zh-CN or en');
  const csv = await reconciliationCsv(serviceCtx(c), date, lang.data ?? 'zh-CN');
  return c.body(csv, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="reconciliation-${date}.csv"`,
  });
});

reconciliationRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/platform/reconciliation/{date}',
    tags: ['Platform'],
    summary: 'The latest stored report of a business day (operator); 404 when none',
    security: bearer,
    request: { params: z.object({ date: BusinessDate }) },
    responses: {
      200: jsonResponse('The report', Report),
      400: errors[400],
      401: errors[401],
      403: errors[403],
      404: errors[404],
    },
  }),
  async (c) => {
    requireOperator(c);
    return c.json(await getReconciliation(serviceCtx(c), c.req.valid('param').date), 200);
  },
);
