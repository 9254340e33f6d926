/**
 * Every scheduled job, in one table that both runtimes read: Node ticks once a minute with the
 * `cron` package (startJobs), the Worker's one cron trigger (`workerCrons`, in wrangler.toml) calls
 * scheduled() once a minute, and dispatchDueJobs runs what is due in that minute.
 */
import { ctxOf, type Deps } from '../context';
import { voidExpiredPending } from '../ledger';
import { parametersAt } from '../services/parameters';
import { reconciliationJob } from './reconciliation';
import { runSalesExpiry } from './sales';
import { deliveryAutoConfirmJob, supplierPayoutJob } from './supply';

export interface ScheduledJob {
  name: string;
  /**
   * When it is due: a five-field cron expression in UTC; one in the business time zone (read as in
   * force at the minute); or the parameter (SPEC section 3) that holds one, evaluated in that zone.
   */
  schedule: { cron: string } | { businessCron: string } | { parameter: 'supplierPayoutCron' };
  run(deps: Deps): Promise<unknown>;
}

export const scheduledJobs: readonly ScheduledJob[] = [
  {
    name: 'pending-timeout',
    schedule: { cron: '* * * * *' },
    run: async (deps) => {
      const voided = await voidExpiredPending(deps.db, deps.now());
      if (voided > 0) deps.log.info('pending transfers timed out', { voided });
    },
  },
  {
    // The windows are 10 minutes (sales) and 31 minutes (orders).
    name: 'sales-expiry',
    schedule: { cron: '* * * * *' },
    run: async (deps) => {
      const result = await runSalesExpiry(ctxOf(deps));
      if (result.salesExpired + result.ordersExpired > 0) deps.log.info('sales expiry', result);
    },
  },
  { name: 'delivery-auto-confirm', schedule: { cron: '17 * * * *' }, run: deliveryAutoConfirmJob },
  { name: 'payouts', schedule: { parameter: 'supplierPayoutCron' }, run: supplierPayoutJob },
  { name: 'nightly-reconciliation', schedule: { businessCron: '30 0 * * *' }, run: reconciliationJob },
];

/** The Worker's cron triggers (wrangler.toml `[triggers] crons`): one tick a minute, as on Node. */
export const workerCrons = ['* * * * *'];

/** The cron expression and time zone `job` follows at `slot`. */
export async function cronOf(deps: Deps, job: ScheduledJob, slot: Date) {
  if ('cron' in job.schedule) return { cron: job.schedule.cron, timeZone: 'UTC' };
  const params = await parametersAt(ctxOf(deps), slot);
  const cron = 'businessCron' in job.schedule ? job.schedule.businessCron : params[job.schedule.parameter];
  return { cron, timeZone: params.businessTimeZone };
}
