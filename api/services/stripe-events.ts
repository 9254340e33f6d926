import { schema } from '@alliance/db';
import { and, eq, ne, or } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Ctx } from '../context';
import { ApiError } from '../errors';
import {
  lockOrderOfPayment,
  onOrderChargeRefunded,
  onOrderCheckoutCompleted,
  recordOrderDisputeLost,
} from './orders';
import { onAccountUpdated } from './payout-accounts';
import { stripeFor, verifyStripeEvent } from './stripe';
import { recordStripeAnomaly } from './stripe-anomalies';
import { creditPaidTopup, expireTopup, type PaymentFacts, recordTopupMoneyReturned } from './topups';
import { inTransaction } from './tx';

/**
 * Verified Stripe events: recorded once each, then dispatched here to the area that owns them:
 * top-ups, orders (Checkout Sessions whose metadata carries `order_id`, refunds of their charges),
 * or payout accounts (`account.updated` of a connected account).
 * Handlers run inside the webhook's transaction and return an outcome word that is stored with the
 * event; throwing rolls the event back so that Stripe delivers it again.
 */
/**
 * POST /v1/webhooks/stripe: verify over the raw body (400 `invalid_signature`, nothing written),
 * then record the event once and act on it in one transaction.
 */
export async function handleStripeWebhook(ctx: Ctx, rawBody: string, signature: string | undefined) {
  const event = await verifyStripeEvent(ctx, rawBody, signature);
  // Signed but not shaped like an event (only a holder of the secret can send this): refuse it.
  const object = (event.data as { object?: unknown } | undefined)?.object as { id?: unknown } | undefined;
  if (
    typeof event.id !== 'string' ||
    !event.id ||
    typeof event.type !== 'string' ||
    typeof object?.id !== 'string'
  ) {
    throw new ApiError(400, 'invalid_event', 'The event has no id, type or data.object.id');
  }
  const payment = await paymentFacts(ctx, event);
  return inTransaction(ctx, async (tx) => {
    const inserted = await tx.db
      .insert(schema.stripeEvents)
      .values({
        id: event.id,
        type: event.type,
        objectId: object.id as string,
        outcome: 'processing',
        payload: JSON.parse(rawBody),
        receivedAt: tx.now(),
      })
      .onConflictDoNothing()
      .returning({ id: schema.stripeEvents.id });
    if (inserted.length === 0) return { received: true as const, outcome: 'duplicate_event' };
    const outcome = await dispatch(tx, event, payment);
    await tx.db.update(schema.stripeEvents).set({ outcome }).where(eq(schema.stripeEvents.id, event.id));
    return { received: true as const, outcome };
  });
}

function isCompletion(event: Stripe.Event) {
  return (
    event.type === 'checkout.session.completed' || event.type === 'checkout.session.async_payment_succeeded'
  );
}

/**
 * For a receipt, the charge and how it was paid. Asked of Stripe before the transaction (no
 * network call while rows are locked); a failure only leaves those receipt fields empty.
 */
async function paymentFacts(ctx: Ctx, event: Stripe.Event): Promise<PaymentFacts> {
  if (!isCompletion(event)) return { eventId: event.id, paymentIntentId: null };
  const session = event.data.object as Stripe.Checkout.Session;
  const paymentIntentId =
    typeof session.payment_intent === 'string'
      ? session.payment_intent
      : (session.payment_intent?.id ?? null);
  const facts: PaymentFacts = { eventId: event.id, paymentIntentId };
  if (!paymentIntentId || session.payment_status !== 'paid') return facts;
  try {
    const intent = await stripeFor(ctx).paymentIntents.retrieve(paymentIntentId, {
      expand: ['latest_charge'],
    });
    const charge = intent.latest_charge;
    if (charge && typeof charge === 'object') {
      facts.chargeId = charge.id;
      facts.paymentMethod = charge.payment_method_details?.type ?? null;
    }
  } catch (error) {
    ctx.log.warn('stripe payment intent lookup failed', { eventId: event.id, error: String(error) });
  }
  return facts;
}

async function dispatch(ctx: Ctx, event: Stripe.Event, payment: PaymentFacts): Promise<string> {
  if (isCompletion(event)) return onCheckoutCompleted(ctx, event, payment);
  if (event.type === 'charge.refunded') {
    const handled = (await onChargeRefunded(ctx, event)) ?? (await onOrderChargeRefunded(ctx, event));
    if (handled) return handled;
  } else if (event.type === 'charge.dispute.closed') {
    const handled = await onDisputeClosed(ctx, event);
    if (handled) return handled;
  } else if (event.type === 'account.updated') {
    const handled = await onAccountUpdated(ctx, event);
    if (handled) return handled;
  } else if (event.type === 'checkout.session.expired') {
    const handled = await expireTopup(ctx, (event.data.object as Stripe.Checkout.Session).id);
    if (handled) return handled;
  }
  if (event.type === 'charge.refunded' || event.type === 'charge.dispute.closed') {
    const object = event.data.object as { id: string; amount?: number };
    await recordStripeAnomaly(ctx, {
      eventId: event.id,
      kind: 'unknown_charge',
      detail: { type: event.type, objectId: object.id, amount: object.amount ?? null },
    });
    return 'anomaly';
  }
  return 'ignored';
}

async function onCheckoutCompleted(ctx: Ctx, event: Stripe.Event, payment: PaymentFacts): Promise<string> {
  const session = event.data.object as Stripe.Checkout.Session;
  if (session.payment_status !== 'paid') return 'ignored_unpaid';
  const metadata = session.metadata ?? {};
  if (metadata.order_id) return onOrderCheckoutCompleted(ctx, session, event, payment);

  const t = schema.topups;
  const [topup] = await ctx.db.select().from(t).where(eq(t.checkoutSessionId, session.id));
  const detail = {
    checkoutSessionId: session.id,
    metadataTopupId: metadata.topup_id ?? null,
    amountTotal: session.amount_total,
    currency: session.currency,
  };
  if (!topup) {
    await recordStripeAnomaly(ctx, { eventId: event.id, kind: 'unknown_session', detail });
    return 'anomaly';
  }
  const anomaly = { eventId: event.id, topupId: topup.id, merchantId: topup.merchantId };
  if (metadata.topup_id !== topup.id) {
    await recordStripeAnomaly(ctx, { ...anomaly, kind: 'metadata_mismatch', detail });
    return 'anomaly';
  }
  if (session.amount_total !== topup.amountFen || session.currency !== 'cny') {
    await recordStripeAnomaly(ctx, {
      ...anomaly,
      kind: 'amount_mismatch',
      detail: { ...detail, expectedAmount: topup.amountFen },
    });
    return 'anomaly';
  }
  return creditPaidTopup(ctx, topup.id, payment);
}

/** The top-up a charge paid for: by payment intent, by charge, or by the metadata Checkout copied. */
async function topupForCharge(
  ctx: Ctx,
  charge: { id: string; payment_intent?: unknown; metadata?: Record<string, string> | null },
) {
  const t = schema.topups;
  const paymentIntentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : null;
  const conditions = [eq(t.chargeId, charge.id)];
  if (paymentIntentId) conditions.push(eq(t.paymentIntentId, paymentIntentId));
  if (charge.metadata?.topup_id) conditions.push(eq(t.id, charge.metadata.topup_id));
  const [topup] = await ctx.db
    .select()
    .from(t)
    .where(or(...conditions))
    .limit(1);
  return topup;
}

async function onChargeRefunded(ctx: Ctx, event: Stripe.Event): Promise<string | null> {
  const charge = event.data.object as Stripe.Charge;
  const topup = await topupForCharge(ctx, charge);
  if (!topup) return null;
  const refunded = charge.amount_refunded;
  if (
    charge.currency !== 'cny' ||
    charge.amount !== topup.amountFen ||
    !Number.isSafeInteger(refunded) ||
    refunded < 0 ||
    refunded > topup.amountFen
  ) {
    await recordStripeAnomaly(ctx, {
      eventId: event.id,
      kind: 'amount_mismatch',
      topupId: topup.id,
      merchantId: topup.merchantId,
      detail: {
        chargeId: charge.id,
        chargeAmount: charge.amount,
        amountRefunded: refunded,
        expectedAmount: topup.amountFen,
      },
    });
    return 'anomaly';
  }
  return recordTopupMoneyReturned(ctx, topup.id, {
    refundedFenTotal: charge.amount_refunded,
    eventId: event.id,
  });
}

/** A dispute closed: lost, the money it took back is recorded once, on a top-up or an order. */
async function onDisputeClosed(ctx: Ctx, event: Stripe.Event): Promise<string | null> {
  const dispute = event.data.object as Stripe.Dispute;
  const chargeId = typeof dispute.charge === 'string' ? dispute.charge : (dispute.charge?.id ?? '');
  const topup = await topupForCharge(ctx, {
    id: chargeId,
    payment_intent: dispute.payment_intent,
    metadata: dispute.metadata,
  });
  const order = topup ? null : await lockOrderOfPayment(ctx, dispute);
  if (!topup && !order) return null;
  if (dispute.status !== 'lost') return 'dispute_not_lost';
  if (await lostBefore(ctx, dispute.id, event.id)) return 'duplicate_dispute';
  return topup
    ? topupDisputeLost(ctx, topup, dispute, event.id)
    : recordOrderDisputeLost(ctx, order!, dispute, event.id);
}

async function topupDisputeLost(
  ctx: Ctx,
  topup: NonNullable<Awaited<ReturnType<typeof topupForCharge>>>,
  dispute: Stripe.Dispute,
  eventId: string,
): Promise<string> {
  if (!Number.isSafeInteger(dispute.amount) || dispute.amount < 1 || dispute.amount > topup.amountFen) {
    await recordStripeAnomaly(ctx, {
      eventId,
      kind: 'amount_mismatch',
      topupId: topup.id,
      merchantId: topup.merchantId,
      detail: { disputeId: dispute.id, disputeAmount: dispute.amount, expectedAmount: topup.amountFen },
    });
    return 'anomaly';
  }
  await recordTopupMoneyReturned(ctx, topup.id, { disputedFenAdded: dispute.amount, eventId });
  return 'dispute_lost';
}

/** Stripe may send more than one event for a dispute; its money goes back once. */
async function lostBefore(ctx: Ctx, disputeId: string, eventId: string): Promise<boolean> {
  const e = schema.stripeEvents;
  const [earlier] = await ctx.db
    .select({ id: e.id })
    .from(e)
    .where(
      and(
        eq(e.objectId, disputeId),
        eq(e.type, 'charge.dispute.closed'),
        eq(e.outcome, 'dispute_lost'),
        ne(e.id, eventId),
      ),
    )
    .limit(1);
  return Boolean(earlier);
}
