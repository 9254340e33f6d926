/**
 * Supply-chain job bodies (api/jobs/schedules.ts): plain service calls. Running twice at once is
 * safe: payouts lock per supplier, deliveries change state once.
 */
import { ctxOf, type Deps } from '../context';
import { runMerchantPayoutBatch, runPayoutBatch } from '../services/payouts';
import { autoConfirmDeliveries } from '../services/supply-fulfillments';

/** Job body: the supplier payout batch, then the merchant one, as the schedule runs them. */
export async function supplierPayoutJob(deps: Deps) {
  const suppliers = await runPayoutBatch(ctxOf(deps));
  const merchants = await runMerchantPayoutBatch(ctxOf(deps));
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
  const result = await autoConfirmDeliveries(ctxOf(deps));
  if (result.confirmed.length > 0)
    deps.log.info('deliveries auto-confirmed', { count: result.confirmed.length });
  return result;
}
