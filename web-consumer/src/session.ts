import { createApiClient, createAuthStore } from '@alliance/web-shared';

export const auth = createAuthStore('alliance.consumer.session');
export const api = createApiClient({ getToken: auth.token, onUnauthorized: auth.signOut });

/** Response shapes of the endpoints this app reads (API.md; fields beyond it are optional). */
export interface Me {
  user: { id: string; phone: string; roles: string[] };
  memberCode: string;
  wallet: { vouchers: number; ecoPoints: number };
  merchants: Array<{ id: string; name: string; status: string }>;
  suppliers: Array<{ id: string; name: string; status: string }>;
}

export interface Wallet {
  vouchers: number;
  ecoPoints: number;
  today: { businessDate: string; completed: number; required: number; conversionsLeft: number };
}

export interface PendingSale {
  id: string;
  merchantId?: string;
  merchantName?: string;
  amount: number;
  vouchers?: number;
  /** The merchant's ad points do not cover the charge now: confirming issues no vouchers. */
  vouchersPaused?: boolean;
  recordedAt?: string;
  expiresAt?: string | null;
}

export interface MerchantCard {
  id: string;
  name: string;
  vouchersActive: boolean;
  description?: string | null;
  category?: string | null;
  address?: string | null;
}

export interface Listing {
  id: string;
  title: string;
  price: number;
  stock?: number | null;
  description?: string | null;
  imageUrl?: string | null;
  /** false: picked up in store, no delivery address. */
  ships?: boolean;
  /** Supplier listings keep no stock of their own (the supplier's is reserved at order time). */
  supplierProductId?: string | null;
}

export interface Shop {
  merchant: { id: string; name: string };
  data: Listing[];
}

/** Stock the shop can show: only a merchant's own products count theirs. */
export const ownStock = (l: Listing): number | null =>
  l.supplierProductId || l.stock === undefined || l.stock === null ? null : l.stock;

export interface OrderItem {
  listingId?: string;
  title?: string;
  quantity: number;
  price?: number;
  unitPrice?: number;
  ships?: boolean;
}

export interface Shipment {
  id?: string;
  status: string;
  items?: Array<{ title: string; quantity: number }>;
  carrier?: string | null;
  trackingNumber?: string | null;
  shippedAt?: string | null;
}

export interface Order {
  id: string;
  status: string;
  amount: number;
  merchantId?: string;
  merchantName?: string;
  merchant?: { id: string; name: string };
  items?: OrderItem[];
  fulfillments?: Shipment[];
  shipments?: Shipment[];
  carrier?: string | null;
  trackingNumber?: string | null;
  checkoutUrl?: string | null;
  createdAt?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor?: string | null;
}

/** Lists may come as `{data: [...]}` or as a bare array; accept both. */
export const rows = <T>(page: Page<T> | T[] | null | undefined): T[] =>
  Array.isArray(page) ? page : (page?.data ?? []);
