import { schema } from '@alliance/db';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { ApiError, conflict, notFound, unauthorized, unprocessable } from '../errors';
import { newId, randomBase32, sha256Hex } from '../ids';
import { balanceOf, LedgerError, postTransaction } from '../ledger';
import { accounts } from './accounts';
import { businessDay } from './business-day';
import { chargeCompletion, servableCampaigns } from './campaigns';
import { type Parameters, parametersAt } from './parameters';
import { hitRateLimit } from './rate-limit';
import { inTransaction } from './tx';

/**
 * Verification rules (SPEC section 5, ADR 0004). Progress is credited only over intervals that start
 * and end with a visible report (or the start) at most `maxReportGapMs` apart on the server's clock,
 * and never faster than that clock; completion needs `durationSeconds - 1` credited.
 */
export const viewRules = {
  maxReportGapMs: 10_000,
  /** Velocity limits on starting views. */
  startsPerConsumer: 30,
  startsPerAddress: 300,
  startWindowMs: 10 * 60_000,
} as const;

type View = typeof schema.adViews.$inferSelect;

/** Videos a consumer may complete per business day: all the day's conversions' worth. */
export const dailyLimit = (p: Parameters) => p.videosPerConversion * p.conversionsPerDay;

export async function recordRefusal(
  ctx: Ctx,
  input: {
    reason: string;
    stage: 'start' | 'progress' | 'complete' | 'admob';
    consumerId?: string | null;
    viewId?: string | null;
    clientAddress?: string | null;
    details?: unknown;
  },
) {
  await ctx.db.insert(schema.adViewRefusals).values({
    id: newId('avr'),
    reason: input.reason,
    stage: input.stage,
    consumerId: input.consumerId ?? null,
    viewId: input.viewId ?? null,
    clientAddress: input.clientAddress ?? null,
    details: input.details ?? null,
    createdAt: ctx.now(),
  });
}

/** Runs a step; a refusal (4xx) rolls the step back and is then recorded on its own. */
async function refusalsRecorded<T>(
  ctx: Ctx,
  who: { stage: 'start' | 'progress' | 'complete'; viewId?: string; clientAddress?: string },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) {
      await recordRefusal(ctx, { reason: error.code, consumerId: ctx.user?.id, ...who });
    }
    throw error;
  }
}

/** Starts a view of the next campaign this consumer may see today; the token is shown once. */
export async function startView(ctx: Ctx, input: { clientAddress: string }) {
  const user = ctx.user;
  if (!user) throw unauthorized();
  return refusalsRecorded(ctx, { stage: 'start', clientAddress: input.clientAddress }, async () => {
    // Outside the transaction, so refused attempts still count.
    await hitRateLimit(ctx, `adview:user:${user.id}`, viewRules.startsPerConsumer, viewRules.startWindowMs);
    await hitRateLimit(
      ctx,
      `adview:ip:${input.clientAddress}`,
      viewRules.startsPerAddress,
      viewRules.startWindowMs,
    );
    return inTransaction(ctx, async (tx) => {
      const now = tx.now();
      const params = await parametersAt(tx, now);
      const day = businessDay(now, params.businessTimeZone);
      const completed = await completedOn(tx, user.id, day.date);
      if (completed >= dailyLimit(params))
        throw conflict('daily_limit_reached', 'Today’s videos are done; come back tomorrow');
      const vouchers = await balanceOf(tx.db, accounts.consumerVouchers(user.id));
      if (vouchers.available < params.conversionVouchers) {
        throw conflict('insufficient_vouchers', 'Video tasks need at least one voucher to convert');
      }
      const token = `vt_${randomBase32(32)}`;
      const tokenHash = await sha256Hex(token);
      for (const campaign of await servableCampaigns(tx, {
        consumerId: user.id,
        businessDate: day.date,
        now,
      })) {
        // The unique (consumer, campaign, day) index settles two parallel starts on one campaign.
        const [view] = await tx.db
          .insert(schema.adViews)
          .values({
            id: newId('adv'),
            consumerId: user.id,
            campaignId: campaign.id,
            businessDate: day.date,
            tokenHash,
            startedAt: now,
            lastReportAt: now,
            clientAddress: input.clientAddress,
          })
          .onConflictDoNothing()
          .returning();
        if (!view) continue;
        return {
          id: view.id,
          token,
          slot: completed + 1,
          startedAt: now.toISOString(),
          campaign: {
            id: campaign.id,
            title: campaign.title,
            mediaUrl: campaign.mediaUrl,
            durationSeconds: campaign.durationSeconds,
          },
        };
      }
      throw notFound('no_campaign_available', 'No video is available right now');
    });
  });
}

async function completedOn(ctx: Ctx, consumerId: string, date: string): Promise<number> {
  const t = schema.videoDailyCounters;
  const [row] = await ctx.db
    .select({ completed: t.completed })
    .from(t)
    .where(and(eq(t.consumerId, consumerId), eq(t.businessDate, date)));
  return row?.completed ?? 0;
}

/** The view, locked, if it is the caller's and the token is its own: 404 then 401, as API.md orders them. */
async function ownView(ctx: Ctx, viewId: string, token: string): Promise<View> {
  const user = ctx.user;
  if (!user) throw unauthorized();
  const [view] = await ctx.db
    .select()
    .from(schema.adViews)
    .where(eq(schema.adViews.id, viewId))
    .for('update');
  if (!view || view.consumerId !== user.id) throw notFound('not_found', 'No such view');
  if ((await sha256Hex(token)) !== view.tokenHash)
    throw unauthorized('invalid_view_token', 'This is not the view’s token');
  return view;
}

export interface ProgressInput {
  viewId: string;
  token: string;
  seq: number;
  /** seconds played, as the player reports it */
  position: number;
  visible: boolean;
  clientAddress?: string;
}

/** One progress report. Credits playback only as fast as the server's clock and only while visible. */
export async function reportProgress(ctx: Ctx, input: ProgressInput) {
  return refusalsRecorded(
    ctx,
    { stage: 'progress', viewId: input.viewId, clientAddress: input.clientAddress },
    () =>
      inTransaction(ctx, async (tx) => {
        const view = await ownView(tx, input.viewId, input.token);
        if (view.status === 'verified') throw conflict('already_completed', 'This view is already completed');
        if (input.seq !== view.lastSeq + 1) {
          throw conflict('out_of_sequence', `Expected seq ${view.lastSeq + 1}`);
        }
        const [campaign] = await tx.db
          .select()
          .from(schema.campaigns)
          .where(eq(schema.campaigns.id, view.campaignId));
        const durationMs = (campaign?.durationSeconds ?? 0) * 1000;
        const now = tx.now();
        const sinceLastMs = now.getTime() - view.lastReportAt.getTime();
        const positionMs = Math.floor(input.position * 1000);
        let creditedMs = view.creditedMs;
        if (input.visible && view.lastVisible && sinceLastMs <= viewRules.maxReportGapMs) {
          creditedMs = Math.min(
            durationMs,
            Math.max(creditedMs, Math.min(positionMs, creditedMs + sinceLastMs)),
          );
        }
        await tx.db
          .update(schema.adViews)
          .set({ lastSeq: input.seq, lastReportAt: now, lastVisible: input.visible, creditedMs })
          .where(eq(schema.adViews.id, view.id));
        return {
          id: view.id,
          seq: input.seq,
          creditedSeconds: (creditedMs - view.creditedMs) / 1000,
          progressSeconds: creditedMs / 1000,
          requiredSeconds: Math.max(0, (campaign?.durationSeconds ?? 0) - 1),
          elapsedSeconds: Math.max(0, now.getTime() - view.startedAt.getTime()) / 1000,
        };
      }),
  );
}

export type CompletionSource =
  | { source: 'view'; viewId: string; campaignId: string }
  | { source: 'admob'; admobTransactionId: string };

export type CompletionResult =
  | { ok: true; completedToday: number; conversion: null | { vouchers: number; ecoPoints: number } }
  | { ok: false; reason: 'daily_limit_reached' };

/**
 * Counts one verified completion for the consumer's business day, in the caller's transaction: the
 * conditional counter update is the daily rule; the campaign is billed; the completion that reaches
 * videosPerConversion converts vouchers into eco-points (at most conversionsPerDay).
 */
export async function recordCompletion(
  ctx: Ctx,
  input: { consumerId: string; businessDate: string; params: Parameters } & CompletionSource,
): Promise<CompletionResult> {
  const { consumerId, businessDate, params } = input;
  const t = schema.videoDailyCounters;
  await ctx.db.insert(t).values({ consumerId, businessDate }).onConflictDoNothing();
  const [counted] = await ctx.db
    .update(t)
    .set({ completed: sql`${t.completed} + 1` })
    .where(
      and(
        eq(t.consumerId, consumerId),
        eq(t.businessDate, businessDate),
        sql`${t.completed} < ${dailyLimit(params)}`,
      ),
    )
    .returning({ completed: t.completed });
  if (!counted) return { ok: false, reason: 'daily_limit_reached' };
  const slot = counted.completed;

  const chargedFen =
    input.source === 'view'
      ? await chargeCompletion(ctx, { campaignId: input.campaignId, viewId: input.viewId, businessDate })
      : 0;

  let conversion: { vouchers: number; ecoPoints: number } | null = null;
  const n = slot / params.videosPerConversion;
  if (Number.isInteger(n) && n <= params.conversionsPerDay) {
    try {
      await postTransaction(ctx.db, {
        key: `conversion:${consumerId}:${businessDate}:${n}`,
        kind: 'video_conversion',
        transfers: [
          {
            debit: accounts.consumerVouchers(consumerId),
            credit: accounts.platformVouchersIssued(),
            amount: params.conversionVouchers,
          },
          {
            debit: accounts.platformEcoPointsIssued(),
            credit: accounts.consumerEcoPoints(consumerId),
            amount: params.conversionEcoPoints,
          },
        ],
        meta: { consumerId, businessDate, n },
        now: ctx.now(),
      });
      await ctx.db
        .update(t)
        .set({ conversions: sql`${t.conversions} + 1` })
        .where(and(eq(t.consumerId, consumerId), eq(t.businessDate, businessDate)));
      conversion = { vouchers: -params.conversionVouchers, ecoPoints: params.conversionEcoPoints };
    } catch (error) {
      // The vouchers were spent or clawed back meanwhile: the completion counts, nothing converts.
      if (!(error instanceof LedgerError && error.code === 'insufficient_funds')) throw error;
    }
  }

  await ctx.db.insert(schema.videoCompletions).values({
    id: newId('vcm'),
    consumerId,
    businessDate,
    source: input.source,
    viewId: input.source === 'view' ? input.viewId : null,
    admobTransactionId: input.source === 'admob' ? input.admobTransactionId : null,
    campaignId: input.source === 'view' ? input.campaignId : null,
    slot,
    chargedFen,
    converted: conversion !== null,
    createdAt: ctx.now(),
  });
  return { ok: true, completedToday: slot, conversion };
}

/** Completes a view once its duration has really passed on the server's clock with progress covering it. */
export async function completeView(
  ctx: Ctx,
  input: { viewId: string; token: string; clientAddress?: string },
) {
  return refusalsRecorded(
    ctx,
    { stage: 'complete', viewId: input.viewId, clientAddress: input.clientAddress },
    () =>
      inTransaction(ctx, async (tx) => {
        const view = await ownView(tx, input.viewId, input.token);
        if (view.status === 'verified') throw conflict('already_completed', 'This view is already completed');
        const [campaign] = await tx.db
          .select()
          .from(schema.campaigns)
          .where(eq(schema.campaigns.id, view.campaignId));
        const durationSeconds = campaign?.durationSeconds ?? 0;
        const now = tx.now();
        if (now.getTime() - view.startedAt.getTime() < durationSeconds * 1000) {
          throw conflict('too_early', 'The video has not played for its full duration yet');
        }
        if (view.creditedMs < (durationSeconds - 1) * 1000) {
          throw unprocessable('insufficient_progress', 'Progress reports do not cover the video');
        }
        // The view belongs to the business day it started in, even when completed after midnight.
        const result = await recordCompletion(tx, {
          consumerId: view.consumerId,
          businessDate: view.businessDate,
          params: await parametersAt(tx, now),
          source: 'view',
          viewId: view.id,
          campaignId: view.campaignId,
        });
        if (!result.ok) throw conflict('daily_limit_reached', 'Today’s videos are done; come back tomorrow');
        await tx.db
          .update(schema.adViews)
          .set({ status: 'verified', completedAt: now })
          .where(eq(schema.adViews.id, view.id));
        return {
          status: 'verified' as const,
          completedToday: result.completedToday,
          conversion: result.conversion,
        };
      }),
  );
}

/** The operator's fraud view: refusals counted by reason, and the most recent ones. */
export async function listRefusals(ctx: Ctx, input: { limit: number }) {
  const r = schema.adViewRefusals;
  const [counts, recent] = await Promise.all([
    ctx.db
      .select({ reason: r.reason, count: sql<number>`count(*)::int` })
      .from(r)
      .groupBy(r.reason)
      .orderBy(desc(sql`count(*)`), r.reason),
    ctx.db.select().from(r).orderBy(desc(r.createdAt), desc(r.id)).limit(input.limit),
  ]);
  return {
    counts: counts.map((c) => ({ reason: c.reason, count: Number(c.count) })),
    recent: recent.map((x) => ({
      id: x.id,
      reason: x.reason,
      stage: x.stage,
      consumerId: x.consumerId,
      viewId: x.viewId,
      clientAddress: x.clientAddress,
      createdAt: x.createdAt.toISOString(),
    })),
  };
}
