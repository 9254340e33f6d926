import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { LedgerError } from './ledger/errors';

/** The one error type services throw; the app turns it into API.md's error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, 'validation_error', message, details);
export const unauthorized = (code = 'unauthorized', message = 'Sign in first') =>
  new ApiError(401, code, message);
export const forbidden = (message = 'Your role may not use this endpoint') =>
  new ApiError(403, 'forbidden', message);
export const notFound = (code = 'not_found', message = 'Not found') => new ApiError(404, code, message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const unprocessable = (code: string, message: string) => new ApiError(422, code, message);

/**
 * A ledger refusal that no service turned into a business error of its own (the ledger throws only
 * LedgerError): mapped once, by the app's error handler. `invalid_transfer` is a bug, not input.
 */
export function ledgerRefusal(error: LedgerError): ApiError | null {
  switch (error.code) {
    case 'insufficient_funds':
      return unprocessable('insufficient_funds', 'The balance does not cover this');
    case 'idempotency_conflict':
      return conflict('idempotency_conflict', 'This operation was already recorded with other contents');
    case 'pending_not_found':
      return notFound('not_found', 'No such pending transfer');
    case 'pending_already_resolved':
      return conflict('already_resolved', 'This was already settled or released');
    case 'limit_exceeded':
      // The ledger's explicit limits (api/ledger/errors.ts), wherever a service met them.
      return unprocessable('limit_exceeded', 'The amount or the resulting balance is too large');
    case 'invalid_transfer':
      return null;
  }
}
