/**
 * A small fake Stripe on loopback: the embedded default when STRIPE_SECRET_KEY is unset, and the
 * tests' Stripe. It implements only the calls the platform makes, speaks the SDK's form-encoded
 * bodies, and its checkout page lets a person pay so that a correctly signed webhook arrives, as
 * with the real Stripe. The platform's code does not know which Stripe it talks to.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { formatHundredths } from '../services/rounding';

export const fakeStripeSecretKey = 'sk_test_embedded_fake_stripe';

export interface WebhookDelivery {
  eventId: string;
  type: string;
  status: number;
}

export interface FakeStripeOptions {
  webhookSecret: string;
  /** Hands a signed event to the platform: an HTTP POST in the server, app.request in tests. */
  deliver: (rawBody: string, signature: string) => Promise<number>;
  now?: () => Date;
  /**
   * Where people open the checkout page: the server mounts the fake's pages under its own port
   * (`<public URL>/_stripe`), so a proxy or port-forward in front of it works. Default: the fake's own address.
   */
  pageBase?: () => string;
}

// biome-ignore lint/suspicious/noExplicitAny: Stripe's objects and form bodies are free-form JSON here.
type Obj = Record<string, any>;

export interface FakeStripe {
  url: string;
  host: string;
  port: number;
  /** Delivers an event the fake builds, signed like Stripe does (disputes, replays in tests). */
  sendEvent(type: string, object: Obj): Promise<WebhookDelivery>;
  /**
   * Pays an open session as its checkout page does; `deliver: false` keeps the webhook back (a
   * payment Stripe took whose event never reached the platform).
   */
  pay(sessionId: string, options?: { method?: string; deliver?: boolean }): Promise<void>;
  /** Closes a dispute of a charge the fake holds (lost unless said) and delivers `charge.dispute.closed`. */
  closeDispute(
    chargeId: string,
    options: { amount: number; id?: string; status?: 'lost' | 'won' },
  ): Promise<WebhookDelivery>;
  sessions: Map<string, Obj>;
  charges: Map<string, Obj>;
  refunds: Map<string, Obj>;
  /** Disputes, as the events the fake sent last described them (`GET /v1/disputes`, `/v1/disputes/:id`). */
  disputes: Map<string, Obj>;
  /** Connected accounts (`POST /v1/accounts`) and their onboarding links (`POST /v1/account_links`). */
  accounts: Map<string, Obj>;
  accountLinks: Map<string, Obj>;
  deliveries: WebhookDelivery[];
  close(): Promise<void>;
}

const stripeSigner = new Stripe(fakeStripeSecretKey);
const fakeId = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('hex')}`;

export async function startFakeStripe(options: FakeStripeOptions): Promise<FakeStripe> {
  const now = options.now ?? (() => new Date());
  const seconds = () => Math.floor(now().getTime() / 1000);
  const sessions = new Map<string, Obj>();
  const paymentIntents = new Map<string, Obj>();
  const charges = new Map<string, Obj>();
  const refunds = new Map<string, Obj>();
  const disputes = new Map<string, Obj>();
  const accounts = new Map<string, Obj>();
  const accountLinks = new Map<string, Obj>();
  /** Answers already given to a POST with an Idempotency-Key, as Stripe replays them. */
  const idempotentAnswers = new Map<string, Obj>();
  const deliveries: WebhookDelivery[] = [];
  let base = '';

  async function sendEvent(type: string, object: Obj): Promise<WebhookDelivery> {
    if (object.object === 'dispute') disputes.set(object.id, { created: seconds(), ...object });
    const event = {
      id: fakeId('evt'),
      object: 'event',
      api_version: '2025-01-01',
      created: seconds(),
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    const payload = JSON.stringify(event, null, 2);
    const signature = stripeSigner.webhooks.generateTestHeaderString({
      payload,
      secret: options.webhookSecret,
      timestamp: seconds(),
    });
    let status = 0;
    try {
      status = await options.deliver(payload, signature);
    } catch {
      status = 0;
    }
    const delivery = { eventId: event.id, type, status };
    deliveries.push(delivery);
    return delivery;
  }

  function createSession(params: Obj): Obj {
    const items: Obj[] = Array.isArray(params.line_items) ? params.line_items : [];
    if (params.mode !== 'payment') throw stripeError('mode must be payment', 'mode');
    if (!params.success_url) throw stripeError('success_url is required', 'success_url');
    if (items.length === 0) throw stripeError('line_items is required', 'line_items');
    let amountTotal = 0;
    let currency = '';
    for (const item of items) {
      const unit = Number(item.price_data?.unit_amount);
      const quantity = Number(item.quantity ?? 1);
      if (!Number.isInteger(unit) || unit < 1 || !Number.isInteger(quantity) || quantity < 1) {
        throw stripeError('line_items need integer unit_amount and quantity', 'line_items');
      }
      currency = String(item.price_data.currency ?? '');
      amountTotal += unit * quantity;
    }
    const id = fakeId('cs');
    const session = {
      id,
      object: 'checkout.session',
      amount_subtotal: amountTotal,
      amount_total: amountTotal,
      cancel_url: params.cancel_url ?? null,
      client_reference_id: params.client_reference_id ?? null,
      created: seconds(),
      currency,
      expires_at: seconds() + 24 * 3600,
      line_items_detail: items,
      livemode: false,
      locale: params.locale ?? null,
      metadata: params.metadata ?? {},
      mode: 'payment',
      payment_intent: null,
      payment_intent_data: params.payment_intent_data ?? {},
      payment_method_options: params.payment_method_options ?? {},
      allowed_payment_method_types: params.allowed_payment_method_types ?? null,
      payment_method_types: params.allowed_payment_method_types ?? params.payment_method_types ?? ['card'],
      payment_status: 'unpaid',
      status: 'open',
      success_url: params.success_url,
      transfer_group: params.payment_intent_data?.transfer_group ?? null,
      url: `${options.pageBase?.() ?? base}/checkout/${id}`,
    };
    sessions.set(id, session);
    return session;
  }

  async function pay(session: Obj, method: string, deliver = true): Promise<void> {
    const paymentIntentId = fakeId('pi');
    const chargeId = fakeId('ch');
    const metadata = session.payment_intent_data?.metadata ?? {};
    charges.set(chargeId, {
      id: chargeId,
      object: 'charge',
      amount: session.amount_total,
      amount_captured: session.amount_total,
      amount_refunded: 0,
      currency: session.currency,
      created: seconds(),
      metadata,
      paid: true,
      payment_intent: paymentIntentId,
      payment_method_details: { type: method },
      refunded: false,
      status: 'succeeded',
      transfer_group: session.transfer_group,
    });
    paymentIntents.set(paymentIntentId, {
      id: paymentIntentId,
      object: 'payment_intent',
      amount: session.amount_total,
      currency: session.currency,
      latest_charge: chargeId,
      metadata,
      status: 'succeeded',
    });
    session.status = 'complete';
    session.payment_status = 'paid';
    session.payment_intent = paymentIntentId;
    const { line_items_detail: _items, payment_intent_data: _pid, ...publicSession } = session;
    if (deliver) await sendEvent('checkout.session.completed', publicSession);
  }

  async function refund(params: Obj): Promise<Obj> {
    const chargeId = params.charge ?? paymentIntents.get(params.payment_intent)?.latest_charge;
    const charge = chargeId ? charges.get(chargeId) : undefined;
    if (!charge)
      throw stripeError('No such charge or payment intent', params.charge ? 'charge' : 'payment_intent');
    const left = charge.amount - charge.amount_refunded;
    const amount = params.amount === undefined ? left : Number(params.amount);
    if (!Number.isInteger(amount) || amount < 1 || amount > left) {
      throw stripeError(`Refund amount must be between 1 and ${left}`, 'amount');
    }
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    const refundObject = {
      id: fakeId('re'),
      object: 'refund',
      amount,
      charge: charge.id,
      currency: charge.currency,
      payment_intent: charge.payment_intent,
      status: 'succeeded',
      created: seconds(),
    };
    refunds.set(refundObject.id, refundObject);
    await sendEvent('charge.refunded', { ...charge });
    return refundObject;
  }

  /**
   * Stripe's list shape: newest first, `created[gt|gte|lt|lte]` filters, `limit` (1-100, default
   * 10), `starting_after` an object id of the previous page, `has_more`.
   */
  function list(url: string, objects: Map<string, Obj>, params: Obj): Obj {
    const created: Obj = typeof params.created === 'object' && params.created ? params.created : {};
    const bound = (name: string): number | null =>
      created[name] === undefined ? null : Number(created[name]);
    const [gt, gte, lt, lte] = [bound('gt'), bound('gte'), bound('lt'), bound('lte')];
    const limit = params.limit === undefined ? 10 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw stripeError('limit must be 1 to 100', 'limit');
    // Insertion order breaks ties between objects created in the same second, as Stripe's ids do.
    let all = [...objects.values()]
      .map((object, order) => ({ object, order }))
      .filter(
        ({ object: o }) =>
          (gt === null || o.created > gt) &&
          (gte === null || o.created >= gte) &&
          (lt === null || o.created < lt) &&
          (lte === null || o.created <= lte),
      )
      .sort((a, b) => b.object.created - a.object.created || b.order - a.order)
      .map(({ object }) => object);
    if (params.starting_after) {
      const at = all.findIndex((o) => o.id === params.starting_after);
      if (at < 0) throw stripeError('No such object for starting_after', 'starting_after');
      all = all.slice(at + 1);
    }
    return { object: 'list', url, data: all.slice(0, limit), has_more: all.length > limit };
  }

  /** Stripe's rules: an existing account, onboarding type, both URLs; the link lives 300 s and opens once. */
  function createAccountLink(params: Obj): Obj {
    if (!accounts.has(params.account)) throw stripeError('No such account', 'account');
    if (params.type !== 'account_onboarding') throw stripeError('type must be account_onboarding', 'type');
    for (const name of ['refresh_url', 'return_url']) {
      if (!params[name]) throw stripeError(`${name} is required`, name);
    }
    const id = fakeId('acctlink');
    const link = {
      object: 'account_link',
      created: seconds(),
      expires_at: seconds() + 300,
      url: `${options.pageBase?.() ?? base}/connect/onboarding/${id}`,
      // Kept by the fake only, not part of Stripe's answer.
      id,
      account: params.account,
      refresh_url: params.refresh_url,
      return_url: params.return_url,
      visited: false,
    };
    accountLinks.set(id, link);
    const { id: _id, account: _account, refresh_url: _r, return_url: _ret, visited: _v, ...answer } = link;
    return answer;
  }

  /** The hosted form was completed: the account can take transfers and pay out; Stripe says so by webhook. */
  async function completeOnboarding(account: Obj): Promise<void> {
    account.details_submitted = true;
    account.charges_enabled = true;
    account.payouts_enabled = true;
    account.capabilities = Object.fromEntries(Object.keys(account.capabilities).map((c) => [c, 'active']));
    await sendEvent('account.updated', { ...account });
  }

  async function api(method: string, path: string, params: Obj): Promise<Obj> {
    if (method === 'POST' && path === '/v1/checkout/sessions') return createSession(params);
    const sessionMatch = /^\/v1\/checkout\/sessions\/([\w-]+)$/.exec(path);
    if (method === 'GET' && sessionMatch) {
      const session = sessions.get(sessionMatch[1]!);
      if (!session) throw stripeError('No such checkout session', 'id', 404);
      return publicSession(session);
    }
    const expireMatch = /^\/v1\/checkout\/sessions\/([\w-]+)\/expire$/.exec(path);
    if (method === 'POST' && expireMatch) {
      const session = sessions.get(expireMatch[1]!);
      if (!session) throw stripeError('No such checkout session', 'id', 404);
      if (session.status !== 'open') {
        throw stripeError('Only Checkout Sessions with a status of open can be expired.', 'session');
      }
      session.status = 'expired';
      return publicSession(session);
    }
    const intentMatch = /^\/v1\/payment_intents\/([\w-]+)$/.exec(path);
    if (method === 'GET' && intentMatch) {
      const intent = paymentIntents.get(intentMatch[1]!);
      if (!intent) throw stripeError('No such payment intent', 'id', 404);
      const expand: string[] = Array.isArray(params.expand) ? params.expand : [];
      return expand.includes('latest_charge')
        ? { ...intent, latest_charge: charges.get(intent.latest_charge) }
        : intent;
    }
    if (method === 'POST' && path === '/v1/refunds') return refund(params);
    if (method === 'GET' && path === '/v1/charges') return list('/v1/charges', charges, params);
    const chargeMatch = /^\/v1\/charges\/([\w-]+)$/.exec(path);
    if (method === 'GET' && chargeMatch) {
      const charge = charges.get(chargeMatch[1]!);
      if (!charge) throw stripeError('No such charge', 'id', 404);
      return charge;
    }
    if (method === 'GET' && path === '/v1/refunds') return list('/v1/refunds', refunds, params);
    if (method === 'GET' && path === '/v1/disputes') return list('/v1/disputes', disputes, params);
    const disputeMatch = /^\/v1\/disputes\/([\w-]+)$/.exec(path);
    if (method === 'GET' && disputeMatch) {
      const dispute = disputes.get(disputeMatch[1]!);
      if (!dispute) throw stripeError('No such dispute', 'id', 404);
      return dispute;
    }
    if (method === 'POST' && path === '/v1/transfers') {
      const amount = Number(params.amount);
      if (!Number.isInteger(amount) || amount < 1)
        throw stripeError('amount must be a positive integer', 'amount');
      if (!params.destination) throw stripeError('destination is required', 'destination');
      return {
        id: fakeId('tr'),
        object: 'transfer',
        amount,
        currency: params.currency ?? 'cny',
        destination: params.destination,
        transfer_group: params.transfer_group ?? null,
        metadata: params.metadata ?? {},
        created: seconds(),
      };
    }
    if (method === 'POST' && path === '/v1/accounts') {
      const account = {
        id: fakeId('acct'),
        object: 'account',
        type: params.type ?? 'express',
        capabilities: Object.fromEntries(Object.keys(params.capabilities ?? {}).map((c) => [c, 'inactive'])),
        charges_enabled: false,
        payouts_enabled: false,
        details_submitted: false,
        created: seconds(),
        metadata: params.metadata ?? {},
      };
      accounts.set(account.id, account);
      return account;
    }
    if (method === 'POST' && path === '/v1/account_links') return createAccountLink(params);
    const accountMatch = /^\/v1\/accounts\/([\w-]+)$/.exec(path);
    if (method === 'GET' && accountMatch) {
      const account = accounts.get(accountMatch[1]!);
      if (!account) throw stripeError('No such account', 'id', 404);
      return account;
    }
    throw stripeError(`The fake Stripe does not implement ${method} ${path}`, undefined, 404);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', base);
    const body = await readBody(req);
    if (url.pathname.startsWith('/v1/')) {
      const params = req.method === 'GET' ? parseForm(url.searchParams.toString()) : parseForm(body);
      const idempotencyKey = req.method === 'POST' ? req.headers['idempotency-key'] : undefined;
      const replayKey = typeof idempotencyKey === 'string' ? `${url.pathname} ${idempotencyKey}` : null;
      try {
        const known = replayKey ? idempotentAnswers.get(replayKey) : undefined;
        const answer = known ?? (await api(req.method ?? 'GET', url.pathname, params));
        // A snapshot, as Stripe replays the first answer, not the object's state now.
        if (replayKey && !known) idempotentAnswers.set(replayKey, structuredClone(answer));
        sendJson(res, 200, answer);
      } catch (error) {
        const e = error as FakeStripeError;
        sendJson(res, e.status ?? 500, {
          error: { type: 'invalid_request_error', message: e.message, param: e.param },
        });
      }
      return;
    }
    const onboarding = /^\/connect\/onboarding\/([\w-]+)(\/complete|\/later)?$/.exec(url.pathname);
    if (onboarding) {
      await onboardingPage(req.method ?? 'GET', onboarding[1]!, onboarding[2], res);
      return;
    }
    const page = /^\/checkout\/([\w-]+)(\/pay|\/cancel)?$/.exec(url.pathname);
    const session = page ? sessions.get(page[1]!) : undefined;
    if (!page || !session) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('No such checkout session');
      return;
    }
    if (req.method === 'GET' && !page[2]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(checkoutPage(session));
      return;
    }
    if (req.method === 'POST' && page[2] === '/pay') {
      if (session.status === 'open') {
        const method = new URLSearchParams(body).get('method') ?? 'card';
        const allowed: string[] = session.payment_method_types;
        await pay(session, allowed.includes(method) ? method : (allowed[0] ?? 'card'));
      }
      redirect(res, session.success_url, session.id);
      return;
    }
    if (req.method === 'POST' && page[2] === '/cancel') {
      redirect(res, session.cancel_url ?? session.success_url, session.id);
      return;
    }
    res.writeHead(405, { 'content-type': 'text/plain' }).end('Method not allowed');
  }

  /**
   * The hosted onboarding form. Like Stripe, an expired or already opened link sends the person to
   * refresh_url (where the platform makes a new link); the form's answers go back to return_url,
   * whether finished or left for later.
   */
  async function onboardingPage(
    method: string,
    linkId: string,
    action: string | undefined,
    res: ServerResponse,
  ) {
    const link = accountLinks.get(linkId);
    if (!link) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('No such account link');
      return;
    }
    const account = accounts.get(link.account)!;
    if (method === 'GET' && !action) {
      if (link.visited || link.expires_at < seconds()) {
        res.writeHead(303, { location: link.refresh_url }).end();
        return;
      }
      link.visited = true;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(onboardingForm(link, account));
      return;
    }
    if (method === 'POST' && action === '/complete') {
      if (!account.details_submitted) await completeOnboarding(account);
      res.writeHead(303, { location: link.return_url }).end();
      return;
    }
    if (method === 'POST' && action === '/later') {
      res.writeHead(303, { location: link.return_url }).end();
      return;
    }
    res.writeHead(405, { 'content-type': 'text/plain' }).end('Method not allowed');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    host: '127.0.0.1',
    port,
    sendEvent,
    pay: async (sessionId, payOptions = {}) => {
      const session = sessions.get(sessionId);
      if (!session) throw new Error(`No such checkout session ${sessionId}`);
      if (session.status !== 'open') throw new Error(`Checkout session ${sessionId} is ${session.status}`);
      const allowed: string[] = session.payment_method_types;
      const method =
        payOptions.method && allowed.includes(payOptions.method) ? payOptions.method : (allowed[0] ?? 'card');
      await pay(session, method, payOptions.deliver ?? true);
    },
    closeDispute: (chargeId, dispute) => {
      const charge = charges.get(chargeId);
      if (!charge) throw new Error(`No such charge ${chargeId}`);
      return sendEvent('charge.dispute.closed', {
        id: dispute.id ?? fakeId('dp'),
        object: 'dispute',
        amount: dispute.amount,
        currency: charge.currency,
        charge: charge.id,
        payment_intent: charge.payment_intent,
        status: dispute.status ?? 'lost',
        metadata: {},
      });
    },
    sessions,
    charges,
    refunds,
    disputes,
    accounts,
    accountLinks,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface FakeStripeError extends Error {
  status?: number;
  param?: string;
}

/** A session as Stripe's API shows it, without what the fake keeps for its own page. */
function publicSession(session: Obj): Obj {
  const { line_items_detail: _items, payment_intent_data: _pid, ...shown } = session;
  return shown;
}

function stripeError(message: string, param?: string, status = 400): FakeStripeError {
  return Object.assign(new Error(message), { status, param });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1024 * 1024) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res
    .writeHead(status, { 'content-type': 'application/json', 'request-id': fakeId('req') })
    .end(JSON.stringify(body));
}

function redirect(res: ServerResponse, target: string, sessionId: string) {
  res.writeHead(303, { location: target.replace('{CHECKOUT_SESSION_ID}', sessionId) }).end();
}

/**
 * The SDK's form encoding (`metadata[topup_id]=…`, `line_items[0][quantity]=1`) back into objects;
 * keys that are all digits make arrays.
 */
export function parseForm(body: string): Obj {
  const root: Obj = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.split(/\[|\]\[|\]/).filter((part) => part !== '');
    let node: Obj = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) {
        node[part] = value;
      } else {
        node[part] ??= /^\d+$/.test(path[i + 1]!) ? [] : {};
        node = node[part];
      }
    });
  }
  return root;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

/** The look of Stripe's hosted pages: a summary column and an action column, one column on a phone. */
const hostedPageStyle = `
*{box-sizing:border-box}body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"PingFang SC","Microsoft YaHei",sans-serif;color:#1a1f36;background:#f6f9fc}
.wrap{display:grid;grid-template-columns:1fr 1fr;min-height:100vh}
.summary{background:#fff;padding:48px 40px;border-right:1px solid #e3e8ee}.pay{padding:48px 40px;max-width:460px}
.badge{display:inline-block;background:#ffde92;color:#8a5300;font-size:12px;font-weight:600;border-radius:4px;padding:2px 8px;margin-bottom:24px}
h1{font-size:16px;color:#697386;font-weight:500;margin:0 0 6px}.amount{font-size:36px;font-weight:600;margin:0 0 28px}
ul{list-style:none;padding:0;margin:0;border-top:1px solid #e3e8ee}li{display:flex;justify-content:space-between;padding:12px 0;border-bottom:1px solid #e3e8ee;font-size:14px}
small{color:#697386}.total{display:flex;justify-content:space-between;font-weight:600;padding-top:12px}
h2{font-size:18px;margin:0 0 16px}.method{display:flex;align-items:center;gap:10px;border:1px solid #e3e8ee;background:#fff;border-radius:6px;padding:14px;margin-bottom:8px;cursor:pointer;font-size:15px}
.method:has(input:checked){border-color:#635bff;box-shadow:0 0 0 1px #635bff}
#pay,#complete{width:100%;background:#635bff;color:#fff;border:0;border-radius:6px;padding:14px;font-size:16px;font-weight:600;margin-top:12px;cursor:pointer}
#cancel,#later{width:100%;background:none;border:0;color:#697386;padding:12px;font-size:14px;cursor:pointer;text-decoration:underline}
.note{color:#697386;font-size:12px;margin-top:24px;text-align:center}
@media (max-width:760px){.wrap{grid-template-columns:1fr}.summary{border-right:0;border-bottom:1px solid #e3e8ee;padding:28px 20px}.pay{padding:28px 20px;max-width:none}}
.amount small{display:block;font-size:18px;font-weight:500;margin-top:4px}.fields{background:#fff;border:1px solid #e3e8ee;border-radius:6px;padding:4px 14px;margin:0 0 16px}.fields p{display:flex;justify-content:space-between;gap:12px;margin:0;padding:10px 0;border-bottom:1px solid #e3e8ee;font-size:14px}.fields p:last-child{border-bottom:0}
`;

/**
 * The hosted checkout page, laid out like a real one: order summary, payment method, pay. In Chinese
 * and English, as the onboarding form, since the real page follows the payer's browser language.
 */
function checkoutPage(session: Obj): string {
  const items: Obj[] = session.line_items_detail ?? [];
  const title = escapeHtml(String(items[0]?.price_data?.product_data?.name ?? '付款 · Payment'));
  const yuan = formatHundredths(session.amount_total);
  const labels: Record<string, string> = {
    card: '银行卡 · Card',
    alipay: '支付宝 · Alipay',
    wechat_pay: '微信支付 · WeChat Pay',
  };
  const statusWords: Record<string, string> = { complete: '已支付 · paid', expired: '已失效 · expired' };
  const lines = items
    .map((item) => {
      const name = escapeHtml(String(item.price_data?.product_data?.name ?? ''));
      const quantity = Number(item.quantity ?? 1);
      const amount = formatHundredths(Number(item.price_data?.unit_amount ?? 0) * quantity);
      return `<li><span>${name}${quantity > 1 ? ` <small>× ${quantity}</small>` : ''}</span><span>¥${amount}</span></li>`;
    })
    .join('');
  const methods = (session.payment_method_types as string[])
    .map(
      (m, i) =>
        `<label class="method"><input type="radio" name="method" value="${escapeHtml(m)}"${i === 0 ? ' checked' : ''}><span>${escapeHtml(labels[m] ?? m)}</span></label>`,
    )
    .join('');
  const done = session.status !== 'open';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>收银台 · Checkout (test mode)</title>
<style>${hostedPageStyle}</style>
</head><body><div class="wrap">
<section class="summary"><span class="badge">测试模式 · TEST MODE</span>
<h1 id="checkout-title">${title}</h1>
<p class="amount" id="checkout-amount">¥${yuan}</p>
<ul>${lines}</ul><div class="total"><span>应付合计 · Total due</span><span>¥${yuan}</span></div></section>
<section class="pay">
${
  done
    ? `<p id="checkout-status">此付款${escapeHtml(statusWords[session.status] ?? session.status)}</p>`
    : `<h2>支付方式 · Pay with</h2><form method="post" action="${session.id}/pay">${methods}
<button type="submit" id="pay">支付 · Pay ¥${yuan}</button></form>
<form method="post" action="${session.id}/cancel"><button type="submit" id="cancel">取消并返回 · Cancel and return</button></form>`
}
<p class="note">内置测试 Stripe：不会扣款。<br>The embedded test Stripe: no money moves.</p>
</section></div></body></html>`;
}

/**
 * The hosted Connect onboarding form (Express), in Chinese and English: what Stripe would ask for,
 * prefilled, with "complete" (the account is then enabled) and "save and return later".
 */
function onboardingForm(link: Obj, account: Obj): string {
  const done = account.details_submitted === true;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>收款账户设置 · Payout account setup (test mode)</title>
<style>${hostedPageStyle}</style>
</head><body><div class="wrap">
<section class="summary"><span class="badge">测试模式 · TEST MODE</span>
<h1>Stripe Connect</h1>
<p class="amount" id="onboarding-title">设置收款账户<br><small>Set up your payout account</small></p>
<p>平台将通过此账户向您打款。填写的资料由 Stripe 保管，平台看不到。<br><small>The platform pays you through this account. Stripe keeps what you enter; the platform does not see it.</small></p>
</section>
<section class="pay">
<h2>资料 · Your details</h2>
<div class="fields">
<p><span>账户 · Account</span><span>${escapeHtml(String(account.id))}</span></p>
<p><span>经营者 · Business</span><span>测试商户 · Test business</span></p>
<p><span>银行账户 · Bank account</span><span>•••• 6789</span></p>
</div>
${
  done
    ? '<p id="onboarding-status">资料已提交 · Details submitted</p>'
    : `<form method="post" action="${escapeHtml(String(link.id))}/complete"><button type="submit" id="complete">完成并返回 · Complete and return</button></form>`
}
<form method="post" action="${escapeHtml(String(link.id))}/later"><button type="submit" id="later">稍后继续 · Save and return later</button></form>
<p class="note">内置测试 Stripe：不验证身份，不转账。<br>The embedded test Stripe: nothing is verified, no money moves.</p>
</section></div></body></html>`;
}
