import { schema } from '@alliance/db';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { conflict, notFound, unauthorized, unprocessable } from '../errors';
import { newId } from '../ids';
import { postPending, postTransaction, type TransferInput, voidPending } from '../ledger';
import { type CursorKey, type PagedList, pageOf } from '../paging';
import { maskPhone } from '../phone';
import { merchantForCaller, requireOperator } from './access';
import { accounts } from './accounts';
import { insufficientEcoPoints, isInsufficient } from './eco-points';
import { parametersAt } from './parameters';
import { ecoPointsValueFen, withdrawalFee } from './rounding';
import { type PageInput, pageSize } from './sales';
import { inTransaction } from './tx';

type Withdrawal = typeof schema.withdrawals.$inferSelect;

function requireCaller(ctx: Ctx) {
  if (!ctx.user) throw unauthorized();
  return ctx.user;
}

export function withdrawalView(row: Withdrawal) {
  return {
    id: row.id,
    holderType: row.holderType as 'consumer' | 'merchant',
    merchantId: row.holderType === 'merchant' ? row.holderId : null,
    status: row.status,
    ecoPoints: row.ecoPoints,
    fee: row.feeEcoPoints,
    amount: row.amountFen,
    ecoPointUnitPriceFen: row.ecoPointUnitPriceFen,
    payoutReference: row.payoutReference,
    rejectionReason: row.rejectionReason,
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}

const holderAccount = (row: Pick<Withdrawal, 'holderType' | 'holderId'>) =>
  row.holderType === 'merchant'
    ? accounts.merchantEcoPoints(row.holderId)
    : accounts.consumerEcoPoints(row.holderId);

/**
 * A consumer withdraws their own eco-points, or a merchant's owner the merchant's. The checks run
 * in API.md's order (switch, ownership, minimum, balance); the points are held at once by pending
 * ledger transfers to the withdrawn and fee accounts (ADR 0008), in the same transaction as the row.
 */
export async function createWithdrawal(ctx: Ctx, input: { ecoPoints: number; merchantId?: string }) {
  const user = requireCaller(ctx);
  const now = ctx.now();
  const params = await parametersAt(ctx, now);
  if (params.withdrawalsEnabled !== 1) {
    throw conflict('withdrawals_disabled', 'Withdrawals are switched off by the platform');
  }
  if (input.merchantId !== undefined) await merchantForCaller(ctx, input.merchantId, { owner: 'hide' });
  if (input.ecoPoints < params.withdrawalMinimumEcoPoints) {
    throw unprocessable('below_minimum', 'Withdraw at least the minimum the platform has set');
  }
  const fee = withdrawalFee(input.ecoPoints, params.withdrawalFeeBp);
  const net = input.ecoPoints - fee;
  // A fee of 100% leaves nothing to pay out: no withdrawal is worth making.
  if (net <= 0) throw unprocessable('below_minimum', 'After the fee nothing would be paid out');
  const id = newId('wdr');
  const row: Withdrawal = {
    id,
    holderType: input.merchantId !== undefined ? 'merchant' : 'consumer',
    holderId: input.merchantId ?? user.id,
    requestedBy: user.id,
    status: 'pending',
    ecoPoints: input.ecoPoints,
    feeEcoPoints: fee,
    amountFen: ecoPointsValueFen(net, params.ecoPointUnitPriceFen),
    ecoPointUnitPriceFen: params.ecoPointUnitPriceFen,
    holdTransferId: 0,
    feeHoldTransferId: null,
    payoutReference: null,
    rejectionReason: null,
    decidedBy: null,
    decidedAt: null,
    createdAt: now,
  };
  const holder = holderAccount(row);
  const transfers: TransferInput[] = [
    { debit: holder, credit: accounts.platformEcoPointsWithdrawn(), amount: net, pending: {} },
  ];
  if (fee > 0) {
    transfers.push({
      debit: holder,
      credit: accounts.platformEcoPointsWithdrawalFees(),
      amount: fee,
      pending: {},
    });
  }
  return inTransaction(ctx, async (tx) => {
    try {
      const held = await postTransaction(tx.db, {
        key: `withdrawal:${id}:hold`,
        kind: 'withdrawal_hold',
        transfers,
        meta: { withdrawalId: id },
        now,
      });
      row.holdTransferId = held.transferIds[0]!;
      row.feeHoldTransferId = held.transferIds[1] ?? null;
    } catch (error) {
      if (isInsufficient(error)) throw insufficientEcoPoints();
      throw error;
    }
    await tx.db.insert(schema.withdrawals).values(row);
    return withdrawalView(row);
  });
}

/** The withdrawal, if the caller holds it: their own, or their merchant's as its owner; 404 otherwise. */
export async function getWithdrawal(ctx: Ctx, withdrawalId: string) {
  const user = requireCaller(ctx);
  const [row] = await ctx.db.select().from(schema.withdrawals).where(eq(schema.withdrawals.id, withdrawalId));
  if (!row) throw notFound('not_found', 'No such withdrawal');
  if (row.holderType === 'merchant') {
    await merchantForCaller(ctx, row.holderId, { owner: 'hide' }).catch(() => {
      throw notFound('not_found', 'No such withdrawal');
    });
  } else if (row.holderId !== user.id) {
    throw notFound('not_found', 'No such withdrawal');
  }
  return withdrawalView(row);
}

function pageAfter(cursor: CursorKey<'time'> | undefined, direction: 'asc' | 'desc') {
  const w = schema.withdrawals;
  if (!cursor) return undefined;
  const at = cursor.at.toISOString();
  return direction === 'desc'
    ? sql`(${w.createdAt}, ${w.id}) < (${at}::timestamptz, ${cursor.id})`
    : sql`(${w.createdAt}, ${w.id}) > (${at}::timestamptz, ${cursor.id})`;
}

function toPage<T extends { row: Withdrawal }>(
  list: PagedList & `withdrawal${string}`,
  rows: T[],
  limit: number,
) {
  const { rows: data, nextCursor } = pageOf(list, rows, limit, (r) => ({
    at: r.row.createdAt,
    id: r.row.id,
  }));
  return { data, nextCursor };
}

/** The caller's withdrawals, newest first; with `merchantId`, that merchant's (its owner only). */
export async function listWithdrawals(ctx: Ctx, input: PageInput & { merchantId?: string }) {
  const user = requireCaller(ctx);
  if (input.merchantId !== undefined) await merchantForCaller(ctx, input.merchantId, { owner: 'hide' });
  const w = schema.withdrawals;
  const limit = pageSize(input.limit);
  const rows = await ctx.db
    .select({ row: w })
    .from(w)
    .where(
      and(
        input.merchantId !== undefined
          ? and(eq(w.holderType, 'merchant'), eq(w.holderId, input.merchantId))
          : and(eq(w.holderType, 'consumer'), eq(w.holderId, user.id)),
        pageAfter(input.cursor, 'desc'),
      ),
    )
    .orderBy(desc(w.createdAt), desc(w.id))
    .limit(limit + 1);
  const page = toPage('withdrawals', rows, limit);
  return { data: page.data.map((r) => withdrawalView(r.row)), nextCursor: page.nextCursor };
}

/** Operators: withdrawals oldest first (the queue is worked in order), with who asked. */
export async function listPlatformWithdrawals(ctx: Ctx, input: PageInput & { status?: string }) {
  requireOperator(ctx);
  const w = schema.withdrawals;
  const limit = pageSize(input.limit);
  const rows = await ctx.db
    .select({ row: w, merchantName: schema.organisations.name, phone: schema.users.phone })
    .from(w)
    .leftJoin(
      schema.organisations,
      and(eq(w.holderType, 'merchant'), eq(schema.organisations.id, w.holderId)),
    )
    .innerJoin(schema.users, eq(schema.users.id, w.requestedBy))
    .where(and(input.status ? eq(w.status, input.status) : undefined, pageAfter(input.cursor, 'asc')))
    .orderBy(asc(w.createdAt), asc(w.id))
    .limit(limit + 1);
  const page = toPage('withdrawalQueue', rows, limit);
  return {
    data: page.data.map((r) => ({
      ...withdrawalView(r.row),
      merchantName: r.merchantName,
      requestedBy: maskPhone(r.phone),
    })),
    nextCursor: page.nextCursor,
  };
}

/**
 * Decides a pending withdrawal exactly once: a conditional UPDATE (status = 'pending') takes the
 * row, so of any number of concurrent decisions one wins and the others get 409 already_decided;
 * the winner posts (paid) or voids (rejected) the held transfers in the same transaction.
 */
async function decide(
  ctx: Ctx,
  withdrawalId: string,
  decision: { status: 'paid'; payoutReference: string } | { status: 'rejected'; reason: string },
) {
  const operator = requireOperator(ctx);
  return inTransaction(ctx, async (tx) => {
    const w = schema.withdrawals;
    const now = tx.now();
    const [row] = await tx.db
      .update(w)
      .set({
        status: decision.status,
        payoutReference: decision.status === 'paid' ? decision.payoutReference : null,
        rejectionReason: decision.status === 'rejected' ? decision.reason : null,
        decidedBy: operator.id,
        decidedAt: now,
      })
      .where(and(eq(w.id, withdrawalId), eq(w.status, 'pending')))
      .returning();
    if (!row) {
      const [existing] = await tx.db.select({ id: w.id }).from(w).where(eq(w.id, withdrawalId));
      if (!existing) throw notFound('not_found', 'No such withdrawal');
      throw conflict('already_decided', 'This withdrawal was already decided');
    }
    const holds = [
      { id: row.holdTransferId, part: 'points' },
      ...(row.feeHoldTransferId ? [{ id: row.feeHoldTransferId, part: 'fee' }] : []),
    ];
    const meta = { withdrawalId: row.id, operatorId: operator.id };
    for (const hold of holds) {
      const resolve = {
        key: `withdrawal:${row.id}:${decision.status}:${hold.part}`,
        pendingTransferId: hold.id,
        now,
        meta,
      };
      if (decision.status === 'paid') await postPending(tx.db, resolve);
      else await voidPending(tx.db, resolve);
    }
    return { ...withdrawalView(row), status: decision.status };
  });
}

export function approveWithdrawal(ctx: Ctx, withdrawalId: string, input: { payoutReference: string }) {
  const payoutReference = input.payoutReference.trim();
  if (!payoutReference) {
    throw unprocessable('payout_reference_required', 'Record the bank payout reference of the payment');
  }
  return decide(ctx, withdrawalId, { status: 'paid', payoutReference });
}

export function rejectWithdrawal(ctx: Ctx, withdrawalId: string, input: { reason: string }) {
  const reason = input.reason.trim();
  if (!reason) throw unprocessable('reason_required', 'Say why the withdrawal is rejected');
  return decide(ctx, withdrawalId, { status: 'rejected', reason });
}
