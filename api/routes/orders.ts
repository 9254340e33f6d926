import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireUser, serviceCtx } from '../http';
import { pageQuery } from '../paging';
import {
  cancelOrder,
  createOrder,
  getOrder,
  listConsumerOrders,
  listMerchantOrders,
  refundOrder,
} from '../services/orders';
import { EcoPointsApplied, RefundBody } from './sales';
import {
  bearer,
  ErrorBody,
  errors,
  IdempotencyKeyHeader,
  jsonBody,
  jsonResponse,
  MinorUnits,
  Phone,
} from './schemas';

export const orderRoutes = newRouter();

const ShipTo = z.object({
  name: z.string().trim().min(1).max(100),
  phone: Phone,
  region: z.string().trim().min(1).max(100),
  address: z.string().trim().min(1).max(500),
});

const OrderBody = z
  .object({
    id: z.string(),
    merchantId: z.string(),
    status: z.string().openapi({ description: 'pending_payment | paid | expired | cancelled' }),
    amount: z.number().int().openapi({ description: 'fen' }),
    ecoPoints: z.number().int().openapi({ description: 'Eco-points applied (hundredths)' }),
    cashAmount: z
      .number()
      .int()
      .openapi({ description: 'Fen still to pay in money: amount - value of the eco-points' }),
    refunded: z.number().int(),
    items: z.array(
      z.object({
        listingId: z.string(),
        title: z.string(),
        quantity: z.number().int(),
        unitPrice: z.number().int(),
        ships: z.boolean(),
      }),
    ),
    shipTo: ShipTo.nullable(),
    checkoutSessionId: z.string().nullable(),
    checkoutUrl: z.string().nullable(),
    saleId: z.string().nullable(),
    vouchersIssued: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Vouchers (hundredths) the paid order earned; null until paid' }),
    vouchersReason: z
      .string()
      .nullable()
      .openapi({ description: 'Why it earned none, e.g. merchant_insufficient_ad_points' }),
    expiresAt: z.string(),
    paidAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Order');

const Page = z.object({ data: z.array(OrderBody), nextCursor: z.string().nullable() });
const PageQuery = pageQuery('orders');
const Params = z.object({ id: z.string().max(64) });

orderRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/orders',
    tags: ['Orders'],
    summary:
      "Order one merchant's listings: stock and eco-points applied are held and a Stripe Checkout Session opened for the money part",
    security: bearer,
    request: {
      headers: IdempotencyKeyHeader,
      ...jsonBody(
        z.object({
          merchantId: z.string().min(1).max(64),
          items: z
            .array(
              z.object({ listingId: z.string().min(1).max(64), quantity: z.number().int().min(1).max(1000) }),
            )
            .min(1)
            .max(50),
          shipTo: ShipTo.optional(),
          ecoPoints: EcoPointsApplied,
        }),
      ),
    },
    responses: {
      201: jsonResponse(
        'Awaiting payment; `paid` at once, with no checkout, when eco-points cover the whole amount',
        OrderBody,
      ),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
      422: {
        ...errors[422],
        description:
          '`ship_to_required`, `self_sale_not_allowed`, `amount_too_large`, `eco_points_exceed_amount`, `insufficient_eco_points`',
      },
      502: jsonResponse('Stripe refused or did not answer; nothing was kept', ErrorBody),
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await createOrder(serviceCtx(c), c.req.valid('json')), 201);
  },
);

orderRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/orders',
    tags: ['Orders'],
    summary: 'My orders, newest first',
    security: bearer,
    request: { query: PageQuery },
    responses: { 200: jsonResponse('One page', Page), 400: errors[400], 401: errors[401], 422: errors[422] },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await listConsumerOrders(serviceCtx(c), c.req.valid('query')), 200);
  },
);

orderRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/orders/{id}',
    tags: ['Orders'],
    summary: 'One order (the consumer who placed it, the merchant staff, operators)',
    security: bearer,
    request: { params: Params },
    responses: { 200: jsonResponse('The order', OrderBody), 401: errors[401], 404: errors[404] },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await getOrder(serviceCtx(c), c.req.valid('param').id), 200);
  },
);

orderRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/orders',
    tags: ['Orders'],
    summary: "A merchant's online orders (staff, operators)",
    security: bearer,
    request: { params: Params, query: PageQuery },
    responses: {
      200: jsonResponse('One page', Page),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(
      await listMerchantOrders(serviceCtx(c), c.req.valid('param').id, c.req.valid('query')),
      200,
    );
  },
);

orderRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/orders/{id}/refund',
    tags: ['Orders'],
    summary:
      'Refund part or all of a paid order through Stripe (merchant staff); vouchers and ad points in proportion',
    security: bearer,
    request: { params: Params, headers: IdempotencyKeyHeader, ...jsonBody(z.object({ amount: MinorUnits })) },
    responses: {
      200: jsonResponse('This refund', RefundBody),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
      422: errors[422],
      502: jsonResponse('Stripe refused or did not answer; nothing was recorded', ErrorBody),
    },
  }),
  async (c) => {
    requireUser(c);
    const { amount } = c.req.valid('json');
    return c.json(await refundOrder(serviceCtx(c), c.req.valid('param').id, { amountFen: amount }), 200);
  },
);

orderRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/orders/{id}/cancel',
    tags: ['Orders'],
    summary:
      'Cancel my order while it awaits payment: its Checkout Session is expired, its stock and eco-points return at once (the consumer who placed it)',
    security: bearer,
    request: { params: Params },
    responses: {
      200: jsonResponse('The cancelled order (the same again if it already was)', OrderBody),
      401: errors[401],
      403: errors[403],
      404: errors[404],
      409: jsonResponse('order_paid (the merchant can refund it) or order_expired', ErrorBody),
      502: jsonResponse('Stripe did not answer; nothing was changed', ErrorBody),
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await cancelOrder(serviceCtx(c), c.req.valid('param').id), 200);
  },
);
