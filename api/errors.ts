import type { ContentfulStatusCode } from 'hono/utils/http-status';

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
