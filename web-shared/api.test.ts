import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiFailure, createApiClient, idempotent, nextCursor, rows } from './api';
import { createI18n, sharedEn, sharedZh } from './i18n';

const requests: Request[] = [];
function answer(status: number, body?: unknown) {
  requests.length = 0;
  vi.stubGlobal('fetch', async (request: Request) => {
    requests.push(request);
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  });
}
afterEach(() => vi.unstubAllGlobals());

const client = (token: string | null, onUnauthorized = () => {}) =>
  createApiClient({ baseUrl: 'http://api.test', getToken: () => token, onUnauthorized });

describe('the shared API client', () => {
  it('sends the bearer token and the idempotency key, and resolves to the body', async () => {
    answer(201, { id: 'sal_1', status: 'completed' });
    const sale = await client('tok').post('/v1/sales/{id}/confirm', {
      params: { path: { id: 'sal_1' }, header: idempotent('key-1') },
    });
    expect(sale).toEqual({ id: 'sal_1', status: 'completed' });
    const [request] = requests;
    expect(request?.url).toBe('http://api.test/v1/sales/sal_1/confirm');
    expect(request?.headers.get('authorization')).toBe('Bearer tok');
    expect(request?.headers.get('idempotency-key')).toBe('key-1');
  });

  it("throws API.md's error shape as ApiFailure, which i18n turns into the reader's words", async () => {
    answer(409, { error: { code: 'insufficient_vouchers', message: 'Not enough', requestId: 'req_1' } });
    const failure = await client('tok')
      .get('/v1/wallet')
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect(failure).toMatchObject({ status: 409, code: 'insufficient_vouchers', requestId: 'req_1' });
    const i18n = createI18n({
      'zh-CN': { ...sharedZh, 'error.insufficient_vouchers': '广告券不足' },
      en: { ...sharedEn, 'error.insufficient_vouchers': 'Not enough vouchers' },
    });
    expect(i18n.errorText(failure)).toBe('广告券不足');
  });

  it('signs out on a 401 only when a token was sent', async () => {
    const onUnauthorized = vi.fn();
    answer(401, { error: { code: 'invalid_token', message: 'Expired', requestId: 'req_2' } });
    await expect(client('tok', onUnauthorized).get('/v1/me')).rejects.toMatchObject({
      code: 'invalid_token',
    });
    await expect(client(null, onUnauthorized).get('/v1/me')).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('reports no answer as network_error', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(client('tok').get('/v1/me')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('reads paged lists through one helper', () => {
    const page = { data: [{ id: 'a' }], nextCursor: 'c1' };
    expect(rows(page)).toEqual([{ id: 'a' }]);
    expect(rows(undefined)).toEqual([]);
    expect(nextCursor(page)).toBe('c1');
    expect(nextCursor({ data: [], nextCursor: null })).toBeNull();
  });
});
