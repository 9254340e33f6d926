/**
 * The nightly reconciliation: a row of api/jobs/schedules.ts, 00:30 in the business time zone (the
 * day has ended and late webhooks have had half an hour). Running twice at once is safe: the service
 * writes the previous day's nightly report at most once (advisory lock per date, unique index).
 */
import { ctxOf, type Deps } from '../context';
import { runNightlyReconciliation } from '../services/reconciliation';

/** Job body: the previous business day's report, once. */
export async function reconciliationJob(deps: Deps) {
  const result = await runNightlyReconciliation(ctxOf(deps));
  if (result.written) deps.log.info('nightly reconciliation written', result);
  return result;
}
