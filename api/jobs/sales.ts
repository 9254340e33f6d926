/**
 * Sales schedules on Node, with the `cron` package; the body is a plain service call so the
 * Worker's scheduled() can run the same one. Running twice at once is safe: each sale or order
 * changes state once, under its row lock or a conditional UPDATE.
 */
import { CronJob } from 'cron';
import type { Ctx, Deps } from '../context';
import { expireUnpaidOrders } from '../services/orders';
import { expireUnconfirmedSales } from '../services/sales';

/** Every minute: the windows are 10 minutes (sales) and 31 minutes (orders). */
export const salesExpiryCron = '* * * * *';

/** Job body: in-store sales unconfirmed in time expire; unpaid orders expire and release their stock. */
export async function runSalesExpiry(ctx: Ctx) {
  const sales = await expireUnconfirmedSales(ctx);
  const orders = await expireUnpaidOrders(ctx);
  return { salesExpired: sales.expired, ordersExpired: orders.expired };
}

/** Starts the schedule (called by the Node entry); `stop()` ends it. */
export function startSalesJobs(deps: Deps): { stop(): Promise<void> } {
  const ctx: Ctx = { db: deps.db, config: deps.config, log: deps.log, now: deps.now, stripe: deps.stripe };
  const job = CronJob.from({
    cronTime: salesExpiryCron,
    start: true,
    waitForCompletion: true,
    onTick: async () => {
      try {
        const result = await runSalesExpiry(ctx);
        if (result.salesExpired + result.ordersExpired > 0) deps.log.info('sales expiry', result);
      } catch (error) {
        deps.log.error('sales expiry job failed', { error: String((error as Error)?.stack ?? error) });
      }
    },
  });
  return {
    stop: async () => {
      await job.stop();
    },
  };
}
