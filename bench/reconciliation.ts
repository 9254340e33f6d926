/**
 * Reconciliation benchmark: one day's report (POST /v1/platform/reconciliation/runs, the service
 * call) over 1,000,000 ledger transfers, 10,000 merchants and 100,000 consumers spread over 30
 * days, printed as a ratio to a bare `select sum(amount) … group by account` scan of the same
 * transfers table in the same run (goal: at most 3x). Seeded with set-based SQL (generate_series),
 * not through the API, then hash-chained in JavaScript as the ledger would have. The report timed
 * is the nightly one: the previous day's report left a checkpoint (ADR 0009), so it verifies the
 * last day's transfers; after each timed run its report and checkpoint are deleted so that the next
 * starts from the same checkpoint. Each run is timed right after a scan, and the ratio printed is
 * the median of those pairs' ratios (the run itself is the service call as the job makes it,
 * reading on two connections). Also printed: the first report (no checkpoint, a full pass) and the on-demand full
 * verify. Stripe is the embedded fake with nothing listed.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/reconciliation.ts
 *
 * BENCH_SMOKE=1: a thousandth of the data; BENCH_KEEP=1: keep the database (its name is printed) to profile.
 */
import { pathToFileURL } from 'node:url';
import { schema } from '@alliance/db';
import { openDb } from '@alliance/db/node';
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { composeDeps } from '../api/compose';
import { loadConfig } from '../api/config';
import { ctxOf } from '../api/context';
import { startFakeStripe } from '../api/fake-stripe/server';
import { verifyLedger } from '../api/ledger';
import { sha256, transferHashInput } from '../api/ledger/post';
import { createLogger } from '../api/log';
import { createAuthProvider } from '../api/services/auth-provider';
import { runReconciliation } from '../api/services/reconciliation';
import { createStripeClient } from '../api/services/stripe';

export interface ReconciliationBenchResult {
  transfers: number;
  merchants: number;
  baselineMs: number;
  /** The nightly report: from the previous day's checkpoint. */
  reportMs: number;
  /** The median of report/scan over runs that alternate the two (the goal: at most 3). */
  reportRatio: number;
  /** The first report: no checkpoint yet, a full pass. */
  firstReportMs: number;
  /** GET /v1/platform/ledger/verify's full pass. */
  verifyMs: number;
  /** Transfers the nightly report verified (the last day's). */
  sinceCheckpoint: number;
  differences: number;
}

export interface ReconciliationBenchScale {
  /** Ledger transactions of two transfers each. */
  transactions: number;
  merchants: number;
  consumers: number;
}

const fullScale: ReconciliationBenchScale = { transactions: 500_000, merchants: 10_000, consumers: 100_000 };
const shards = 16;
const days = 30;
/** The reported business day: the last of the 30 (Asia/Shanghai), ending 2026-11-30T16:00Z. */
const reportDate = '2026-11-30';
const previousDate = '2026-11-29';
const periodEnd = Date.parse('2026-11-30T16:00:00Z');
const periodStart = periodEnd - days * 24 * 3600_000;

/** Fixed account ids so transfers can name them arithmetically. */
const ids = {
  vouchersIssued: 1, // platform vouchers.issued, shards 1..16
  adPointsIssued: 17,
  adPointsRevenue: 33,
  topupClearing: 49,
  merchantAdPoints: 1_000, // + merchant index
  merchantPrepaid: 20_000,
  consumerVouchers: 100_000, // + consumer index
};

type Sql = ReturnType<typeof postgres>;

async function seedAccounts(db: Sql, scale: ReconciliationBenchScale) {
  const { merchants, consumers } = scale;
  await db.unsafe(`
    insert into users (id, phone, member_code)
      select 'usr_b' || g, '+86139' || lpad(g::text, 8, '0'), 'MB' || g from generate_series(0, ${merchants - 1}) g;
    insert into organisations (id, kind, name, status, owner_user_id)
      select 'mer_b' || g, 'merchant', 'Shop ' || g, 'active', 'usr_b' || g from generate_series(0, ${merchants - 1}) g;
    insert into ledger_accounts (id, ledger, owner_type, owner_id, code, shard, debits_must_not_exceed_credits)
      overriding system value
      select ${ids.vouchersIssued} + s, 'vouchers', 'platform', 'platform', 'vouchers.issued', s, false from generate_series(0, ${shards - 1}) s
      union all select ${ids.adPointsIssued} + s, 'ad_points', 'platform', 'platform', 'ad_points.issued', s, false from generate_series(0, ${shards - 1}) s
      union all select ${ids.adPointsRevenue} + s, 'ad_points', 'platform', 'platform', 'ad_points.revenue', s, false from generate_series(0, ${shards - 1}) s
      union all select ${ids.topupClearing} + s, 'cny', 'platform', 'platform', 'stripe.topups_clearing', s, false from generate_series(0, ${shards - 1}) s
      union all select ${ids.merchantAdPoints} + g, 'ad_points', 'merchant', 'mer_b' || g, 'ad_points', 0, true from generate_series(0, ${merchants - 1}) g
      union all select ${ids.merchantPrepaid} + g, 'cny', 'merchant', 'mer_b' || g, 'prepaid_money', 0, true from generate_series(0, ${merchants - 1}) g
      union all select ${ids.consumerVouchers} + g, 'vouchers', 'consumer', 'usr_c' || g, 'vouchers', 0, true from generate_series(0, ${consumers - 1}) g;
  `);
}

/**
 * Ledger transactions [from, to) of two transfers each, hash-chained after those before them, and
 * the accounts' columns and heads brought up to date. Every tenth transaction is a top-up (ad
 * points and its money), the others sales (vouchers issued, ad points charged); time runs evenly
 * over the 30 days, in whole milliseconds (what the chain hashes).
 */
async function seedTransfers(
  db: Sql,
  drizzleDb: Awaited<ReturnType<typeof openDb>>['db'],
  scale: ReconciliationBenchScale,
  range: { from: number; to: number },
  heads: Map<number, string>,
) {
  const { transactions, merchants, consumers } = scale;
  const at = (i: string) =>
    `timestamptz 'epoch' + (${periodStart}::bigint + (${i}::float8 / ${transactions} * ${periodEnd - periodStart})::bigint) * interval '1 millisecond'`;
  await db.unsafe(`
    insert into ledger_transactions (id, key, kind, contents_hash, contents, created_at) overriding system value
      select i, 'bench:' || i, case when i % 10 = 0 then 'topup_credit' else 'sale' end, '', '{}'::jsonb, ${at('i')}
      from generate_series(${range.from}, ${range.to - 1}) i;
    insert into ledger_transfers (transaction_id, ledger, debit_account_id, credit_account_id, amount, type,
        debit_balance_after, credit_balance_after, debit_prev_hash, credit_prev_hash, hash, created_at)
      select i, l.ledger, l.debit, l.credit, l.amount, 'single', 0, 0, '', '', '', ${at('i')}
      from generate_series(${range.from}, ${range.to - 1}) i,
      lateral (values
        (case when i % 10 = 0 then 'ad_points' else 'vouchers' end,
         case when i % 10 = 0 then ${ids.adPointsIssued} + i % ${shards} else ${ids.vouchersIssued} + i % ${shards} end,
         case when i % 10 = 0 then ${ids.merchantAdPoints} + (i / 10) % ${merchants} else ${ids.consumerVouchers} + i % ${consumers} end,
         case when i % 10 = 0 then 1000000 else 1000 end),
        (case when i % 10 = 0 then 'cny' else 'ad_points' end,
         case when i % 10 = 0 then ${ids.topupClearing} + i % ${shards} else ${ids.merchantAdPoints} + i % ${merchants} end,
         case when i % 10 = 0 then ${ids.merchantPrepaid} + (i / 10) % ${merchants} else ${ids.adPointsRevenue} + i % ${shards} end,
         case when i % 10 = 0 then 10000 else 150 end)
      ) as l(ledger, debit, credit, amount)
      order by i;
  `);
  // The chain, as postTransaction builds it: each transfer links both accounts' previous heads.
  await db.unsafe('alter table ledger_transfers disable trigger ledger_transfers_append_only');
  const t = schema.ledgerTransfers;
  const x = schema.ledgerTransactions;
  for (let after = 0; ; ) {
    const page = await drizzleDb
      .select({ transfer: t, key: x.key })
      .from(t)
      .innerJoin(x, eq(x.id, t.transactionId))
      .where(and(gt(t.id, after), gt(t.transactionId, range.from - 1), lte(t.transactionId, range.to - 1)))
      .orderBy(asc(t.id))
      .limit(50_000);
    if (page.length === 0) break;
    const rows = page.map(({ transfer, key }) => {
      const debitPrevHash = heads.get(transfer.debitAccountId) ?? '';
      const creditPrevHash = heads.get(transfer.creditAccountId) ?? '';
      const hash = sha256(transferHashInput({ ...transfer, key, debitPrevHash, creditPrevHash }));
      heads.set(transfer.debitAccountId, hash);
      heads.set(transfer.creditAccountId, hash);
      return { id: transfer.id, debitPrevHash, creditPrevHash, hash };
    });
    await db`
      update ledger_transfers t set debit_prev_hash = v.d, credit_prev_hash = v.c, hash = v.h
      from (select unnest(${rows.map((r) => r.id)}::bigint[]) as id, unnest(${rows.map((r) => r.debitPrevHash)}::text[]) as d,
        unnest(${rows.map((r) => r.creditPrevHash)}::text[]) as c, unnest(${rows.map((r) => r.hash)}::text[]) as h) v
      where t.id = v.id`;
    after = page[page.length - 1]!.transfer.id;
  }
  await db.unsafe('alter table ledger_transfers enable trigger ledger_transfers_append_only');
  // Compact again: the chain's updates left every row twice, which a real ledger never has.
  await db.unsafe('vacuum full ledger_transfers');
  await db`
    update ledger_accounts a set head_hash = v.h
    from (select unnest(${[...heads.keys()]}::bigint[]) as id, unnest(${[...heads.values()]}::text[]) as h) v
    where a.id = v.id`;
  await db.unsafe(`
    update ledger_accounts a set debits_posted = s.debits, credits_posted = s.credits
      from (
        select id, sum(debit) as debits, sum(credit) as credits from (
          select debit_account_id as id, amount as debit, 0 as credit from ledger_transfers
          union all select credit_account_id, 0, amount from ledger_transfers
        ) e group by id
      ) s where a.id = s.id;
  `);
}

/** The reported day's business rows: its sales and top-ups. */
async function seedDay(db: Sql, scale: ReconciliationBenchScale) {
  const { merchants } = scale;
  const dayStart = `to_timestamp(${(periodEnd - 24 * 3600_000) / 1000})`;
  await db.unsafe(`
    insert into sales (id, channel, merchant_id, consumer_user_id, amount_fen, voucher_rate_per_yuan, ad_rate_bp,
        vouchers, ad_points_charge, status, vouchers_issued, ad_points_charged, recorded_at, decided_at)
      select 'sal_b' || x.id, 'in_store', 'mer_b' || x.id % ${merchants}, 'usr_b' || x.id % ${merchants}, 1000, 100, 1500,
        1000, 150, 'completed', 1000, 150, x.created_at, x.created_at
      from ledger_transactions x where x.kind = 'sale' and x.created_at >= ${dayStart};
    insert into topups (id, merchant_id, status, amount_fen, ad_points, ad_point_price_fen, checkout_session_id,
        paid_at, created_by, created_at)
      select 'top_b' || x.id, 'mer_b' || (x.id / 10) % ${merchants}, 'paid', 10000, 1000000, 1, 'cs_b' || x.id,
        x.created_at, 'usr_b0', x.created_at
      from ledger_transactions x where x.kind = 'topup_credit' and x.created_at >= ${dayStart};
  `);
  await db.unsafe('vacuum full analyze ledger_accounts');
  await db.unsafe('vacuum analyze');
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

const middleOf = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

/** Median of `runs` timings in ms, after one warm-up run. */
async function medianMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push((await timed(work)).ms);
  return middleOf(ms);
}

/** Scan-and-report pairs timed for the nightly report's ratio. */
const pairRuns = 5;

/** `scale` smaller than the default only to check that the bench itself works. */
export async function runReconciliationBench(options: {
  adminUrl: string;
  scale?: ReconciliationBenchScale;
}): Promise<ReconciliationBenchResult> {
  const scale = options.scale ?? fullScale;
  const name = `alliance_bench_recon_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(options.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  const opened = await openDb({ databaseUrl: url.toString(), maxConnections: 4 });
  const raw = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: 'memory' });
  const now = () => new Date(periodEnd + 3600_000);
  const fake = await startFakeStripe({
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    deliver: async () => 200,
    now,
  });
  try {
    await seedAccounts(raw, scale);
    const heads = new Map<number, string>();
    // The first 29 days, then the previous day's report (a full pass) leaves its checkpoint.
    const lastDayFrom = Math.ceil((scale.transactions * (days - 1)) / days);
    await seedTransfers(raw, opened.db, scale, { from: 0, to: lastDayFrom }, heads);
    await raw.unsafe('vacuum analyze');
    const ctx = ctxOf(
      composeDeps({
        db: opened.db,
        dbKind: 'postgres',
        config,
        log: createLogger('silent'),
        now,
        auth: await createAuthProvider(config, opened.db),
        stripe: createStripeClient('sk_test_bench', { host: fake.host, port: fake.port, protocol: 'http' }),
      }),
    );
    const firstReport = await timed(() => runReconciliation(ctx, { date: previousDate }));
    if (!firstReport.value.checks.every((c) => c.ok))
      throw new Error('bench: the seeded ledger does not verify');
    await seedTransfers(raw, opened.db, scale, { from: lastDayFrom, to: scale.transactions }, heads);
    await seedDay(raw, scale);

    const scan = () =>
      opened.db.execute(
        sql`select debit_account_id, sum(amount) from ledger_transfers group by debit_account_id`,
      );
    // After each run its report and checkpoint go, so each starts from the previous day's checkpoint.
    const [previous] = await raw<Array<{ id: string }>>`select max(id)::text as id from ledger_checkpoints`;
    const report = () => runReconciliation(ctx, { date: reportDate });
    const resetReport = async () => {
      await raw`delete from ledger_checkpoints where id > ${previous?.id ?? '0'}::bigint`;
      await raw`delete from reconciliation_reports where business_date = ${reportDate}`;
    };
    // The scan and the report alternate, and the ratio is the median of each pair's: this
    // machine's speed drifts by a fifth within a minute (bench/pgbench.ts), which a scan timed
    // apart from the reports would carry whole.
    await scan();
    await report();
    await resetReport();
    const pairs: Array<{ scanMs: number; reportMs: number }> = [];
    let differences = 0;
    for (let i = 0; i < pairRuns; i++) {
      const scanned = await timed(scan);
      const reported = await timed(report);
      await resetReport();
      pairs.push({ scanMs: scanned.ms, reportMs: reported.ms });
      differences = reported.value.differences.length;
    }
    const verifyMs = await medianMs(3, () => verifyLedger(opened.db));
    return {
      transfers: scale.transactions * 2,
      merchants: scale.merchants,
      baselineMs: middleOf(pairs.map((p) => p.scanMs)),
      reportMs: middleOf(pairs.map((p) => p.reportMs)),
      reportRatio: middleOf(pairs.map((p) => p.reportMs / p.scanMs)),
      firstReportMs: firstReport.ms,
      verifyMs,
      sinceCheckpoint: (scale.transactions - lastDayFrom) * 2,
      differences,
    };
  } finally {
    await fake.close();
    await raw.end();
    await opened.close();
    if (process.env.BENCH_KEEP) console.log(`kept ${name}`);
    else await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

export function printReconciliationResults(r: ReconciliationBenchResult) {
  const ratio = (ms: number) => (ms / r.baselineMs).toFixed(2);
  console.log(
    `\nreconciliation report over ${r.transfers} transfers, ${r.merchants} merchants (goal: at most 3x the scan)`,
  );
  console.log(`  bare sum(amount) group by account scan   ${r.baselineMs.toFixed(0).padStart(6)} ms`);
  console.log(
    `  one day's report                          ${r.reportMs.toFixed(0).padStart(6)} ms   ratio ${r.reportRatio.toFixed(2)}   (median of ${pairRuns} runs, each against a scan just before it; from the previous day's checkpoint: ${r.sinceCheckpoint} transfers verified, ${r.differences} differences listed)`,
  );
  console.log(
    `  first report, no checkpoint (full pass)   ${r.firstReportMs.toFixed(0).padStart(6)} ms   ratio ${ratio(r.firstReportMs)}   (at ${Math.round((r.transfers * (days - 1)) / days)} transfers)`,
  );
  console.log(
    `  full ledger verify (on demand)            ${r.verifyMs.toFixed(0).padStart(6)} ms   ratio ${ratio(r.verifyMs)}`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  // BENCH_SMOKE=1: a thousandth of the data, to check the bench runs; its numbers mean nothing.
  const scale = process.env.BENCH_SMOKE ? { transactions: 500, merchants: 10, consumers: 100 } : undefined;
  printReconciliationResults(await runReconciliationBench({ adminUrl, scale }));
}
