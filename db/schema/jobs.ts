import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per scheduled job per minute it was due (`slot`), claimed before the body runs, so that
 * a job runs at most once per slot however many Node processes and Workers fire it.
 */
export const jobRuns = pgTable(
  'job_runs',
  {
    job: text('job').notNull(),
    slot: timestamp('slot', { withTimezone: true }).notNull(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Null while running or when it succeeded; the error's message when it failed. */
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.job, t.slot] })],
);
