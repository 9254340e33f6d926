import { schema } from '@alliance/db';
import { and, asc, desc, eq, gte, isNull, lte, or, sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { notFound, unprocessable } from '../errors';
import { newId } from '../ids';
import { balanceOf, LedgerError, postTransaction } from '../ledger';
import { accounts } from './accounts';
import { businessDay } from './business-day';
import { parametersAt } from './parameters';
import { inTransaction } from './tx';

type Campaign = typeof schema.campaigns.$inferSelect;

export interface CampaignInput {
  title: string;
  advertiser?: string | null;
  mediaUrl: string;
  durationSeconds: number;
  /** fen */
  pricePerCompletion: number;
  /** fen */
  budget: number;
  startsAt?: Date | null;
  endsAt?: Date | null;
  dailyCap?: number | null;
}

/** Limits on what a campaign may ask for, so a typo cannot create a one-hour "video". */
export const campaignLimits = { minDurationSeconds: 5, maxDurationSeconds: 600 } as const;

/** An absolute http(s) URL or a path on this site. */
export function isMediaUrl(value: string): boolean {
  if (value.startsWith('/') && !value.startsWith('//')) return true;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Creates a campaign and books its budget from the advertiser receivable into its own account. */
export async function createCampaign(ctx: Ctx, input: CampaignInput) {
  if (input.pricePerCompletion <= 0) throw unprocessable('invalid_price', 'pricePerCompletion must be > 0');
  if (input.budget <= 0) throw unprocessable('invalid_budget', 'budget must be > 0');
  if (input.budget < input.pricePerCompletion) {
    throw unprocessable('budget_below_price', 'budget must pay for at least one completion');
  }
  if (
    input.durationSeconds < campaignLimits.minDurationSeconds ||
    input.durationSeconds > campaignLimits.maxDurationSeconds
  ) {
    throw unprocessable(
      'invalid_duration',
      `durationSeconds must be ${campaignLimits.minDurationSeconds}..${campaignLimits.maxDurationSeconds}`,
    );
  }
  if (input.dailyCap != null && input.dailyCap <= 0)
    throw unprocessable('invalid_daily_cap', 'dailyCap must be > 0');
  if (input.startsAt && input.endsAt && input.endsAt <= input.startsAt) {
    throw unprocessable('invalid_window', 'endsAt must be after startsAt');
  }
  if (!isMediaUrl(input.mediaUrl))
    throw unprocessable('invalid_media_url', 'mediaUrl must be http(s) or a path on this site');

  return inTransaction(ctx, async (tx) => {
    const row: Campaign = {
      id: newId('cmp'),
      title: input.title,
      advertiser: input.advertiser ?? null,
      mediaUrl: input.mediaUrl,
      durationSeconds: input.durationSeconds,
      pricePerCompletionFen: input.pricePerCompletion,
      budgetFen: input.budget,
      startsAt: input.startsAt ?? null,
      endsAt: input.endsAt ?? null,
      dailyCap: input.dailyCap ?? null,
      status: 'active',
      // The demo loader runs without a signed-in operator.
      createdBy: ctx.user?.id ?? 'system',
      createdAt: tx.now(),
    };
    await tx.db.insert(schema.campaigns).values(row);
    await postTransaction(tx.db, {
      key: `campaign:${row.id}:fund`,
      kind: 'campaign_budget',
      transfers: [
        {
          debit: accounts.platformAdvertiserReceivable(),
          credit: accounts.campaignBudget(row.id),
          amount: row.budgetFen,
        },
      ],
      meta: { campaignId: row.id },
      now: tx.now(),
    });
    return present(row, { budgetLeft: row.budgetFen, completionsByDay: [] }, tx.now());
  });
}

/** Pause or resume. Pausing stops serving new views; views already started may still complete. */
export async function setCampaignStatus(ctx: Ctx, input: { id: string; status: 'active' | 'paused' }) {
  const [row] = await ctx.db
    .update(schema.campaigns)
    .set({ status: input.status })
    .where(eq(schema.campaigns.id, input.id))
    .returning();
  if (!row) throw notFound('not_found', 'No such campaign');
  return (await describe(ctx, [row]))[0]!;
}

/** Every campaign with budget used and verified completions per business day (the last 14 days). */
export async function listCampaigns(ctx: Ctx) {
  const rows = await ctx.db
    .select()
    .from(schema.campaigns)
    .orderBy(desc(schema.campaigns.createdAt), desc(schema.campaigns.id));
  return { data: await describe(ctx, rows) };
}

async function describe(ctx: Ctx, rows: Campaign[]) {
  const now = ctx.now();
  const { businessTimeZone } = await parametersAt(ctx, now);
  const since = businessDay(new Date(now.getTime() - 13 * 86_400_000), businessTimeZone).date;
  const c = schema.videoCompletions;
  const perDay = await ctx.db
    .select({
      campaignId: c.campaignId,
      businessDate: c.businessDate,
      completions: sql<number>`count(*)::int`,
    })
    .from(c)
    .where(gte(c.businessDate, since))
    .groupBy(c.campaignId, c.businessDate)
    .orderBy(c.businessDate);
  return Promise.all(
    rows.map(async (row) => {
      const budget = await balanceOf(ctx.db, accounts.campaignBudget(row.id));
      const completionsByDay = perDay
        .filter((d) => d.campaignId === row.id)
        .map((d) => ({ businessDate: d.businessDate, completions: Number(d.completions) }));
      return present(row, { budgetLeft: budget.available, completionsByDay }, now);
    }),
  );
}

function present(
  row: Campaign,
  extra: { budgetLeft: number; completionsByDay: Array<{ businessDate: string; completions: number }> },
  now: Date,
) {
  const inWindow = (!row.startsAt || row.startsAt <= now) && (!row.endsAt || row.endsAt > now);
  return {
    id: row.id,
    title: row.title,
    advertiser: row.advertiser,
    mediaUrl: row.mediaUrl,
    durationSeconds: row.durationSeconds,
    pricePerCompletion: row.pricePerCompletionFen,
    budget: row.budgetFen,
    budgetUsed: row.budgetFen - extra.budgetLeft,
    budgetLeft: extra.budgetLeft,
    dailyCap: row.dailyCap,
    startsAt: row.startsAt?.toISOString() ?? null,
    endsAt: row.endsAt?.toISOString() ?? null,
    status: row.status as 'active' | 'paused',
    serving: row.status === 'active' && inWindow && extra.budgetLeft >= row.pricePerCompletionFen,
    createdAt: row.createdAt.toISOString(),
    completionsByDay: extra.completionsByDay,
  };
}

/**
 * Campaigns a consumer may be shown now, in a stable order: active, in their window, not yet seen
 * by this consumer on this business day, under their daily cap, with budget for one more completion.
 */
export async function servableCampaigns(
  ctx: Ctx,
  input: { consumerId: string; businessDate: string; now: Date },
) {
  const c = schema.campaigns;
  const v = schema.adViews;
  const d = schema.campaignDailyCounters;
  const rows = await ctx.db
    .select({ campaign: c, completedToday: d.completed })
    .from(c)
    .leftJoin(d, and(eq(d.campaignId, c.id), eq(d.businessDate, input.businessDate)))
    .where(
      and(
        eq(c.status, 'active'),
        or(isNull(c.startsAt), lte(c.startsAt, input.now)),
        or(isNull(c.endsAt), sql`${c.endsAt} > ${input.now.toISOString()}`),
        or(isNull(c.dailyCap), isNull(d.completed), sql`${d.completed} < ${c.dailyCap}`),
        sql`not exists (select 1 from ${v} where ${v.campaignId} = ${c.id} and ${v.consumerId} = ${input.consumerId} and ${v.businessDate} = ${input.businessDate})`,
      ),
    )
    .orderBy(asc(c.createdAt), asc(c.id));
  const servable: Campaign[] = [];
  for (const { campaign } of rows) {
    const budget = await balanceOf(ctx.db, accounts.campaignBudget(campaign.id));
    if (budget.available >= campaign.pricePerCompletionFen) servable.push(campaign);
  }
  return servable;
}

/**
 * Bills one verified completion to its campaign, inside the completion's transaction: counts it
 * against the daily cap (conditional update) and moves the price to platform revenue. A view that
 * started while the campaign served is honoured for the consumer even if the cap or budget ran out
 * meanwhile; the advertiser is then not charged (never beyond its budget or cap).
 */
export async function chargeCompletion(
  ctx: Ctx,
  input: { campaignId: string; viewId: string; businessDate: string },
): Promise<number> {
  const [campaign] = await ctx.db
    .select()
    .from(schema.campaigns)
    .where(eq(schema.campaigns.id, input.campaignId));
  if (!campaign) return 0;
  const d = schema.campaignDailyCounters;
  await ctx.db
    .insert(d)
    .values({ campaignId: campaign.id, businessDate: input.businessDate })
    .onConflictDoNothing();
  const counted = await ctx.db
    .update(d)
    .set({ completed: sql`${d.completed} + 1` })
    .where(
      and(
        eq(d.campaignId, campaign.id),
        eq(d.businessDate, input.businessDate),
        campaign.dailyCap === null ? undefined : sql`${d.completed} < ${campaign.dailyCap}`,
      ),
    )
    .returning({ completed: d.completed });
  if (counted.length === 0) return 0;
  try {
    await postTransaction(ctx.db, {
      key: `adview:${input.viewId}:charge`,
      kind: 'video_completion_charge',
      transfers: [
        {
          debit: accounts.campaignBudget(campaign.id),
          credit: accounts.platformVideoAdRevenue(),
          amount: campaign.pricePerCompletionFen,
        },
      ],
      meta: { campaignId: campaign.id, viewId: input.viewId },
      now: ctx.now(),
    });
    return campaign.pricePerCompletionFen;
  } catch (error) {
    if (error instanceof LedgerError && error.code === 'insufficient_funds') return 0;
    throw error;
  }
}

/** Demo campaigns over the bundled videos (web-consumer/public/videos), for the demo loader. */
export const demoVideos = [
  { file: 'sunrise.webm', title: '晨光茶饮 · 新品上市', advertiser: '晨光茶饮', seconds: 8 },
  { file: 'market.webm', title: '街坊超市 · 周末特惠', advertiser: '街坊超市', seconds: 7 },
  { file: 'garden.webm', title: '绿野果蔬 · 产地直发', advertiser: '绿野果蔬', seconds: 9 },
  { file: 'bakery.webm', title: '麦香烘焙 · 买一送一', advertiser: '麦香烘焙', seconds: 6 },
] as const;

/**
 * Eight campaigns (more than the six a day, so one abandoned view never blocks the day), each with a
 * 200-yuan budget at 0.50 yuan a completion. Works without a signed-in user.
 */
export async function createDemoCampaigns(ctx: Ctx) {
  const created = [];
  for (let i = 0; i < 8; i++) {
    const video = demoVideos[i % demoVideos.length]!;
    created.push(
      await createCampaign(ctx, {
        title:
          i < demoVideos.length ? video.title : `${video.title} (${Math.floor(i / demoVideos.length) + 1})`,
        advertiser: video.advertiser,
        mediaUrl: `/videos/${video.file}`,
        durationSeconds: video.seconds,
        pricePerCompletion: 50,
        budget: 20_000,
      }),
    );
  }
  return created;
}
