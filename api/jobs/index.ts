/**
 * Every scheduled job. On Node the `cron` package runs them (startJobs); on Workers the cron
 * triggers in wrangler.toml call runScheduledJobs with the same bodies. Each body is safe to run
 * twice at once (row locks, conditional updates, idempotent ledger keys), so two processes or two
 * triggers do the work once.
 */
import type { Ctx, Deps } from '../context';
import { startLedgerJobs, voidExpiredPending } from './ledger';
import { reconciliationJob, reconciliationWorkerCron, startReconciliationJobs } from './reconciliation';
import { runSalesExpiry, salesExpiryCron, startSalesJobs } from './sales';
import { deliveryAutoConfirmJob, startSupplyJobs, supplierPayoutJob } from './supply';

/** The Node schedule voids every minute; on Workers every five minutes is enough. */
const pendingTimeoutCron = '*/5 * * * *';

/** Node: starts every schedule; stop() ends them. */
export async function startJobs(deps: Deps): Promise<{ stop(): Promise<void> }> {
  const ledger = startLedgerJobs(deps);
  const sales = startSalesJobs(deps);
  const supply = await startSupplyJobs(deps);
  const reconciliation = await startReconciliationJobs(deps);
  return {
    async stop() {
      await Promise.all([ledger.stop(), sales.stop(), supply.stop(), reconciliation.stop()]);
    },
  };
}

/**
 * Workers: the cron expression that fired (wrangler.toml `[triggers] crons`, in UTC) → job bodies.
 * The weekly payout runs Sunday 18:00 UTC = Monday 02:00 Asia/Shanghai, the default schedule;
 * the nightly reconciliation 16:30 UTC = 00:30 Asia/Shanghai.
 */
export const workerCrons = {
  [salesExpiryCron]: (deps: Deps) => runSalesExpiry(jobCtx(deps)),
  [pendingTimeoutCron]: (deps: Deps) => voidExpiredPending(deps.db, deps.now()),
  '17 * * * *': (deps: Deps) => deliveryAutoConfirmJob(deps),
  '0 18 * * 0': (deps: Deps) => supplierPayoutJob(deps),
  [reconciliationWorkerCron]: (deps: Deps) => reconciliationJob(deps),
} as Record<string, (deps: Deps) => Promise<unknown>>;

export async function runScheduledJobs(deps: Deps, cron: string): Promise<void> {
  const job = workerCrons[cron];
  if (!job) throw new Error(`No job is scheduled for cron "${cron}"`);
  await job(deps);
}

function jobCtx(deps: Deps): Ctx {
  return { db: deps.db, config: deps.config, log: deps.log, now: deps.now, stripe: deps.stripe };
}
