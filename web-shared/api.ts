/** Typed fetch client for the /v1 API: bearer token in, API.md's error shape out as ApiFailure. */

export interface ApiErrorBody {
  error: { code: string; message: string; requestId?: string; details?: unknown };
}

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

export interface RequestOptions {
  /** Sent as Idempotency-Key: pass one per user action so a retried click cannot act twice. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient(options: ApiClientOptions) {
  const base = options.baseUrl ?? '';

  async function request<T>(
    method: string,
    path: string,
    body?: unknown,
    opts: RequestOptions = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = options.getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;

    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: opts.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiFailure(0, 'network_error', error instanceof Error ? error.message : 'Network error');
    }

    const text = await response.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (response.ok) return parsed as T;

    const err = (parsed as Partial<ApiErrorBody> | null)?.error;
    if (response.status === 401 && token) options.onUnauthorized?.();
    throw new ApiFailure(
      response.status,
      err?.code ?? `http_${response.status}`,
      err?.message ?? response.statusText,
      err?.requestId,
    );
  }

  return {
    get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
    post: <T>(path: string, body: unknown = {}, opts?: RequestOptions) =>
      request<T>('POST', path, body, opts),
    patch: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body, opts),
    put: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PUT', path, body, opts),
    delete: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
  };
}

/** A fresh Idempotency-Key for one user action. */
export const newIdempotencyKey = () => crypto.randomUUID();

/** Query string from defined values only: qs({unit: 'vouchers', cursor: undefined}) → "?unit=vouchers". */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (entries.length === 0) return '';
  return `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}
