import { createSignal } from 'solid-js';
import { type Listing, ownStock } from './session';

export interface CartLine {
  listingId: string;
  title: string;
  price: number;
  quantity: number;
  stock?: number | null;
  ships?: boolean;
}

interface Cart {
  merchantId: string;
  merchantName: string;
  lines: CartLine[];
}

const KEY = 'alliance.consumer.cart';

function load(): Cart | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Cart) : null;
  } catch {
    return null;
  }
}

/** The cart holds one merchant's items, because one order (and one payment) is with one merchant. */
const [cart, setCartSignal] = createSignal<Cart | null>(load());

function save(next: Cart | null) {
  if (next && next.lines.length === 0) next = null;
  if (next) localStorage.setItem(KEY, JSON.stringify(next));
  else localStorage.removeItem(KEY);
  setCartSignal(next);
}

export { cart };

export const cartCount = () => cart()?.lines.reduce((n, l) => n + l.quantity, 0) ?? 0;

/** Integer fen times integer quantity: exact. */
export const cartTotal = () => cart()?.lines.reduce((sum, l) => sum + l.price * l.quantity, 0) ?? 0;

/** Returns false when the cart belongs to another merchant (the caller asks before clearing). */
export function addToCart(merchant: { id: string; name: string }, listing: Listing): boolean {
  const current = cart();
  if (current && current.merchantId !== merchant.id) return false;
  const lines = [...(current?.lines ?? [])];
  const found = lines.findIndex((l) => l.listingId === listing.id);
  if (found >= 0) {
    const line = lines[found]!;
    const max = line.stock ?? Number.MAX_SAFE_INTEGER;
    lines[found] = { ...line, quantity: Math.min(line.quantity + 1, max) };
  } else {
    lines.push({
      listingId: listing.id,
      title: listing.title,
      price: listing.price,
      quantity: 1,
      stock: ownStock(listing),
      ships: listing.ships ?? true,
    });
  }
  save({ merchantId: merchant.id, merchantName: merchant.name, lines });
  return true;
}

export function setQuantity(listingId: string, quantity: number) {
  const current = cart();
  if (!current) return;
  const lines = current.lines
    .map((l) => (l.listingId === listingId ? { ...l, quantity } : l))
    .filter((l) => l.quantity > 0);
  save({ ...current, lines });
}

export const clearCart = () => save(null);

/** Whether any line is delivered (then the order needs a delivery address). */
export const cartShips = () => cart()?.lines.some((l) => l.ships !== false) ?? false;
