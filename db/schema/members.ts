import { sql } from 'drizzle-orm';
import { check, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './auth';

/**
 * A merchant (商户号) or a supplier of the alliance: both apply, are approved or rejected by an
 * operator, have an owner and staff, and get paid out (ADR 0007). Ids keep the kind's prefix
 * (`mer_`, `sup_`), so a column that holds a merchant says so by its name and its ids.
 */
export const organisations = pgTable(
  'organisations',
  {
    id: text('id').primaryKey(),
    /** merchant | supplier */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** pending | active | rejected | suspended */
    status: text('status').notNull().default('pending'),
    /** Merchants only: what the directory shows them under. */
    category: text('category'),
    address: text('address'),
    contact: text('contact'),
    rejectionReason: text('rejection_reason'),
    /** While suspended: the operator's reason, shown to its staff (history in organisation_status_changes). */
    suspensionReason: text('suspension_reason'),
    ownerUserId: text('owner_user_id')
      .notNull()
      .references(() => users.id),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'organisations_kind_prefix',
      sql`(${t.kind} = 'merchant' and ${t.id} like 'mer\\_%') or (${t.kind} = 'supplier' and ${t.id} like 'sup\\_%')`,
    ),
    check('organisations_category_merchant_only', sql`${t.kind} = 'merchant' or ${t.category} is null`),
    index('organisations_kind_status_idx').on(t.kind, t.status, t.createdAt),
  ],
);

/** Who acts for an organisation: the owner manages staff; staff act for it. */
export const organisationMembers = pgTable(
  'organisation_members',
  {
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    /** owner | staff */
    role: text('role').notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organisationId, t.userId] }),
    index('organisation_members_user_idx').on(t.userId),
  ],
);

/**
 * Every status change an operator made (suspend, reinstate; ADR 0017): who, when, from what to
 * what, and the reason. Append-only; the organisation row holds only the current status.
 */
export const organisationStatusChanges = pgTable(
  'organisation_status_changes',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    fromStatus: text('from_status').notNull(),
    toStatus: text('to_status').notNull(),
    reason: text('reason'),
    changedBy: text('changed_by')
      .notNull()
      .references(() => users.id),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('organisation_status_changes_org_idx').on(t.organisationId, t.changedAt)],
);
