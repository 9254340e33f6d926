/**
 * The one API client both apps use. Paths, parameters, bodies and responses are typed by
 * `api-schema.gen.ts`, generated from the server's /openapi.json (`npm run gen:api`), so a
 * call that no longer matches the server is a type error. Calls resolve to the response body
 * or throw `ApiFailure` carrying API.md's error shape; `i18n.errorText` turns it into words.
 */
import createClient, { type FetchResponse, type MaybeOptionalInit } from 'openapi-fetch';
import type { HttpMethod, MediaType, PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers';
import type { components, paths } from './api-schema.gen';

export type { components, paths };
export type Schemas = components['schemas'];
export type ApiErrorBody = Schemas['Error'];

/** A refused or failed request. `code` is the API's error code, or `network_error` when no answer came. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export interface ApiClientOptions {
  /** Origin + prefix of the API; '' means the same origin as the page. */
  baseUrl?: string;
  getToken: () => string | null;
  /** Called on any 401 for a request that carried a token (expired or revoked session). */
  onUnauthorized?: () => void;
}

// openapi-fetch's own (unexported) rule: the init argument is optional when nothing in it is required.
type InitArg<Init> =
  RequiredKeysOf<Init> extends never
    ? [(Init & { [key: string]: unknown })?]
    : [Init & { [key: string]: unknown }];

/** The success body of `method path`, e.g. `ApiData<'get', '/v1/me'>`. */
export type ApiData<M extends HttpMethod, P extends PathsWithMethod<paths, M>> = NonNullable<
  FetchResponse<paths[P][M] & Record<string | number, unknown>, unknown, MediaType>['data']
>;

type Call<M extends HttpMethod> = <
  P extends PathsWithMethod<paths, M>,
  I extends MaybeOptionalInit<paths[P], M>,
>(
  path: P,
  ...init: InitArg<I>
) => Promise<ApiData<M, P>>;

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient(options: ApiClientOptions) {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? '',
    headers: { accept: 'application/json' },
  });
  client.use({
    onRequest({ request }) {
      const token = options.getToken();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
    onResponse({ request, response }) {
      if (response.status === 401 && request.headers.has('authorization')) options.onUnauthorized?.();
    },
  });

  const call =
    <M extends 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'>(method: M) =>
    async (path: string, init?: object) => {
      let result: { data?: unknown; error?: unknown; response: Response };
      try {
        result = await (client[method] as (p: string, i?: object) => Promise<typeof result>)(path, init);
      } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') throw error;
        throw new ApiFailure(0, 'network_error', error instanceof Error ? error.message : 'Network error');
      }
      if (result.response.ok) return result.data;
      const err = (result.error as Partial<ApiErrorBody> | undefined)?.error;
      throw new ApiFailure(
        result.response.status,
        err?.code ?? `http_${result.response.status}`,
        err?.message ?? result.response.statusText,
        err?.requestId,
      );
    };

  return {
    get: call('GET') as Call<'get'>,
    post: call('POST') as Call<'post'>,
    patch: call('PATCH') as Call<'patch'>,
    put: call('PUT') as Call<'put'>,
    delete: call('DELETE') as Call<'delete'>,
  };
}

/** A fresh Idempotency-Key for one user action. */
export const newIdempotencyKey = () => crypto.randomUUID();

/**
 * Header parameters for a POST that moves value: one Idempotency-Key per user action, so a
 * retried click cannot act twice. `{ params: { path, header: idempotent() } }`; pass the key
 * when a retry of the same action must reuse it.
 */
export const idempotent = (key: string = newIdempotencyKey()) => ({ 'idempotency-key': key });

/**
 * The rows of a list response (none while it loads). Every page reads lists through this, so a
 * change of the paged shape (cursor fields, envelope) is absorbed here.
 */
export const rows = <T>(page: { data: T[] } | null | undefined): T[] => page?.data ?? [];

/** The cursor for the next page of a paged list, or null on the last page. */
export const nextCursor = (page: { data: unknown[]; nextCursor?: string | null }): string | null =>
  page.nextCursor ?? null;

/** One row of a list endpoint's response, e.g. `Row<ApiData<'get', '/v1/orders'>>`. */
export type Row<Page extends { data: unknown[] }> = Page['data'][number];
