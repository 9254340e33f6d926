import { createRoute, z } from '@hono/zod-openapi';
import { newRouter, requireUser, serviceCtx } from '../http';
import { createListing, listListings, updateListing } from '../services/catalog';
import { bearer, errors, IdempotencyKeyHeader, jsonBody, jsonResponse, MinorUnits } from './schemas';

export const catalogRoutes = newRouter();

const ListingBody = z
  .object({
    id: z.string(),
    merchantId: z.string(),
    title: z.string(),
    price: z.number().int().openapi({ description: 'fen' }),
    stock: z.number().int(),
    imageUrl: z.string().nullable(),
    ships: z.boolean().openapi({ description: 'false: picked up in store, no shipping address needed' }),
    active: z.boolean(),
    supplierProductId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    sellable: z.boolean().optional().openapi({ description: 'in shop lists: whether it can be ordered now' }),
    reason: z.string().nullable().optional().openapi({
      description:
        'why not: out_of_stock, price_below_wholesale, supplier_inactive, product_inactive, listing_inactive',
    }),
  })
  .openapi('Listing');

const ImageUrl = z
  .string()
  .max(2000)
  .regex(/^(https?:\/\/|\/)/, 'must be an absolute http(s) URL or a path on this site');
const Title = z.string().trim().min(1).max(200);
const Stock = z.number().int().min(-1e9).max(1e9);

const OwnProduct = z.object({
  title: Title,
  price: MinorUnits,
  stock: Stock,
  imageUrl: ImageUrl.optional(),
  ships: z.boolean().optional(),
});
const SupplierProduct = z.object({ supplierProductId: z.string().min(1).max(64), price: MinorUnits });
const Params = z.object({ id: z.string().max(64) });

catalogRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/merchants/{id}/listings',
    tags: ['Catalog'],
    summary:
      "List the merchant's own product {title, price, stock} or a supplier's {supplierProductId, price}",
    security: bearer,
    request: {
      params: Params,
      headers: IdempotencyKeyHeader,
      ...jsonBody(z.union([SupplierProduct.strict(), OwnProduct.strict()])),
    },
    responses: {
      201: jsonResponse('Listed', ListingBody),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    const body = c.req.valid('json');
    const input =
      'supplierProductId' in body
        ? { supplierProductId: body.supplierProductId, priceFen: body.price }
        : {
            title: body.title,
            priceFen: body.price,
            stock: body.stock,
            imageUrl: body.imageUrl,
            ships: body.ships,
          };
    return c.json(await createListing(serviceCtx(c), c.req.valid('param').id, input), 201);
  },
);

catalogRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/merchants/{id}/listings',
    tags: ['Catalog'],
    summary: "An active merchant's shop (public); its staff also see inactive listings",
    request: { params: Params },
    responses: {
      200: jsonResponse(
        'The shop',
        z.object({
          merchant: z.object({
            id: z.string(),
            name: z.string(),
            acceptingOrders: z
              .boolean()
              .openapi({ description: 'false while suspended: the public then sees no listings (ADR 0017)' }),
          }),
          data: z.array(ListingBody),
        }),
      ),
      404: errors[404],
    },
  }),
  async (c) => c.json(await listListings(serviceCtx(c), c.req.valid('param').id), 200),
);

catalogRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/merchants/{id}/listings/{listingId}',
    tags: ['Catalog'],
    summary: 'Edit a listing (merchant staff)',
    security: bearer,
    request: {
      params: z.object({ id: z.string().max(64), listingId: z.string().max(64) }),
      ...jsonBody(
        z
          .object({
            title: Title,
            price: MinorUnits,
            stock: Stock,
            imageUrl: ImageUrl.nullable(),
            ships: z.boolean(),
            active: z.boolean(),
          })
          .partial()
          .strict(),
      ),
    },
    responses: {
      200: jsonResponse('Updated', ListingBody),
      400: errors[400],
      401: errors[401],
      404: errors[404],
      422: errors[422],
    },
  }),
  async (c) => {
    requireUser(c);
    const { id, listingId } = c.req.valid('param');
    const { price, ...rest } = c.req.valid('json');
    return c.json(await updateListing(serviceCtx(c), id, listingId, { ...rest, priceFen: price }), 200);
  },
);
