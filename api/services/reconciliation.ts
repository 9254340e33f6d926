/**
 * Reconciliation (SPEC flow 6, API.md "Reconciliation", ADR 0009): one business day's books.
 * Day figures come from the business tables (what happened that day, before refunds); balances
 * at the day's end from the ledger; the ledger's own invariants as the ledger verify states them; Stripe from its
 * own list API. Every disagreement is a `difference`; the report is `ok` only without any. Reports
 * are stored as generated, and the latest one for a date is the one read back.
 */
import { type DbOrTx, isTransaction, pgErrorCode, schema, type Tx, withReader } from '@alliance/db';
import { and, desc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { conflict, notFound, unprocessable } from '../errors';
import { newId } from '../ids';
import {
  type AccountKind,
  type AccountRef,
  ledgerCut,
  lockLedgerCheckpoints,
  postedBalancesAt,
  postedTotalAt,
} from '../ledger';
import { accounts } from './accounts';
import { verifyLedgerInvariants } from './adjustments';
import { addDays, businessDate, businessDay, startOfBusinessDate } from './business-day';
import { parametersAt } from './parameters';
import {
  emptyMerchantDay,
  merchantDays,
  organisationNames,
  stripeAnomaliesBetween,
  supplierDays,
  suppliersInPayoutAt,
  videoDay,
} from './reconciliation-queries';
import {
  compareStripeWithLedger,
  type Difference,
  fetchStripeDay,
  type StripeDay,
} from './reconciliation-stripe';
import { adPointsChargeForAmount, ecoPointsValueFen } from './rounding';
import { validDate } from './statements';
import { handlingOfEvents } from './stripe-anomalies';
import { inTransaction } from './tx';

export type { Difference } from './reconciliation-stripe';

export interface MerchantLine {
  merchantId: string;
  name: string;
  /** Fen of sales completed that day, whole amounts; split by channel below. */
  sales: number;
  inStoreSales: number;
  onlineSales: number;
  vouchersIssued: number;
  adPointsCharged: number;
  expectedAdPointsCharged: number;
  /** Fen of top-ups paid that day, and the ad points they bought. */
  topups: number;
  adPointsBought: number;
  /** Balances at the day's end (hundredths). */
  adPoints: number;
  ecoPoints: number;
}

export interface SupplierLine {
  supplierId: string;
  name: string;
  settled: number;
  paidOut: number;
  payable: number;
}

/** The platform's day in a few numbers, for the dashboard's trends. */
export interface DayTotals {
  gmvOnline: number;
  gmvInStore: number;
  adPointsBought: number;
  adPointsConsumed: number;
  vouchersIssued: number;
  vouchersConverted: number;
  completions: number;
  topups: number;
  supplierSettled: number;
  supplierPaidOut: number;
  supplierPayable: number;
}

export interface ReconciliationReport {
  businessDate: string;
  generatedAt: string;
  ok: boolean;
  merchants: MerchantLine[];
  suppliers: SupplierLine[];
  vouchers: { outstanding: number };
  ecoPoints: { outstanding: number; unitPriceFen: number; liability: number };
  /** `disputed`: lost disputes Stripe confirms; absent from reports written before it was counted. */
  stripe: { collected: number; refunded: number; disputed?: number; ledger: number; difference: number };
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  differences: Difference[];
  totals: DayTotals;
}

const kindOf = (ref: AccountRef): AccountKind => ({ ownerType: ref.ownerType, code: ref.code });
const merchantAdPoints = kindOf(accounts.merchantAdPoints('*'));
const merchantEcoPoints = kindOf(accounts.merchantEcoPoints('*'));
const supplierPayable = kindOf(accounts.supplierPayable('*'));

function safe(value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`reconciliation: ${value} is beyond a safe integer`);
  return n;
}

/**
 * Every eco-point held by consumers and merchants at `at`, held ones (pending) included: they are
 * still in the holders' posted balances. The one place that defines eco-point liability.
 */
export async function ecoPointsOutstandingAt(db: DbOrTx, at: Date): Promise<bigint> {
  return postedTotalAt(db, at, [
    kindOf(accounts.consumerEcoPoints('*')),
    kindOf(accounts.merchantEcoPoints('*')),
  ]);
}

interface Day {
  businessDate: string;
  start: Date;
  end: Date;
}

async function dayOf(ctx: Ctx, date: string | undefined): Promise<Day> {
  const { businessTimeZone } = await parametersAt(ctx);
  const today = businessDate(ctx.now(), businessTimeZone);
  const wanted = date ?? today;
  if (!validDate(wanted)) throw unprocessable('invalid_date', 'Dates are YYYY-MM-DD');
  if (wanted > today) throw unprocessable('date_in_future', 'That business day has not begun');
  const start = startOfBusinessDate(wanted, businessTimeZone);
  return { businessDate: wanted, start, end: businessDay(start, businessTimeZone).resetsAt };
}

/**
 * The day's figures: business tables, balances at the day's end, Stripe against the ledger, video.
 * Read-only, so it runs on the report's reader (`withReader`).
 */
function readFigures(ctx: Ctx, day: Day, stripeDay: StripeDay) {
  const { start, end } = day;
  return allByName({
    merchantDay: merchantDays(ctx, start, end),
    supplierDayMap: supplierDays(ctx, start, end),
    inPayout: suppliersInPayoutAt(ctx, end),
    names: organisationNames(ctx),
    balances: postedBalancesAt(ctx.db, end, [merchantAdPoints, merchantEcoPoints, supplierPayable]),
    vouchersOut: postedTotalAt(ctx.db, end, [kindOf(accounts.consumerVouchers('*'))]),
    ecoOut: ecoPointsOutstandingAt(ctx.db, end),
    stripe: compareStripeWithLedger(ctx, stripeDay, start, end),
    anomalies: stripeAnomaliesBetween(ctx, start, end),
    video: videoDay(ctx, day.businessDate, start, end),
  });
}

/** Promise.all over an object's values, keeping each value under its name. */
async function allByName<T extends Record<string, Promise<unknown>>>(
  promises: T,
): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const names = Object.keys(promises);
  const values = await Promise.all(Object.values(promises));
  return Object.fromEntries(names.map((name, i) => [name, values[i]])) as { [K in keyof T]: Awaited<T[K]> };
}

/**
 * Builds one day's report from the database and Stripe's listing, in the report's transaction
 * (see `reportTransaction`): the ledger's invariants are checked from the latest checkpoint and the
 * next one written at `cut` (ADR 0009) in it, while the figures (and the verify's hashes) are read
 * on a second connection on the same snapshot, from `pool` (`withReader`), and made into the
 * report's lines as soon as they arrive.
 */
async function buildReport(
  ctx: Ctx,
  pool: DbOrTx,
  day: Day,
  stripeDay: StripeDay,
  cut: number | null,
): Promise<ReconciliationReport> {
  const generatedAt = ctx.now();
  // Parameters in force at the day's end (or now, for today).
  const params = await parametersAt(
    ctx,
    day.end < generatedAt ? new Date(day.end.getTime() - 1) : generatedAt,
  );
  const [verify, lines] = await withReader(pool, ctx.db as Tx, async (reader) => {
    await tuneForReport(reader);
    return Promise.all([
      verifyLedgerInvariants(ctx, { cut, reader }),
      readFigures({ ...ctx, db: reader }, day, stripeDay).then(linesOf),
    ]);
  });
  const { merchants, suppliers, chargeDifferences, stripe, anomalies, vouchersOut, ecoOut, video } = lines;
  const differences: Difference[] = [...chargeDifferences];
  for (const check of verify.checks.filter((c) => !c.ok)) {
    differences.push({
      kind: 'ledger_check_failed',
      subject: check.name,
      expected: null,
      actual: null,
      detail: check.detail,
    });
  }
  differences.push(...stripe.differences);
  for (const anomaly of anomalies) {
    differences.push({
      kind: 'stripe_event_unmatched',
      subject: anomaly.eventId,
      expected: null,
      actual: null,
      detail: `A verified Stripe event: ${anomalyWords[anomaly.kind] ?? 'the platform could not match it'}`,
    });
  }
  const ecoOutstanding = safe(ecoOut);
  const sum = <T>(rows: T[], pick: (row: T) => number) => rows.reduce((total, row) => total + pick(row), 0);
  return {
    businessDate: day.businessDate,
    generatedAt: generatedAt.toISOString(),
    ok: differences.length === 0,
    merchants,
    suppliers,
    vouchers: { outstanding: safe(vouchersOut) },
    ecoPoints: {
      outstanding: ecoOutstanding,
      unitPriceFen: params.ecoPointUnitPriceFen,
      liability: safe(ecoPointsValueFen(ecoOut, params.ecoPointUnitPriceFen)),
    },
    stripe: {
      collected: stripe.collected,
      refunded: stripe.refunded,
      disputed: stripe.disputed,
      ledger: stripe.ledger,
      difference: stripe.difference,
    },
    checks: verify.checks,
    differences,
    totals: {
      gmvOnline: sum(merchants, (m) => m.onlineSales),
      gmvInStore: sum(merchants, (m) => m.inStoreSales),
      adPointsBought: sum(merchants, (m) => m.adPointsBought),
      adPointsConsumed: sum(merchants, (m) => m.adPointsCharged),
      vouchersIssued: sum(merchants, (m) => m.vouchersIssued),
      vouchersConverted: video.vouchersConverted,
      completions: video.completions,
      topups: sum(merchants, (m) => m.topups),
      supplierSettled: sum(suppliers, (s) => s.settled),
      supplierPaidOut: sum(suppliers, (s) => s.paidOut),
      supplierPayable: sum(suppliers, (s) => s.payable),
    },
  };
}

/** The merchant and supplier lines of the day's figures, and the ad-point charges they do not account for. */
function linesOf(figures: Awaited<ReturnType<typeof readFigures>>) {
  const { merchantDay, supplierDayMap, inPayout, names, balances } = figures;
  const { days: merchantDayMap, chargeable: groups } = merchantDay;

  const balance = (kind: AccountKind) =>
    new Map(
      balances
        .filter((b) => b.ownerType === kind.ownerType && b.code === kind.code)
        .map((b) => [b.ownerId, safe(b.posted)]),
    );
  const adPoints = balance(merchantAdPoints);
  const ecoPoints = balance(merchantEcoPoints);
  const payable = balance(supplierPayable);

  const expected = new Map<string, number>();
  for (const g of groups) {
    const charge = adPointsChargeForAmount(g.moneyFen, g.adRateBp) * g.count;
    expected.set(g.merchantId, (expected.get(g.merchantId) ?? 0) + charge);
  }

  const chargeDifferences: Difference[] = [];
  const merchantIds = new Set([
    ...merchantDayMap.keys(),
    ...[...adPoints].filter(([, v]) => v !== 0).map(([id]) => id),
    ...[...ecoPoints].filter(([, v]) => v !== 0).map(([id]) => id),
  ]);
  const merchants: MerchantLine[] = [...merchantIds]
    .map((merchantId) => {
      const d = merchantDayMap.get(merchantId) ?? emptyMerchantDay();
      return {
        merchantId,
        name: names.merchants.get(merchantId) ?? '',
        sales: d.sales,
        inStoreSales: d.inStoreSales,
        onlineSales: d.onlineSales,
        vouchersIssued: d.vouchersIssued,
        adPointsCharged: d.adPointsCharged,
        expectedAdPointsCharged: expected.get(merchantId) ?? 0,
        topups: d.topups,
        adPointsBought: d.adPointsBought,
        adPoints: adPoints.get(merchantId) ?? 0,
        ecoPoints: ecoPoints.get(merchantId) ?? 0,
      };
    })
    .sort(byNameThenId((m) => m.merchantId));
  for (const m of merchants) {
    if (m.adPointsCharged !== m.expectedAdPointsCharged) {
      chargeDifferences.push({
        kind: 'ad_points_charge_mismatch',
        subject: m.merchantId,
        expected: m.expectedAdPointsCharged,
        actual: m.adPointsCharged,
        detail: `${m.name} was charged ad points that its sales and rates do not account for`,
      });
    }
  }

  const supplierIds = new Set([
    ...supplierDayMap.keys(),
    ...[...payable].filter(([, v]) => v !== 0).map(([id]) => id),
    ...inPayout.keys(),
  ]);
  const suppliers: SupplierLine[] = [...supplierIds]
    .map((supplierId) => {
      const d = supplierDayMap.get(supplierId) ?? { settled: 0, paidOut: 0 };
      return {
        supplierId,
        name: names.suppliers.get(supplierId) ?? '',
        settled: d.settled,
        paidOut: d.paidOut,
        // Owed at the day's end: not yet in a batch, plus in a batch not yet paid.
        payable: (payable.get(supplierId) ?? 0) + (inPayout.get(supplierId) ?? 0),
      };
    })
    .sort(byNameThenId((s) => s.supplierId));

  return { ...figures, merchants, suppliers, chargeDifferences };
}

/** What each kind of Stripe anomaly (stripe_anomalies.kind) means, for the operator reading it. */
const anomalyWords: Record<string, string> = {
  unknown_session: 'a paid Checkout session the platform never opened',
  unknown_order: 'a paid Checkout session for an order the platform does not know',
  unknown_charge: 'a refund or dispute of a charge the platform does not know',
  amount_mismatch: 'an amount that differs from what the platform asked for',
  metadata_mismatch: "a payment whose references do not match the platform's",
  order_paid_after_expiry: 'an order paid after it had expired',
  completed_after_expiry: 'a top-up paid after its checkout had expired',
  points_unrecovered: 'money given back whose ad points had already been spent',
};

function byNameThenId<T extends { name: string }>(id: (row: T) => string) {
  return (a: T, b: T) => (a.name === b.name ? (id(a) < id(b) ? -1 : 1) : a.name < b.name ? -1 : 1);
}

async function store(ctx: Ctx, report: ReconciliationReport, kind: 'nightly' | 'on_demand') {
  await ctx.db.insert(schema.reconciliationReports).values({
    id: newId('rec'),
    businessDate: report.businessDate,
    kind,
    ok: report.ok,
    report,
    requestedBy: ctx.user?.id ?? null,
    generatedAt: new Date(report.generatedAt),
  });
}

/**
 * Settings for a report's transaction (and its reader), in one round trip. Its queries each read
 * about one row per account or per transfer of the day: compiling them (JIT) costs more than it
 * saves; sorting the day's transfers by account takes tens of megabytes, in memory rather than on
 * disk; and the report already reads on two connections, so parallel workers would only contend.
 */
async function tuneForReport(db: DbOrTx) {
  await db.execute(
    sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true),
          set_config('max_parallel_workers_per_gather', '0', true)`,
  );
}

/** How long a report waits for another one to finish before answering 409. */
const reportWaitMs = 60_000;

/**
 * A report's transaction: REPEATABLE READ, so every query sees the same ledger and business rows,
 * opened by the checkpoint lock (before the snapshot, so a report waiting for another one sees the
 * checkpoint and rows it wrote). The cut is taken before, outside it. While another report holds
 * the lock, this one tries again a moment later, holding no connection in between (a report reads
 * on two: see `withReader`), for at most `reportWaitMs`.
 */
async function reportTransaction<T>(
  ctx: Ctx,
  work: (tx: Ctx, pool: DbOrTx, cut: number | null) => Promise<T>,
): Promise<T> {
  const giveUpAt = performance.now() + reportWaitMs;
  for (;;) {
    const cut = await ledgerCut(ctx.db);
    try {
      return await inTransaction(
        ctx,
        async (tx) => {
          await lockLedgerCheckpoints(tx.db);
          await tuneForReport(tx.db);
          // The report and its checkpoint are derived: a crash just after COMMIT may lose them
          // (the job and the next report build them again), so COMMIT does not wait for the disk.
          await tx.db.execute(sql`select set_config('synchronous_commit', 'off', true)`);
          return work(tx, ctx.db, cut);
        },
        { isolationLevel: 'repeatable read' },
      );
    } catch (error) {
      if (pgErrorCode(error) !== '55P03' || isTransaction(ctx.db)) throw error;
      if (performance.now() > giveUpAt)
        throw conflict(
          'reconciliation_running',
          'Another reconciliation report is being built; try again shortly',
        );
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
}

/** POST /v1/platform/reconciliation/runs: an operator runs a day (default today) now; stored. */
export async function runReconciliation(ctx: Ctx, input: { date?: string }): Promise<ReconciliationReport> {
  const day = await dayOf(ctx, input.date);
  const stripeDay = await fetchStripeDay(ctx, day.start, day.end);
  const report = await reportTransaction(ctx, async (tx, pool, cut) => {
    const built = await buildReport(tx, pool, day, stripeDay, cut);
    await store(tx, built, 'on_demand');
    return built;
  });
  return withHandling(ctx, report);
}

/**
 * A stored report is the day's record and keeps its payment anomalies; whether an operator has
 * handled each since is read when the report is, beside it.
 */
async function withHandling(ctx: Ctx, report: ReconciliationReport): Promise<ReconciliationReport> {
  const isAnomaly = (d: Difference) => d.kind === 'stripe_event_unmatched';
  const handled = await handlingOfEvents(
    ctx,
    report.differences.filter(isAnomaly).map((d) => d.subject),
  );
  return {
    ...report,
    differences: report.differences.map((d) =>
      isAnomaly(d) ? { ...d, handled: handled.get(d.subject) ?? null } : d,
    ),
  };
}

async function nightlyExists(db: DbOrTx, date: string): Promise<boolean> {
  const r = schema.reconciliationReports;
  const [row] = await db
    .select({ id: r.id })
    .from(r)
    .where(and(eq(r.businessDate, date), eq(r.kind, 'nightly')))
    .limit(1);
  return Boolean(row);
}

/**
 * The nightly job: the previous business day's report, written at most once however many
 * processes run it. Stripe is listed before the transaction (no network call inside it); the
 * transaction's checkpoint lock serialises the runs, each writes only if no nightly report exists
 * (its snapshot is taken after the lock, so it sees the other's), and the unique index on nightly
 * reports per date is the backstop.
 */
export async function runNightlyReconciliation(
  ctx: Ctx,
): Promise<{ businessDate: string; written: boolean }> {
  const { businessTimeZone } = await parametersAt(ctx);
  const todayStart = businessDay(ctx.now(), businessTimeZone).startsAt;
  const date = businessDate(new Date(todayStart.getTime() - 1), businessTimeZone);
  if (await nightlyExists(ctx.db, date)) return { businessDate: date, written: false };
  const day = await dayOf(ctx, date);
  const stripeDay = await fetchStripeDay(ctx, day.start, day.end);
  const written = await reportTransaction(ctx, async (tx, pool, cut) => {
    if (await nightlyExists(tx.db, date)) return false;
    await store(tx, await buildReport(tx, pool, day, stripeDay, cut), 'nightly');
    return true;
  });
  return { businessDate: date, written };
}

/** The latest stored report of a date; 404 when none. */
export async function getReconciliation(ctx: Ctx, date: string): Promise<ReconciliationReport> {
  if (!validDate(date)) throw notFound('not_found', 'No report for that date');
  const r = schema.reconciliationReports;
  const [row] = await ctx.db
    .select({ report: r.report })
    .from(r)
    .where(eq(r.businessDate, date))
    .orderBy(desc(r.seq))
    .limit(1);
  if (!row) throw notFound('not_found', 'No report for that date');
  return withHandling(ctx, row.report as ReconciliationReport);
}

export interface TrendPoint extends Partial<DayTotals> {
  businessDate: string;
  /** False for a day with no stored report (its values are absent, not zero). */
  reported: boolean;
  ecoPointLiability?: number;
}

/**
 * The dashboard's series (30 or 90 days): the last `days` business days up to today, each from its latest stored
 * report (the nightly job writes one per day), so a chart reads the same numbers as the reports.
 */
export async function reconciliationTrends(
  ctx: Ctx,
  days: number,
): Promise<{ days: number; data: TrendPoint[] }> {
  const { businessTimeZone } = await parametersAt(ctx);
  const today = businessDate(ctx.now(), businessTimeZone);
  const dates = Array.from({ length: days }, (_, i) => addDays(today, i - days + 1));
  const r = schema.reconciliationReports;
  const rows = await ctx.db
    .selectDistinctOn([r.businessDate], {
      businessDate: r.businessDate,
      totals: sql<DayTotals | null>`${r.report}->'totals'`,
      liability: sql<string | null>`${r.report}->'ecoPoints'->>'liability'`,
    })
    .from(r)
    .where(and(gte(r.businessDate, dates[0]!), lte(r.businessDate, today)))
    .orderBy(r.businessDate, desc(r.seq));
  const byDate = new Map(rows.map((row) => [row.businessDate, row]));
  return {
    days,
    data: dates.map((date) => {
      const row = byDate.get(date);
      const totals = typeof row?.totals === 'string' ? (JSON.parse(row.totals) as DayTotals) : row?.totals;
      if (!row || !totals) return { businessDate: date, reported: false };
      return { businessDate: date, reported: true, ...totals, ecoPointLiability: Number(row.liability ?? 0) };
    }),
  };
}
