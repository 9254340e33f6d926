import { schema } from '@alliance/db';
import { sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { ApiError } from '../errors';

/** Fixed-window counter in the database, so every API process shares it. Throws 429 past the limit. */
export async function hitRateLimit(ctx: Ctx, bucket: string, limit: number, windowMs: number): Promise<void> {
  const nowMs = ctx.now().getTime();
  const windowStart = new Date(nowMs - (nowMs % windowMs));
  const t = schema.rateLimitCounters;
  const [row] = await ctx.db
    .insert(t)
    .values({ bucket, windowStart, hits: 1 })
    .onConflictDoUpdate({ target: [t.bucket, t.windowStart], set: { hits: sql`${t.hits} + 1` } })
    .returning({ hits: t.hits });
  if ((row?.hits ?? 0) > limit) {
    throw new ApiError(429, 'rate_limited', 'Too many requests; try again later');
  }
}
