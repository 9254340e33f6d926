import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const amount = (name: string) => bigint(name, { mode: 'number' });

/**
 * One account on one ledger (unit). Balances are kept on the row and must always equal the sum of
 * the account's transfers; the CHECK constraints make the database refuse an overdraft.
 */
export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** cny (fen) | ad_points | vouchers | eco_points (hundredths). */
    ledger: text('ledger').notNull(),
    ownerType: text('owner_type').notNull(),
    ownerId: text('owner_id').notNull(),
    code: text('code').notNull(),
    /** Busy platform accounts are split into shards so purchases do not queue on one row. */
    shard: smallint('shard').notNull().default(0),
    debitsMustNotExceedCredits: boolean('debits_must_not_exceed_credits').notNull().default(false),
    creditsMustNotExceedDebits: boolean('credits_must_not_exceed_debits').notNull().default(false),
    debitsPending: amount('debits_pending').notNull().default(0),
    debitsPosted: amount('debits_posted').notNull().default(0),
    creditsPending: amount('credits_pending').notNull().default(0),
    creditsPosted: amount('credits_posted').notNull().default(0),
    /** Head of this account's SHA-256 chain over its transfers. */
    headHash: text('head_hash').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ledger_accounts_owner_code_shard').on(t.ownerType, t.ownerId, t.code, t.shard),
    check(
      'ledger_accounts_debits_within_credits',
      sql`not ${t.debitsMustNotExceedCredits} or ${t.debitsPosted} + ${t.debitsPending} <= ${t.creditsPosted}`,
    ),
    check(
      'ledger_accounts_credits_within_debits',
      sql`not ${t.creditsMustNotExceedDebits} or ${t.creditsPosted} + ${t.creditsPending} <= ${t.debitsPosted}`,
    ),
    check(
      'ledger_accounts_non_negative',
      sql`${t.debitsPending} >= 0 and ${t.debitsPosted} >= 0 and ${t.creditsPending} >= 0 and ${t.creditsPosted} >= 0`,
    ),
  ],
);

/** A business movement: one or more transfers committed together, unique by its idempotency key. */
export const ledgerTransactions = pgTable('ledger_transactions', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  key: text('key').notNull().unique(),
  kind: text('kind').notNull(),
  /** SHA-256 of the canonical contents, to tell a retry from a reuse of the key. */
  contentsHash: text('contents_hash').notNull(),
  contents: jsonb('contents').notNull(),
  meta: jsonb('meta'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Append-only. A pending transfer is resolved by exactly one later post or void transfer. */
export const ledgerTransfers = pgTable(
  'ledger_transfers',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    transactionId: bigint('transaction_id', { mode: 'number' })
      .notNull()
      .references(() => ledgerTransactions.id),
    ledger: text('ledger').notNull(),
    debitAccountId: bigint('debit_account_id', { mode: 'number' })
      .notNull()
      .references(() => ledgerAccounts.id),
    creditAccountId: bigint('credit_account_id', { mode: 'number' })
      .notNull()
      .references(() => ledgerAccounts.id),
    amount: amount('amount').notNull(),
    /** single | pending | post | void */
    type: text('type').notNull(),
    pendingId: bigint('pending_id', { mode: 'number' }),
    timeoutAt: timestamp('timeout_at', { withTimezone: true }),
    /** Posted balance (credits - debits) of each side right after this transfer. */
    debitBalanceAfter: amount('debit_balance_after').notNull(),
    creditBalanceAfter: amount('credit_balance_after').notNull(),
    debitPrevHash: text('debit_prev_hash').notNull(),
    creditPrevHash: text('credit_prev_hash').notNull(),
    hash: text('hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('ledger_transfers_amount_positive', sql`${t.amount} > 0`),
    check('ledger_transfers_distinct_accounts', sql`${t.debitAccountId} <> ${t.creditAccountId}`),
    // Only post and void transfers name a pending one: the others need no entry.
    uniqueIndex('ledger_transfers_resolves_pending_once')
      .on(t.pendingId)
      .where(sql`${t.pendingId} is not null`),
    index('ledger_transfers_debit_idx').on(t.debitAccountId, t.id),
    index('ledger_transfers_credit_idx').on(t.creditAccountId, t.id),
    index('ledger_transfers_transaction_idx').on(t.transactionId),
    index('ledger_transfers_timeout_idx').on(t.timeoutAt).where(sql`${t.type} = 'pending'`),
    // Balances at an instant and a day's movements (reconciliation) read a time range, not the table.
    index('ledger_transfers_created_idx').on(t.createdAt),
  ],
);

/**
 * A verified cut of the ledger (ADR 0009): every transfer up to `lastTransferId` was checked, and
 * all of them had committed when the cut was taken. The nightly report verifies only the transfers
 * after the latest checkpoint and writes the next one in its own transaction.
 */
export const ledgerCheckpoints = pgTable('ledger_checkpoints', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  lastTransferId: bigint('last_transfer_id', { mode: 'number' }).notNull(),
  /** The hash of transfer `lastTransferId` and the number of transfers up to it: the cheap check that the verified past is still there. */
  lastTransferHash: text('last_transfer_hash').notNull(),
  transfers: bigint('transfers', { mode: 'number' }).notNull(),
  /**
   * The XOR over every account of a hash of its four sums and chain head at `lastTransferId` (0 for
   * an account with nothing yet): what the accounts that have not moved since are checked against.
   */
  accountsDigest: bigint('accounts_digest', { mode: 'bigint' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
