import { schema } from '@alliance/db';
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';

// Payout accounts (ADR 0016): Express onboarding through Account Links on the fake Stripe.
const clock = testClock('2026-11-30T02:00:00Z');
/** The Connect endpoint's own signing secret (docs/stripe.md). */
const connectSecret = 'whsec_test_connect_endpoint';
let t: TestApp;
let seq = 0;
const phone = () => `+86134${String(10_000_000 + ++seq * 7907).slice(-8)}`;

type Who = { token: string; id: string; phone: string };
let operator: Who;
let consumer: Who;
let staff: Who;
let merchant: { id: string; owner: Who };
let otherMerchant: { id: string; owner: Who };
let supplier: { id: string; owner: Who };
let pendingMerchant: { id: string; owner: Who };

async function user(number = phone()): Promise<Who> {
  const s = await t.signIn(number);
  return { token: s.token, id: s.user.id, phone: number };
}

async function org(kind: 'merchants' | 'suppliers', name: string, approve = true) {
  const owner = await user();
  const created = await t.request('POST', `/v1/${kind}`, { token: owner.token, body: { name } });
  expect(created.status).toBe(201);
  if (approve) {
    const approved = await t.request('POST', `/v1/platform/${kind}/${created.body.id}/approve`, {
      token: operator.token,
    });
    expect(approved.status).toBe(200);
  }
  return { id: created.body.id as string, owner };
}

const accountPath = (id: string, kind = 'merchants') => `/v1/${kind}/${id}/payout-account`;
const onboard = (id: string, token?: string, kind = 'merchants') =>
  t.request('POST', `${accountPath(id, kind)}/onboarding`, { token });

beforeAll(async () => {
  t = await createTestApp({ clock, env: { STRIPE_CONNECT_WEBHOOK_SECRET: connectSecret } });
  operator = await user(operatorPhone);
  consumer = await user();
  staff = await user();
  merchant = await org('merchants', 'Tea House');
  otherMerchant = await org('merchants', 'Noodle Bar');
  supplier = await org('suppliers', 'Hill Farm');
  pendingMerchant = await org('merchants', 'Not Yet', false);
  const added = await t.request('POST', `/v1/merchants/${merchant.id}/staff`, {
    token: merchant.owner.token,
    body: { phone: staff.phone },
  });
  expect(added.status).toBe(201);
});
afterAll(() => t.close());

describe('payout account onboarding', () => {
  it('before onboarding: none; members and operators read it, everyone else 404, anonymous 401', async () => {
    const none = {
      status: 'none',
      stripeAccountId: null,
      detailsSubmitted: false,
      payoutsEnabled: false,
      createdVia: null,
      statusAt: null,
    };
    const owner = await t.request('GET', accountPath(merchant.id), { token: merchant.owner.token });
    expect(owner.status).toBe(200);
    expect(owner.body).toEqual({ ...none, mayOnboard: true });
    for (const who of [staff, operator]) {
      const res = await t.request('GET', accountPath(merchant.id), { token: who.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...none, mayOnboard: false });
    }
    for (const who of [otherMerchant.owner, consumer, supplier.owner]) {
      const res = await t.request('GET', accountPath(merchant.id), { token: who.token });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    // A merchant id on the suppliers' path is not found either.
    expect(
      (await t.request('GET', accountPath(merchant.id, 'suppliers'), { token: operator.token })).status,
    ).toBe(404);
    expect((await t.request('GET', accountPath(merchant.id))).status).toBe(401);
  });

  it('only the owner starts onboarding: staff 403 owner_only, operators and strangers 404, not approved 409', async () => {
    const accountsBefore = t.fakeStripe.accounts.size;
    const byStaff = await onboard(merchant.id, staff.token);
    expect(byStaff.status).toBe(403);
    expect(byStaff.body.error.code).toBe('owner_only');
    for (const who of [operator, otherMerchant.owner, consumer, supplier.owner]) {
      const res = await onboard(merchant.id, who.token);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await onboard(merchant.id)).status).toBe(401);
    const pending = await onboard(pendingMerchant.id, pendingMerchant.owner.token);
    expect(pending.status).toBe(409);
    expect(pending.body.error.code).toBe('merchant_not_active');
    // A supplier's owner on the suppliers' path, a merchant's owner not.
    expect((await onboard(supplier.id, merchant.owner.token, 'suppliers')).status).toBe(404);
    expect(t.fakeStripe.accounts.size).toBe(accountsBefore);
    const rows = await t.db.select().from(schema.payoutAccounts);
    expect(rows).toEqual([]);
  });

  it('creates one Express account per organisation: two calls at once and a later one share it', async () => {
    // Two at once (a double click) before any account exists, then a later call.
    const [first, second] = await Promise.all([
      onboard(merchant.id, merchant.owner.token),
      onboard(merchant.id, merchant.owner.token),
    ]);
    expect(first.status).toBe(200);
    const accountId = first.body.account.stripeAccountId as string;
    expect(accountId).toMatch(/^acct_/);
    expect(first.body).toEqual({
      url: expect.stringMatching(new RegExp(`^${t.fakeStripe.url}/connect/onboarding/acctlink_`)),
      expiresAt: new Date(clock.now().getTime() + 300_000).toISOString(),
      account: {
        status: 'incomplete',
        stripeAccountId: accountId,
        detailsSubmitted: false,
        payoutsEnabled: false,
        createdVia: 'onboarding',
        statusAt: clock.now().toISOString(),
        mayOnboard: true,
      },
    });
    const again = await onboard(merchant.id, merchant.owner.token);
    for (const res of [second, again]) {
      expect(res.status).toBe(200);
      expect(res.body.account.stripeAccountId).toBe(accountId);
    }
    // Each call is a fresh single-use link to the same account.
    expect(new Set([first, second, again].map((r) => r.body.url)).size).toBe(3);
    const created = [...t.fakeStripe.accounts.values()].filter(
      (a) => a.metadata.organisation_id === merchant.id,
    );
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      id: accountId,
      type: 'express',
      capabilities: { card_payments: 'inactive', transfers: 'inactive' },
      metadata: { organisation_id: merchant.id, kind: 'merchant' },
    });
    const link = t.fakeStripe.accountLinks.get(new URL(first.body.url).pathname.split('/').at(-1)!)!;
    expect(link).toMatchObject({
      account: accountId,
      return_url: `${t.deps.config.publicUrl}/biz/merchants/${merchant.id}/payouts?onboarding=return`,
      refresh_url: `${t.deps.config.publicUrl}/biz/merchants/${merchant.id}/payouts?onboarding=refresh`,
    });
  });

  it('the return page asks Stripe: incomplete until the form is done, then enabled', async () => {
    const account = await t.request('GET', accountPath(merchant.id), { token: staff.token });
    const stripeAccount = t.fakeStripe.accounts.get(account.body.stripeAccountId)!;
    clock.advance(1000);
    const before = await t.request('POST', `${accountPath(merchant.id)}/refresh`, { token: staff.token });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      status: 'incomplete',
      detailsSubmitted: false,
      payoutsEnabled: false,
    });
    // Stripe verifies: details in, payouts on; no webhook has come (it may be late).
    stripeAccount.details_submitted = true;
    stripeAccount.payouts_enabled = true;
    clock.advance(1000);
    const after = await t.request('POST', `${accountPath(merchant.id)}/refresh`, { token: operator.token });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({
      status: 'enabled',
      detailsSubmitted: true,
      payoutsEnabled: true,
      statusAt: clock.now().toISOString(),
      mayOnboard: false,
    });
    for (const who of [otherMerchant.owner, consumer]) {
      expect(
        (await t.request('POST', `${accountPath(merchant.id)}/refresh`, { token: who.token })).status,
      ).toBe(404);
    }
    const none = await t.request('POST', `${accountPath(otherMerchant.id)}/refresh`, {
      token: otherMerchant.owner.token,
    });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('no_payout_account');
  });

  it('account.updated keeps the status current; an older event than what is stored changes nothing', async () => {
    const account = await t.request('GET', accountPath(merchant.id), { token: staff.token });
    const stripeAccount = t.fakeStripe.accounts.get(account.body.stripeAccountId)!;
    // Stripe pauses payouts (new requirements), and says so.
    clock.advance(1000);
    const paused = await t.fakeStripe.sendEvent('account.updated', {
      ...stripeAccount,
      payouts_enabled: false,
    });
    expect(paused.status).toBe(200);
    const stored = await t.db
      .select()
      .from(schema.stripeEvents)
      .where(eq(schema.stripeEvents.id, paused.eventId));
    expect(stored[0]!.outcome).toBe('payout_account_updated');
    expect((await t.request('GET', accountPath(merchant.id), { token: staff.token })).body).toMatchObject({
      status: 'incomplete',
      detailsSubmitted: true,
      payoutsEnabled: false,
    });
    // An event from before that arrives late is not applied.
    clock.advance(-10_000);
    const late = await t.fakeStripe.sendEvent('account.updated', { ...stripeAccount, payouts_enabled: true });
    clock.advance(10_000);
    const lateRow = await t.db
      .select()
      .from(schema.stripeEvents)
      .where(eq(schema.stripeEvents.id, late.eventId));
    expect(lateRow[0]!.outcome).toBe('payout_account_stale');
    expect((await t.request('GET', accountPath(merchant.id), { token: staff.token })).body.status).toBe(
      'incomplete',
    );
    // An account the platform does not know: recorded, nothing changed.
    const stray = await t.fakeStripe.sendEvent('account.updated', {
      id: 'acct_test_unknown',
      payouts_enabled: true,
    });
    const strayRow = await t.db
      .select()
      .from(schema.stripeEvents)
      .where(eq(schema.stripeEvents.id, stray.eventId));
    expect(strayRow[0]!.outcome).toBe('ignored');
  });

  it("verifies Connect events with the Connect endpoint's secret too; any other secret is 400", async () => {
    const account = await t.request('GET', accountPath(merchant.id), { token: staff.token });
    const stripeAccount = t.fakeStripe.accounts.get(account.body.stripeAccountId)!;
    clock.advance(1000);
    const signed = (secret: string, id: string) => {
      const payload = JSON.stringify({
        id,
        object: 'event',
        type: 'account.updated',
        created: Math.floor(clock.now().getTime() / 1000),
        account: stripeAccount.id,
        data: { object: { ...stripeAccount, payouts_enabled: true } },
      });
      const signature = new Stripe('sk_test_x').webhooks.generateTestHeaderString({
        payload,
        secret,
        timestamp: Math.floor(clock.now().getTime() / 1000),
      });
      return { rawBody: payload, headers: { 'stripe-signature': signature } };
    };
    const forged = await t.request('POST', '/v1/webhooks/stripe', signed('whsec_someone_else', 'evt_forged'));
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('invalid_signature');
    expect((await t.request('GET', accountPath(merchant.id), { token: staff.token })).body.status).toBe(
      'incomplete',
    );
    const connect = await t.request('POST', '/v1/webhooks/stripe', signed(connectSecret, 'evt_connect_1'));
    expect(connect.status).toBe(200);
    expect(connect.body).toEqual({ received: true, outcome: 'payout_account_updated' });
    expect((await t.request('GET', accountPath(merchant.id), { token: staff.token })).body.status).toBe(
      'enabled',
    );
  });

  it('the hosted form: complete enables the account, sends account.updated and returns; a link opens once', async () => {
    const started = await onboard(supplier.id, supplier.owner.token, 'suppliers');
    expect(started.status).toBe(200);
    const form = await fetch(started.body.url);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('设置收款账户');
    expect(html).toContain('Set up your payout account');
    // Opened once: opening it again sends the person to refresh_url for a new link, as Stripe does.
    const reopened = await fetch(started.body.url, { redirect: 'manual' });
    expect(reopened.status).toBe(303);
    expect(reopened.headers.get('location')).toBe(
      `${t.deps.config.publicUrl}/biz/suppliers/${supplier.id}/payouts?onboarding=refresh`,
    );
    const later = await fetch(`${started.body.url}/later`, { method: 'POST', redirect: 'manual' });
    expect(later.headers.get('location')).toBe(
      `${t.deps.config.publicUrl}/biz/suppliers/${supplier.id}/payouts?onboarding=return`,
    );
    const delivered = t.fakeStripe.deliveries.length;
    const done = await fetch(`${started.body.url}/complete`, { method: 'POST', redirect: 'manual' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(
      `${t.deps.config.publicUrl}/biz/suppliers/${supplier.id}/payouts?onboarding=return`,
    );
    expect(t.fakeStripe.deliveries.slice(delivered)).toEqual([
      { eventId: expect.any(String), type: 'account.updated', status: 200 },
    ]);
    const account = await t.request('GET', accountPath(supplier.id, 'suppliers'), {
      token: supplier.owner.token,
    });
    expect(account.body).toMatchObject({ status: 'enabled', detailsSubmitted: true, payoutsEnabled: true });
    expect(t.fakeStripe.accounts.get(account.body.stripeAccountId)).toMatchObject({
      charges_enabled: true,
      payouts_enabled: true,
      capabilities: { card_payments: 'active', transfers: 'active' },
    });
  });

  it('an expired link goes to refresh_url; an unknown link is 404; Stripe refuses a link for no account', async () => {
    const started = await onboard(otherMerchant.id, otherMerchant.owner.token);
    clock.advance(301_000);
    const expired = await fetch(started.body.url, { redirect: 'manual' });
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toBe(
      `${t.deps.config.publicUrl}/biz/merchants/${otherMerchant.id}/payouts?onboarding=refresh`,
    );
    expect((await fetch(`${t.fakeStripe.url}/connect/onboarding/acctlink_nope`)).status).toBe(404);
    await expect(
      t.deps.stripe!.accountLinks.create({
        account: 'acct_nope',
        type: 'account_onboarding',
        refresh_url: 'https://x.test/r',
        return_url: 'https://x.test/r',
      }),
    ).rejects.toThrow('No such account');
  });

  it('operators may name an existing account, checked with Stripe; owners no longer type one', async () => {
    const existing = await t.deps.stripe!.accounts.create({ type: 'express' });
    const path = accountPath(pendingMerchant.id);
    const byOwner = await t.request('PUT', path, {
      token: pendingMerchant.owner.token,
      body: { stripeAccountId: existing.id },
    });
    expect(byOwner.status).toBe(403);
    const unknown = await t.request('PUT', path, {
      token: operator.token,
      body: { stripeAccountId: 'acct_test_nobody' },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('unknown_stripe_account');
    const malformed = await t.request('PUT', path, { token: operator.token, body: { stripeAccountId: 'x' } });
    expect(malformed.status).toBe(400);
    const saved = await t.request('PUT', path, {
      token: operator.token,
      body: { stripeAccountId: existing.id },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({
      status: 'incomplete',
      stripeAccountId: existing.id,
      detailsSubmitted: false,
      payoutsEnabled: false,
      createdVia: 'operator',
      statusAt: clock.now().toISOString(),
      mayOnboard: false,
    });
    // One Stripe account pays one organisation.
    const taken = await t.request('PUT', accountPath(otherMerchant.id), {
      token: operator.token,
      body: { stripeAccountId: existing.id },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('payout_account_in_use');
    // Named for two organisations at once: one wins, the other is told, nothing fails.
    const fresh = await t.deps.stripe!.accounts.create({ type: 'express' });
    const both = await Promise.all(
      [pendingMerchant.id, otherMerchant.id].map((id) =>
        t.request('PUT', accountPath(id), { token: operator.token, body: { stripeAccountId: fresh.id } }),
      ),
    );
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 409)!.body.error.code).toBe('payout_account_in_use');
  });
});
