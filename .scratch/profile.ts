import { openPostgres } from '@alliance/db';
import { sql } from 'drizzle-orm';
import { composeDeps } from '../api/compose';
import { loadConfig } from '../api/config';
import { ctxOf } from '../api/context';
import { createLogger } from '../api/log';
import { createAuthProvider } from '../api/services/auth-provider';
import { createStripeClient } from '../api/services/stripe';
import * as q from '../api/services/reconciliation-queries';
import { postedBalancesAt, postedTotalAt, verifyLedgerSinceCheckpoint, lockLedgerCheckpoints, ledgerCut, movementsBetween } from '../api/ledger';
import { accounts } from '../api/services/accounts';
import { ecoPointsConservation } from '../api/services/eco-points';
import { compareStripeWithLedger } from '../api/services/reconciliation-stripe';

const url = `postgres://postgres@127.0.0.1:5432/${process.argv[2]}`;
const opened = openPostgres(url, 4);
const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: 'memory' });
const periodEnd = Date.parse('2026-11-30T16:00:00Z');
const now = () => new Date(periodEnd + 3600_000);
const start = new Date(periodEnd - 24 * 3600_000), end = new Date(periodEnd);
const base = ctxOf(composeDeps({ db: opened.db, dbKind: 'postgres', config, log: createLogger('silent'), now,
  auth: await createAuthProvider(config, opened.db), stripe: createStripeClient('sk_x', { host: '127.0.0.1', port: 1, protocol: 'http' }) }));
const kind = (r: { ownerType: any; code: string }) => ({ ownerType: r.ownerType, code: r.code });
async function t(name: string, f: () => Promise<unknown>) { const s = performance.now(); await f(); console.log(name.padEnd(28), (performance.now() - s).toFixed(0)); }
for (let round = 0; round < 2; round++) {
  await t('scan', () => opened.db.execute(sql`select debit_account_id, sum(amount) from ledger_transfers group by debit_account_id`));
  const cut = await ledgerCut(opened.db);
  await opened.db.transaction(async (tx) => {
    await lockLedgerCheckpoints(tx);
    const ctx = { ...base, db: tx };
    await t('merchantDays', () => q.merchantDays(ctx, start, end));
    await t('chargeableSaleGroups', () => q.chargeableSaleGroups(ctx, start, end));
    await t('supplierDays', () => q.supplierDays(ctx, start, end));
    await t('suppliersInPayoutAt', () => q.suppliersInPayoutAt(ctx, end));
    await t('organisationNames', () => q.organisationNames(ctx));
    await t('postedBalancesAt', () => postedBalancesAt(tx, end, [kind(accounts.merchantAdPoints('*')), kind(accounts.merchantEcoPoints('*')), kind(accounts.supplierPayable('*'))]));
    await t('vouchersOut', () => postedTotalAt(tx, end, [kind(accounts.consumerVouchers('*'))]));
    await t('ecoOut', () => postedTotalAt(tx, end, [kind(accounts.consumerEcoPoints('*')), kind(accounts.merchantEcoPoints('*'))]));
    await t('stripe compare', () => compareStripeWithLedger(ctx, { charges: [], refunds: [], error: null }, start, end));
    await t('anomalies', () => q.stripeAnomaliesBetween(ctx, start, end));
    await t('videoDay', () => q.videoDay(ctx, '2026-11-30', start, end));
    await t('ecoConservation', () => ecoPointsConservation(ctx));
    await t('verifySinceCheckpoint', () => verifyLedgerSinceCheckpoint(tx, cut));
    tx.rollback();
  }, { isolationLevel: 'repeatable read' }).catch((e) => { if (!String(e).includes('Rollback')) throw e; });
}
await opened.close();
