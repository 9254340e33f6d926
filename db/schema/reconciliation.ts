import { sql } from 'drizzle-orm';
import { bigint, boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * A stored reconciliation report (SPEC flow 6): one business day's figures, balances at its end
 * and differences, kept as generated so that yesterday's report reads the same tomorrow. Operators
 * may run a day again; the latest row for a date is the one shown. The nightly job writes at most
 * one row per date (`kind` = nightly, unique), even when two processes run it at once.
 */
export const reconciliationReports = pgTable(
  'reconciliation_reports',
  {
    id: text('id').primaryKey(),
    /** Write order: the latest report of a date is the one with the highest seq. */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    /** YYYY-MM-DD in the business time zone. */
    businessDate: text('business_date').notNull(),
    /** nightly | on_demand */
    kind: text('kind').notNull(),
    ok: boolean('ok').notNull(),
    report: jsonb('report').notNull(),
    /** The operator who asked for it; null for the nightly job. */
    requestedBy: text('requested_by'),
    generatedAt: timestamp('generated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('reconciliation_reports_date_idx').on(t.businessDate, t.seq),
    uniqueIndex('reconciliation_reports_nightly_once').on(t.businessDate).where(sql`${t.kind} = 'nightly'`),
  ],
);
