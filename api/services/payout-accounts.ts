/**
 * Payout accounts (ADR 0016): where Stripe transfers pay an organisation. Its owner starts
 * onboarding: the platform creates one Express connected account for the organisation (once) and
 * hands back a Stripe-hosted Account Link; Stripe's answers (accounts.retrieve on the way back, the
 * account.updated webhook) keep what the platform stores: details submitted, payouts enabled.
 * Transfers go only to an account with payouts enabled (payouts.ts). Operators may still name an
 * existing account by id, checked with Stripe first.
 */
import { pgErrorCode, schema } from '@alliance/db';
import { and, eq, isNull, lte, ne, or } from 'drizzle-orm';
import Stripe from 'stripe';
import type { Ctx } from '../context';
import { ApiError, conflict } from '../errors';
import { memberRole, type OrgKind, organisationForCaller, requireOperator } from './access';
import { paymentProviderError, stripeFor } from './stripe';

type AccountRow = typeof schema.payoutAccounts.$inferSelect;

/** none: no account yet; incomplete: created, Stripe does not pay out yet; enabled: transfers reach the bank. */
export type PayoutAccountStatus = 'none' | 'incomplete' | 'enabled';

export interface PayoutAccountView {
  status: PayoutAccountStatus;
  stripeAccountId: string | null;
  detailsSubmitted: boolean;
  payoutsEnabled: boolean;
  createdVia: 'onboarding' | 'operator' | null;
  /** When Stripe last told the platform the status. */
  statusAt: string | null;
  /** Whether the caller (the owner) may start or continue onboarding. */
  mayOnboard: boolean;
}

function view(row: AccountRow | undefined, mayOnboard: boolean): PayoutAccountView {
  return {
    status: !row ? 'none' : row.payoutsEnabled ? 'enabled' : 'incomplete',
    stripeAccountId: row?.stripeAccountId ?? null,
    detailsSubmitted: row?.detailsSubmitted ?? false,
    payoutsEnabled: row?.payoutsEnabled ?? false,
    createdVia: (row?.createdVia as PayoutAccountView['createdVia']) ?? null,
    statusAt: row?.statusAt ? row.statusAt.toISOString() : null,
    mayOnboard,
  };
}

async function accountOf(ctx: Ctx, organisationId: string): Promise<AccountRow | undefined> {
  const a = schema.payoutAccounts;
  const [row] = await ctx.db.select().from(a).where(eq(a.organisationId, organisationId));
  return row;
}

async function callerIsOwner(ctx: Ctx, organisationId: string): Promise<boolean> {
  return (await memberRole(ctx, organisationId, ctx.user!.id)) === 'owner';
}

/** The status fields Stripe's account object says, as of `at`. */
function statusOf(account: Stripe.Account, at: Date) {
  return {
    detailsSubmitted: account.details_submitted === true,
    payoutsEnabled: account.payouts_enabled === true,
    statusAt: at,
  };
}

/** Stores Stripe's status unless a newer one is already stored (events may arrive out of order). */
async function storeStatus(ctx: Ctx, stripeAccountId: string, status: ReturnType<typeof statusOf>) {
  const a = schema.payoutAccounts;
  return ctx.db
    .update(a)
    .set(status)
    .where(
      and(eq(a.stripeAccountId, stripeAccountId), or(isNull(a.statusAt), lte(a.statusAt, status.statusAt))),
    )
    .returning();
}

/** The organisation's payout account and its status (its members, operators). */
export async function getPayoutAccount(
  ctx: Ctx,
  kind: OrgKind,
  organisationId: string,
): Promise<PayoutAccountView> {
  await organisationForCaller(ctx, kind, organisationId, { operatorMay: true });
  return view(await accountOf(ctx, organisationId), await callerIsOwner(ctx, organisationId));
}

/**
 * The owner starts (or continues) onboarding: the organisation's Express account, created once
 * (a second call, or two at once, reuse it: Stripe's idempotency key and the primary key agree), and
 * a fresh single-use Account Link to redirect to. Staff 403 `owner_only`; anyone else 404.
 */
export async function startOnboarding(
  ctx: Ctx,
  kind: OrgKind,
  organisationId: string,
): Promise<{ url: string; expiresAt: string; account: PayoutAccountView }> {
  const organisation = await organisationForCaller(ctx, kind, organisationId, { owner: 'forbid' });
  // A suspended one is still paid what it earned (ADR 0017), so it may still say where to.
  if (organisation.status !== 'active' && organisation.status !== 'suspended')
    throw conflict(`${kind}_not_active`, `Only an approved ${kind} can set up payouts`);
  const stripe = stripeFor(ctx);
  let row = await accountOf(ctx, organisationId);
  if (!row) {
    let account: Stripe.Account;
    try {
      // No country: the platform's own, the one Stripe accepts for every platform (ADR 0016).
      account = await stripe.accounts.create(
        {
          type: 'express',
          capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
          business_profile: { name: organisation.name },
          metadata: { organisation_id: organisationId, kind },
        },
        { idempotencyKey: `payout-account:${organisationId}` },
      );
    } catch (error) {
      throw paymentProviderError(error);
    }
    await ctx.db
      .insert(schema.payoutAccounts)
      .values({
        organisationId,
        stripeAccountId: account.id,
        createdVia: 'onboarding',
        ...statusOf(account, ctx.now()),
        updatedBy: ctx.user!.id,
        updatedAt: ctx.now(),
      })
      .onConflictDoNothing();
    row = (await accountOf(ctx, organisationId))!;
  }
  const pageUrl = `${ctx.config.publicUrl}/biz/${kind}s/${organisationId}/payouts`;
  let link: Stripe.AccountLink;
  try {
    link = await stripe.accountLinks.create({
      account: row.stripeAccountId,
      type: 'account_onboarding',
      refresh_url: `${pageUrl}?onboarding=refresh`,
      return_url: `${pageUrl}?onboarding=return`,
    });
  } catch (error) {
    throw paymentProviderError(error);
  }
  return {
    url: link.url,
    expiresAt: new Date(link.expires_at * 1000).toISOString(),
    account: view(row, true),
  };
}

/**
 * Asks Stripe for the account's status now (the return page: the webhook may not have arrived yet)
 * and stores it (its members, operators). 409 `no_payout_account` when there is none.
 */
export async function refreshPayoutAccount(
  ctx: Ctx,
  kind: OrgKind,
  organisationId: string,
): Promise<PayoutAccountView> {
  await organisationForCaller(ctx, kind, organisationId, { operatorMay: true });
  const row = await accountOf(ctx, organisationId);
  if (!row) throw conflict('no_payout_account', `The ${kind} has no payout account yet`);
  let account: Stripe.Account;
  try {
    account = await stripeFor(ctx).accounts.retrieve(row.stripeAccountId);
  } catch (error) {
    throw paymentProviderError(error);
  }
  await storeStatus(ctx, row.stripeAccountId, statusOf(account, ctx.now()));
  return view(await accountOf(ctx, organisationId), await callerIsOwner(ctx, organisationId));
}

const inUse = () => conflict('payout_account_in_use', 'This Stripe account pays another organisation');

/**
 * An operator names an existing connected account (made outside onboarding). Stripe must know it
 * (422 `unknown_stripe_account`), and it may pay one organisation only (409 `payout_account_in_use`).
 */
export async function setPayoutAccount(
  ctx: Ctx,
  kind: OrgKind,
  input: { organisationId: string; stripeAccountId: string },
): Promise<PayoutAccountView> {
  const operator = requireOperator(ctx);
  await organisationForCaller(ctx, kind, input.organisationId, { operatorMay: true });
  const a = schema.payoutAccounts;
  const [elsewhere] = await ctx.db
    .select({ organisationId: a.organisationId })
    .from(a)
    .where(and(eq(a.stripeAccountId, input.stripeAccountId), ne(a.organisationId, input.organisationId)));
  if (elsewhere) throw inUse();
  let account: Stripe.Account;
  try {
    account = await stripeFor(ctx).accounts.retrieve(input.stripeAccountId);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError)
      throw new ApiError(422, 'unknown_stripe_account', 'Stripe knows no such connected account');
    throw paymentProviderError(error);
  }
  const values = {
    organisationId: input.organisationId,
    stripeAccountId: account.id,
    createdVia: 'operator',
    ...statusOf(account, ctx.now()),
    updatedBy: operator.id,
    updatedAt: ctx.now(),
  };
  try {
    await ctx.db.insert(a).values(values).onConflictDoUpdate({ target: a.organisationId, set: values });
  } catch (error) {
    // Two operators naming one account for two organisations at once: the unique index decides.
    if (pgErrorCode(error) === '23505') throw inUse();
    throw error;
  }
  return view(await accountOf(ctx, input.organisationId), false);
}

/**
 * Webhook `account.updated` (in the webhook's transaction): stores the status of a payout account
 * the platform knows; null for an account it does not (the event is then ignored).
 */
export async function onAccountUpdated(ctx: Ctx, event: Stripe.Event): Promise<string | null> {
  const account = event.data.object as Stripe.Account;
  const a = schema.payoutAccounts;
  const [known] = await ctx.db
    .select({ id: a.organisationId })
    .from(a)
    .where(eq(a.stripeAccountId, account.id));
  if (!known) return null;
  const updated = await storeStatus(ctx, account.id, statusOf(account, new Date(event.created * 1000)));
  return updated.length > 0 ? 'payout_account_updated' : 'payout_account_stale';
}
