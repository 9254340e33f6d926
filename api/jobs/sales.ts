import type { Ctx } from '../context';
import { expireUnpaidOrders } from '../services/orders';
import { expireUnconfirmedSales } from '../services/sales';

/** Every minute: in-store sales unconfirmed after 10 minutes expire; unpaid orders release their stock. */
export const salesExpirySchedule = '* * * * *';

export async function runSalesExpiry(ctx: Ctx) {
  const sales = await expireUnconfirmedSales(ctx);
  const orders = await expireUnpaidOrders(ctx);
  return { salesExpired: sales.expired, ordersExpired: orders.expired };
}
