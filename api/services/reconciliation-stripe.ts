/**
 * Stripe against the ledger for one business day (ADR 0009). Stripe's side is what its own API
 * lists for the day (charges succeeded, refunds not failed) and the disputes the platform recorded
 * as lost that day, each as Stripe now shows it (only those Stripe calls lost count as money
 * back), asked before any transaction opens;
 * the ledger's side is the day's net movement of the two Stripe clearing accounts, read per
 * transaction and traced to the top-up or order behind it and that one's payment intent. Both are
 * compared in total and per payment intent, so a charge the ledger never recorded and a ledger
 * entry Stripe never charged are each named.
 */
import { schema } from '@alliance/db';
import { and, gte, inArray, lt, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Ctx } from '../context';
import { movementsBetween } from '../ledger';
import { accounts } from './accounts';
import { paymentSubjects } from './reconciliation-queries';
import { formatHundredths } from './rounding';
import { stripeFor } from './stripe';
import type { Handling } from './stripe-anomalies';

export interface Difference {
  kind: string;
  subject: string;
  expected: number | null;
  actual: number | null;
  detail: string;
  /**
   * Payment anomalies (`stripe_event_unmatched`) only, added when a report is read, never stored:
   * how an operator has since handled it, null while it is open.
   */
  handled?: Handling | null;
}

interface StripeMoney {
  id: string;
  paymentIntentId: string | null;
  amountFen: number;
}

/** What Stripe listed for a day; `error` when it could not be listed in full. */
export interface StripeDay {
  charges: StripeMoney[];
  refunds: StripeMoney[];
  disputes: StripeMoney[];
  /** Lost disputes opened in the window before the day's end whose event the platform never received. */
  unheardDisputes: StripeMoney[];
  error: string | null;
}

/** How far back the report looks for disputes: Stripe's usual window for a card holder to dispute. */
const disputeWindowDays = 120;

/** Explicit bound on one day's listing; more than this is reported, never silently cut. */
const maxObjectsPerList = 100_000;
const listPageSize = 100;

const intentOf = (value: string | { id: string } | null | undefined) =>
  typeof value === 'string' ? value : (value?.id ?? null);

const tooMany = () => new Error(`more than ${maxObjectsPerList} objects in one day`);

/** A dispute as money Stripe gave back, when it is lost. */
const lostMoney = (d: Stripe.Dispute): StripeMoney | null =>
  d.status === 'lost' ? { id: d.id, paymentIntentId: intentOf(d.payment_intent), amountFen: d.amount } : null;

async function listAll<T>(list: AsyncIterable<T>, take: (item: T) => StripeMoney | null) {
  const out: StripeMoney[] = [];
  for await (const item of list) {
    if (out.length >= maxObjectsPerList) throw tooMany();
    const money = take(item);
    if (money) out.push(money);
  }
  return out;
}

/**
 * The disputes whose loss the platform recorded in [start, end) (their webhooks), as Stripe shows
 * them now: a lost dispute is money Stripe gave back that neither list above holds.
 */
async function lostDisputes(ctx: Ctx, stripe: Stripe, start: Date, end: Date): Promise<StripeMoney[]> {
  const e = schema.stripeEvents;
  const recorded = await ctx.db
    .select({ disputeId: e.objectId })
    .from(e)
    .where(
      and(
        // Written as the partial index's own predicate (not parameters), so the plan can use it.
        sql`${e.type} = 'charge.dispute.closed' and ${e.outcome} = 'dispute_lost'`,
        gte(e.receivedAt, start),
        lt(e.receivedAt, end),
      ),
    )
    .limit(maxObjectsPerList + 1);
  if (recorded.length > maxObjectsPerList) throw tooMany();
  const disputes = await Promise.all(
    recorded.flatMap((r) => (r.disputeId ? [stripe.disputes.retrieve(r.disputeId)] : [])),
  );
  return disputes.flatMap((d) => lostMoney(d) ?? []);
}

/**
 * Lost disputes Stripe lists (opened in the window before `end`) of which the platform received no
 * event at all: money Stripe gave back that no webhook told the ledger about. One whose event came
 * but matched nothing is already among the payment anomalies.
 */
async function unheardLostDisputes(ctx: Ctx, stripe: Stripe, end: Date): Promise<StripeMoney[]> {
  const endS = Math.ceil(end.getTime() / 1000);
  const created = { gte: endS - disputeWindowDays * 86_400, lt: endS };
  const lost = await listAll(stripe.disputes.list({ created, limit: listPageSize }), lostMoney);
  if (lost.length === 0) return [];
  const e = schema.stripeEvents;
  const heard = await ctx.db
    .select({ id: e.objectId })
    .from(e)
    .where(
      inArray(
        e.objectId,
        lost.map((d) => d.id),
      ),
    );
  const known = new Set(heard.map((r) => r.id));
  return lost.filter((d) => !known.has(d.id));
}

/** Lists the day's charges, refunds and lost disputes (network calls: make them outside any transaction). */
export async function fetchStripeDay(ctx: Ctx, start: Date, end: Date): Promise<StripeDay> {
  const created = { gte: Math.floor(start.getTime() / 1000), lt: Math.ceil(end.getTime() / 1000) };
  try {
    const stripe = stripeFor(ctx);
    const [charges, refunds, disputes, unheardDisputes] = await Promise.all([
      listAll(stripe.charges.list({ created, limit: listPageSize }), (c: Stripe.Charge) =>
        c.status === 'succeeded'
          ? { id: c.id, paymentIntentId: intentOf(c.payment_intent), amountFen: c.amount }
          : null,
      ),
      listAll(stripe.refunds.list({ created, limit: listPageSize }), (r: Stripe.Refund) =>
        r.status === 'failed' || r.status === 'canceled'
          ? null
          : { id: r.id, paymentIntentId: intentOf(r.payment_intent), amountFen: r.amount },
      ),
      lostDisputes(ctx, stripe, start, end),
      unheardLostDisputes(ctx, stripe, end),
    ]);
    return { charges, refunds, disputes, unheardDisputes, error: null };
  } catch (error) {
    return {
      charges: [],
      refunds: [],
      disputes: [],
      unheardDisputes: [],
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

export interface StripeComparison {
  collected: number;
  refunded: number;
  disputed: number;
  ledger: number;
  difference: number;
  differences: Difference[];
}

const yuan = (fen: number) => `${formatHundredths(fen)} yuan`;

/** Compares the listed day with the ledger's Stripe clearing accounts over [start, end). */
export async function compareStripeWithLedger(
  ctx: Ctx,
  day: StripeDay,
  start: Date,
  end: Date,
): Promise<StripeComparison> {
  const movements = await movementsBetween(
    ctx.db,
    [accounts.platformOrderClearing(), accounts.platformTopupClearing()],
    start,
    end,
    'window',
  );
  const subjects = await paymentSubjects(
    ctx,
    movements.map((m) => m.meta),
  );
  const differences: Difference[] = [];
  if (day.error) {
    differences.push({
      kind: 'stripe_unavailable',
      subject: 'stripe',
      expected: null,
      actual: null,
      detail: `Stripe's charges, refunds and disputes could not be listed: ${day.error}`,
    });
  }

  // Per payment intent: Stripe's net (charges - refunds - lost disputes) against the ledger's (money in - money back).
  const stripeByIntent = new Map<string, { fen: number; ids: string[] }>();
  const add = (money: StripeMoney, sign: 1 | -1) => {
    const key = money.paymentIntentId ?? money.id;
    const entry = stripeByIntent.get(key) ?? stripeByIntent.set(key, { fen: 0, ids: [] }).get(key)!;
    entry.fen += sign * money.amountFen;
    entry.ids.push(money.id);
  };
  for (const charge of day.charges) add(charge, 1);
  for (const refund of day.refunds) add(refund, -1);
  for (const dispute of day.disputes) add(dispute, -1);

  const ledgerByIntent = new Map<string, { fen: number; objectIds: string[] }>();
  let ledgerFen = 0;
  movements.forEach((movement, i) => {
    // The clearing accounts go negative by what Stripe holds: money in is a net debit.
    const fen = -Number(movement.net);
    ledgerFen += fen;
    const subject = subjects[i];
    if (!subject?.paymentIntentId) {
      differences.push({
        kind: 'ledger_entry_without_stripe_charge',
        subject: subject?.objectId ?? movement.key,
        expected: 0,
        actual: fen,
        detail: `The ledger moved ${yuan(fen)} through Stripe with no Stripe payment behind it`,
      });
      return;
    }
    const key = subject.paymentIntentId;
    const entry = ledgerByIntent.get(key) ?? ledgerByIntent.set(key, { fen: 0, objectIds: [] }).get(key)!;
    entry.fen += fen;
    if (!entry.objectIds.includes(subject.objectId)) entry.objectIds.push(subject.objectId);
  });

  for (const [intent, stripe] of stripeByIntent) {
    const ledger = ledgerByIntent.get(intent);
    if (!ledger) {
      differences.push({
        kind: 'stripe_charge_not_in_ledger',
        subject: stripe.ids[0]!,
        expected: stripe.fen,
        actual: 0,
        detail: `Stripe took ${yuan(stripe.fen)} that day that the ledger has not recorded`,
      });
    } else if (ledger.fen !== stripe.fen) {
      differences.push({
        kind: 'stripe_amount_mismatch',
        subject: stripe.ids[0]!,
        expected: stripe.fen,
        actual: ledger.fen,
        detail: `Stripe's net ${yuan(stripe.fen)} that day against the ledger's ${yuan(ledger.fen)} for the same payment`,
      });
    }
  }
  for (const dispute of day.unheardDisputes) {
    differences.push({
      kind: 'stripe_dispute_not_in_ledger',
      subject: dispute.id,
      expected: dispute.amountFen,
      actual: 0,
      detail: `Stripe gave back ${yuan(dispute.amountFen)} in a lost dispute the platform never received an event for`,
    });
  }
  for (const [intent, ledger] of ledgerByIntent) {
    if (stripeByIntent.has(intent)) continue;
    differences.push({
      kind: 'ledger_entry_without_stripe_charge',
      subject: ledger.objectIds[0]!,
      expected: 0,
      actual: ledger.fen,
      detail: `The ledger moved ${yuan(ledger.fen)} for a payment Stripe did not list that day`,
    });
  }

  const collected = day.charges.reduce((sum, c) => sum + c.amountFen, 0);
  const refunded = day.refunds.reduce((sum, r) => sum + r.amountFen, 0);
  const disputed = day.disputes.reduce((sum, d) => sum + d.amountFen, 0);
  const difference = collected - refunded - disputed - ledgerFen;
  if (difference !== 0) {
    differences.unshift({
      kind: 'stripe_difference',
      subject: 'stripe',
      expected: collected - refunded - disputed,
      actual: ledgerFen,
      detail: `Stripe collected ${yuan(collected)}, refunded ${yuan(refunded)} and gave back ${yuan(disputed)} in lost disputes; the ledger shows ${yuan(ledgerFen)}`,
    });
  }
  return { collected, refunded, disputed, ledger: ledgerFen, difference, differences };
}
