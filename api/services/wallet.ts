import { type DbOrTx, isTransaction, perDb, schema } from '@alliance/db';
import { and, eq, type Placeholder, sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { unauthorized } from '../errors';
import { balancesOf } from '../ledger';
import { accounts } from './accounts';
import { dailyLimit } from './ad-views';
import { businessDay } from './business-day';
import { parametersAt } from './parameters';

function selectCounter(db: DbOrTx, consumerId: string | Placeholder, date: string | Placeholder) {
  const t = schema.videoDailyCounters;
  return db
    .select()
    .from(t)
    .where(and(eq(t.consumerId, consumerId), eq(t.businessDate, date)));
}

const preparedCounter = perDb((db) =>
  selectCounter(db, sql.placeholder('consumerId'), sql.placeholder('date')).prepare('wallet_counter'),
);

/** The caller's vouchers and eco-points, and today's video tasks (API.md GET /v1/wallet). */
export async function getWallet(ctx: Ctx) {
  const user = ctx.user;
  if (!user) throw unauthorized();
  const now = ctx.now();
  const params = await parametersAt(ctx, now);
  const day = businessDay(now, params.businessTimeZone);
  // Parameters come from the process's cache; the balances and the counter are read in parallel.
  const [[vouchers, ecoPoints], [counter]] = await Promise.all([
    balancesOf(ctx.db, [accounts.consumerVouchers(user.id), accounts.consumerEcoPoints(user.id)]),
    isTransaction(ctx.db)
      ? selectCounter(ctx.db, user.id, day.date)
      : preparedCounter(ctx.db).execute({ consumerId: user.id, date: day.date }),
  ]);
  const completed = counter?.completed ?? 0;
  // A conversion's chance is used once its sixth video is done, whether or not vouchers were left.
  const conversionsReached = Math.floor(completed / params.videosPerConversion);
  return {
    vouchers: vouchers!.available,
    ecoPoints: ecoPoints!.available,
    ecoPointsHeld: ecoPoints!.debitsPending,
    today: {
      businessDate: day.date,
      completed,
      required: dailyLimit(params),
      conversionsLeft: Math.max(0, params.conversionsPerDay - conversionsReached),
      // The reward shown before watching, and why the button is off when vouchers are short.
      conversionVouchers: params.conversionVouchers,
      conversionEcoPoints: params.conversionEcoPoints,
    },
    resetsAt: day.resetsAt.toISOString(),
  };
}
