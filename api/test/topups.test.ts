import { schema } from '@alliance/db';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceOf, postTransaction, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { onPostgres } from './test-db';

const clock = testClock('2026-11-30T02:00:00Z');
let t: TestApp;
let op: string;
const signer = new Stripe('sk_test_signer');

beforeAll(async () => {
  t = await createTestApp({ clock });
  op = (await t.signIn(operatorPhone)).token;
});
afterAll(() => t?.close());

/** A merchant applied for by `phone` and approved; returns its id and the owner's token. */
async function activeMerchant(phone: string, name = 'Tea House') {
  const owner = await t.signIn(phone);
  const applied = await t.request('POST', '/v1/merchants', { token: owner.token, body: { name } });
  expect(applied.status).toBe(201);
  const approved = await t.request('POST', `/v1/platform/merchants/${applied.body.id}/approve`, {
    token: op,
  });
  expect(approved.status).toBe(200);
  return { id: applied.body.id as string, token: owner.token };
}

let eventSeq = 0;
function signed(
  type: string,
  object: Record<string, unknown>,
  options: { secret?: string; ageSeconds?: number; id?: string } = {},
) {
  const payload = JSON.stringify(
    {
      id: options.id ?? `evt_test_${++eventSeq}`,
      object: 'event',
      type,
      created: 0,
      data: { object },
      livemode: false,
    },
    null,
    2,
  );
  const signature = signer.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? t.deps.config.STRIPE_WEBHOOK_SECRET,
    timestamp: Math.floor(clock.now().getTime() / 1000) - (options.ageSeconds ?? 0),
  });
  return { payload, signature };
}

function sendWebhook(event: { payload: string; signature: string }, rawBody = event.payload) {
  return t.request('POST', '/v1/webhooks/stripe', {
    rawBody,
    headers: { 'stripe-signature': event.signature },
  });
}

function completedSession(
  topup: { checkoutSessionId: string; id: string; amount: number },
  overrides: Record<string, unknown> = {},
) {
  return {
    id: topup.checkoutSessionId,
    object: 'checkout.session',
    amount_total: topup.amount,
    currency: 'cny',
    metadata: { topup_id: topup.id },
    payment_status: 'paid',
    payment_intent: null,
    status: 'complete',
    ...overrides,
  };
}

const adPoints = async (merchantId: string, token: string) =>
  (await t.request('GET', `/v1/merchants/${merchantId}`, { token })).body.adPoints as number;
const eventCount = async () => (await t.db.select().from(schema.stripeEvents)).length;
const anomalies = async () =>
  (await t.request('GET', '/v1/platform/stripe/anomalies', { token: op })).body.data as any[];

/** The merchant's prepaid money on the CNY ledger (fen). */
const prepaidFen = async (merchantId: string) =>
  (await balanceOf(t.db, accounts.merchantPrepaidMoney(merchantId))).posted;

async function expectLedgerOk() {
  const result = await verifyLedger(t.db);
  expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  expect(result.ok).toBe(true);
}

describe('top-up through Stripe Checkout, credited by the verified webhook', () => {
  let m: { id: string; token: string };
  let topup: any;

  beforeAll(async () => {
    m = await activeMerchant('+8613800000101');
  });

  it('opens a Checkout Session for 100 yuan with card, Alipay and WeChat Pay', async () => {
    const res = await t.request('POST', `/v1/merchants/${m.id}/topups`, {
      token: m.token,
      body: { amount: 10000 },
    });
    expect(res.status).toBe(201);
    topup = res.body;
    expect(topup).toMatchObject({
      id: expect.stringMatching(/^top_/),
      status: 'pending',
      amount: 10000,
      adPoints: 10000,
    });
    expect(topup.checkoutSessionId).toMatch(/^cs_test_/);
    expect(topup.checkoutUrl).toBe(`${t.fakeStripe.url}/checkout/${topup.checkoutSessionId}`);
    const session = t.fakeStripe.sessions.get(topup.checkoutSessionId)!;
    expect(session.metadata).toEqual({ topup_id: topup.id, merchant_id: m.id });
    expect(session.currency).toBe('cny');
    expect(session.amount_total).toBe(10000);
    expect(session.payment_method_types).toEqual(['card', 'alipay', 'wechat_pay']);
    expect(session.payment_method_options).toEqual({ wechat_pay: { client: 'web' } });
    // What the merchant reads on the payment page: Stripe's words in the browser's language, ours in Chinese.
    expect(session.locale).toBe('auto');
    expect(session.line_items_detail[0].price_data.product_data.name).toMatch(/ · 广告积分 100\.00$/);
    const page = await (await fetch(topup.checkoutUrl)).text();
    expect(page).toContain('广告积分 100.00');
    expect(page).toContain('支付 · Pay ¥100.00');
    expect(await adPoints(m.id, m.token)).toBe(0);
    const receipt = await t.request('GET', `/v1/merchants/${m.id}/topups/${topup.id}/receipt`, {
      token: m.token,
    });
    expect(receipt.status).toBe(409);
    expect(receipt.body.error.code).toBe('topup_not_paid');
  });

  it('refuses a signed event whose id holds U+0000 or an unpaired surrogate with 400 validation_error', async () => {
    const before = await eventCount();
    for (const id of ['evt_\u0000nul', 'evt_\ud800lone']) {
      const res = await sendWebhook(signed('customer.created', { id: 'cus_9' }, { id }));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
    expect(await eventCount()).toBe(before);
  });

  it('refuses a forged, re-serialised, stale or unsigned webhook with 400 and writes nothing', async () => {
    const before = await eventCount();
    const forged = signed('checkout.session.completed', completedSession(topup), {
      secret: 'whsec_not_ours',
    });
    const good = signed('checkout.session.completed', completedSession(topup));
    const stale = signed('checkout.session.completed', completedSession(topup), { ageSeconds: 301 });
    const future = signed('checkout.session.completed', completedSession(topup), { ageSeconds: -86_400 });
    const reserialised = JSON.stringify(JSON.parse(good.payload));
    for (const res of [
      await sendWebhook(forged),
      await sendWebhook(good, reserialised),
      await sendWebhook(stale),
      await sendWebhook(future),
      await t.request('POST', '/v1/webhooks/stripe', { rawBody: good.payload }),
      await sendWebhook(good, good.payload.replace('"amount_total": 10000', '"amount_total": 10001')),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_signature');
    }
    expect(await eventCount()).toBe(before);
    expect(await adPoints(m.id, m.token)).toBe(0);
  });

  it('accepts a signature 299 seconds old', async () => {
    const unrelated = signed('customer.created', { id: 'cus_1' }, { ageSeconds: 299 });
    const res = await sendWebhook(unrelated);
    expect(res.status).toBe(200);
    const nearFuture = signed('customer.created', { id: 'cus_2' }, { ageSeconds: -299 });
    expect((await sendWebhook(nearFuture)).status).toBe(200);
    expect(res.body).toEqual({ received: true, outcome: 'ignored' });
  });

  it('credits 100.00 ad points once, however often and by however many events it arrives', async () => {
    const prepaidBefore = await prepaidFen(m.id);
    const first = signed('checkout.session.completed', completedSession(topup));
    const res = await sendWebhook(first);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, outcome: 'credited' });
    expect(await adPoints(m.id, m.token)).toBe(10000);
    // The 100 yuan itself is on the CNY ledger too, once.
    expect(await prepaidFen(m.id)).toBe(prepaidBefore + 10000);

    const again = await sendWebhook(first);
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('duplicate_event');
    const otherEvent = await sendWebhook(signed('checkout.session.completed', completedSession(topup)));
    expect(otherEvent.status).toBe(200);
    expect(otherEvent.body.outcome).toBe('already_credited');
    const asyncEvent = await sendWebhook(
      signed('checkout.session.async_payment_succeeded', completedSession(topup)),
    );
    expect(asyncEvent.body.outcome).toBe('already_credited');
    expect(await adPoints(m.id, m.token)).toBe(10000);
    expect(await prepaidFen(m.id)).toBe(prepaidBefore + 10000);

    const got = await t.request('GET', `/v1/merchants/${m.id}/topups/${topup.id}`, { token: m.token });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: topup.id, status: 'paid', amount: 10000, adPoints: 10000 });
    const merchant = await t.request('GET', `/v1/merchants/${m.id}`, { token: m.token });
    expect(merchant.body).toMatchObject({ adPoints: 10000, vouchersActive: true, lowBalance: false });
    await expectLedgerOk();
  });

  it('lists the top-ups, shows a receipt and the balance history', async () => {
    const list = await t.request('GET', `/v1/merchants/${m.id}/topups`, { token: m.token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((x: any) => x.id)).toEqual([topup.id]);
    const receipt = await t.request('GET', `/v1/merchants/${m.id}/topups/${topup.id}/receipt`, {
      token: m.token,
    });
    expect(receipt.status).toBe(200);
    expect(receipt.body).toMatchObject({
      receiptNumber: expect.stringMatching(/^R20261130-[A-Z0-9]{10}$/),
      topupId: topup.id,
      merchant: { id: m.id, name: 'Tea House' },
      amount: 10000,
      currency: 'cny',
      adPoints: 10000,
      adPointPriceFen: 100,
      paidAt: '2026-11-30T02:00:00.000Z',
      stripe: { checkoutSessionId: topup.checkoutSessionId },
    });
    const history = await t.request('GET', `/v1/merchants/${m.id}/ad-points/history`, { token: m.token });
    expect(history.status).toBe(200);
    expect(history.body.data).toHaveLength(1);
    expect(history.body.data[0]).toMatchObject({ kind: 'topup_credit', amount: 10000, balanceAfter: 10000 });
  });

  it('records an unknown session or a mismatching amount for operators and credits nothing', async () => {
    const pending = (
      await t.request('POST', `/v1/merchants/${m.id}/topups`, { token: m.token, body: { amount: 5000 } })
    ).body;
    const unknown = await sendWebhook(
      signed(
        'checkout.session.completed',
        completedSession({ checkoutSessionId: 'cs_test_nobody', id: 'top_nobody', amount: 5000 }),
      ),
    );
    expect(unknown.status).toBe(200);
    expect(unknown.body.outcome).toBe('anomaly');
    const wrongAmount = await sendWebhook(
      signed('checkout.session.completed', completedSession({ ...pending, amount: 4999 })),
    );
    expect(wrongAmount.status).toBe(200);
    expect(wrongAmount.body.outcome).toBe('anomaly');
    const wrongMetadata = await sendWebhook(
      signed('checkout.session.completed', completedSession(pending, { metadata: { topup_id: topup.id } })),
    );
    expect(wrongMetadata.body.outcome).toBe('anomaly');
    const unpaid = await sendWebhook(
      signed('checkout.session.completed', completedSession(pending, { payment_status: 'unpaid' })),
    );
    expect(unpaid.body.outcome).toBe('ignored_unpaid');

    expect(await adPoints(m.id, m.token)).toBe(10000);
    const still = await t.request('GET', `/v1/merchants/${m.id}/topups/${pending.id}`, { token: m.token });
    expect(still.body.status).toBe('pending');
    const kinds = (await anomalies()).map((a) => [a.kind, a.topupId]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['unknown_session', null],
        ['amount_mismatch', pending.id],
        ['metadata_mismatch', pending.id],
      ]),
    );
    await expectLedgerOk();
  });

  it('an expired Checkout Session expires its top-up, which no later event credits', async () => {
    const pending = (
      await t.request('POST', `/v1/merchants/${m.id}/topups`, { token: m.token, body: { amount: 700 } })
    ).body;
    const session = {
      id: pending.checkoutSessionId,
      object: 'checkout.session',
      status: 'expired',
      metadata: {},
    };
    expect((await sendWebhook(signed('checkout.session.expired', session))).body.outcome).toBe(
      'topup_expired',
    );
    expect((await sendWebhook(signed('checkout.session.expired', session))).body.outcome).toBe('ignored');
    const late = await sendWebhook(signed('checkout.session.completed', completedSession(pending)));
    expect(late.body.outcome).toBe('anomaly');
    expect(await adPoints(m.id, m.token)).toBe(10000);
    const got = await t.request('GET', `/v1/merchants/${m.id}/topups/${pending.id}`, { token: m.token });
    expect(got.body.status).toBe('expired');
    expect((await anomalies()).map((a) => [a.kind, a.topupId])).toContainEqual([
      'completed_after_expiry',
      pending.id,
    ]);
  });

  it('records a refund or dispute of an unknown charge, and refuses a signed non-event', async () => {
    const refund = await sendWebhook(
      signed('charge.refunded', {
        id: 'ch_test_unknown',
        object: 'charge',
        amount: 500,
        amount_refunded: 500,
        currency: 'cny',
        payment_intent: 'pi_test_unknown',
        metadata: {},
      }),
    );
    expect(refund.status).toBe(200);
    expect(refund.body.outcome).toBe('anomaly');
    expect((await anomalies()).map((a) => [a.kind, a.detail.objectId])).toContainEqual([
      'unknown_charge',
      'ch_test_unknown',
    ]);

    const before = await eventCount();
    const payload = JSON.stringify({ id: 'evt_shapeless', type: 'checkout.session.completed' });
    const signature = signer.webhooks.generateTestHeaderString({
      payload,
      secret: t.deps.config.STRIPE_WEBHOOK_SECRET,
      timestamp: Math.floor(clock.now().getTime() / 1000),
    });
    const shapeless = await sendWebhook({ payload, signature });
    expect(shapeless.status).toBe(400);
    expect(shapeless.body.error.code).toBe('invalid_event');
    expect(await eventCount()).toBe(before);
  });

  it('replays a top-up request with the same Idempotency-Key and refuses the key with another body', async () => {
    const headers = { 'idempotency-key': 'topup-once-1' };
    const first = await t.request('POST', `/v1/merchants/${m.id}/topups`, {
      token: m.token,
      body: { amount: 300 },
      headers,
    });
    const again = await t.request('POST', `/v1/merchants/${m.id}/topups`, {
      token: m.token,
      body: { amount: 300 },
      headers,
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const other = await t.request('POST', `/v1/merchants/${m.id}/topups`, {
      token: m.token,
      body: { amount: 400 },
      headers,
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    const rows = (await t.db.select().from(schema.topups)).filter(
      (r) => r.amountFen === 300 && r.merchantId === m.id,
    );
    expect(rows).toHaveLength(1);
  });

  it('refuses the anomaly list to a consumer (403) and to anonymous callers (401)', async () => {
    const consumer = await t.signIn('+8613800000199');
    expect((await t.request('GET', '/v1/platform/stripe/anomalies', { token: consumer.token })).status).toBe(
      403,
    );
    expect((await t.request('GET', '/v1/platform/stripe/anomalies')).status).toBe(401);
  });
});

describe('top-up input and state rules', () => {
  it('refuses amounts under 100 fen (422), strings (400), and merchants not active (409)', async () => {
    const m = await activeMerchant('+8613800000111');
    for (const amount of [99, 0, -100]) {
      const res = await t.request('POST', `/v1/merchants/${m.id}/topups`, {
        token: m.token,
        body: { amount },
      });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('amount_too_small');
    }
    const text = await t.request('POST', `/v1/merchants/${m.id}/topups`, {
      token: m.token,
      body: { amount: '10000' },
    });
    expect(text.status).toBe(400);
    expect(text.body.error.code).toBe('validation_error');
    const ok = await t.request('POST', `/v1/merchants/${m.id}/topups`, {
      token: m.token,
      body: { amount: 100 },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.adPoints).toBe(100);

    const pendingOwner = await t.signIn('+8613800000112');
    const pending = await t.request('POST', '/v1/merchants', {
      token: pendingOwner.token,
      body: { name: 'Not yet' },
    });
    const refused = await t.request('POST', `/v1/merchants/${pending.body.id}/topups`, {
      token: pendingOwner.token,
      body: { amount: 10000 },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('merchant_not_active');
    expect((await t.db.select().from(schema.topups)).filter((r) => r.merchantId === pending.body.id)).toEqual(
      [],
    );
  });

  it("gives another merchant's staff, consumers and anonymous callers nothing of this merchant", async () => {
    const a = await activeMerchant('+8613800000121', 'A');
    const b = await activeMerchant('+8613800000122', 'B');
    const topup = (
      await t.request('POST', `/v1/merchants/${a.id}/topups`, { token: a.token, body: { amount: 1000 } })
    ).body;
    const consumer = await t.signIn('+8613800000123');
    for (const token of [b.token, consumer.token]) {
      for (const [method, path, body] of [
        ['GET', `/v1/merchants/${a.id}`],
        ['GET', `/v1/merchants/${a.id}/topups`],
        ['GET', `/v1/merchants/${a.id}/topups/${topup.id}`],
        ['GET', `/v1/merchants/${a.id}/topups/${topup.id}/receipt`],
        ['GET', `/v1/merchants/${a.id}/ad-points/history`],
        ['POST', `/v1/merchants/${a.id}/topups`, { amount: 1000 }],
        ['GET', `/v1/merchants/${b.id}/topups/${topup.id}`],
      ] as const) {
        const res = await t.request(method, path, { token, body });
        expect([path, res.status]).toEqual([path, 404]);
      }
    }
    expect((await t.request('GET', `/v1/merchants/${a.id}/topups`)).status).toBe(401);
    expect((await t.request('POST', `/v1/merchants/${a.id}/topups`, { body: { amount: 1000 } })).status).toBe(
      401,
    );
    // Operators may read.
    expect((await t.request('GET', `/v1/merchants/${a.id}/topups/${topup.id}`, { token: op })).status).toBe(
      200,
    );
  });
});

describe('the fake Stripe checkout page, refunds and disputes', () => {
  let m: { id: string; token: string };

  beforeAll(async () => {
    m = await activeMerchant('+8613800000131', 'Noodle Bar');
  });

  async function paidThroughFake(amount: number, method = 'alipay') {
    const topup = (
      await t.request('POST', `/v1/merchants/${m.id}/topups`, { token: m.token, body: { amount } })
    ).body;
    const page = await fetch(topup.checkoutUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="pay"');
    const pay = await fetch(`${topup.checkoutUrl}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `method=${method}`,
      redirect: 'manual',
    });
    expect(pay.status).toBe(303);
    expect(pay.headers.get('location')).toBe(
      `${t.deps.config.publicUrl}/biz/merchants/${m.id}/topups/${topup.id}?checkout=success`,
    );
    expect(t.fakeStripe.deliveries.at(-1)).toMatchObject({ type: 'checkout.session.completed', status: 200 });
    return topup;
  }

  /** Ad points spent on sales, as the sales flow would debit them. */
  async function spend(amount: number, key: string) {
    await postTransaction(t.db, {
      key,
      kind: 'test_spend',
      transfers: [
        { debit: accounts.merchantAdPoints(m.id), credit: accounts.platformAdPointsRevenue(), amount },
      ],
    });
  }

  it('pays through the checkout page: a signed webhook credits the points and the receipt names the method', async () => {
    const topup = await paidThroughFake(10000, 'wechat_pay');
    expect(await adPoints(m.id, m.token)).toBe(10000);
    const receipt = await t.request('GET', `/v1/merchants/${m.id}/topups/${topup.id}/receipt`, {
      token: m.token,
    });
    expect(receipt.status).toBe(200);
    expect(receipt.body.paymentMethod).toBe('wechat_pay');
    expect(receipt.body.stripe.paymentIntentId).toMatch(/^pi_test_/);
    expect(receipt.body.stripe.chargeId).toMatch(/^ch_test_/);
    // Paying again on the page changes nothing.
    await fetch(`${topup.checkoutUrl}/pay`, { method: 'POST', redirect: 'manual' });
    expect(await adPoints(m.id, m.token)).toBe(10000);
  });

  it('a refund after partial spending takes back only what is left, never below zero, and tells operators', async () => {
    const topup = await paidThroughFake(10000);
    expect(await adPoints(m.id, m.token)).toBe(20000);
    const prepaidBefore = await prepaidFen(m.id);
    await spend(12000, 'test:spend:1');
    expect(await adPoints(m.id, m.token)).toBe(8000);

    // Half refunded: 50.00 points due, 80.00 available.
    await t.deps.stripe!.refunds.create({
      payment_intent: t.fakeStripe.sessions.get(topup.checkoutSessionId)!.payment_intent,
      amount: 5000,
    });
    expect(await adPoints(m.id, m.token)).toBe(3000);
    expect(await prepaidFen(m.id)).toBe(prepaidBefore - 5000);
    let got = (await t.request('GET', `/v1/merchants/${m.id}/topups/${topup.id}`, { token: m.token })).body;
    expect(got).toMatchObject({
      status: 'partially_refunded',
      refunded: 5000,
      adPointsReversed: 5000,
      adPointsUnrecovered: 0,
    });

    await spend(2000, 'test:spend:2');
    // The rest refunded: 50.00 more due, only 10.00 left.
    await t.deps.stripe!.refunds.create({
      payment_intent: t.fakeStripe.sessions.get(topup.checkoutSessionId)!.payment_intent,
    });
    expect(await adPoints(m.id, m.token)).toBe(0);
    got = (await t.request('GET', `/v1/merchants/${m.id}/topups/${topup.id}`, { token: m.token })).body;
    expect(got).toMatchObject({
      status: 'refunded',
      refunded: 10000,
      adPointsReversed: 6000,
      adPointsUnrecovered: 4000,
    });
    const merchant = (await t.request('GET', `/v1/merchants/${m.id}`, { token: m.token })).body;
    expect(merchant).toMatchObject({ adPoints: 0, vouchersActive: false, lowBalance: true });
    const shortfall = (await anomalies()).find(
      (a) => a.kind === 'points_unrecovered' && a.topupId === topup.id,
    );
    expect(shortfall.detail).toEqual({
      returnedFen: 10000,
      adPointsDue: 5000,
      adPointsTaken: 1000,
      adPointsUnrecovered: 4000,
    });

    // The same charge state again, under a new event id, changes nothing.
    const paymentIntent = t.fakeStripe.sessions.get(topup.checkoutSessionId)!.payment_intent;
    const charge = [...t.fakeStripe.charges.values()].find((c) => c.payment_intent === paymentIntent)!;
    const replay = await sendWebhook(signed('charge.refunded', { ...charge }));
    expect(replay.body.outcome).toBe('no_change');
    expect(await adPoints(m.id, m.token)).toBe(0);
    // All the money went back, once, even though 40.00 points had been spent.
    expect(await prepaidFen(m.id)).toBe(prepaidBefore - 10000);
    await expectLedgerOk();
  });

  it('a lost dispute takes back the points it paid for, once', async () => {
    const topup = await paidThroughFake(4000, 'card');
    expect(await adPoints(m.id, m.token)).toBe(4000);
    const prepaidBefore = await prepaidFen(m.id);
    const paid = (
      await t.request('GET', `/v1/merchants/${m.id}/topups/${topup.id}/receipt`, { token: m.token })
    ).body;
    const dispute = {
      id: 'dp_test_1',
      object: 'dispute',
      amount: 4000,
      currency: 'cny',
      charge: paid.stripe.chargeId,
      payment_intent: paid.stripe.paymentIntentId,
      status: 'lost',
      metadata: {},
    };
    const won = await sendWebhook(
      signed('charge.dispute.closed', { ...dispute, id: 'dp_test_0', status: 'won' }),
    );
    expect(won.body.outcome).toBe('dispute_not_lost');
    expect((await sendWebhook(signed('charge.dispute.closed', dispute))).body.outcome).toBe('dispute_lost');
    expect((await sendWebhook(signed('charge.dispute.closed', dispute))).body.outcome).toBe(
      'duplicate_dispute',
    );
    expect(await adPoints(m.id, m.token)).toBe(0);
    expect(await prepaidFen(m.id)).toBe(prepaidBefore - 4000);
    const got = (await t.request('GET', `/v1/merchants/${m.id}/topups/${topup.id}`, { token: m.token })).body;
    expect(got).toMatchObject({
      status: 'refunded',
      refunded: 4000,
      adPointsReversed: 4000,
      adPointsUnrecovered: 0,
    });
    await expectLedgerOk();
  });

  it('a refund that arrives before the completion is applied when the completion arrives', async () => {
    const topup = (
      await t.request('POST', `/v1/merchants/${m.id}/topups`, { token: m.token, body: { amount: 2000 } })
    ).body;
    const charge = {
      id: 'ch_test_early',
      object: 'charge',
      amount: 2000,
      amount_refunded: 500,
      currency: 'cny',
      payment_intent: 'pi_test_early',
      metadata: { topup_id: topup.id },
    };
    expect((await sendWebhook(signed('charge.refunded', charge))).body.outcome).toBe(
      'recorded_before_credit',
    );
    expect(await adPoints(m.id, m.token)).toBe(0);
    const completed = completedSession(topup, { payment_intent: 'pi_test_early' });
    expect((await sendWebhook(signed('checkout.session.completed', completed))).body.outcome).toBe(
      'credited',
    );
    expect(await adPoints(m.id, m.token)).toBe(1500);
    const got = (await t.request('GET', `/v1/merchants/${m.id}/topups/${topup.id}`, { token: m.token })).body;
    expect(got).toMatchObject({ status: 'partially_refunded', refunded: 500, adPointsReversed: 500 });
    await expectLedgerOk();
  });
});

// PGlite runs one query at a time, so only real PostgreSQL can show two deliveries racing.
describe.skipIf(!onPostgres)('concurrent deliveries (PostgreSQL)', () => {
  it('credits once when several events for one session, and one event twice, arrive at the same time', async () => {
    const m = await activeMerchant('+8613800000141', 'Race Cafe');
    const topup = (
      await t.request('POST', `/v1/merchants/${m.id}/topups`, { token: m.token, body: { amount: 3000 } })
    ).body;
    const events = Array.from({ length: 4 }, () =>
      signed('checkout.session.completed', completedSession(topup)),
    );
    const responses = await Promise.all([...events, events[0]!, events[1]!].map((e) => sendWebhook(e)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(responses.filter((r) => r.body.outcome === 'credited')).toHaveLength(1);
    expect(await adPoints(m.id, m.token)).toBe(3000);
    await expectLedgerOk();
  });
});
