import {
  type ApiData,
  createApiClient,
  createAuthStore,
  type Row,
  rows,
  type Schemas,
} from '@alliance/web-shared';
import { createResource } from 'solid-js';

export const auth = createAuthStore('alliance.consumer.session');
export const api = createApiClient({ getToken: auth.token, onUnauthorized: auth.signOut });

/** Response shapes this app reads, from the generated client types. */
export type PendingSale = Row<ApiData<'get', '/v1/sales/pending'>>;
export type Listing = Schemas['Listing'];
export type Order = Schemas['Order'];
export type Shipment = Schemas['Fulfillment'];

/** The public directory: who has vouchers active (enough for this app's shop pages). */
export const merchantDirectory = () => api.get('/v1/merchants', { params: { query: { limit: 100 } } });

/** Orders carry a merchant id; names come from the public directory. */
export function useMerchantNames() {
  const [directory] = createResource(merchantDirectory);
  return (o: Order) => rows(directory()).find((m) => m.id === o.merchantId)?.name ?? '';
}

/** Stock the shop can show: only a merchant's own products count theirs. */
export const ownStock = (l: Listing): number | null => (l.supplierProductId ? null : l.stock);
