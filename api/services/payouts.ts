/**
 * Payouts to organisations (ADR 0007): one batch machinery for every payee; `payee(kind)` says the
 * little that differs (which events it is owed for, which ledger accounts hold it).
 *
 * A batch covers every event of one organisation not yet in a batch, netted (supply-chain's
 * planPayout). Creating it moves the amount from the payee's owed account to the platform's payouts
 * clearing (`payout:<id>:open`); paying it (Stripe Connect transfer, or an operator's bank payment)
 * moves it from clearing to the payee's paid-out account (`payout:<id>:paid`). A batch is paid once:
 * its status changes once, and the ledger key holds even if it did not.
 *
 * Suppliers are owed the wholesale of settled fulfillments (settlement +, reversal -). Merchants are
 * owed their online proceeds: a paid order (+, only once supply-chain's orderReleasableToMerchant
 * says so: the hold has passed and no supplier line is open), its refunds (-), wholesale settled to
 * suppliers (-) and reversed by returns (+).
 *
 * Two runs at the same time (two processes, two cron triggers) make one batch: each organisation's
 * batch is created under a transaction-scoped advisory lock, and an event is unique per payee.
 */
import { pgErrorCode, schema } from '@alliance/db';
import {
  type FulfillmentStatus,
  orderReleasableToMerchant,
  planPayout,
  settlementEventFen,
} from '@alliance/supply-chain';
import { type AnyColumn, and, asc, desc, eq, inArray, isNotNull, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { conflict, notFound, unprocessable } from '../errors';
import { newId } from '../ids';
import { balanceOf, postTransaction } from '../ledger';
import { type OrgKind, organisationForCaller, requireOperator } from './access';
import { accounts } from './accounts';
import { parametersAt } from './parameters';
import { paymentProviderError } from './stripe';
import { inTransaction } from './tx';

type BatchRow = typeof schema.payoutBatches.$inferSelect;
type ItemRow = typeof schema.payoutItems.$inferSelect;
type EventKind = 'order' | 'refund' | 'settlement' | 'reversal';

/** An event on what a payee is owed, not yet in a batch. */
interface PayoutEvent {
  organisationId: string;
  kind: EventKind;
  /** The order, refund or fulfillment id. */
  sourceId: string;
  orderId: string;
  signedAmountFen: number;
}

/** Advisory lock class of payout batch creation; the second key is the organisation. */
const batchLockClass = 7_001;

/** What differs between payees: what they are owed for, where the ledger keeps it, their id prefixes. */
function payee(kind: OrgKind) {
  return kind === 'supplier'
    ? {
        owed: accounts.supplierPayable,
        paidOut: accounts.supplierPaidOut,
        unbatchedEvents: unbatchedSupplierEvents,
        batchPrefix: 'pob',
        itemPrefix: 'poi',
      }
    : {
        owed: accounts.merchantProceeds,
        paidOut: accounts.merchantPaidOut,
        unbatchedEvents: unbatchedMerchantEvents,
        batchPrefix: 'mpb',
        itemPrefix: 'mpi',
      };
}

/** Items already in a batch of the event's payee: joined to exclude them. */
function inBatch(organisationId: AnyColumn, kind: EventKind, sourceId: AnyColumn) {
  const i = schema.payoutItems;
  return and(eq(i.organisationId, organisationId), eq(i.kind, kind), eq(i.sourceId, sourceId));
}

/** Settlement events of one supplier (or all) not yet covered by a batch, up to `until`. */
async function unbatchedSupplierEvents(ctx: Ctx, until: Date, supplierId?: string): Promise<PayoutEvent[]> {
  const f = schema.fulfillments;
  const i = schema.payoutItems;
  const r = schema.fulfillmentReturns;
  const forSupplier = supplierId ? eq(f.supplierId, supplierId) : undefined;
  const settled = await ctx.db
    .select({
      organisationId: f.supplierId,
      sourceId: f.id,
      orderId: f.orderId,
      amountFen: f.wholesaleCostFen,
    })
    .from(f)
    .leftJoin(i, inBatch(f.supplierId, 'settlement', f.id))
    .where(and(isNotNull(f.settledAt), lte(f.settledAt, until), isNull(i.id), forSupplier));
  const reversed = await ctx.db
    .select({ organisationId: f.supplierId, sourceId: f.id, orderId: f.orderId, amountFen: r.reversedFen })
    .from(r)
    .innerJoin(f, eq(f.id, r.fulfillmentId))
    .leftJoin(i, inBatch(f.supplierId, 'reversal', f.id))
    .where(and(sql`${r.reversedFen} > 0`, lte(r.createdAt, until), isNull(i.id), forSupplier));
  const event = (kind: 'settlement' | 'reversal') => (e: (typeof settled)[number]) => ({
    organisationId: e.organisationId,
    kind,
    sourceId: e.sourceId,
    orderId: e.orderId,
    signedAmountFen: settlementEventFen(kind, e.amountFen),
  });
  return [...settled.map(event('settlement')), ...reversed.map(event('reversal'))];
}

/** Bound on the orders one run considers, so a backlog is paid over several runs. */
const maxOrdersPerRun = 5_000;

/** A merchant's (or all merchants') proceeds events not yet covered by a batch, up to `until`. */
async function unbatchedMerchantEvents(ctx: Ctx, until: Date, merchantId?: string): Promise<PayoutEvent[]> {
  const i = schema.payoutItems;
  const o = schema.orders;
  const f = schema.fulfillments;
  const rf = schema.refunds;
  const r = schema.fulfillmentReturns;
  const forMerchant = (column: typeof o.merchantId | typeof f.merchantId) =>
    merchantId ? eq(column, merchantId) : undefined;

  // The money the merchant took on each order and gave back on each refund: an order's eco-points
  // part reached the merchant as eco-points, never as proceeds (ADR 0008).
  const paid = await ctx.db
    .select({
      orderId: o.id,
      merchantId: o.merchantId,
      amountFen: sql<number>`${o.amountFen} - ${o.ecoPointsValueFen}`.mapWith(Number),
      paidAt: o.paidAt,
    })
    .from(o)
    .leftJoin(i, inBatch(o.merchantId, 'order', o.id))
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
            and(
              inArray(
                f.orderId,
                paid.map((p) => p.orderId),
              ),
              // The merchant's own shipments carry no settlement: they never hold its payout back.
              ne(f.supplierId, f.merchantId),
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
    .select({
      sourceId: rf.id,
      orderId: o.id,
      organisationId: o.merchantId,
      amountFen: sql<number>`coalesce(${rf.cashRefundedFen}, ${rf.amountFen})`.mapWith(Number),
    })
    .from(rf)
    .innerJoin(o, eq(o.id, rf.orderId))
    .leftJoin(i, inBatch(o.merchantId, 'refund', rf.id))
    .where(and(lte(rf.createdAt, until), isNull(i.id), forMerchant(o.merchantId)));
  const settled = await ctx.db
    .select({
      sourceId: f.id,
      orderId: f.orderId,
      organisationId: f.merchantId,
      amountFen: f.wholesaleCostFen,
    })
    .from(f)
    .leftJoin(i, inBatch(f.merchantId, 'settlement', f.id))
    .where(and(isNotNull(f.settledAt), lte(f.settledAt, until), isNull(i.id), forMerchant(f.merchantId)));
  const reversed = await ctx.db
    .select({ sourceId: f.id, orderId: f.orderId, organisationId: f.merchantId, amountFen: r.reversedFen })
    .from(r)
    .innerJoin(f, eq(f.id, r.fulfillmentId))
    .leftJoin(i, inBatch(f.merchantId, 'reversal', f.id))
    .where(and(sql`${r.reversedFen} > 0`, lte(r.createdAt, until), isNull(i.id), forMerchant(f.merchantId)));
  const event =
    (kind: EventKind, sign: 1 | -1) =>
    ({ sourceId, orderId, organisationId, amountFen }: (typeof refunds)[number]): PayoutEvent => ({
      organisationId,
      kind,
      sourceId,
      orderId,
      signedAmountFen: sign * amountFen,
    });
  return [
    ...releasable.map((p) =>
      event(
        'order',
        1,
      )({ sourceId: p.orderId, orderId: p.orderId, organisationId: p.merchantId, amountFen: p.amountFen }),
    ),
    ...refunds.map(event('refund', -1)),
    ...settled.map(event('settlement', -1)),
    ...reversed.map(event('reversal', 1)),
  ];
}

/** Creates the organisation's batch if it is owed anything; null otherwise. One transaction, under its lock. */
async function createBatchFor(
  ctx: Ctx,
  kind: OrgKind,
  organisationId: string,
  periodEnd: Date,
): Promise<BatchRow | null> {
  const { owed, unbatchedEvents, batchPrefix, itemPrefix } = payee(kind);
  return inTransaction(ctx, async (tx) => {
    await tx.db.execute(sql`select pg_advisory_xact_lock(${batchLockClass}, hashtext(${organisationId}))`);
    // Read after taking the lock: a concurrent run's batch has committed by now and is excluded.
    const plan = planPayout(await unbatchedEvents(tx, periodEnd, organisationId));
    if (!plan) return null;
    const balance = await balanceOf(tx.db, owed(organisationId));
    if (balance.posted < plan.totalFen) {
      // Every event moved exactly its amount into the owed balance; anything else is a defect.
      throw new Error(
        `payout invariant: ${kind} ${organisationId} owed ${balance.posted} < unbatched ${plan.totalFen}`,
      );
    }
    const id = newId(batchPrefix);
    const [batch] = await tx.db
      .insert(schema.payoutBatches)
      .values({
        id,
        organisationId,
        amountFen: plan.totalFen,
        periodEnd,
        status: 'pending',
        createdAt: tx.now(),
      })
      .returning();
    await tx.db.insert(schema.payoutItems).values(
      plan.items.map((e) => ({
        id: newId(itemPrefix),
        batchId: id,
        organisationId,
        kind: e.kind,
        sourceId: e.sourceId,
        orderId: e.orderId,
        amountFen: e.signedAmountFen,
      })),
    );
    await postTransaction(tx.db, {
      key: `payout:${id}:open`,
      kind: `${kind}_payout_open`,
      transfers: [
        { debit: owed(organisationId), credit: accounts.platformPayoutsClearing(), amount: plan.totalFen },
      ],
      meta: ledgerMeta(kind, batch!),
      now: tx.now(),
    });
    return batch!;
  });
}

function ledgerMeta(kind: OrgKind, batch: BatchRow) {
  return { payoutBatchId: batch.id, [`${kind}Id`]: batch.organisationId };
}

/** Batches of organisations of this kind (a merchant batch is not found on the suppliers' paths). */
function batchesOf(kind: OrgKind) {
  const b = schema.payoutBatches;
  const o = schema.organisations;
  return { b, join: and(eq(o.id, b.organisationId), eq(o.kind, kind)) };
}

export interface PayoutRunResult<K extends OrgKind> {
  created: BatchView<K>[];
  /** Batches paid by Stripe transfer in this run (payees whose connected account has payouts enabled). */
  paid: string[];
  /** Transfers Stripe refused: the batch stays pending; the next run or an operator retries. */
  failed: Array<{ batchId: string; error: string }>;
}

/**
 * Job body: one batch per organisation of the kind that is owed something, each then paid by Stripe
 * transfer when its connected account has payouts enabled (ADR 0016) and Stripe is configured;
 * otherwise it waits for an operator to pay by bank and mark it paid, or for a later run once the
 * account is enabled. Also retries pending batches' transfers.
 */
export async function runPayouts<K extends OrgKind>(ctx: Ctx, kind: K): Promise<PayoutRunResult<K>> {
  const periodEnd = ctx.now();
  const owed = [
    ...new Set((await payee(kind).unbatchedEvents(ctx, periodEnd)).map((e) => e.organisationId)),
  ].sort();
  const created: string[] = [];
  for (const organisationId of owed) {
    const batch = await createBatchFor(ctx, kind, organisationId, periodEnd).catch((error: unknown) => {
      // A batch per organisation and period end: a run at the very instant of the one before (a
      // clock that stands still, as a Worker's does within a request) makes none, and what it
      // would have batched waits for the next run.
      if (pgErrorCode(error) === '23505') return null;
      throw error;
    });
    if (batch) created.push(batch.id);
  }
  const paid: string[] = [];
  const failed: PayoutRunResult<K>['failed'] = [];
  if (ctx.stripe) {
    const { b, join } = batchesOf(kind);
    const a = schema.payoutAccounts;
    const pending = await ctx.db
      .select({ id: b.id })
      .from(b)
      .innerJoin(schema.organisations, join)
      .innerJoin(a, and(eq(a.organisationId, b.organisationId), eq(a.payoutsEnabled, true)))
      .where(eq(b.status, 'pending'))
      .orderBy(asc(b.createdAt), asc(b.id))
      .limit(500);
    for (const { id } of pending) {
      try {
        if ((await payBatchByStripeTransfer(ctx, id)).paidNow) paid.push(id);
      } catch (error) {
        ctx.log.error('payout transfer failed', { kind, batchId: id, error: String(error) });
        failed.push({ batchId: id, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return { created: await batchViews(ctx, kind, created), paid, failed };
}

export const runPayoutBatch = (ctx: Ctx) => runPayouts(ctx, 'supplier');
export const runMerchantPayoutBatch = (ctx: Ctx) => runPayouts(ctx, 'merchant');

/** Marks a pending batch paid and moves its amount clearing → paid out, once. Caller holds the transaction. */
async function settleBatchPaid(
  ctx: Ctx,
  kind: OrgKind,
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
    .returning({ id: b.id });
  if (!updated) return false;
  await postTransaction(ctx.db, {
    key: `payout:${batch.id}:paid`,
    kind: `${kind}_payout_paid`,
    transfers: [
      {
        debit: accounts.platformPayoutsClearing(),
        credit: payee(kind).paidOut(batch.organisationId),
        amount: batch.amountFen,
      },
    ],
    meta: { ...ledgerMeta(kind, batch), paidVia: paidWith.paidVia, reference: paidWith.reference },
    now: ctx.now(),
  });
  return true;
}

/**
 * Pays a pending batch with a Stripe Connect transfer (transfer_group = batch id). The request
 * carries the batch id as Stripe idempotency key, so a retry after a crash never transfers twice.
 */
async function payBatchByStripeTransfer(ctx: Ctx, batchId: string): Promise<{ paidNow: boolean }> {
  const b = schema.payoutBatches;
  const a = schema.payoutAccounts;
  const [row] = await ctx.db
    .select({
      batch: b,
      kind: schema.organisations.kind,
      account: a.stripeAccountId,
      payoutsEnabled: a.payoutsEnabled,
    })
    .from(b)
    .innerJoin(schema.organisations, eq(schema.organisations.id, b.organisationId))
    .leftJoin(a, eq(a.organisationId, b.organisationId))
    .where(eq(b.id, batchId));
  if (!row) throw notFound('not_found', 'No such payout batch');
  const { batch } = row;
  const kind = row.kind as OrgKind;
  if (batch.status !== 'pending') return { paidNow: false };
  if (!row.account) throw conflict('no_payout_account', `The ${kind} has no Stripe connected account`);
  if (!row.payoutsEnabled)
    throw conflict('payout_account_not_enabled', `Stripe does not pay out to the ${kind}'s account yet`);
  if (!ctx.stripe) throw new Error('Stripe is not configured');
  let transfer: { id: string };
  try {
    transfer = await ctx.stripe.transfers.create(
      {
        amount: batch.amountFen,
        currency: 'cny',
        destination: row.account,
        transfer_group: batch.id,
        metadata: { payout_batch_id: batch.id, [`${kind}_id`]: batch.organisationId },
      },
      { idempotencyKey: `payout:${batch.id}` },
    );
  } catch (error) {
    throw paymentProviderError(error);
  }
  const paidNow = await inTransaction(ctx, (tx) =>
    settleBatchPaid(tx, kind, batch, {
      paidVia: 'stripe_transfer',
      stripeTransferId: transfer.id,
      reference: transfer.id,
      paidBy: 'system',
    }),
  );
  return { paidNow };
}

/** An operator paid the batch outside Stripe (bank transfer) and records the bank reference. Once: 409 `already_paid`. */
export async function markPayoutPaid<K extends OrgKind>(
  ctx: Ctx,
  kind: K,
  input: { batchId: string; reference: string },
): Promise<BatchView<K>> {
  const operator = requireOperator(ctx);
  if (input.reference.trim() === '')
    throw unprocessable('reference_required', 'A bank reference is required');
  await inTransaction(ctx, async (tx) => {
    const { b, join } = batchesOf(kind);
    const [row] = await tx.db
      .select({ batch: b })
      .from(b)
      .innerJoin(schema.organisations, join)
      .where(eq(b.id, input.batchId))
      .for('update', { of: b });
    if (!row) throw notFound('not_found', 'No such payout batch');
    if (row.batch.status !== 'pending') throw conflict('already_paid', 'This payout batch is already paid');
    await settleBatchPaid(tx, kind, row.batch, {
      paidVia: 'bank',
      reference: input.reference.trim(),
      paidBy: operator.id,
    });
  });
  return (await batchViews(ctx, kind, [input.batchId]))[0]!;
}

interface BatchFields {
  amount: number;
  status: 'pending' | 'paid';
  periodEnd: string;
  paidVia: string | null;
  stripeTransferId: string | null;
  reference: string | null;
  paidAt: string | null;
  createdAt: string;
}

export interface PayoutBatchView extends BatchFields {
  id: string;
  supplierId: string;
  items: Array<{ fulfillmentId: string; orderId: string; kind: 'settlement' | 'reversal'; amount: number }>;
}

export interface MerchantPayoutBatchView extends BatchFields {
  id: string;
  merchantId: string;
  items: Array<{ kind: EventKind; sourceId: string; orderId: string; amount: number }>;
}

/** The public shape of a batch keeps the owner's and items' names of each kind (API.md). */
export type BatchView<K extends OrgKind> = K extends 'merchant' ? MerchantPayoutBatchView : PayoutBatchView;

function batchView<K extends OrgKind>(kind: K, batch: BatchRow, items: ItemRow[]): BatchView<K> {
  const fields: BatchFields = {
    amount: batch.amountFen,
    status: batch.status as 'pending' | 'paid',
    periodEnd: batch.periodEnd.toISOString(),
    paidVia: batch.paidVia,
    stripeTransferId: batch.stripeTransferId,
    reference: batch.reference,
    paidAt: batch.paidAt ? batch.paidAt.toISOString() : null,
    createdAt: batch.createdAt.toISOString(),
  };
  const view: PayoutBatchView | MerchantPayoutBatchView =
    kind === 'supplier'
      ? {
          id: batch.id,
          supplierId: batch.organisationId,
          ...fields,
          items: items.map((item) => ({
            fulfillmentId: item.sourceId,
            orderId: item.orderId,
            kind: item.kind as 'settlement' | 'reversal',
            amount: item.amountFen,
          })),
        }
      : {
          id: batch.id,
          merchantId: batch.organisationId,
          ...fields,
          items: items.map((item) => ({
            kind: item.kind as EventKind,
            sourceId: item.sourceId,
            orderId: item.orderId,
            amount: item.amountFen,
          })),
        };
  return view as BatchView<K>;
}

/** The batches' views in the order of `ids`; a supplier's items by fulfillment, a merchant's by order. */
async function batchViews<K extends OrgKind>(
  ctx: Ctx,
  kind: K,
  ids: readonly string[],
): Promise<BatchView<K>[]> {
  if (ids.length === 0) return [];
  const b = schema.payoutBatches;
  const i = schema.payoutItems;
  const batches = await ctx.db
    .select()
    .from(b)
    .where(inArray(b.id, [...ids]));
  const items = await ctx.db
    .select()
    .from(i)
    .where(inArray(i.batchId, [...ids]))
    .orderBy(
      ...(kind === 'supplier'
        ? [asc(i.sourceId), asc(i.kind)]
        : [asc(i.orderId), asc(i.kind), asc(i.sourceId)]),
    );
  const order = new Map(ids.map((id, n) => [id, n]));
  return batches
    .sort((x, y) => order.get(x.id)! - order.get(y.id)!)
    .map((batch) =>
      batchView(
        kind,
        batch,
        items.filter((item) => item.batchId === batch.id),
      ),
    );
}

/**
 * Payout batches of one organisation (its staff, operators) or, without `organisationId`, of every
 * organisation of the kind (operators). Newest first.
 */
export async function listPayouts<K extends OrgKind>(
  ctx: Ctx,
  kind: K,
  filter: { organisationId?: string; status?: 'pending' | 'paid'; limit?: number },
): Promise<{ data: BatchView<K>[] }> {
  if (filter.organisationId)
    await organisationForCaller(ctx, kind, filter.organisationId, { operatorMay: true });
  else requireOperator(ctx);
  const { b, join } = batchesOf(kind);
  const rows = await ctx.db
    .select({ id: b.id })
    .from(b)
    .innerJoin(schema.organisations, join)
    .where(
      and(
        filter.organisationId ? eq(b.organisationId, filter.organisationId) : undefined,
        filter.status ? eq(b.status, filter.status) : undefined,
      ),
    )
    .orderBy(desc(b.createdAt), desc(b.id))
    .limit(Math.min(Math.max(filter.limit ?? 100, 1), 500));
  return {
    data: await batchViews(
      ctx,
      kind,
      rows.map((r) => r.id),
    ),
  };
}

/**
 * What the platform owes the organisation and has not paid out (its owed balance plus batches
 * awaiting payment; negative if a return after a payout left it owing), and what it paid out so far.
 */
export async function payable(
  ctx: Ctx,
  kind: OrgKind,
  organisationId: string,
): Promise<{ payable: number; paidOut: number; inPayout: number }> {
  await organisationForCaller(ctx, kind, organisationId, { operatorMay: true });
  const { owed: owedAccount, paidOut: paidOutAccount } = payee(kind);
  const [owed, paidOut] = await Promise.all([
    balanceOf(ctx.db, owedAccount(organisationId)),
    balanceOf(ctx.db, paidOutAccount(organisationId)),
  ]);
  const b = schema.payoutBatches;
  const [pending] = await ctx.db
    .select({ total: sql<string>`coalesce(sum(${b.amountFen}), 0)` })
    .from(b)
    .where(and(eq(b.organisationId, organisationId), eq(b.status, 'pending')));
  const inPayout = Number(pending?.total ?? 0);
  return { payable: owed.posted + inPayout, paidOut: paidOut.posted, inPayout };
}
