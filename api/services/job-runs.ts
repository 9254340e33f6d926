import { schema } from '@alliance/db';
import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../context';

/**
 * Claims `job`'s run for the minute `slot`: true for exactly one caller however many processes and
 * Workers ask at once (the primary key decides), false for the others.
 */
export async function claimJobRun(ctx: Ctx, job: string, slot: Date): Promise<boolean> {
  const claimed = await ctx.db
    .insert(schema.jobRuns)
    .values({ job, slot, claimedAt: ctx.now() })
    .onConflictDoNothing()
    .returning({ job: schema.jobRuns.job });
  return claimed.length === 1;
}

/** Records how the claimed run ended, for operators (`error` null when it succeeded). */
export async function finishJobRun(ctx: Ctx, job: string, slot: Date, error: string | null): Promise<void> {
  const r = schema.jobRuns;
  await ctx.db
    .update(r)
    .set({ finishedAt: ctx.now(), error })
    .where(and(eq(r.job, job), eq(r.slot, slot)));
}
