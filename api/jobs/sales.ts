import type { Ctx } from '../context';
import { expireUnpaidOrders } from '../services/orders';
import { expireUnconfirmedSales } from '../services/sales';

/**
 * Job body (api/jobs/schedules.ts): in-store sales unconfirmed in time expire; unpaid orders expire
 * and release their stock. Running twice at once is safe: each sale or order changes state once,
 * under its row lock or a conditional UPDATE.
 */
export async function runSalesExpiry(ctx: Ctx) {
  const sales = await expireUnconfirmedSales(ctx);
  const orders = await expireUnpaidOrders(ctx);
  return { salesExpired: sales.expired, ordersExpired: orders.expired };
}
