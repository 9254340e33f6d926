import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireUser, serviceCtx } from '../http';
import { pageQuery } from '../paging';
import { merchantStatement } from '../services/statements';
import {
  browseSupplyProducts,
  createSupplierProduct,
  listSupplierProducts,
  updateSupplierProduct,
} from '../services/supply';
import {
  cancelFulfillment,
  confirmDelivery,
  listSupplierFulfillments,
  merchantFulfillments,
  orderFulfillments,
  returnFulfillment,
  shipFulfillment,
} from '../services/supply-fulfillments';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse, MinorUnits } from './schemas';

export const supplyRoutes = newRouter();

const Id = z.string().min(1).max(64);
const ShippingRegions = z.array(z.string().min(1).max(64)).max(100).nullable();

const SupplierProduct = z
  .object({
    id: z.string(),
    supplierId: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    imageUrl: z.string().nullable(),
    wholesalePrice: z.number().int().openapi({ description: 'fen' }),
    stock: z.number().int(),
    shippingRegions: z.array(z.string()).nullable(),
    status: z.string().openapi({ description: 'active | inactive' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('SupplierProduct');

const ShipTo = z.object({ name: z.string(), phone: z.string(), region: z.string(), address: z.string() });

const Fulfillment = z
  .object({
    id: z.string(),
    orderId: z.string(),
    supplierId: z.string(),
    merchantId: z.string(),
    status: z.string().openapi({ description: 'to_ship | shipped | delivered | cancelled | returned' }),
    items: z.array(
      z.object({
        supplierProductId: z.string(),
        listingId: z.string().nullable(),
        orderItemId: z.string().nullable(),
        title: z.string(),
        quantity: z.number().int(),
        wholesalePrice: z.number().int(),
      }),
    ),
    shipTo: ShipTo.nullable(),
    wholesaleCost: z
      .number()
      .int()
      .openapi({ description: 'fen, settled from the merchant to the supplier' }),
    settlementTrigger: z.string().openapi({ description: 'on_shipment | on_delivery, in force when paid' }),
    settled: z.boolean(),
    carrier: z.string().nullable(),
    trackingNumber: z.string().nullable(),
    shippedAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    cancelReason: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Fulfillment');

const Transition = z.object({ id: z.string(), status: z.string(), settled: z.boolean() });

supplyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/suppliers/{id}/products',
    tags: ['Supply chain'],
    summary: 'Add a product to the wholesale catalog (supplier staff)',
    security: bearer,
    request: {
      params: z.object({ id: Id }),
      headers: IdempotencyKeyHeader,
      ...jsonBody(
        z.object({
          title: z.string().trim().min(1).max(200),
          description: z.string().max(4000).nullish(),
          imageUrl: z.string().max(2000).nullish(),
          wholesalePrice: MinorUnits.openapi({ description: 'fen, more than 0' }),
          stock: z.number().int().min(-1e9).max(1e9),
          shippingRegions: ShippingRegions.optional(),
        }),
      ),
    },
    responses: {
      201: jsonResponse('Created', SupplierProduct),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    const body = c.req.valid('json');
    return c.json(
      await createSupplierProduct(serviceCtx(c), { supplierId: c.req.valid('param').id, ...body }),
      201,
    );
  },
);

supplyRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/suppliers/{id}/products/{productId}',
    tags: ['Supply chain'],
    summary: 'Change a product: price, stock, details, active (supplier staff)',
    description:
      'Raising the wholesale price above a listing price, or stock reaching 0, makes those listings `sellable: false` at once.',
    security: bearer,
    request: {
      params: z.object({ id: Id, productId: Id }),
      ...jsonBody(
        z.object({
          title: z.string().trim().min(1).max(200).optional(),
          description: z.string().max(4000).nullish(),
          imageUrl: z.string().max(2000).nullish(),
          wholesalePrice: MinorUnits.optional(),
          stock: z.number().int().min(-1e9).max(1e9).optional(),
          shippingRegions: ShippingRegions.optional(),
          status: z.enum(['active', 'inactive']).optional(),
        }),
      ),
    },
    responses: {
      200: jsonResponse('Updated', SupplierProduct),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    const { id, productId } = c.req.valid('param');
    return c.json(
      await updateSupplierProduct(serviceCtx(c), { supplierId: id, productId, ...c.req.valid('json') }),
      200,
    );
  },
);

supplyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/suppliers/{id}/products',
    tags: ['Supply chain'],
    summary: "A supplier's catalog (its staff, operators)",
    security: bearer,
    request: { params: z.object({ id: Id }) },
    responses: {
      200: jsonResponse('Products', z.object({ data: z.array(SupplierProduct) })),
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await listSupplierProducts(serviceCtx(c), c.req.valid('param').id), 200);
  },
);

supplyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/supply/products',
    tags: ['Supply chain'],
    summary: 'Browse products merchants may list: active suppliers, in stock (merchant staff, operators)',
    security: bearer,
    request: {
      query: pageQuery('supplyProducts').extend({ q: z.string().max(100).optional() }),
    },
    responses: {
      200: jsonResponse(
        'Products',
        z.object({
          data: z.array(SupplierProduct.extend({ supplierName: z.string() })),
          nextCursor: z.string().nullable(),
        }),
      ),
      400: errors[400],
      401: errors[401],
      403: errors[403],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await browseSupplyProducts(serviceCtx(c), c.req.valid('query')), 200);
  },
);

supplyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/suppliers/{id}/fulfillments',
    tags: ['Supply chain'],
    summary: "A supplier's fulfillments, oldest first (its staff, operators)",
    security: bearer,
    request: {
      params: z.object({ id: Id }),
      query: z.object({
        status: z.enum(['to_ship', 'shipped', 'delivered', 'cancelled', 'returned']).optional(),
        limit: z.coerce.number().int().min(1).max(500).optional(),
      }),
    },
    responses: {
      200: jsonResponse('Fulfillments', z.object({ data: z.array(Fulfillment) })),
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(
      await listSupplierFulfillments(serviceCtx(c), {
        supplierId: c.req.valid('param').id,
        ...c.req.valid('query'),
      }),
      200,
    );
  },
);

supplyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/fulfillments/{id}/ship',
    tags: ['Supply chain'],
    summary: 'Ship with a carrier and tracking number (supplier staff)',
    description:
      'Settles the wholesale cost (merchant proceeds → supplier payable) in the same transaction under the on_shipment trigger. ' +
      'Shipping again is 409 `already_shipped` and settles nothing; send an Idempotency-Key to have a retry replay the first 200.',
    security: bearer,
    request: {
      params: z.object({ id: Id }),
      headers: IdempotencyKeyHeader,
      ...jsonBody(
        z.object({
          carrier: z.string().trim().min(1).max(100),
          trackingNumber: z.string().trim().min(1).max(100),
        }),
      ),
    },
    responses: {
      200: jsonResponse('Shipped', Transition),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(
      await shipFulfillment(serviceCtx(c), {
        fulfillmentId: c.req.valid('param').id,
        ...c.req.valid('json'),
      }),
      200,
    );
  },
);

supplyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/fulfillments/{id}/cancel',
    tags: ['Supply chain'],
    summary: 'Cancel before shipment (supplier staff, the merchant, operators); units go back to stock',
    description:
      "When the merchant's staff cancel, the lines are refunded to the consumer at once (order refund); otherwise `refundDue` is left for the merchant. A merchant's own shipment (its shipper is the merchant) holds the order's own delivered lines: those go back to the listings' stock and are refunded.",
    security: bearer,
    request: {
      params: z.object({ id: Id }),
      headers: IdempotencyKeyHeader,
      ...jsonBody(z.object({ reason: z.string().trim().min(1).max(500) })),
    },
    responses: {
      200: jsonResponse(
        'Cancelled; `refunded` when the merchant cancelled, else `refundDue` for the merchant to refund on the order',
        Transition.extend({
          orderId: z.string(),
          refundDue: z.number().int().openapi({ description: 'fen' }),
          refunded: z.number().int().openapi({ description: 'fen' }),
          refundError: z.string().nullable(),
        }),
      ),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(
      await cancelFulfillment(serviceCtx(c), {
        fulfillmentId: c.req.valid('param').id,
        ...c.req.valid('json'),
      }),
      200,
    );
  },
);

supplyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/fulfillments/{id}/return',
    tags: ['Supply chain'],
    summary: 'Goods came back to the supplier (supplier staff, operators): reverses the settlement once',
    security: bearer,
    request: {
      params: z.object({ id: Id }),
      headers: IdempotencyKeyHeader,
      ...jsonBody(z.object({ reason: z.string().trim().max(500).nullish() })),
    },
    responses: {
      200: jsonResponse(
        'Returned',
        Transition.extend({ reversed: z.number().int().openapi({ description: 'fen' }) }),
      ),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(
      await returnFulfillment(serviceCtx(c), {
        fulfillmentId: c.req.valid('param').id,
        ...c.req.valid('json'),
      }),
      200,
    );
  },
);

supplyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/orders/{orderId}/fulfillments/{id}/confirm-delivery',
    tags: ['Supply chain'],
    summary: 'The consumer confirms the goods arrived (settles under the on_delivery trigger)',
    security: bearer,
    request: { params: z.object({ orderId: Id, id: Id }), headers: IdempotencyKeyHeader },
    responses: {
      200: jsonResponse('Delivered', Transition),
      401: errors[401],
      404: errors[404],
      409: errors[409],
    },
  }),
  async (c) => {
    requireUser(c);
    const { orderId, id } = c.req.valid('param');
    return c.json(await confirmDelivery(serviceCtx(c), { orderId, fulfillmentId: id }), 200);
  },
);

supplyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/orders/{orderId}/fulfillments',
    tags: ['Supply chain'],
    summary: "An order's shipments with carrier and tracking (the consumer, the merchant's staff, operators)",
    security: bearer,
    request: { params: z.object({ orderId: Id }) },
    responses: {
      200: jsonResponse('Fulfillments', z.object({ data: z.array(Fulfillment) })),
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await orderFulfillments(serviceCtx(c), c.req.valid('param').orderId), 200);
  },
);

supplyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/fulfillments',
    tags: ['Supply chain'],
    summary: "Recent fulfillments of a merchant's orders (its staff, operators)",
    security: bearer,
    request: { params: z.object({ id: Id }) },
    responses: {
      200: jsonResponse('Fulfillments', z.object({ data: z.array(Fulfillment) })),
      401: errors[401],
      404: errors[404],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(await merchantFulfillments(serviceCtx(c), c.req.valid('param').id), 200);
  },
);

const BusinessDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');

supplyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/statement',
    tags: ['Merchants'],
    summary: "A merchant's statement over business dates (its staff, operators)",
    description:
      '`proceeds`: the money of paid online orders net of the money refunded (an eco-points part is in `ecoPointsReceived`); `wholesaleSettled`: settled to suppliers net of returns; ' +
      '`net` = proceeds - wholesaleSettled; `adPointsCharged` and `vouchersIssued` (hundredths) net of refunds; ' +
      '`topups`: money of paid top-ups net of refunds. `from`/`to` are business dates, both included. ' +
      '`inStoreSales`, `ecoPointsReceived`, `adPointsBalance` (at the end) and `daily` for a chart.',
    security: bearer,
    request: {
      params: z.object({ id: Id }),
      query: z.object({ from: BusinessDate.optional(), to: BusinessDate.optional() }),
    },
    responses: {
      200: jsonResponse(
        'Statement',
        z
          .object({
            merchantId: z.string(),
            from: z.string().nullable(),
            to: z.string().nullable(),
            proceeds: z.number().int(),
            wholesaleSettled: z.number().int(),
            net: z.number().int(),
            adPointsCharged: z.number().int(),
            vouchersIssued: z.number().int(),
            topups: z.number().int(),
            inStoreSales: z
              .number()
              .int()
              .openapi({ description: 'fen of in-store sales completed in the period, net of refunds' }),
            ecoPointsReceived: z.number().int().openapi({ description: 'hundredths received in the period' }),
            adPointsBalance: z
              .number()
              .int()
              .openapi({ description: 'hundredths at the end of the period (now without `to`)' }),
            daily: z
              .array(
                z.object({
                  date: z.string(),
                  proceeds: z.number().int(),
                  inStoreSales: z.number().int(),
                  adPointsCharged: z.number().int(),
                  vouchersIssued: z.number().int(),
                  topups: z.number().int(),
                }),
              )
              .openapi({
                description: 'Per business date of the period (without `from` its last 30 days; at most 92)',
              }),
          })
          .openapi('Statement'),
      ),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    return c.json(
      await merchantStatement(serviceCtx(c), {
        merchantId: c.req.valid('param').id,
        ...c.req.valid('query'),
      }),
      200,
    );
  },
);
