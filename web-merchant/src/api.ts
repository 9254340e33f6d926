import { type ApiData, idempotent, type Row, type Schemas } from '@alliance/web-shared';
import { client } from './session';

/**
 * Every endpoint the back office calls, in one place, typed by the generated client
 * (`web-shared/api-schema.gen.ts`). Amounts: fen / hundredths / basis points.
 */
export type Membership = ApiData<'get', '/v1/me'>['merchants'][number];
export type Merchant = Schemas['Merchant'];
export type Receipt = Schemas['TopupReceipt'];
export type HistoryEntry = Row<ApiData<'get', '/v1/merchants/{id}/ad-points/history'>>;
export type Sale = Schemas['Sale'];
export type Listing = Schemas['Listing'];
export type Fulfillment = Schemas['Fulfillment'];
export type Order = Schemas['Order'];
export type Application =
  | Row<ApiData<'get', '/v1/platform/merchants'>>
  | Row<ApiData<'get', '/v1/platform/suppliers'>>;
export type Campaign = Schemas['Campaign'];
export type EcoHistoryEntry = Row<ApiData<'get', '/v1/merchants/{id}/eco-points/history'>>;
export type Withdrawal = Schemas['Withdrawal'];
export type QueuedWithdrawal = Row<ApiData<'get', '/v1/platform/withdrawals'>>;
export type ReconciliationReport = Schemas['ReconciliationReport'];
export type TrendDay = Row<ApiData<'get', '/v1/platform/reconciliation/trends'>>;
export type StatusChange = Schemas['OrganisationStatusChange'];
export type ConsumerFound = ApiData<'post', '/v1/platform/consumers/lookup'>;
export type PayoutAccount = Schemas['PayoutAccount'];
export type StripeAnomaly = Schemas['StripeAnomaly'];

type Kind = 'merchants' | 'suppliers';
type ApplicationStatus = Merchant['status'];

const path = (id: string) => ({ path: { id } });

export const api = {
  applyMerchant: (body: { name: string; category: string; address: string; contact: string }) =>
    client.post('/v1/merchants', { body, params: { header: idempotent() } }),
  applySupplier: (body: { name: string; contact: string; address: string }) =>
    client.post('/v1/suppliers', { body, params: { header: idempotent() } }),

  merchant: (id: string) => client.get('/v1/merchants/{id}', { params: path(id) }),
  topup: (id: string, amount: number) =>
    client.post('/v1/merchants/{id}/topups', {
      body: { amount },
      params: { ...path(id), header: idempotent() },
    }),
  topups: (id: string) => client.get('/v1/merchants/{id}/topups', { params: path(id) }),
  topupOne: (id: string, topupId: string) =>
    client.get('/v1/merchants/{id}/topups/{topupId}', { params: { path: { id, topupId } } }),
  receipt: (id: string, topupId: string) =>
    client.get('/v1/merchants/{id}/topups/{topupId}/receipt', { params: { path: { id, topupId } } }),
  adPointsHistory: (id: string, cursor?: string) =>
    client.get('/v1/merchants/{id}/ad-points/history', { params: { ...path(id), query: { cursor } } }),
  ecoPointsHistory: (id: string, cursor?: string) =>
    client.get('/v1/merchants/{id}/eco-points/history', { params: { ...path(id), query: { cursor } } }),
  /** The eco-point terms in force and, for ecoPoints, what a withdrawal or an eco-topup of them gives. */
  ecoTerms: (ecoPoints?: number) =>
    client.get('/v1/eco-points/terms', { params: { query: ecoPoints === undefined ? {} : { ecoPoints } } }),
  ecoTopup: (id: string, ecoPoints: number) =>
    client.post('/v1/merchants/{id}/eco-topups', {
      body: { ecoPoints },
      params: { ...path(id), header: idempotent() },
    }),
  withdraw: (merchantId: string, ecoPoints: number) =>
    client.post('/v1/withdrawals', { body: { ecoPoints, merchantId }, params: { header: idempotent() } }),
  merchantWithdrawals: (merchantId: string) =>
    client.get('/v1/withdrawals', { params: { query: { merchantId } } }),
  staff: (id: string) => client.get('/v1/merchants/{id}/staff', { params: path(id) }),
  addStaff: (id: string, phone: string) =>
    client.post('/v1/merchants/{id}/staff', { body: { phone }, params: path(id) }),
  removeStaff: (id: string, userId: string) =>
    client.delete('/v1/merchants/{id}/staff/{userId}', { params: { path: { id, userId } } }),
  recordSale: (id: string, memberCode: string, amount: number) =>
    client.post('/v1/merchants/{id}/sales', {
      body: { memberCode, amount },
      params: { ...path(id), header: idempotent() },
    }),
  sales: (id: string) => client.get('/v1/merchants/{id}/sales', { params: path(id) }),
  refund: (saleId: string, amount: number) =>
    client.post('/v1/sales/{id}/refund', {
      body: { amount },
      params: { ...path(saleId), header: idempotent() },
    }),
  listings: (id: string) => client.get('/v1/merchants/{id}/listings', { params: path(id) }),
  createListing: (
    id: string,
    body:
      | { title: string; price: number; stock: number; imageUrl?: string }
      | { supplierProductId: string; price: number },
  ) => client.post('/v1/merchants/{id}/listings', { body, params: { ...path(id), header: idempotent() } }),
  supplyCatalog: () => client.get('/v1/supply/products'),
  merchantFulfillments: (id: string) => client.get('/v1/merchants/{id}/fulfillments', { params: path(id) }),
  merchantOrders: (id: string) => client.get('/v1/merchants/{id}/orders', { params: path(id) }),
  refundOrder: (orderId: string, amount: number) =>
    client.post('/v1/orders/{id}/refund', {
      body: { amount },
      params: { ...path(orderId), header: idempotent() },
    }),
  updateListing: (
    id: string,
    listingId: string,
    body: { title?: string; price?: number; stock?: number; imageUrl?: string | null; active?: boolean },
  ) => client.patch('/v1/merchants/{id}/listings/{listingId}', { body, params: { path: { id, listingId } } }),
  statement: (id: string, from?: string, to?: string) =>
    client.get('/v1/merchants/{id}/statement', { params: { ...path(id), query: { from, to } } }),

  supplier: (id: string) => client.get('/v1/suppliers/{id}', { params: path(id) }),
  supplierProducts: (id: string) => client.get('/v1/suppliers/{id}/products', { params: path(id) }),
  createSupplierProduct: (id: string, body: { title: string; wholesalePrice: number; stock: number }) =>
    client.post('/v1/suppliers/{id}/products', { body, params: { ...path(id), header: idempotent() } }),
  fulfillments: (id: string, status: 'to_ship' | 'shipped') =>
    client.get('/v1/suppliers/{id}/fulfillments', { params: { ...path(id), query: { status } } }),
  ship: (fulfillmentId: string, carrier: string, trackingNumber: string) =>
    client.post('/v1/fulfillments/{id}/ship', {
      body: { carrier, trackingNumber },
      params: path(fulfillmentId),
    }),
  payable: (id: string) => client.get('/v1/suppliers/{id}/payable', { params: path(id) }),
  supplierPayouts: (id: string) => client.get('/v1/suppliers/{id}/payouts', { params: path(id) }),
  merchantPayable: (id: string) => client.get('/v1/merchants/{id}/payable', { params: path(id) }),
  merchantPayouts: (id: string) => client.get('/v1/merchants/{id}/payouts', { params: path(id) }),
  payoutAccount: (kind: Kind, id: string) =>
    kind === 'merchants'
      ? client.get('/v1/merchants/{id}/payout-account', { params: path(id) })
      : client.get('/v1/suppliers/{id}/payout-account', { params: path(id) }),
  /** The owner's Stripe-hosted onboarding page (a fresh single-use link each time). */
  startOnboarding: (kind: Kind, id: string) =>
    kind === 'merchants'
      ? client.post('/v1/merchants/{id}/payout-account/onboarding', { params: path(id) })
      : client.post('/v1/suppliers/{id}/payout-account/onboarding', { params: path(id) }),
  refreshPayoutAccount: (kind: Kind, id: string) =>
    kind === 'merchants'
      ? client.post('/v1/merchants/{id}/payout-account/refresh', { params: path(id) })
      : client.post('/v1/suppliers/{id}/payout-account/refresh', { params: path(id) }),
  cancelFulfillment: (fulfillmentId: string, reason: string) =>
    client.post('/v1/fulfillments/{id}/cancel', {
      body: { reason },
      params: { ...path(fulfillmentId), header: idempotent() },
    }),
  returnFulfillment: (fulfillmentId: string, reason: string) =>
    client.post('/v1/fulfillments/{id}/return', {
      body: { reason },
      params: { ...path(fulfillmentId), header: idempotent() },
    }),
  setCampaignStatus: (campaignId: string, status: 'active' | 'paused') =>
    client.patch('/v1/platform/campaigns/{id}', { body: { status }, params: path(campaignId) }),
  adjustPoints: (body: {
    ownerType: 'consumer' | 'merchant';
    ownerId: string;
    unit: 'vouchers' | 'eco_points' | 'ad_points';
    amount: number;
    reason: string;
  }) => client.post('/v1/platform/adjustments', { body, params: { header: idempotent() } }),

  applications: (kind: Kind, status: ApplicationStatus = 'pending'): Promise<{ data: Application[] }> =>
    kind === 'merchants'
      ? client.get('/v1/platform/merchants', { params: { query: { status } } })
      : client.get('/v1/platform/suppliers', { params: { query: { status } } }),
  setAdRate: (merchantId: string, adRateBp: number | null, reason?: string) =>
    client.post('/v1/platform/merchants/{id}/ad-rate', {
      body: { adRateBp, reason },
      params: path(merchantId),
    }),
  approve: (kind: Kind, id: string) =>
    kind === 'merchants'
      ? client.post('/v1/platform/merchants/{id}/approve', { params: path(id) })
      : client.post('/v1/platform/suppliers/{id}/approve', { params: path(id) }),
  reject: (kind: Kind, id: string, reason: string) =>
    kind === 'merchants'
      ? client.post('/v1/platform/merchants/{id}/reject', { body: { reason }, params: path(id) })
      : client.post('/v1/platform/suppliers/{id}/reject', { body: { reason }, params: path(id) }),
  suspend: (kind: Kind, id: string, reason: string) =>
    kind === 'merchants'
      ? client.post('/v1/platform/merchants/{id}/suspend', { body: { reason }, params: path(id) })
      : client.post('/v1/platform/suppliers/{id}/suspend', { body: { reason }, params: path(id) }),
  reinstate: (kind: Kind, id: string) =>
    kind === 'merchants'
      ? client.post('/v1/platform/merchants/{id}/reinstate', { body: {}, params: path(id) })
      : client.post('/v1/platform/suppliers/{id}/reinstate', { body: {}, params: path(id) }),
  statusChanges: (kind: Kind, id: string) =>
    kind === 'merchants'
      ? client.get('/v1/platform/merchants/{id}/status-changes', { params: path(id) })
      : client.get('/v1/platform/suppliers/{id}/status-changes', { params: path(id) }),
  findConsumer: (phone: string) => client.post('/v1/platform/consumers/lookup', { body: { phone } }),
  parameters: () => client.get('/v1/platform/parameters'),
  changeParameter: (name: string, value: number | string, effectiveFrom?: string) =>
    client.post('/v1/platform/parameters', { body: { name, value, effectiveFrom } }),
  campaigns: () => client.get('/v1/platform/campaigns'),
  createCampaign: (body: {
    title: string;
    advertiser?: string;
    mediaUrl: string;
    durationSeconds: number;
    pricePerCompletion: number;
    budget: number;
  }) => client.post('/v1/platform/campaigns', { body, params: { header: idempotent() } }),
  refusals: () => client.get('/v1/platform/ad-views/refusals'),
  ledgerVerify: () => client.get('/v1/platform/ledger/verify'),
  stripeAnomalies: (status: 'open' | 'resolved') =>
    client.get('/v1/platform/stripe/anomalies', { params: { query: { status, limit: 100 } } }),
  resolveAnomaly: (id: string, note: string) =>
    client.post('/v1/platform/stripe/anomalies/{id}/resolve', {
      body: { note },
      params: { ...path(id), header: idempotent() },
    }),
  applyAnomalyRefund: (id: string, note: string) =>
    client.post('/v1/platform/stripe/anomalies/{id}/apply-refund', {
      body: note ? { note } : {},
      params: { ...path(id), header: idempotent() },
    }),
  runPayouts: () => client.post('/v1/platform/payouts/run', { params: { header: idempotent() } }),
  markPayoutPaid: (batchId: string, reference: string) =>
    client.post('/v1/platform/payouts/{id}/mark-paid', {
      body: { reference },
      params: { ...path(batchId), header: idempotent() },
    }),
  platformPayouts: () => client.get('/v1/platform/payouts'),
  platformWithdrawals: (status: 'pending' | 'paid' | 'rejected') =>
    client.get('/v1/platform/withdrawals', { params: { query: { status, limit: 100 } } }),
  reconciliation: (date: string) =>
    client.get('/v1/platform/reconciliation/{date}', { params: { path: { date } } }),
  runReconciliation: (date: string) =>
    client.post('/v1/platform/reconciliation/runs', { body: { date }, params: { header: idempotent() } }),
  reconciliationTrends: (days: '30' | '90') =>
    client.get('/v1/platform/reconciliation/trends', { params: { query: { days } } }),
  /** The server's CSV as bytes (BOM included), through the client so the token and a 401 behave as elsewhere. */
  reconciliationCsv: (date: string, lang: 'zh-CN' | 'en') =>
    client.get('/v1/platform/reconciliation/{date}.csv', {
      params: { path: { date }, query: { lang } },
      parseAs: 'blob',
    }) as unknown as Promise<Blob>,
  approveWithdrawal: (id: string, payoutReference: string) =>
    client.post('/v1/platform/withdrawals/{id}/approve', {
      body: { payoutReference },
      params: { ...path(id), header: idempotent() },
    }),
  rejectWithdrawal: (id: string, reason: string) =>
    client.post('/v1/platform/withdrawals/{id}/reject', {
      body: { reason },
      params: { ...path(id), header: idempotent() },
    }),
};
