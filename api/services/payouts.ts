/**
 * Supplier and merchant payouts, one batch machinery for both (a `PayoutParty` says what differs).
 *
 * Suppliers: a batch covers every settlement event (settlement +, reversal -) of one supplier not
 * yet in a batch, netted (supply-chain's planPayout). Creating it moves the amount from the
 * supplier's payable to the platform's payouts clearing (`payout:<id>:open`); paying it (Stripe
 * Connect transfer, or an operator's bank payment) moves it from clearing to the supplier's paid-out
 * account (`payout:<id>:paid`). A batch is paid once: its status changes once, and the ledger key
 * holds even if it did not.
 *
 * Merchants: the same pattern over the merchant's proceeds (see the merchant section below).
 *
 * Two runs at the same time (two processes, two cron triggers) make one batch: each owner's batch
 * is created under a transaction-scoped advisory lock, and payout items are unique per event.
 */
import { schema } from '@alliance/db';
import {
  type FulfillmentStatus,
  orderReleasableToMerchant,
  type PayoutEvent,
  planPayout,
  type SettlementEventKind,
  settlementEventFen,
} from '@alliance/supply-chain';
import { and, asc, desc, eq, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { Ctx } from '../context';
import { conflict, notFound, unauthorized, unprocessable } from '../errors';
import { newId } from '../ids';
import { type AccountRef, balanceOf, postTransaction } from '../ledger';
import { type AccessOptions, merchantForCaller, supplierForCaller } from './access';
import { accounts } from './accounts';
import { parametersAt } from './parameters';
import { paymentProviderError } from './stripe';
import { inTransaction } from './tx';

type BatchRow = typeof schema.payoutBatches.$inferSelect | typeof schema.merchantPayoutBatches.$inferSelect;

/**
 * What differs between supplier and merchant payouts. The batch tables share every column but the
 * owner (supplier_id / merchant_id), which `batchOwner` and `ownerOf` name.
 */
interface PayoutParty<Event extends PayoutEvent, View, Item extends { batchId: string }> {
  name: 'supplier' | 'merchant';
  batches: typeof schema.payoutBatches | typeof schema.merchantPayoutBatches;
  batchOwner: typeof schema.payoutBatches.supplierId | typeof schema.merchantPayoutBatches.merchantId;
  items: typeof schema.payoutItems | typeof schema.merchantPayoutItems;
  payoutAccounts: typeof schema.supplierPayoutAccounts | typeof schema.merchantPayoutAccounts;
  payoutAccountOwner:
    | typeof schema.supplierPayoutAccounts.supplierId
    | typeof schema.merchantPayoutAccounts.merchantId;
  /** Namespaces the party's advisory locks (the second key is the owner). */
  lockClass: number;
  batchIdPrefix: string;
  /** Ledger keys are `<prefix>:<batch id>:open` and `…:paid`. */
  ledgerKeyPrefix: string;
  /** The owner's balance a batch draws from, and where paid batches end up. */
  owedAccount: (ownerId: string) => AccountRef;
  paidOutAccount: (ownerId: string) => AccountRef;
  /** Words of the invariant message: the owed balance and the events. */
  owedName: string;
  eventsName: string;
  transferFailedLog: string;
  /** The owner's property on batch rows, views and payout-account rows. */
  ownerKey: 'supplierId' | 'merchantId';
  ownerOfEvent: (event: Event) => string;
  unbatchedEvents: (ctx: Ctx, until: Date, ownerId?: string) => Promise<Event[]>;
  itemValues: (batchId: string, event: Event) => Record<string, unknown> & { id: string };
  ledgerMeta: (batchId: string, ownerId: string) => Record<string, unknown>;
  stripeMetadata: (batchId: string, ownerId: string) => Record<string, string>;
  /** The batches' items, in the order a view lists them. */
  itemsOf: (ctx: Ctx, batchIds: string[]) => Promise<Item[]>;
  view: (batch: BatchRow, items: Item[]) => View;
  forCaller: (ctx: Ctx, ownerId: string, options: AccessOptions) => Promise<{ id: string }>;
}

/** Creates the owner's batch if it is owed anything; null otherwise. One transaction, under the owner's lock. */
async function createBatchFor<E extends PayoutEvent, V, I extends { batchId: string }>(
  ctx: Ctx,
  party: PayoutParty<E, V, I>,
  ownerId: string,
  periodEnd: Date,
): Promise<BatchRow | null> {
  return inTransaction(ctx, async (tx) => {
    await tx.db.execute(sql`select pg_advisory_xact_lock(${party.lockClass}, hashtext(${ownerId}))`);
    // Read after taking the lock: a concurrent run's batch has committed by now and is excluded.
    const plan = planPayout(await party.unbatchedEvents(tx, periodEnd, ownerId));
    if (!plan) return null;
    const owed = await balanceOf(tx.db, party.owedAccount(ownerId));
    if (owed.posted < plan.totalFen) {
      // Every event moved exactly its amount into the owed balance; anything else is a defect.
      throw new Error(
        `payout invariant: ${party.name} ${ownerId} ${party.owedName} ${owed.posted} < ${party.eventsName} ${plan.totalFen}`,
      );
    }
    const id = newId(party.batchIdPrefix);
    // Drizzle types insert values per table, not per union of tables; these fit the party's own table.
    const [batch] = await tx.db
      .insert(party.batches)
      .values({
        id,
        [party.ownerKey]: ownerId,
        amountFen: plan.totalFen,
        periodEnd,
        status: 'pending',
        createdAt: tx.now(),
      } as typeof schema.payoutBatches.$inferInsert & typeof schema.merchantPayoutBatches.$inferInsert)
      .returning();
    await tx.db
      .insert(party.items)
      .values(
        plan.items.map((item) => party.itemValues(id, item)) as Array<
          typeof schema.payoutItems.$inferInsert & typeof schema.merchantPayoutItems.$inferInsert
        >,
      );
    await postTransaction(tx.db, {
      key: `${party.ledgerKeyPrefix}:${id}:open`,
      kind: `${party.name}_payout_open`,
      transfers: [
        {
          debit: party.owedAccount(ownerId),
          credit: accounts.platformPayoutsClearing(),
          amount: plan.totalFen,
        },
      ],
      meta: party.ledgerMeta(id, ownerId),
      now: tx.now(),
    });
    return batch!;
  });
}

function ownerOf(batch: BatchRow): string {
  return 'supplierId' in batch ? batch.supplierId : batch.merchantId;
}

interface RunResult<View> {
  created: View[];
  paid: string[];
  failed: Array<{ batchId: string; error: string }>;
}

/** One batch per owner that is owed something, then Stripe transfers for pending batches (see runPayoutBatch). */
async function runBatches<E extends PayoutEvent, V, I extends { batchId: string }>(
  ctx: Ctx,
  party: PayoutParty<E, V, I>,
): Promise<RunResult<V>> {
  const periodEnd = ctx.now();
  const owed = [...new Set((await party.unbatchedEvents(ctx, periodEnd)).map(party.ownerOfEvent))].sort();
  const created: BatchRow[] = [];
  for (const ownerId of owed) {
    const batch = await createBatchFor(ctx, party, ownerId, periodEnd);
    if (batch) created.push(batch);
  }
  const paid: string[] = [];
  const failed: RunResult<V>['failed'] = [];
  if (ctx.stripe) {
    const b = party.batches;
    const pending = await ctx.db
      .select({ id: b.id })
      .from(b)
      .innerJoin(party.payoutAccounts, eq(party.payoutAccountOwner, party.batchOwner))
      .where(eq(b.status, 'pending'))
      .orderBy(asc(b.createdAt), asc(b.id))
      .limit(500);
    for (const { id } of pending) {
      try {
        if ((await payByStripeTransfer(ctx, party, id)).paidNow) paid.push(id);
      } catch (error) {
        ctx.log.error(party.transferFailedLog, { batchId: id, error: String(error) });
        failed.push({ batchId: id, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return {
    created: await batchViews(
      ctx,
      party,
      created.map((c) => c.id),
    ),
    paid,
    failed,
  };
}

/** Marks a pending batch paid and moves its amount clearing → paid out, once. Caller holds the transaction. */
async function settleBatchPaid<E extends PayoutEvent, V, I extends { batchId: string }>(
  ctx: Ctx,
  party: PayoutParty<E, V, I>,
  batch: BatchRow,
  paidWith: {
    paidVia: 'stripe_transfer' | 'bank';
    stripeTransferId?: string;
    reference: string;
    paidBy: string;
  },
): Promise<boolean> {
  const b = party.batches;
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
  const ownerId = ownerOf(batch);
  await postTransaction(ctx.db, {
    key: `${party.ledgerKeyPrefix}:${batch.id}:paid`,
    kind: `${party.name}_payout_paid`,
    transfers: [
      {
        debit: accounts.platformPayoutsClearing(),
        credit: party.paidOutAccount(ownerId),
        amount: batch.amountFen,
      },
    ],
    meta: {
      ...party.ledgerMeta(batch.id, ownerId),
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
async function payByStripeTransfer<E extends PayoutEvent, V, I extends { batchId: string }>(
  ctx: Ctx,
  party: PayoutParty<E, V, I>,
  batchId: string,
): Promise<{ paidNow: boolean }> {
  const b = party.batches;
  const [row] = await ctx.db
    .select({ batch: b, account: party.payoutAccounts.stripeAccountId })
    .from(b)
    .leftJoin(party.payoutAccounts, eq(party.payoutAccountOwner, party.batchOwner))
    .where(eq(b.id, batchId));
  if (!row) throw notFound('not_found', 'No such payout batch');
  const { batch } = row;
  if (batch.status !== 'pending') return { paidNow: false };
  if (!row.account) throw conflict('no_payout_account', `The ${party.name} has no Stripe connected account`);
  const transfer = await transferPayout(ctx, {
    batchId: batch.id,
    amountFen: batch.amountFen,
    destination: row.account,
    metadata: party.stripeMetadata(batch.id, ownerOf(batch)),
  });
  const paidNow = await inTransaction(ctx, (tx) =>
    settleBatchPaid(tx, party, batch, {
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
async function markPaid<E extends PayoutEvent, V, I extends { batchId: string }>(
  ctx: Ctx,
  party: PayoutParty<E, V, I>,
  input: { batchId: string; reference: string },
): Promise<V> {
  const operator = ctx.user;
  if (!operator) throw unauthorized();
  if (input.reference.trim() === '')
    throw unprocessable('reference_required', 'A bank reference is required');
  await inTransaction(ctx, async (tx) => {
    const [batch] = await tx.db
      .select()
      .from(party.batches)
      .where(eq(party.batches.id, input.batchId))
      .for('update');
    if (!batch) throw notFound('not_found', 'No such payout batch');
    if (batch.status !== 'pending') throw conflict('already_paid', 'This payout batch is already paid');
    await settleBatchPaid(tx, party, batch, {
      paidVia: 'bank',
      reference: input.reference.trim(),
      paidBy: operator.id,
    });
  });
  return (await batchViews(ctx, party, [input.batchId]))[0]!;
}

/** The batches' views in the order of `ids`. */
async function batchViews<E extends PayoutEvent, V, I extends { batchId: string }>(
  ctx: Ctx,
  party: PayoutParty<E, V, I>,
  ids: readonly string[],
): Promise<V[]> {
  if (ids.length === 0) return [];
  const b = party.batches;
  const batches = await ctx.db
    .select()
    .from(b)
    .where(inArray(b.id, [...ids]));
  const items = await party.itemsOf(ctx, [...ids]);
  const order = new Map(ids.map((id, n) => [id, n]));
  return batches
    .sort((x, y) => order.get(x.id)! - order.get(y.id)!)
    .map((batch) =>
      party.view(
        batch,
        items.filter((item) => item.batchId === batch.id),
      ),
    );
}

/** The fields every batch view shares, after the id and owner. */
function batchFields(batch: BatchRow) {
  return {
    amount: batch.amountFen,
    status: batch.status as 'pending' | 'paid',
    periodEnd: batch.periodEnd.toISOString(),
    paidVia: batch.paidVia,
    stripeTransferId: batch.stripeTransferId,
    reference: batch.reference,
    paidAt: batch.paidAt ? batch.paidAt.toISOString() : null,
    createdAt: batch.createdAt.toISOString(),
  };
}

async function listBatches<E extends PayoutEvent, V, I extends { batchId: string }>(
  ctx: Ctx,
  party: PayoutParty<E, V, I>,
  filter: { ownerId?: string; status?: string; limit?: number },
): Promise<{ data: V[] }> {
  const b = party.batches;
  const rows = await ctx.db
    .select({ id: b.id })
    .from(b)
    .where(
      and(
        filter.ownerId ? eq(party.batchOwner, filter.ownerId) : undefined,
        filter.status ? eq(b.status, filter.status) : undefined,
      ),
    )
    .orderBy(desc(b.createdAt), desc(b.id))
    .limit(Math.min(Math.max(filter.limit ?? 100, 1), 500));
  return {
    data: await batchViews(
      ctx,
      party,
      rows.map((r) => r.id),
    ),
  };
}

/** What the owner is owed and not paid out (its balance plus batches awaiting payment), and what it was paid. */
async function payable<E extends PayoutEvent, V, I extends { batchId: string }>(
  ctx: Ctx,
  party: PayoutParty<E, V, I>,
  ownerId: string,
): Promise<{ payable: number; paidOut: number; inPayout: number }> {
  await party.forCaller(ctx, ownerId, { operatorMay: true });
  const [owed, paidOut] = await Promise.all([
    balanceOf(ctx.db, party.owedAccount(ownerId)),
    balanceOf(ctx.db, party.paidOutAccount(ownerId)),
  ]);
  const b = party.batches;
  const [pending] = await ctx.db
    .select({ total: sql<string>`coalesce(sum(${b.amountFen}), 0)` })
    .from(b)
    .where(and(eq(party.batchOwner, ownerId), eq(b.status, 'pending')));
  const inPayout = Number(pending?.total ?? 0);
  return { payable: owed.posted + inPayout, paidOut: paidOut.posted, inPayout };
}

/** The organisation's owner names its Stripe Connect account (acct_…), where transfers go. */
async function setPayoutAccount<E extends PayoutEvent, V, I extends { batchId: string }>(
  ctx: Ctx,
  party: PayoutParty<E, V, I>,
  ownerId: string,
  stripeAccountId: string,
): Promise<string> {
  const owner = await party.forCaller(ctx, ownerId, { ownerOnly: true });
  const t = party.payoutAccounts;
  const values = {
    [party.ownerKey]: owner.id,
    stripeAccountId,
    updatedBy: ctx.user!.id,
    updatedAt: ctx.now(),
  } as typeof schema.supplierPayoutAccounts.$inferInsert & typeof schema.merchantPayoutAccounts.$inferInsert;
  await ctx.db.insert(t).values(values).onConflictDoUpdate({ target: party.payoutAccountOwner, set: values });
  return owner.id;
}

// ---------------------------------------------------------------------------------------------
// Supplier payouts.

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

type SupplierItem = {
  batchId: string;
  fulfillmentId: string;
  kind: string;
  amountFen: number;
  orderId: string;
};

type SupplierEvent = {
  fulfillmentId: string;
  supplierId: string;
  kind: SettlementEventKind;
  signedAmountFen: number;
};

/** Settlement events of one supplier (or all) not yet covered by a batch, up to `until`. */
async function unbatchedEvents(ctx: Ctx, until: Date, supplierId?: string): Promise<Array<SupplierEvent>> {
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

const suppliers: PayoutParty<SupplierEvent, PayoutBatchView, SupplierItem> = {
  name: 'supplier',
  batches: schema.payoutBatches,
  batchOwner: schema.payoutBatches.supplierId,
  items: schema.payoutItems,
  payoutAccounts: schema.supplierPayoutAccounts,
  payoutAccountOwner: schema.supplierPayoutAccounts.supplierId,
  lockClass: 7_001,
  batchIdPrefix: 'pob',
  ledgerKeyPrefix: 'payout',
  owedAccount: accounts.supplierPayable,
  paidOutAccount: accounts.supplierPaidOut,
  owedName: 'payable',
  eventsName: 'unbatched',
  transferFailedLog: 'payout transfer failed',
  ownerKey: 'supplierId',
  ownerOfEvent: (e) => e.supplierId,
  unbatchedEvents,
  itemValues: (batchId, e) => ({
    id: newId('poi'),
    batchId,
    fulfillmentId: e.fulfillmentId,
    kind: e.kind,
    amountFen: e.signedAmountFen,
  }),
  ledgerMeta: (batchId, supplierId) => ({ payoutBatchId: batchId, supplierId }),
  stripeMetadata: (batchId, supplierId) => ({ payout_batch_id: batchId, supplier_id: supplierId }),
  itemsOf: (ctx, batchIds) => {
    const i = schema.payoutItems;
    return ctx.db
      .select({
        batchId: i.batchId,
        fulfillmentId: i.fulfillmentId,
        kind: i.kind,
        amountFen: i.amountFen,
        orderId: schema.fulfillments.orderId,
      })
      .from(i)
      .innerJoin(schema.fulfillments, eq(schema.fulfillments.id, i.fulfillmentId))
      .where(inArray(i.batchId, batchIds))
      .orderBy(asc(i.fulfillmentId), asc(i.kind));
  },
  view: (batch, items) => ({
    id: batch.id,
    supplierId: ownerOf(batch),
    ...batchFields(batch),
    items: items.map((item) => ({
      fulfillmentId: item.fulfillmentId,
      orderId: item.orderId,
      kind: item.kind as 'settlement' | 'reversal',
      amount: item.amountFen,
    })),
  }),
  forCaller: supplierForCaller,
};

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
  return runBatches(ctx, suppliers);
}

/** Pays a pending supplier batch by Stripe transfer to the supplier's connected account. */
export async function payBatchByStripeTransfer(ctx: Ctx, batchId: string): Promise<{ paidNow: boolean }> {
  return payByStripeTransfer(ctx, suppliers, batchId);
}

/** An operator paid a supplier batch by bank and records the reference. Once: 409 `already_paid`. */
export async function markPayoutPaid(
  ctx: Ctx,
  input: { batchId: string; reference: string },
): Promise<PayoutBatchView> {
  return markPaid(ctx, suppliers, input);
}

/** A supplier's payout batches, newest first (its staff, operators). */
export async function supplierPayouts(ctx: Ctx, supplierId: string): Promise<{ data: PayoutBatchView[] }> {
  await supplierForCaller(ctx, supplierId, { operatorMay: true });
  return listBatches(ctx, suppliers, { ownerId: supplierId });
}

/** Every payout batch, for operators (the route checks the role). */
export async function platformPayouts(
  ctx: Ctx,
  filter: { status?: 'pending' | 'paid'; limit?: number },
): Promise<{ data: PayoutBatchView[] }> {
  return listBatches(ctx, suppliers, filter);
}

/**
 * What the platform owes the supplier and has not paid out (its payable plus batches awaiting
 * payment; negative if a return after a payout left the supplier owing), and what it paid out so far.
 */
export async function supplierPayable(
  ctx: Ctx,
  supplierId: string,
): Promise<{ payable: number; paidOut: number; inPayout: number }> {
  return payable(ctx, suppliers, supplierId);
}

/** The supplier's owner names its Stripe Connect account (acct_…), where transfers go. */
export async function setSupplierPayoutAccount(
  ctx: Ctx,
  input: { supplierId: string; stripeAccountId: string },
) {
  const supplierId = await setPayoutAccount(ctx, suppliers, input.supplierId, input.stripeAccountId);
  return { supplierId, stripeAccountId: input.stripeAccountId };
}

// Merchant payouts: the same batch pattern over the merchant's proceeds. Events: a paid order (+,
// only once supply-chain's orderReleasableToMerchant says so: the hold has passed and no supplier
// line is open), its refunds (-), wholesale settled to suppliers (-) and reversed by returns (+).
// Ledger: merchantProceeds → platformPayoutsClearing (`merchant-payout:<id>:open`) → merchantPaidOut
// (`merchant-payout:<id>:paid`).

type MerchantEventKind = 'order' | 'refund' | 'settlement' | 'reversal';

interface MerchantEvent {
  kind: MerchantEventKind;
  sourceId: string;
  orderId: string;
  merchantId: string;
  signedAmountFen: number;
}

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

const merchants: PayoutParty<
  MerchantEvent,
  MerchantPayoutBatchView,
  typeof schema.merchantPayoutItems.$inferSelect
> = {
  name: 'merchant',
  batches: schema.merchantPayoutBatches,
  batchOwner: schema.merchantPayoutBatches.merchantId,
  items: schema.merchantPayoutItems,
  payoutAccounts: schema.merchantPayoutAccounts,
  payoutAccountOwner: schema.merchantPayoutAccounts.merchantId,
  lockClass: 7_002,
  batchIdPrefix: 'mpb',
  ledgerKeyPrefix: 'merchant-payout',
  owedAccount: accounts.merchantProceeds,
  paidOutAccount: accounts.merchantPaidOut,
  // Only paid orders can be held back, so the unbatched net never exceeds the proceeds.
  owedName: 'proceeds',
  eventsName: 'releasable',
  transferFailedLog: 'merchant payout transfer failed',
  ownerKey: 'merchantId',
  ownerOfEvent: (e) => e.merchantId,
  unbatchedEvents: unbatchedMerchantEvents,
  itemValues: (batchId, e) => ({
    id: newId('mpi'),
    batchId,
    kind: e.kind,
    sourceId: e.sourceId,
    orderId: e.orderId,
    amountFen: e.signedAmountFen,
  }),
  ledgerMeta: (batchId, merchantId) => ({ merchantPayoutBatchId: batchId, merchantId }),
  stripeMetadata: (batchId, merchantId) => ({ merchant_payout_batch_id: batchId, merchant_id: merchantId }),
  itemsOf: (ctx, batchIds) => {
    const i = schema.merchantPayoutItems;
    return ctx.db
      .select()
      .from(i)
      .where(inArray(i.batchId, batchIds))
      .orderBy(asc(i.orderId), asc(i.kind), asc(i.sourceId));
  },
  view: (batch, items) => ({
    id: batch.id,
    merchantId: ownerOf(batch),
    ...batchFields(batch),
    items: items.map((item) => ({
      kind: item.kind as MerchantEventKind,
      sourceId: item.sourceId,
      orderId: item.orderId,
      amount: item.amountFen,
    })),
  }),
  forCaller: merchantForCaller,
};

/** Pays a pending merchant batch by Stripe transfer to the merchant's connected account. */
export async function payMerchantBatchByStripeTransfer(
  ctx: Ctx,
  batchId: string,
): Promise<{ paidNow: boolean }> {
  return payByStripeTransfer(ctx, merchants, batchId);
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
  return runBatches(ctx, merchants);
}

/** An operator paid a merchant batch by bank and records the reference. Once: 409 `already_paid`. */
export async function markMerchantPayoutPaid(
  ctx: Ctx,
  input: { batchId: string; reference: string },
): Promise<MerchantPayoutBatchView> {
  return markPaid(ctx, merchants, input);
}

/** A merchant's payout batches, newest first (its staff, operators). */
export async function merchantPayouts(
  ctx: Ctx,
  merchantId: string,
): Promise<{ data: MerchantPayoutBatchView[] }> {
  await merchantForCaller(ctx, merchantId, { operatorMay: true });
  return listBatches(ctx, merchants, { ownerId: merchantId });
}

/** Every merchant payout batch, for operators (the route checks the role). */
export async function platformMerchantPayouts(
  ctx: Ctx,
  filter: { status?: 'pending' | 'paid'; limit?: number },
): Promise<{ data: MerchantPayoutBatchView[] }> {
  return listBatches(ctx, merchants, filter);
}

/** What the platform owes the merchant from online orders and has not paid out, and what it paid out. */
export async function merchantPayable(
  ctx: Ctx,
  merchantId: string,
): Promise<{ payable: number; paidOut: number; inPayout: number }> {
  return payable(ctx, merchants, merchantId);
}

/** The merchant's owner names its Stripe Connect account (acct_…), where payouts go. */
export async function setMerchantPayoutAccount(
  ctx: Ctx,
  input: { merchantId: string; stripeAccountId: string },
) {
  const merchantId = await setPayoutAccount(ctx, merchants, input.merchantId, input.stripeAccountId);
  return { merchantId, stripeAccountId: input.stripeAccountId };
}
