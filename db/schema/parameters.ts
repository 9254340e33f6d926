import { bigint, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every parameter change ever made (SPEC section 3): who, when, from when it applies.
 * `scope` is `platform`, or a merchant id for per-merchant overrides (the ad rate).
 * Values are integers (fen, hundredths, basis points, counts), or text in `textValue`.
 */
export const parameterChanges = pgTable(
  'parameter_changes',
  {
    id: text('id').primaryKey(),
    /** Recording order: of two changes effective at the same instant, the later recorded is in force. */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    scope: text('scope').notNull(),
    name: text('name').notNull(),
    intValue: bigint('int_value', { mode: 'number' }),
    textValue: text('text_value'),
    effectiveFrom: timestamp('effective_from', { withTimezone: true }).notNull(),
    changedBy: text('changed_by').notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
    reason: text('reason'),
  },
  (t) => [index('parameter_changes_lookup').on(t.scope, t.name, t.effectiveFrom)],
);
