import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { users } from './auth';

/**
 * A video campaign (广告任务) managed by the operator. Its budget lives on the CNY ledger in the
 * campaign's own no-overdraft account; each verified completion moves pricePerCompletionFen out of it.
 */
export const campaigns = pgTable(
  'campaigns',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    advertiser: text('advertiser'),
    mediaUrl: text('media_url').notNull(),
    durationSeconds: integer('duration_seconds').notNull(),
    pricePerCompletionFen: bigint('price_per_completion_fen', { mode: 'number' }).notNull(),
    budgetFen: bigint('budget_fen', { mode: 'number' }).notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    /** Verified completions per business day; null means no cap. */
    dailyCap: integer('daily_cap'),
    /** active | paused */
    status: text('status').notNull().default('active'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    check(
      'campaigns_positive',
      sql`${t.durationSeconds} > 0 and ${t.pricePerCompletionFen} > 0 and ${t.budgetFen} > 0`,
    ),
  ],
);

/**
 * One view a consumer started. Only a SHA-256 hash of its token is kept. A consumer sees each campaign
 * at most once per business day (unique index), the business day being the one the view started in.
 */
export const adViews = pgTable(
  'ad_views',
  {
    id: text('id').primaryKey(),
    consumerId: text('consumer_id')
      .notNull()
      .references(() => users.id),
    campaignId: text('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    tokenHash: text('token_hash').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    clientAddress: text('client_address'),
    /** started | verified */
    status: text('status').notNull().default('started'),
    lastSeq: integer('last_seq').notNull().default(0),
    /** Server time of the last progress report (the start before any). */
    lastReportAt: timestamp('last_report_at', { withTimezone: true }).notNull(),
    /** Whether the last report said the page was visible (the start counts as visible). */
    lastVisible: boolean('last_visible').notNull().default(true),
    /** Playback the server accepts as really watched, in milliseconds. */
    creditedMs: integer('credited_ms').notNull().default(0),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('ad_views_consumer_campaign_day').on(t.consumerId, t.campaignId, t.businessDate),
    index('ad_views_consumer_day').on(t.consumerId, t.businessDate),
  ],
);

/**
 * The daily rule lives here: one row per consumer and business day, raised only by
 * `completed = completed + 1 where completed < limit`, in the completion's transaction.
 */
export const videoDailyCounters = pgTable(
  'video_daily_counters',
  {
    consumerId: text('consumer_id').notNull(),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    completed: integer('completed').notNull().default(0),
    /** Conversions actually made (a conversion is skipped when the vouchers are gone). */
    conversions: integer('conversions').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.consumerId, t.businessDate] }),
    check('video_daily_counters_nonneg', sql`${t.completed} >= 0`),
  ],
);

/** Verified completions per campaign and business day, for the daily cap (same conditional update). */
export const campaignDailyCounters = pgTable(
  'campaign_daily_counters',
  {
    campaignId: text('campaign_id').notNull(),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    completed: integer('completed').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.businessDate] })],
);

/** Every verified completion, from our player (view_id) or from AdMob (admob_transaction_id), once. */
export const videoCompletions = pgTable(
  'video_completions',
  {
    id: text('id').primaryKey(),
    consumerId: text('consumer_id').notNull(),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    /** view | admob */
    source: text('source').notNull(),
    viewId: text('view_id').unique(),
    admobTransactionId: text('admob_transaction_id').unique(),
    campaignId: text('campaign_id'),
    /** Which of the day's completions this was (1..limit). */
    slot: integer('slot').notNull(),
    chargedFen: bigint('charged_fen', { mode: 'number' }).notNull().default(0),
    converted: boolean('converted').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('video_completions_campaign_day').on(t.campaignId, t.businessDate),
    uniqueIndex('video_completions_consumer_slot').on(t.consumerId, t.businessDate, t.slot),
  ],
);

/** AdMob server-side verification callbacks that passed the signature check, once per transaction id. */
export const admobRewards = pgTable('admob_rewards', {
  transactionId: text('transaction_id').primaryKey(),
  userId: text('user_id').notNull(),
  adUnit: text('ad_unit'),
  rewardItem: text('reward_item'),
  rewardAmount: integer('reward_amount'),
  keyId: text('key_id').notNull(),
  /** verified | refused:<reason> */
  outcome: text('outcome').notNull(),
  query: text('query').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
});

/** Every refused start, progress report, completion or callback, for the operator's fraud view. */
export const adViewRefusals = pgTable(
  'ad_view_refusals',
  {
    id: text('id').primaryKey(),
    reason: text('reason').notNull(),
    /** start | progress | complete | admob */
    stage: text('stage').notNull(),
    consumerId: text('consumer_id'),
    viewId: text('view_id'),
    clientAddress: text('client_address'),
    details: jsonb('details'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('ad_view_refusals_created').on(t.createdAt), index('ad_view_refusals_reason').on(t.reason)],
);
