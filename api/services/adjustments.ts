import { type DbOrTx, schema } from '@alliance/db';
import { and, eq, isNull } from 'drizzle-orm';
import type { Ctx, SessionUser } from '../context';
import { notFound, unprocessable } from '../errors';
import { newId } from '../ids';
import {
  type AccountRef,
  accountHistory,
  balanceOf,
  LedgerError,
  postTransaction,
  type VerifyResult,
  verifyLedger,
  verifyLedgerSinceCheckpoint,
} from '../ledger';
import { type CursorKey, pageOf } from '../paging';
import { maskPhone } from '../phone';
import { requireOperator } from './access';
import { accounts } from './accounts';
import { ecoPointsConservation } from './eco-points';
import { organisationRow } from './organisations';
import { hitRateLimit } from './rate-limit';
import { inTransaction } from './tx';

export type AdjustableOwner = 'consumer' | 'merchant';
export type AdjustableUnit = 'vouchers' | 'eco_points' | 'ad_points';

/** Which holder account an operator may adjust: points only (SPEC section 6), never money. */
const holderAccount: Record<AdjustableOwner, Partial<Record<AdjustableUnit, (id: string) => AccountRef>>> = {
  consumer: { vouchers: accounts.consumerVouchers, eco_points: accounts.consumerEcoPoints },
  merchant: { ad_points: accounts.merchantAdPoints, eco_points: accounts.merchantEcoPoints },
};

export interface AdjustmentInput {
  ownerType: AdjustableOwner;
  ownerId: string;
  unit: AdjustableUnit;
  /** Signed hundredths: + adds to the holder, - removes. */
  amount: number;
  reason?: string;
}

/**
 * SPEC section 6: an operator adds or removes points only as an audited transfer against the
 * platform adjustment account of that unit, recorded with the operator and the written reason.
 */
export async function adjustPoints(ctx: Ctx, operator: SessionUser, input: AdjustmentInput) {
  const reason = input.reason?.trim() ?? '';
  if (reason.length === 0) throw unprocessable('reason_required', 'An adjustment needs a written reason');
  if (!Number.isSafeInteger(input.amount) || input.amount === 0) {
    throw unprocessable('invalid_amount', 'amount must be a non-zero integer (hundredths)');
  }
  const account = holderAccount[input.ownerType][input.unit];
  if (!account) throw unprocessable('unsupported_unit', `A ${input.ownerType} holds no ${input.unit}`);

  return inTransaction(ctx, async (tx) => {
    const { db } = tx;
    const owner =
      input.ownerType === 'consumer'
        ? (
            await db
              .select({ id: schema.users.id })
              .from(schema.users)
              .where(eq(schema.users.id, input.ownerId))
          )[0]
        : await organisationRow(tx, 'merchant', input.ownerId);
    if (!owner) throw notFound('not_found', `No ${input.ownerType} ${input.ownerId}`);
    const holder = account(input.ownerId);
    const platform = accounts.platformAdjustments(input.unit);
    const id = newId('adj');
    try {
      await postTransaction(db, {
        key: `adjustment:${id}`,
        kind: 'operator_adjustment',
        transfers: [
          input.amount > 0
            ? { debit: platform, credit: holder, amount: input.amount }
            : { debit: holder, credit: platform, amount: -input.amount },
        ],
        meta: { adjustmentId: id, operatorId: operator.id, reason },
        now: ctx.now(),
      });
    } catch (error) {
      if (error instanceof LedgerError && error.code === 'insufficient_funds') {
        throw unprocessable('insufficient_balance', 'The holder does not have that many points to remove');
      }
      throw error;
    }
    const balance = await balanceOf(db, holder);
    return {
      id,
      ownerType: input.ownerType,
      ownerId: input.ownerId,
      unit: input.unit,
      amount: input.amount,
      reason,
      operatorId: operator.id,
      balance: balance.posted,
    };
  });
}

/** Lookups one operator may make per hour: enough for a support shift, too few to walk the phone book. */
export const consumerLookupsPerOperatorHour = 60;

/**
 * An operator finds one consumer by the full phone number, to adjust their points (ADR 0017): the
 * masked phone and balances, never a list. Rate-limited per operator and logged with the operator
 * and the masked phone, so every lookup can be traced.
 */
export async function findConsumer(ctx: Ctx, phone: string) {
  const operator = requireOperator(ctx);
  await hitRateLimit(ctx, `consumer-lookup:${operator.id}`, consumerLookupsPerOperatorHour, 60 * 60 * 1000);
  ctx.log.info('operator consumer lookup', { operatorId: operator.id, phone: maskPhone(phone) });
  const u = schema.users;
  const [user] = await ctx.db
    .select({ id: u.id, phone: u.phone })
    .from(u)
    .where(and(eq(u.phone, phone), isNull(u.deletedAt)));
  if (!user) throw notFound('consumer_not_found', 'No consumer has this phone number');
  const [vouchers, ecoPoints] = await Promise.all([
    balanceOf(ctx.db, accounts.consumerVouchers(user.id)),
    balanceOf(ctx.db, accounts.consumerEcoPoints(user.id)),
  ]);
  return {
    id: user.id,
    phone: maskPhone(user.phone),
    vouchers: vouchers.available,
    ecoPoints: ecoPoints.available,
    ecoPointsHeld: ecoPoints.debitsPending,
  };
}

/**
 * GET /v1/platform/ledger/verify: every ledger invariant, each failure naming its first offender,
 * and the business invariant that eco-points are conserved (ecoPointsConservation). A full pass;
 * `checkpointed` (the reconciliation report) verifies from the latest checkpoint instead and
 * writes the next at `cut` (verifyLedgerSinceCheckpoint, ADR 0009).
 */
export async function verifyLedgerInvariants(
  ctx: Ctx,
  checkpointed?: { cut: number | null; reader?: DbOrTx },
): Promise<VerifyResult> {
  const ledger = checkpointed
    ? await verifyLedgerSinceCheckpoint(ctx.db, checkpointed.cut, checkpointed.reader)
    : await verifyLedger(ctx.db);
  const { figures: _figures, ...eco } = await ecoPointsConservation(ctx);
  return { ok: ledger.ok && eco.ok, checks: [...ledger.checks, eco] };
}

/** The signed-in consumer's own movements of one unit, newest first. */
export async function walletHistory(
  ctx: Ctx,
  user: SessionUser,
  page: { unit: 'vouchers' | 'eco_points'; limit: number; cursor?: CursorKey<'seq'> },
) {
  const ref =
    page.unit === 'vouchers' ? accounts.consumerVouchers(user.id) : accounts.consumerEcoPoints(user.id);
  const history = await accountHistory(ctx.db, ref, {
    limit: page.limit + 1,
    beforeTransferId: page.cursor?.seq,
  });
  const { rows, nextCursor } = pageOf('ledgerHistory', history, page.limit, (e) => ({ seq: e.transferId }));
  return {
    data: rows.map((e) => ({
      transferId: e.transferId,
      kind: e.kind,
      type: e.type,
      amount: e.amount,
      balanceAfter: e.balanceAfter,
      createdAt: new Date(e.createdAt).toISOString(),
      // Only an operator adjustment's reason is the consumer's business; other meta is internal.
      reason:
        e.kind === 'operator_adjustment'
          ? String((e.meta as { reason?: unknown } | null)?.reason ?? '')
          : null,
    })),
    nextCursor,
  };
}
