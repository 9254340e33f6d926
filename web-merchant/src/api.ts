import { newIdempotencyKey, qs } from '@alliance/web-shared';
import { client } from './session';

/** Every endpoint the back office calls, in one place. Amounts: fen / hundredths / basis points. */
export interface Membership {
  id: string;
  name: string;
  status: string;
  role?: string;
}
export interface Me {
  user: { id: string; phone: string; roles: string[] };
  memberCode: string;
  merchants: Membership[];
  suppliers: Membership[];
}
export interface Merchant {
  id: string;
  name: string;
  status: string;
  adPoints: number;
  adRateBp: number;
  vouchersActive: boolean;
  lowBalance?: boolean;
  category?: string | null;
  address?: string | null;
  contact?: string | null;
  rejectionReason?: string | null;
}
export interface Page<T> {
  data: T[];
  nextCursor?: string | null;
}
export interface Topup {
  id: string;
  status: string;
  amount: number;
  adPoints: number;
  createdAt: string;
  paidAt: string | null;
  receiptNumber: string | null;
  refunded: number;
  checkoutUrl: string | null;
}
export interface Receipt {
  receiptNumber: string;
  topupId: string;
  issuedBy: string;
  description: string;
  merchant: { id: string; name: string; address: string | null; contact: string | null };
  amount: number;
  adPoints: number;
  adPointPriceFen: number;
  paidAt: string;
  paymentMethod: string | null;
  status: string;
  refunded: number;
}
export interface HistoryEntry {
  transferId: number;
  kind: string;
  amount: number;
  balanceAfter: number;
  createdAt: string;
}
export interface StaffMember {
  userId: string;
  phone: string;
  role: string;
  addedAt?: string;
}
export interface Sale {
  id: string;
  status: string;
  amount: number;
  vouchers?: number;
  adPointsCharge?: number;
  vouchersIssued?: number;
  adPointsCharged?: number;
  refunded?: number;
  reason?: string | null;
  vouchersClawedBack?: number;
  adPointsReturned?: number;
  channel?: string;
  memberPhone?: string;
  recordedAt?: string;
  expiresAt?: string | null;
}
export interface Listing {
  id: string;
  title: string;
  price: number;
  stock?: number | null;
  supplierProductId?: string | null;
  status?: string;
}
export interface SupplyProduct {
  id: string;
  title: string;
  wholesalePrice: number;
  stock: number;
  supplierId?: string;
  supplierName?: string;
}
export interface Order {
  id: string;
  status: string;
  amount: number;
  createdAt?: string;
  items?: Array<{ title?: string; quantity: number; listingId?: string }>;
}
export interface Statement {
  proceeds: number;
  wholesaleSettled: number;
  net: number;
  adPointsCharged: number;
  vouchersIssued: number;
  topups: number;
  from: string | null;
  to: string | null;
}
export interface Fulfillment {
  id: string;
  orderId: string;
  status?: string;
  items: Array<{ title?: string; quantity: number; supplierProductId?: string }>;
  shipTo: { name: string; phone: string; region: string; address: string } | null;
  carrier?: string | null;
  trackingNumber?: string | null;
  shippedAt?: string | null;
  wholesaleCost?: number;
  settled?: boolean;
}
export interface Payable {
  payable: number;
  paidOut: number;
}
export interface Payout {
  id: string;
  supplierId: string;
  amount: number;
  status: string;
  periodEnd: string;
  reference: string | null;
  paidAt: string | null;
  createdAt: string;
  items: Array<{ fulfillmentId: string; orderId: string; kind: string; amount: number }>;
}
export interface Application {
  id: string;
  adRateBp?: number;
  name: string;
  status: string;
  category?: string | null;
  address?: string | null;
  contact?: string | null;
  createdAt?: string;
  rejectionReason?: string | null;
}
export interface ParameterChange {
  id: string;
  scope: string;
  name: string;
  value: number | string | null;
  effectiveFrom: string;
  changedAt: string;
  changedBy: string;
  reason: string | null;
}
export interface ParameterOverview {
  values: Record<string, number | string>;
  defaults: Record<string, number | string>;
  history: ParameterChange[];
}
export interface Refusals {
  counts: Array<{ reason: string; count: number }>;
  recent: Array<{ id: string; reason: string; stage: string; createdAt: string }>;
}
export interface StripeAnomaly {
  id: string;
  eventId: string;
  kind: string;
  topupId: string | null;
  merchantId: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
}
export interface Supplier extends Membership {
  rejectionReason: string | null;
}
export interface Campaign {
  id: string;
  title: string;
  mediaUrl: string;
  durationSeconds: number;
  pricePerCompletion: number;
  budget: number;
  budgetUsed?: number;
  spent?: number;
  budgetLeft?: number;
  advertiser?: string | null;
  status?: string;
  serving?: boolean;
  completionsByDay?: Array<{ businessDate: string; completions: number }>;
}
export interface Verify {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; detail: unknown }>;
}

const enc = encodeURIComponent;
const idem = newIdempotencyKey;

export const api = {
  me: () => client.get<Me>('/v1/me'),

  applyMerchant: (body: { name: string; category: string; address: string; contact: string }) =>
    client.post<{ id: string; status: string }>('/v1/merchants', body, { idempotencyKey: idem() }),
  applySupplier: (body: { name: string; contact: string; address: string }) =>
    client.post<{ id: string; status: string }>('/v1/suppliers', body, { idempotencyKey: idem() }),

  merchant: (id: string) => client.get<Merchant>(`/v1/merchants/${enc(id)}`),
  topup: (id: string, amount: number) =>
    client.post<Topup & { checkoutUrl: string }>(
      `/v1/merchants/${enc(id)}/topups`,
      { amount },
      {
        idempotencyKey: idem(),
      },
    ),
  topups: (id: string) => client.get<Page<Topup>>(`/v1/merchants/${enc(id)}/topups`),
  topupOne: (id: string, topupId: string) =>
    client.get<Topup>(`/v1/merchants/${enc(id)}/topups/${enc(topupId)}`),
  receipt: (id: string, topupId: string) =>
    client.get<Receipt>(`/v1/merchants/${enc(id)}/topups/${enc(topupId)}/receipt`),
  adPointsHistory: (id: string, cursor?: string) =>
    client.get<Page<HistoryEntry>>(
      `/v1/merchants/${enc(id)}/ad-points/history${cursor ? `?cursor=${enc(cursor)}` : ''}`,
    ),
  staff: (id: string) => client.get<Page<StaffMember>>(`/v1/merchants/${enc(id)}/staff`),
  addStaff: (id: string, phone: string) =>
    client.post<StaffMember>(`/v1/merchants/${enc(id)}/staff`, { phone }),
  removeStaff: (id: string, userId: string) =>
    client.delete<unknown>(`/v1/merchants/${enc(id)}/staff/${enc(userId)}`),
  recordSale: (id: string, memberCode: string, amount: number) =>
    client.post<Sale>(`/v1/merchants/${enc(id)}/sales`, { memberCode, amount }, { idempotencyKey: idem() }),
  sales: (id: string) => client.get<Page<Sale>>(`/v1/merchants/${enc(id)}/sales`),
  refund: (saleId: string, amount: number) =>
    client.post<{ id: string; refunded: number; vouchersClawedBack: number; adPointsReturned: number }>(
      `/v1/sales/${enc(saleId)}/refund`,
      { amount },
      { idempotencyKey: idem() },
    ),
  listings: (id: string) => client.get<Page<Listing>>(`/v1/merchants/${enc(id)}/listings`),
  createListing: (
    id: string,
    body: { title: string; price: number; stock: number } | { supplierProductId: string; price: number },
  ) => client.post<Listing>(`/v1/merchants/${enc(id)}/listings`, body, { idempotencyKey: idem() }),
  supplyCatalog: () => client.get<Page<SupplyProduct>>('/v1/supply/products'),
  merchantFulfillments: (id: string) =>
    client.get<Page<Fulfillment>>(`/v1/merchants/${enc(id)}/fulfillments`),
  merchantOrders: (id: string) => client.get<Page<Order>>(`/v1/merchants/${enc(id)}/orders`),
  statement: (id: string, from?: string, to?: string) =>
    client.get<Statement>(`/v1/merchants/${enc(id)}/statement${qs({ from, to })}`),

  supplier: (id: string) => client.get<Supplier>(`/v1/suppliers/${enc(id)}`),
  supplierProducts: (id: string) => client.get<Page<SupplyProduct>>(`/v1/suppliers/${enc(id)}/products`),
  createSupplierProduct: (id: string, body: { title: string; wholesalePrice: number; stock: number }) =>
    client.post<SupplyProduct>(`/v1/suppliers/${enc(id)}/products`, body, { idempotencyKey: idem() }),
  fulfillments: (id: string, status: 'to_ship' | 'shipped') =>
    client.get<Page<Fulfillment>>(`/v1/suppliers/${enc(id)}/fulfillments?status=${status}`),
  ship: (fulfillmentId: string, carrier: string, trackingNumber: string) =>
    client.post<{ id: string; status: string }>(`/v1/fulfillments/${enc(fulfillmentId)}/ship`, {
      carrier,
      trackingNumber,
    }),
  payable: (id: string) => client.get<Payable>(`/v1/suppliers/${enc(id)}/payable`),
  supplierPayouts: (id: string) => client.get<Page<Payout>>(`/v1/suppliers/${enc(id)}/payouts`),

  applications: (kind: 'merchants' | 'suppliers', status = 'pending') =>
    client.get<Page<Application>>(`/v1/platform/${kind}?status=${enc(status)}`),
  setAdRate: (merchantId: string, adRateBp: number | null, reason?: string) =>
    client.post<{ merchantId: string; adRateBp: number }>(
      `/v1/platform/merchants/${enc(merchantId)}/ad-rate`,
      {
        adRateBp,
        reason,
      },
    ),
  approve: (kind: 'merchants' | 'suppliers', id: string) =>
    client.post<{ id: string; status: string }>(`/v1/platform/${kind}/${enc(id)}/approve`),
  reject: (kind: 'merchants' | 'suppliers', id: string, reason: string) =>
    client.post<{ id: string; status: string }>(`/v1/platform/${kind}/${enc(id)}/reject`, { reason }),
  parameters: () => client.get<ParameterOverview>('/v1/platform/parameters'),
  changeParameter: (name: string, value: number | string, effectiveFrom?: string) =>
    client.post<ParameterChange>('/v1/platform/parameters', { name, value, effectiveFrom }),
  campaigns: () => client.get<Page<Campaign>>('/v1/platform/campaigns'),
  createCampaign: (body: {
    title: string;
    advertiser?: string;
    mediaUrl: string;
    durationSeconds: number;
    pricePerCompletion: number;
    budget: number;
  }) => client.post<Campaign>('/v1/platform/campaigns', body, { idempotencyKey: idem() }),
  refusals: () => client.get<Refusals>('/v1/platform/ad-views/refusals'),
  ledgerVerify: () => client.get<Verify>('/v1/platform/ledger/verify'),
  stripeAnomalies: () => client.get<Page<StripeAnomaly>>('/v1/platform/stripe/anomalies'),
  runPayouts: () =>
    client.post<{ created: Payout[]; paid: string[]; failed: Array<{ batchId: string; error: string }> }>(
      '/v1/platform/payouts/run',
      {},
      { idempotencyKey: idem() },
    ),
  markPayoutPaid: (batchId: string, reference: string) =>
    client.post<Payout>(
      `/v1/platform/payouts/${enc(batchId)}/mark-paid`,
      { reference },
      { idempotencyKey: idem() },
    ),
  setCampaignStatus: (id: string, status: 'active' | 'paused') =>
    client.patch<Campaign>(`/v1/platform/campaigns/${enc(id)}`, { status }),
  platformPayouts: () => client.get<Page<Payout>>('/v1/platform/payouts'),
};
