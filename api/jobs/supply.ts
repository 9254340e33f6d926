/**
 * Supply-chain schedules on Node, with the `cron` package. The bodies are plain service calls
 * (`runPayoutBatch`, `autoConfirmDeliveries`) so the Worker's scheduled() can call the same ones.
 * Running twice at once is safe: payouts lock per supplier, deliveries change state once.
 */
import { CronJob, CronTime } from 'cron';
import type { Ctx, Deps } from '../context';
import { parametersAt } from '../services/parameters';
import { runMerchantPayoutBatch, runPayoutBatch } from '../services/payouts';
import { autoConfirmDeliveries } from '../services/supply-fulfillments';

/** How often deliveries are auto-confirmed, and the payout schedule re-read from the parameters. */
const autoConfirmCron = '17 * * * *';
const parameterRefreshCron = '*/10 * * * *';

function jobCtx(deps: Deps): Ctx {
  return { db: deps.db, config: deps.config, log: deps.log, now: deps.now, stripe: deps.stripe };
}

/** Job body: the supplier payout batch, then the merchant one, as the schedule runs them. */
export async function supplierPayoutJob(deps: Deps) {
  const suppliers = await runPayoutBatch(jobCtx(deps));
  const merchants = await runMerchantPayoutBatch(jobCtx(deps));
  deps.log.info('payout batches', {
    suppliersCreated: suppliers.created.length,
    suppliersPaid: suppliers.paid.length,
    suppliersFailed: suppliers.failed.length,
    merchantsCreated: merchants.created.length,
    merchantsPaid: merchants.paid.length,
    merchantsFailed: merchants.failed.length,
  });
  return { suppliers, merchants };
}

/** Job body: shipments older than deliveryAutoConfirmDays become delivered. */
export async function deliveryAutoConfirmJob(deps: Deps) {
  const result = await autoConfirmDeliveries(jobCtx(deps));
  if (result.confirmed.length > 0)
    deps.log.info('deliveries auto-confirmed', { count: result.confirmed.length });
  return result;
}

/**
 * Starts the supply-chain schedules (called by the Node entry): the payout batch on
 * `supplierPayoutCron` in the business time zone, re-read every 10 minutes so an operator's change
 * takes effect without a restart, and the hourly delivery auto-confirmation. `stop()` ends them.
 */
export async function startSupplyJobs(deps: Deps): Promise<{ nextPayoutAt(): Date; stop(): Promise<void> }> {
  const initial = await parametersAt(jobCtx(deps));
  let schedule = `${initial.supplierPayoutCron}|${initial.businessTimeZone}`;
  const onError = (name: string) => (error: unknown) =>
    deps.log.error(`${name} job failed`, { error: String((error as Error)?.stack ?? error) });

  const payout = CronJob.from({
    cronTime: initial.supplierPayoutCron,
    timeZone: initial.businessTimeZone,
    onTick: async () => {
      await supplierPayoutJob(deps);
    },
    waitForCompletion: true,
    errorHandler: onError('supplier payout'),
    start: true,
    name: 'supplier-payout',
  });
  const autoConfirm = CronJob.from({
    cronTime: autoConfirmCron,
    onTick: async () => {
      await deliveryAutoConfirmJob(deps);
    },
    waitForCompletion: true,
    errorHandler: onError('delivery auto-confirm'),
    start: true,
    name: 'delivery-auto-confirm',
  });
  const refresh = CronJob.from({
    cronTime: parameterRefreshCron,
    onTick: async () => {
      const current = await parametersAt(jobCtx(deps));
      const next = `${current.supplierPayoutCron}|${current.businessTimeZone}`;
      if (next === schedule) return;
      try {
        payout.setTime(new CronTime(current.supplierPayoutCron, current.businessTimeZone));
        payout.start();
        schedule = next;
        deps.log.info('supplier payout schedule changed', { cron: current.supplierPayoutCron });
      } catch (error) {
        // A malformed expression keeps the previous schedule running.
        deps.log.error('supplierPayoutCron is not a valid cron expression', {
          cron: current.supplierPayoutCron,
          error: String(error),
        });
      }
    },
    waitForCompletion: true,
    errorHandler: onError('payout schedule refresh'),
    start: true,
    name: 'supplier-payout-refresh',
  });

  return {
    nextPayoutAt: () => payout.nextDate().toJSDate(),
    async stop() {
      await Promise.all([payout.stop(), autoConfirm.stop(), refresh.stop()]);
    },
  };
}
