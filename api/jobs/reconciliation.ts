/**
 * The nightly reconciliation on Node, with the `cron` package; the body is a plain service call so
 * the Worker's scheduled() runs the same one. Running twice at once is safe: the service writes
 * the previous day's nightly report at most once (advisory lock per date, unique index).
 */
import { CronJob } from 'cron';
import type { Ctx, Deps } from '../context';
import { parametersAt } from '../services/parameters';
import { runNightlyReconciliation } from '../services/reconciliation';

/** 00:30 in the business time zone: the day has ended and late webhooks have had half an hour. */
export const reconciliationCron = '30 0 * * *';
/** The same instant for Workers, whose cron triggers are in UTC (Asia/Shanghai is UTC+8). */
export const reconciliationWorkerCron = '30 16 * * *';

function jobCtx(deps: Deps): Ctx {
  return { db: deps.db, config: deps.config, log: deps.log, now: deps.now, stripe: deps.stripe };
}

/** Job body: the previous business day's report, once. */
export async function reconciliationJob(deps: Deps) {
  const result = await runNightlyReconciliation(jobCtx(deps));
  if (result.written) deps.log.info('nightly reconciliation written', result);
  return result;
}

/** Starts the schedule in the business time zone (called by the Node entry); `stop()` ends it. */
export async function startReconciliationJobs(deps: Deps): Promise<{ stop(): Promise<void> }> {
  const { businessTimeZone } = await parametersAt(jobCtx(deps));
  const job = CronJob.from({
    cronTime: reconciliationCron,
    timeZone: businessTimeZone,
    start: true,
    waitForCompletion: true,
    onTick: async () => {
      await reconciliationJob(deps);
    },
    errorHandler: (error) =>
      deps.log.error('nightly reconciliation failed', { error: String((error as Error)?.stack ?? error) }),
    name: 'nightly-reconciliation',
  });
  return {
    stop: async () => {
      await job.stop();
    },
  };
}
