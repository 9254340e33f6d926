/**
 * Supplier payouts. A batch covers every settlement event (settlement +, reversal -) of one
 * supplier not yet in a batch, netted (supply-chain's planPayout). Creating it moves the amount
 * from the supplier's payable to the platform's payouts clearing (`payout:<id>:open`); paying it
 * (Stripe Connect transfer, or an operator's bank payment) moves it from clearing to the supplier's
 * paid-out account (`payout:<id>:paid`). A batch is paid once: its status changes once, and the
 * ledger key holds even if it did not.
 *
 * Two runs at the same time (two processes, two cron triggers) make one batch: each supplier's batch
 * is created under a transaction-scoped advisory lock, and payout_items are unique per event.
 */
import { schema } from '@alliance/db';
import {
  type FulfillmentStatus,
  orderReleasableToMerchant,
  planPayout,
  type SettlementEventKind,
  settlementEventFen,
} from '@alliance/supply-chain';
import { and, asc, desc, eq, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { conflict, notFound, unauthorized, unprocessable } from '../errors';
import { newId } from '../ids';
import { balanceOf, postTransaction } from '../ledger';
import { merchantForCaller, supplierForCaller } from './access';
import { accounts } from './accounts';
import { parametersAt } from './parameters';
import { paymentProviderError } from './stripe';
import { inTransaction } from './tx';

type BatchRow = typeof schema.payoutBatches.$inferSelect;

export interface PayoutBatchView {
  id: string;
  supplierId: string;
  amount: number;
  status: 'pending' | 'paid';
  periodEnd: string;
  paidVia: string | null;
  stripeTransferId: string | null;
  reference: string | null;
  paidAt: string | null;
  createdAt: string;
  items: Array<{ fulfillmentId: string; orderId: string; kind: 'settlement' | 'reversal'; amount: number }>;
}

/** Arbitrary constant that namespaces this module's advisory locks (the second key is the supplier). */
const payoutLockClass = 7_001;

/** Settlement events of one supplier (or all) not yet covered by a batch, up to `until`. */
async function unbatchedEvents(
  ctx: Ctx,
  until: Date,
  supplierId?: string,
): Promise<
  Array<{ fulfillmentId: string; supplierId: string; kind: SettlementEventKind; signedAmountFen: number }>
> {
  const f = schema.fulfillments;
  const i = schema.payoutItems;
  const r = schema.fulfillmentReturns;
  const settled = await ctx.db
    .select({ fulfillmentId: f.id, supplierId: f.supplierId, amountFen: f.wholesaleCostFen })
    .from(f)
    .leftJoin(i, and(eq(i.fulfillmentId, f.id), eq(i.kind, 'settlement')))
    .where(
      and(
        isNotNull(f.settledAt),
        lte(f.settledAt, until),
        isNull(i.id),
        supplierId ? eq(f.supplierId, supplierId) : undefined,
      ),
    );
  const reversed = await ctx.db
    .select({ fulfillmentId: f.id, supplierId: f.supplierId, amountFen: r.reversedFen })
    .from(r)
    .innerJoin(f, eq(f.id, r.fulfillmentId))
    .leftJoin(i, and(eq(i.fulfillmentId, f.id), eq(i.kind, 'reversal')))
    .where(
      and(
        sql`${r.reversedFen} > 0`,
        lte(r.createdAt, until),
        isNull(i.id),
        supplierId ? eq(f.supplierId, supplierId) : undefined,
      ),
    );
  return [
    ...settled.map((e) => ({
      ...e,
      kind: 'settlement' as const,
      signedAmountFen: settlementEventFen('settlement', e.amountFen),
    })),
    ...reversed.map((e) => ({
      ...e,
      kind: 'reversal' as const,
      signedAmountFen: settlementEventFen('reversal', e.amountFen),
    })),
  ].sort((a, b) =>
    a.fulfillmentId < b.fulfillmentId ? -1 : a.fulfillmentId > b.fulfillmentId ? 1 : a.kind < b.kind ? 1 : -1,
  );
}

/** Creates the supplier's batch if it is owed anything; null otherwise. One transaction, under the supplier's lock. */
async function createBatchFor(ctx: Ctx, supplierId: string, periodEnd: Date): Promise<BatchRow | null> {
  return inTransaction(ctx, async (tx) => {
    await tx.db.execute(sql`select pg_advisory_xact_lock(${payoutLockClass}, hashtext(${supplierId}))`);
    // Read after taking the lock: a concurrent run's batch has committed by now and is excluded.
    const plan = planPayout(await unbatchedEvents(tx, periodEnd, supplierId));
    if (!plan) return null;
    const payable = await balanceOf(tx.db, accounts.supplierPayable(supplierId));
    if (payable.posted < plan.totalFen) {
      // Every settlement event moved exactly its amount into the payable; anything else is a defect.
      throw new Error(
        `payout invariant: supplier ${supplierId} payable ${payable.posted} < unbatched ${plan.totalFen}`,
      );
    }
    const id = newId('pob');
    const [batch] = await tx.db
      .insert(schema.payoutBatches)
      .values({ id, supplierId, amountFen: plan.totalFen, periodEnd, status: 'pending', createdAt: tx.now() })
      .returning();
    await tx.db.insert(schema.payoutItems).values(
      plan.items.map((item) => ({
        id: newId('poi'),
        batchId: id,
        fulfillmentId: item.fulfillmentId,
        kind: item.kind,
        amountFen: item.signedAmountFen,
      })),
    );
    await postTransaction(tx.db, {
      key: `payout:${id}:open`,
      kind: 'supplier_payout_open',
      transfers: [
        {
          debit: accounts.supplierPayable(supplierId),
          credit: accounts.platformPayoutsClearing(),
          amount: plan.totalFen,
        },
      ],
      meta: { payoutBatchId: id, supplierId },
      now: tx.now(),
    });
    return batch!;
  });
}

export interface PayoutRunResult {
  created: PayoutBatchView[];
  /** Batches paid by Stripe transfer in this run (suppliers with a connected account). */
  paid: string[];
  /** Transfers Stripe refused: the batch stays pending; the next run or an operator retries. */
  failed: Array<{ batchId: string; error: string }>;
}

/**
 * Job body (supplierPayoutCron): one batch per supplier that is owed something, each then paid by
 * Stripe transfer when the supplier has a connected account and Stripe is configured; otherwise it
 * waits for an operator to pay by bank and mark it paid. Also retries pending batches' transfers.
 */
export async function runPayoutBatch(ctx: Ctx): Promise<PayoutRunResult> {
  const periodEnd = ctx.now();
  const owed = [...new Set((await unbatchedEvents(ctx, periodEnd)).map((e) => e.supplierId))].sort();
  const created: BatchRow[] = [];
  for (const supplierId of owed) {
    const batch = await createBatchFor(ctx, supplierId, periodEnd);
    if (batch) created.push(batch);
  }
  const paid: string[] = [];
  const failed: PayoutRunResult['failed'] = [];
  if (ctx.stripe) {
    const b = schema.payoutBatches;
    const pending = await ctx.db
      .select({ id: b.id })
      .from(b)
      .innerJoin(schema.supplierPayoutAccounts, eq(schema.supplierPayoutAccounts.supplierId, b.supplierId))
      .where(eq(b.status, 'pending'))
      .orderBy(asc(b.createdAt), asc(b.id))
      .limit(500);
    for (const { id } of pending) {
      try {
        if ((await payBatchByStripeTransfer(ctx, id)).paidNow) paid.push(id);
      } catch (error) {
        ctx.log.error('payout transfer failed', { batchId: id, error: String(error) });
        failed.push({ batchId: id, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return {
    created: await batchViews(
      ctx,
      created.map((c) => c.id),
    ),
    paid,
    failed,
  };
}

/** Marks a pending batch paid and moves its amount clearing → paid out, once. Caller holds the transaction. */
async function settleBatchPaid(
  ctx: Ctx,
  batch: BatchRow,
  paidWith: {
    paidVia: 'stripe_transfer' | 'bank';
    stripeTransferId?: string;
    reference: string;
    paidBy: string;
  },
): Promise<boolean> {
  const b = schema.payoutBatches;
  const [updated] = await ctx.db
    .update(b)
    .set({
      status: 'paid',
      paidVia: paidWith.paidVia,
      stripeTransferId: paidWith.stripeTransferId ?? null,
      reference: paidWith.reference,
      paidBy: paidWith.paidBy,
      paidAt: ctx.now(),
    })
    .where(and(eq(b.id, batch.id), eq(b.status, 'pending')))
    .returning();
  if (!updated) return false;
  await postTransaction(ctx.db, {
    key: `payout:${batch.id}:paid`,
    kind: 'supplier_payout_paid',
    transfers: [
      {
        debit: accounts.platformPayoutsClearing(),
        credit: accounts.supplierPaidOut(batch.supplierId),
        amount: batch.amountFen,
      },
    ],
    meta: {
      payoutBatchId: batch.id,
      supplierId: batch.supplierId,
      paidVia: paidWith.paidVia,
      reference: paidWith.reference,
    },
    now: ctx.now(),
  });
  return true;
}

/**
 * Pays a pending batch with a Stripe Connect transfer (transfer_group = batch id). The request
 * carries the batch id as Stripe idempotency key, so a retry after a crash never transfers twice.
 */
export async function payBatchByStripeTransfer(ctx: Ctx, batchId: string): Promise<{ paidNow: boolean }> {
  const b = schema.payoutBatches;
  const [row] = await ctx.db
    .select({ batch: b, account: schema.supplierPayoutAccounts.stripeAccountId })
    .from(b)
    .leftJoin(schema.supplierPayoutAccounts, eq(schema.supplierPayoutAccounts.supplierId, b.supplierId))
    .where(eq(b.id, batchId));
  if (!row) throw notFound('not_found', 'No such payout batch');
  if (row.batch.status !== 'pending') return { paidNow: false };
  if (!row.account) throw conflict('no_payout_account', 'The supplier has no Stripe connected account');
  const transfer = await transferPayout(ctx, {
    batchId: row.batch.id,
    amountFen: row.batch.amountFen,
    destination: row.account,
    metadata: { payout_batch_id: row.batch.id, supplier_id: row.batch.supplierId },
  });
  const paidNow = await inTransaction(ctx, (tx) =>
    settleBatchPaid(tx, row.batch, {
      paidVia: 'stripe_transfer',
      stripeTransferId: transfer.id,
      reference: transfer.id,
      paidBy: 'system',
    }),
  );
  return { paidNow };
}

/**
 * A Stripe Connect transfer for a batch (transfer_group = batch id). The batch id is the Stripe
 * idempotency key, so a retry after a crash never transfers twice.
 */
async function transferPayout(
  ctx: Ctx,
  input: { batchId: string; amountFen: number; destination: string; metadata: Record<string, string> },
): Promise<{ id: string }> {
  if (!ctx.stripe) throw new Error('Stripe is not configured');
  try {
    return await ctx.stripe.transfers.create(
      {
        amount: input.amountFen,
        currency: 'cny',
        destination: input.destination,
        transfer_group: input.batchId,
        metadata: input.metadata,
      },
      { idempotencyKey: `payout:${input.batchId}` },
    );
  } catch (error) {
    throw paymentProviderError(error);
  }
}

/** An operator paid the batch outside Stripe (bank transfer) and records the bank reference. Once: 409 `already_paid`. */
export async function markPayoutPaid(
  ctx: Ctx,
  input: { batchId: string; reference: string },
): Promise<PayoutBatchView> {
  const operator = ctx.user;
  if (!operator) throw unauthorized();
  if (input.reference.trim() === '')
    throw unprocessable('reference_required', 'A bank reference is required');
  await inTransaction(ctx, async (tx) => {
    const [batch] = await tx.db
      .select()
      .from(schema.payoutBatches)
      .where(eq(schema.payoutBatches.id, input.batchId))
      .for('update');
    if (!batch) throw notFound('not_found', 'No such payout batch');
    if (batch.status !== 'pending') throw conflict('already_paid', 'This payout batch is already paid');
    await settleBatchPaid(tx, batch, {
      paidVia: 'bank',
      reference: input.reference.trim(),
      paidBy: operator.id,
    });
  });
  return (await batchViews(ctx, [input.batchId]))[0]!;
}

async function batchViews(ctx: Ctx, ids: readonly string[]): Promise<PayoutBatchView[]> {
  if (ids.length === 0) return [];
  const b = schema.payoutBatches;
  const i = schema.payoutItems;
  const batches = await ctx.db
    .select()
    .from(b)
    .where(inArray(b.id, [...ids]));
  const items = await ctx.db
    .select({
      batchId: i.batchId,
      fulfillmentId: i.fulfillmentId,
      kind: i.kind,
      amountFen: i.amountFen,
      orderId: schema.fulfillments.orderId,
    })
    .from(i)
    .innerJoin(schema.fulfillments, eq(schema.fulfillments.id, i.fulfillmentId))
    .where(inArray(i.batchId, [...ids]))
    .orderBy(asc(i.fulfillmentId), asc(i.kind));
  const order = new Map(ids.map((id, n) => [id, n]));
  return batches
    .sort((x, y) => order.get(x.id)! - order.get(y.id)!)
    .map((batch) => ({
      id: batch.id,
      supplierId: batch.supplierId,
      amount: batch.amountFen,
      status: batch.status as 'pending' | 'paid',
      periodEnd: batch.periodEnd.toISOString(),
      paidVia: batch.paidVia,
      stripeTransferId: batch.stripeTransferId,
      reference: batch.reference,
      paidAt: batch.paidAt ? batch.paidAt.toISOString() : null,
      createdAt: batch.createdAt.toISOString(),
      items: items
        .filter((item) => item.batchId === batch.id)
        .map((item) => ({
          fulfillmentId: item.fulfillmentId,
          orderId: item.orderId,
          kind: item.kind as 'settlement' | 'reversal',
          amount: item.amountFen,
        })),
    }));
}

async function listBatches(ctx: Ctx, filter: { supplierId?: string; status?: string; limit?: number }) {
  const b = schema.payoutBatches;
  const rows = await ctx.db
    .select({ id: b.id })
    .from(b)
    .where(
      and(
        filter.supplierId ? eq(b.supplierId, filter.supplierId) : undefined,
        filter.status ? eq(b.status, filter.status) : undefined,
      ),
    )
    .orderBy(desc(b.createdAt), desc(b.id))
    .limit(Math.min(Math.max(filter.limit ?? 100, 1), 500));
  return {
    data: await batchViews(
      ctx,
      rows.map((r) => r.id),
    ),
  };
}

/** A supplier's payout batches, newest first (its staff, operators). */
export async function supplierPayouts(ctx: Ctx, supplierId: string): Promise<{ data: PayoutBatchView[] }> {
  await supplierForCaller(ctx, supplierId, { operatorMay: true });
  return listBatches(ctx, { supplierId });
}

/** Every payout batch, for operators (the route checks the role). */
export async function platformPayouts(
  ctx: Ctx,
  filter: { status?: 'pending' | 'paid'; limit?: number },
): Promise<{ data: PayoutBatchView[] }> {
  return listBatches(ctx, filter);
}

/**
 * What the platform owes the supplier and has not paid out (its payable plus batches awaiting
 * payment; negative if a return after a payout left the supplier owing), and what it paid out so far.
 */
export async function supplierPayable(
  ctx: Ctx,
  supplierId: string,
): Promise<{ payable: number; paidOut: number; inPayout: number }> {
  await supplierForCaller(ctx, supplierId, { operatorMay: true });
  const [payable, paidOut] = await Promise.all([
    balanceOf(ctx.db, accounts.supplierPayable(supplierId)),
    balanceOf(ctx.db, accounts.supplierPaidOut(supplierId)),
  ]);
  const b = schema.payoutBatches;
  const [pending] = await ctx.db
    .select({ total: sql<string>`coalesce(sum(${b.amountFen}), 0)` })
    .from(b)
    .where(and(eq(b.supplierId, supplierId), eq(b.status, 'pending')));
  const inPayout = Number(pending?.total ?? 0);
  return { payable: payable.posted + inPayout, paidOut: paidOut.posted, inPayout };
}

/** The supplier's owner names its Stripe Connect account (acct_…), where transfers go. */
export async function setSupplierPayoutAccount(
  ctx: Ctx,
  input: { supplierId: string; stripeAccountId: string },
) {
  const supplier = await supplierForCaller(ctx, input.supplierId, { ownerOnly: true });
  const t = schema.supplierPayoutAccounts;
  const values = {
    supplierId: supplier.id,
    stripeAccountId: input.stripeAccountId,
    updatedBy: ctx.user!.id,
    updatedAt: ctx.now(),
  };
  await ctx.db.insert(t).values(values).onConflictDoUpdate({ target: t.supplierId, set: values });
  return { supplierId: supplier.id, stripeAccountId: input.stripeAccountId };
}

// ---------------------------------------------------------------------------------------------
// Merchant payouts: the same batch pattern over the merchant's proceeds. Events: a paid order (+,
// only once supply-chain's orderReleasableToMerchant says so: the hold has passed and no supplier
// line is open), its refunds (-), wholesale settled to suppliers (-) and reversed by returns (+).
// Ledger: merchantProceeds → platformPayoutsClearing (`merchant-payout:<id>:open`) → merchantPaidOut
// (`merchant-payout:<id>:paid`).

type MerchantEventKind = 'order' | 'refund' | 'settlement' | 'reversal';
type MerchantBatchRow = typeof schema.merchantPayoutBatches.$inferSelect;

interface MerchantEvent {
  kind: MerchantEventKind;
  sourceId: string;
  orderId: string;
  merchantId: string;
  signedAmountFen: number;
}

const merchantPayoutLockClass = 7_002;
/** Bound on the orders one run considers, so a backlog is paid over several runs. */
const maxOrdersPerRun = 5_000;

async function unbatchedMerchantEvents(ctx: Ctx, until: Date, merchantId?: string): Promise<MerchantEvent[]> {
  const i = schema.merchantPayoutItems;
  const o = schema.orders;
  const f = schema.fulfillments;
  const rf = schema.refunds;
  const r = schema.fulfillmentReturns;
  const unbatched = (kind: MerchantEventKind, source: typeof o.id | typeof rf.id | typeof f.id) =>
    and(eq(i.kind, kind), eq(i.sourceId, source));
  const forMerchant = (column: typeof o.merchantId | typeof f.merchantId) =>
    merchantId ? eq(column, merchantId) : undefined;

  const paid = await ctx.db
    .select({ orderId: o.id, merchantId: o.merchantId, amountFen: o.amountFen, paidAt: o.paidAt })
    .from(o)
    .leftJoin(i, unbatched('order', o.id))
    .where(and(isNotNull(o.paidAt), lte(o.paidAt, until), isNull(i.id), forMerchant(o.merchantId)))
    .orderBy(asc(o.paidAt), asc(o.id))
    .limit(maxOrdersPerRun);
  const lines =
    paid.length === 0
      ? []
      : await ctx.db
          .select({ orderId: f.orderId, status: f.status, settledAt: f.settledAt })
          .from(f)
          .where(
            inArray(
              f.orderId,
              paid.map((p) => p.orderId),
            ),
          );
  const { deliveryAutoConfirmDays } = await parametersAt(ctx, until);
  const releasable = paid.filter((p) =>
    orderReleasableToMerchant({
      paidAt: p.paidAt!,
      now: until,
      holdDays: deliveryAutoConfirmDays,
      fulfillments: lines
        .filter((l) => l.orderId === p.orderId)
        .map((l) => ({ status: l.status as FulfillmentStatus, settled: l.settledAt !== null })),
    }),
  );
  const refunds = await ctx.db
    .select({ sourceId: rf.id, orderId: o.id, merchantId: o.merchantId, amountFen: rf.amountFen })
    .from(rf)
    .innerJoin(o, eq(o.id, rf.orderId))
    .leftJoin(i, unbatched('refund', rf.id))
    .where(and(lte(rf.createdAt, until), isNull(i.id), forMerchant(o.merchantId)));
  const settled = await ctx.db
    .select({ sourceId: f.id, orderId: f.orderId, merchantId: f.merchantId, amountFen: f.wholesaleCostFen })
    .from(f)
    .leftJoin(i, unbatched('settlement', f.id))
    .where(and(isNotNull(f.settledAt), lte(f.settledAt, until), isNull(i.id), forMerchant(f.merchantId)));
  const reversed = await ctx.db
    .select({ sourceId: f.id, orderId: f.orderId, merchantId: f.merchantId, amountFen: r.reversedFen })
    .from(r)
    .innerJoin(f, eq(f.id, r.fulfillmentId))
    .leftJoin(i, unbatched('reversal', f.id))
    .where(and(sql`${r.reversedFen} > 0`, lte(r.createdAt, until), isNull(i.id), forMerchant(f.merchantId)));
  return [
    ...releasable.map((p) => ({
      kind: 'order' as const,
      sourceId: p.orderId,
      orderId: p.orderId,
      merchantId: p.merchantId,
      signedAmountFen: p.amountFen,
    })),
    ...refunds.map((e) => ({ kind: 'refund' as const, ...e, signedAmountFen: -e.amountFen })),
    ...settled.map((e) => ({ kind: 'settlement' as const, ...e, signedAmountFen: -e.amountFen })),
    ...reversed.map((e) => ({ kind: 'reversal' as const, ...e, signedAmountFen: e.amountFen })),
  ].map(({ kind, sourceId, orderId, merchantId: m, signedAmountFen }) => ({
    kind,
    sourceId,
    orderId,
    merchantId: m,
    signedAmountFen,
  }));
}

async function createMerchantBatchFor(
  ctx: Ctx,
  merchantId: string,
  periodEnd: Date,
): Promise<MerchantBatchRow | null> {
  return inTransaction(ctx, async (tx) => {
    await tx.db.execute(
      sql`select pg_advisory_xact_lock(${merchantPayoutLockClass}, hashtext(${merchantId}))`,
    );
    const plan = planPayout(await unbatchedMerchantEvents(tx, periodEnd, merchantId));
    if (!plan) return null;
    const proceeds = await balanceOf(tx.db, accounts.merchantProceeds(merchantId));
    if (proceeds.posted < plan.totalFen) {
      // Only paid orders can be held back, so the unbatched net never exceeds the balance.
      throw new Error(
        `payout invariant: merchant ${merchantId} proceeds ${proceeds.posted} < releasable ${plan.totalFen}`,
      );
    }
    const id = newId('mpb');
    const [batch] = await tx.db
      .insert(schema.merchantPayoutBatches)
      .values({ id, merchantId, amountFen: plan.totalFen, periodEnd, status: 'pending', createdAt: tx.now() })
      .returning();
    await tx.db.insert(schema.merchantPayoutItems).values(
      plan.items.map((item) => ({
        id: newId('mpi'),
        batchId: id,
        kind: item.kind,
        sourceId: item.sourceId,
        orderId: item.orderId,
        amountFen: item.signedAmountFen,
      })),
    );
    await postTransaction(tx.db, {
      key: `merchant-payout:${id}:open`,
      kind: 'merchant_payout_open',
      transfers: [
        {
          debit: accounts.merchantProceeds(merchantId),
          credit: accounts.platformPayoutsClearing(),
          amount: plan.totalFen,
        },
      ],
      meta: { merchantPayoutBatchId: id, merchantId },
      now: tx.now(),
    });
    return batch!;
  });
}

async function settleMerchantBatchPaid(
  ctx: Ctx,
  batch: MerchantBatchRow,
  paidWith: {
    paidVia: 'stripe_transfer' | 'bank';
    stripeTransferId?: string;
    reference: string;
    paidBy: string;
  },
): Promise<boolean> {
  const b = schema.merchantPayoutBatches;
  const [updated] = await ctx.db
    .update(b)
    .set({
      status: 'paid',
      paidVia: paidWith.paidVia,
      stripeTransferId: paidWith.stripeTransferId ?? null,
      reference: paidWith.reference,
      paidBy: paidWith.paidBy,
      paidAt: ctx.now(),
    })
    .where(and(eq(b.id, batch.id), eq(b.status, 'pending')))
    .returning();
  if (!updated) return false;
  await postTransaction(ctx.db, {
    key: `merchant-payout:${batch.id}:paid`,
    kind: 'merchant_payout_paid',
    transfers: [
      {
        debit: accounts.platformPayoutsClearing(),
        credit: accounts.merchantPaidOut(batch.merchantId),
        amount: batch.amountFen,
      },
    ],
    meta: {
      merchantPayoutBatchId: batch.id,
      merchantId: batch.merchantId,
      paidVia: paidWith.paidVia,
      reference: paidWith.reference,
    },
    now: ctx.now(),
  });
  return true;
}

export interface MerchantPayoutBatchView {
  id: string;
  merchantId: string;
  amount: number;
  status: 'pending' | 'paid';
  periodEnd: string;
  paidVia: string | null;
  stripeTransferId: string | null;
  reference: string | null;
  paidAt: string | null;
  createdAt: string;
  items: Array<{ kind: MerchantEventKind; sourceId: string; orderId: string; amount: number }>;
}

async function merchantBatchViews(ctx: Ctx, ids: readonly string[]): Promise<MerchantPayoutBatchView[]> {
  if (ids.length === 0) return [];
  const b = schema.merchantPayoutBatches;
  const i = schema.merchantPayoutItems;
  const batches = await ctx.db
    .select()
    .from(b)
    .where(inArray(b.id, [...ids]));
  const items = await ctx.db
    .select()
    .from(i)
    .where(inArray(i.batchId, [...ids]))
    .orderBy(asc(i.orderId), asc(i.kind), asc(i.sourceId));
  const position = new Map(ids.map((id, n) => [id, n]));
  return batches
    .sort((x, y) => position.get(x.id)! - position.get(y.id)!)
    .map((batch) => ({
      id: batch.id,
      merchantId: batch.merchantId,
      amount: batch.amountFen,
      status: batch.status as 'pending' | 'paid',
      periodEnd: batch.periodEnd.toISOString(),
      paidVia: batch.paidVia,
      stripeTransferId: batch.stripeTransferId,
      reference: batch.reference,
      paidAt: batch.paidAt ? batch.paidAt.toISOString() : null,
      createdAt: batch.createdAt.toISOString(),
      items: items
        .filter((item) => item.batchId === batch.id)
        .map((item) => ({
          kind: item.kind as MerchantEventKind,
          sourceId: item.sourceId,
          orderId: item.orderId,
          amount: item.amountFen,
        })),
    }));
}

/** Pays a pending merchant batch by Stripe transfer to the merchant's connected account. */
export async function payMerchantBatchByStripeTransfer(
  ctx: Ctx,
  batchId: string,
): Promise<{ paidNow: boolean }> {
  const b = schema.merchantPayoutBatches;
  const [row] = await ctx.db
    .select({ batch: b, account: schema.merchantPayoutAccounts.stripeAccountId })
    .from(b)
    .leftJoin(schema.merchantPayoutAccounts, eq(schema.merchantPayoutAccounts.merchantId, b.merchantId))
    .where(eq(b.id, batchId));
  if (!row) throw notFound('not_found', 'No such payout batch');
  if (row.batch.status !== 'pending') return { paidNow: false };
  if (!row.account) throw conflict('no_payout_account', 'The merchant has no Stripe connected account');
  const transfer = await transferPayout(ctx, {
    batchId: row.batch.id,
    amountFen: row.batch.amountFen,
    destination: row.account,
    metadata: { merchant_payout_batch_id: row.batch.id, merchant_id: row.batch.merchantId },
  });
  const paidNow = await inTransaction(ctx, (tx) =>
    settleMerchantBatchPaid(tx, row.batch, {
      paidVia: 'stripe_transfer',
      stripeTransferId: transfer.id,
      reference: transfer.id,
      paidBy: 'system',
    }),
  );
  return { paidNow };
}

export interface MerchantPayoutRunResult {
  created: MerchantPayoutBatchView[];
  paid: string[];
  failed: Array<{ batchId: string; error: string }>;
}

/**
 * Job body (with the supplier run, on supplierPayoutCron): one batch per merchant with releasable
 * proceeds, paid by Stripe transfer where the merchant has a connected account, else by an operator.
 */
export async function runMerchantPayoutBatch(ctx: Ctx): Promise<MerchantPayoutRunResult> {
  const periodEnd = ctx.now();
  const owed = [...new Set((await unbatchedMerchantEvents(ctx, periodEnd)).map((e) => e.merchantId))].sort();
  const created: MerchantBatchRow[] = [];
  for (const merchantId of owed) {
    const batch = await createMerchantBatchFor(ctx, merchantId, periodEnd);
    if (batch) created.push(batch);
  }
  const paid: string[] = [];
  const failed: MerchantPayoutRunResult['failed'] = [];
  if (ctx.stripe) {
    const b = schema.merchantPayoutBatches;
    const pending = await ctx.db
      .select({ id: b.id })
      .from(b)
      .innerJoin(schema.merchantPayoutAccounts, eq(schema.merchantPayoutAccounts.merchantId, b.merchantId))
      .where(eq(b.status, 'pending'))
      .orderBy(asc(b.createdAt), asc(b.id))
      .limit(500);
    for (const { id } of pending) {
      try {
        if ((await payMerchantBatchByStripeTransfer(ctx, id)).paidNow) paid.push(id);
      } catch (error) {
        ctx.log.error('merchant payout transfer failed', { batchId: id, error: String(error) });
        failed.push({ batchId: id, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return {
    created: await merchantBatchViews(
      ctx,
      created.map((c) => c.id),
    ),
    paid,
    failed,
  };
}

/** An operator paid a merchant batch by bank and records the reference. Once: 409 `already_paid`. */
export async function markMerchantPayoutPaid(
  ctx: Ctx,
  input: { batchId: string; reference: string },
): Promise<MerchantPayoutBatchView> {
  const operator = ctx.user;
  if (!operator) throw unauthorized();
  if (input.reference.trim() === '')
    throw unprocessable('reference_required', 'A bank reference is required');
  await inTransaction(ctx, async (tx) => {
    const [batch] = await tx.db
      .select()
      .from(schema.merchantPayoutBatches)
      .where(eq(schema.merchantPayoutBatches.id, input.batchId))
      .for('update');
    if (!batch) throw notFound('not_found', 'No such payout batch');
    if (batch.status !== 'pending') throw conflict('already_paid', 'This payout batch is already paid');
    await settleMerchantBatchPaid(tx, batch, {
      paidVia: 'bank',
      reference: input.reference.trim(),
      paidBy: operator.id,
    });
  });
  return (await merchantBatchViews(ctx, [input.batchId]))[0]!;
}

async function listMerchantBatches(
  ctx: Ctx,
  filter: { merchantId?: string; status?: string; limit?: number },
) {
  const b = schema.merchantPayoutBatches;
  const rows = await ctx.db
    .select({ id: b.id })
    .from(b)
    .where(
      and(
        filter.merchantId ? eq(b.merchantId, filter.merchantId) : undefined,
        filter.status ? eq(b.status, filter.status) : undefined,
      ),
    )
    .orderBy(desc(b.createdAt), desc(b.id))
    .limit(Math.min(Math.max(filter.limit ?? 100, 1), 500));
  return {
    data: await merchantBatchViews(
      ctx,
      rows.map((r) => r.id),
    ),
  };
}

/** A merchant's payout batches, newest first (its staff, operators). */
export async function merchantPayouts(
  ctx: Ctx,
  merchantId: string,
): Promise<{ data: MerchantPayoutBatchView[] }> {
  await merchantForCaller(ctx, merchantId, { operatorMay: true });
  return listMerchantBatches(ctx, { merchantId });
}

/** Every merchant payout batch, for operators (the route checks the role). */
export async function platformMerchantPayouts(
  ctx: Ctx,
  filter: { status?: 'pending' | 'paid'; limit?: number },
): Promise<{ data: MerchantPayoutBatchView[] }> {
  return listMerchantBatches(ctx, filter);
}

/** What the platform owes the merchant from online orders and has not paid out, and what it paid out. */
export async function merchantPayable(
  ctx: Ctx,
  merchantId: string,
): Promise<{ payable: number; paidOut: number; inPayout: number }> {
  await merchantForCaller(ctx, merchantId, { operatorMay: true });
  const [proceeds, paidOut] = await Promise.all([
    balanceOf(ctx.db, accounts.merchantProceeds(merchantId)),
    balanceOf(ctx.db, accounts.merchantPaidOut(merchantId)),
  ]);
  const b = schema.merchantPayoutBatches;
  const [pending] = await ctx.db
    .select({ total: sql<string>`coalesce(sum(${b.amountFen}), 0)` })
    .from(b)
    .where(and(eq(b.merchantId, merchantId), eq(b.status, 'pending')));
  const inPayout = Number(pending?.total ?? 0);
  return { payable: proceeds.posted + inPayout, paidOut: paidOut.posted, inPayout };
}

/** The merchant's owner names its Stripe Connect account (acct_…), where payouts go. */
export async function setMerchantPayoutAccount(
  ctx: Ctx,
  input: { merchantId: string; stripeAccountId: string },
) {
  const merchant = await merchantForCaller(ctx, input.merchantId, { ownerOnly: true });
  const t = schema.merchantPayoutAccounts;
  const values = {
    merchantId: merchant.id,
    stripeAccountId: input.stripeAccountId,
    updatedBy: ctx.user!.id,
    updatedAt: ctx.now(),
  };
  await ctx.db.insert(t).values(values).onConflictDoUpdate({ target: t.merchantId, set: values });
  return { merchantId: merchant.id, stripeAccountId: input.stripeAccountId };
}
