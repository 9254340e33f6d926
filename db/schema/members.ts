import { index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './auth';

/** A merchant of the alliance (商户号). Applies, is approved by an operator, then trades. */
export const merchants = pgTable('merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** pending | active | rejected | suspended */
  status: text('status').notNull().default('pending'),
  category: text('category'),
  address: text('address'),
  contact: text('contact'),
  /** Per-merchant override of the platform ad rate; null uses the platform parameter. */
  adRateBp: integer('ad_rate_bp'),
  rejectionReason: text('rejection_reason'),
  ownerUserId: text('owner_user_id')
    .notNull()
    .references(() => users.id),
  decidedBy: text('decided_by'),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Who acts for a merchant: the owner manages staff; staff act for the merchant. */
export const merchantStaff = pgTable(
  'merchant_staff',
  {
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    /** owner | staff */
    role: text('role').notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.userId] }), index('merchant_staff_user_idx').on(t.userId)],
);

/** A supplier of the supply chain: publishes a wholesale catalog and drop-ships. */
export const suppliers = pgTable('suppliers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** pending | active | rejected | suspended */
  status: text('status').notNull().default('pending'),
  contact: text('contact'),
  address: text('address'),
  rejectionReason: text('rejection_reason'),
  ownerUserId: text('owner_user_id')
    .notNull()
    .references(() => users.id),
  decidedBy: text('decided_by'),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const supplierStaff = pgTable(
  'supplier_staff',
  {
    supplierId: text('supplier_id')
      .notNull()
      .references(() => suppliers.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role').notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.supplierId, t.userId] }), index('supplier_staff_user_idx').on(t.userId)],
);
