import { z } from '@hono/zod-openapi';

/** Shared pieces of the OpenAPI description. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_error' }),
      message: z.string(),
      requestId: z.string(),
    }),
  })
  .openapi('Error');

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBody } },
});

/** Standard error responses, so each route lists only what it adds. */
export const errors = {
  400: errorResponse('Malformed input (`validation_error`)'),
  401: errorResponse('No or bad token'),
  403: errorResponse('Role may not use this endpoint'),
  404: errorResponse('Absent, or not yours'),
  409: errorResponse('State conflict'),
  422: errorResponse('Breaks a business rule'),
  429: errorResponse('Rate limited'),
  502: errorResponse('An upstream provider (sign-in, payments) failed'),
  503: errorResponse('The database does not answer'),
} as const;

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

export const Phone = z
  .string()
  .regex(/^\+[1-9]\d{7,14}$/, 'must be an E.164 phone number such as +8613800000001')
  .openapi({ example: '+8613800000001' });

/** Integer minor units (fen or hundredths of a point); strings are refused; at most 10^12 per request. */
export const MinorUnits = z.number().int().min(-1e12).max(1e12);

export const IdempotencyKeyHeader = z.object({
  'idempotency-key': z.string().min(1).max(255).optional(),
});

export const bearer = [{ bearer: [] }];

/** How an operator dealt with a payment anomaly: on the anomaly, and beside it in a day's report. */
export const AnomalyHandling = z.object({
  resolvedAt: z.string(),
  resolvedByPhone: z.string().nullable().openapi({ description: "The resolving operator's phone, masked" }),
  resolutionNote: z.string().nullable(),
  refund: z
    .object({
      id: z.string(),
      refunded: z.number().int(),
      cashRefunded: z.number().int(),
      ecoPointsReturned: z.number().int(),
    })
    .nullable()
    .openapi({ description: 'The refund an operator applied for it (fen, eco-points in hundredths)' }),
});
