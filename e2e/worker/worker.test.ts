/**
 * The Worker as a tested target: api/worker.ts in workerd (`wrangler dev`, offline) on its own
 * PostgreSQL database migrated with db/migrate.ts, with stand-ins for Stripe and Supabase Auth on
 * loopback (the production providers talk to them unchanged), driven over HTTP through the core flows; then every cron trigger, the web apps, and a restore drill on the
 * data the flows made.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openPostgres } from '@alliance/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeStripe } from '../../api/fake-stripe/server';
import { query } from '../../api/ledger/sql';
import { type SupabaseStandIn, startSupabaseStandIn } from '../../api/test/supabase-stand-in';
import { createPostgresDatabase } from '../../api/test/test-db';
import { restoreDrill } from '../../scripts/restore-drill';
import { root } from '../server';
import { startWorker, type WorkerServer } from './wrangler-dev';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const operatorPhone = '+8613900000000';
const webhookSecret = 'whsec_worker_tier_test_only';
const shipTo = { name: 'Li Lei', phone: '+8613800000009', region: 'Shanghai', address: '1 Nanjing Road' };

let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
let fakeStripe: Awaited<ReturnType<typeof startFakeStripe>>;
let supabase: SupabaseStandIn;
let worker: WorkerServer;
let phoneSeq = 0;

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const res = await fetch(`${worker.url}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // HTML or plain text.
  }
  return { status: res.status, body, headers: res.headers };
}

/** Signs in through Supabase Auth (the stand-in); the code comes by "SMS", never in the response. */
async function signIn(phone = `+86137${String(++phoneSeq).padStart(8, '0')}`) {
  const otp = await call('POST', '/v1/auth/otp', { body: { phone } });
  expect(otp).toMatchObject({ status: 200, body: { sent: true } });
  expect(otp.body.devCode).toBeUndefined();
  const verified = await call('POST', '/v1/auth/verify', { body: { phone, code: supabase.lastCode(phone) } });
  expect(verified.status).toBe(200);
  return { token: verified.body.token as string, id: verified.body.user.id as string };
}

/** Pays on the fake Stripe's checkout page; the fake posts the signed webhook to the Worker. */
async function pay(checkoutUrl: string) {
  const res = await fetch(`${checkoutUrl}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'method=alipay',
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  expect(fakeStripe.deliveries.at(-1)).toMatchObject({ type: 'checkout.session.completed', status: 200 });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  database = await createPostgresDatabase(adminUrl, 'alliance_worker');
  // The deploy step: migrations are applied ahead of the Worker, which never migrates.
  await promisify(execFile)(join(root, 'node_modules/.bin/tsx'), ['db/migrate.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database.url },
  });
  fakeStripe = await startFakeStripe({
    webhookSecret,
    deliver: async (rawBody, signature) =>
      (
        await fetch(`${worker.url}/v1/webhooks/stripe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': signature },
          body: rawBody,
        })
      ).status,
  });
  supabase = await startSupabaseStandIn();
  // Production settings but for the two origins: Supabase Auth and Stripe are the stand-ins.
  worker = await startWorker(database.url, {
    AUTH_PROVIDER: 'supabase',
    SUPABASE_URL: supabase.url,
    SUPABASE_ANON_KEY: supabase.anonKey,
    OPERATOR_PHONES: operatorPhone,
    STRIPE_SECRET_KEY: 'sk_test_worker_tier',
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_BASE: fakeStripe.url,
    AUTH_OTP_PER_IP_HOUR: '1000',
    LOG_LEVEL: 'warn',
  });
});

afterAll(async () => {
  await worker?.stop();
  await fakeStripe?.close();
  await supabase?.close();
  await database?.drop();
});

describe('the Worker in workerd, on PostgreSQL through Hyperdrive, with Supabase Auth', () => {
  let operator: { token: string; id: string };
  let consumer: { token: string; id: string };
  let merchant: { id: string; owner: { token: string; id: string } };

  it('answers /health from PostgreSQL and serves the API reference', async () => {
    const health = await call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ok: true, database: 'postgres' });
    const spec = await call('GET', '/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe('3.1.0');
    expect((await call('GET', '/docs')).status).toBe(200);
  });

  it('signs in through Supabase Auth (ES256 tokens checked against its JWKS); a wrong code is 401', async () => {
    operator = await signIn(operatorPhone);
    const me = await call('GET', '/v1/me', { token: operator.token });
    expect(me.body.user.roles).toEqual(['consumer', 'operator']);
    await call('POST', '/v1/auth/otp', { body: { phone: '+8613700000999' } });
    const wrong = await call('POST', '/v1/auth/verify', {
      body: {
        phone: '+8613700000999',
        code: supabase.lastCode('+8613700000999') === '000000' ? '000001' : '000000',
      },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_code');
    consumer = await signIn();
    const forged = await call('GET', '/v1/me', { token: `${consumer.token.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('invalid_token');
  });

  it('a merchant applies and the operator approves it', async () => {
    const owner = await signIn();
    const applied = await call('POST', '/v1/merchants', {
      token: owner.token,
      body: { name: 'Worker Shop' },
    });
    expect(applied.status).toBe(201);
    expect(applied.body.status).toBe('pending');
    const approved = await call('POST', `/v1/platform/merchants/${applied.body.id}/approve`, {
      token: operator.token,
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id: applied.body.id, status: 'active' });
    merchant = { id: applied.body.id, owner };
  });

  it('tops up 100 yuan: the signed webhook credits 100.00 ad points once; a replayed key creates nothing', async () => {
    const request = {
      token: merchant.owner.token,
      body: { amount: 10000 },
      headers: { 'idempotency-key': 'worker-topup-1' },
    };
    const topup = await call('POST', `/v1/merchants/${merchant.id}/topups`, request);
    expect(topup.status).toBe(201);
    expect(topup.body).toMatchObject({ status: 'pending', amount: 10000 });
    const replay = await call('POST', `/v1/merchants/${merchant.id}/topups`, request);
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(topup.body.id);
    await pay(topup.body.checkoutUrl);
    const paid = await call('GET', `/v1/merchants/${merchant.id}/topups/${topup.body.id}`, {
      token: merchant.owner.token,
    });
    expect(paid.body).toMatchObject({ status: 'paid', amount: 10000, adPoints: 10000 });
    const forged = await call('POST', '/v1/webhooks/stripe', {
      body: { id: 'evt_forged', type: 'checkout.session.completed' },
      headers: { 'stripe-signature': 't=1,v1=00' },
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('invalid_signature');
  });

  it('an in-store sale of 100 yuan, confirmed: vouchers +100.00, ad points -15.00', async () => {
    const me = await call('GET', '/v1/me', { token: consumer.token });
    const sale = await call('POST', `/v1/merchants/${merchant.id}/sales`, {
      token: merchant.owner.token,
      body: { memberCode: me.body.memberCode, amount: 10000 },
    });
    expect(sale.status).toBe(201);
    expect(sale.body).toMatchObject({
      status: 'awaiting_confirmation',
      vouchers: 10000,
      adPointsCharge: 1500,
    });
    const confirmed = await call('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      status: 'completed',
      vouchersIssued: 10000,
      adPointsCharged: 1500,
      reason: null,
    });
    const again = await call('POST', `/v1/sales/${sale.body.id}/confirm`, { token: consumer.token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_confirmed');
    const m = await call('GET', `/v1/merchants/${merchant.id}`, { token: merchant.owner.token });
    expect(m.body.adPoints).toBe(8500);
    expect((await call('GET', '/v1/wallet', { token: consumer.token })).body.vouchers).toBe(10000);
  });

  it('a 5-second video (the shortest allowed) watched to completion on the server clock', async () => {
    const campaign = await call('POST', '/v1/platform/campaigns', {
      token: operator.token,
      body: {
        title: 'Short',
        mediaUrl: '/videos/short.webm',
        durationSeconds: 5,
        pricePerCompletion: 50,
        budget: 10000,
      },
    });
    expect(campaign.status).toBe(201);
    const view = await call('POST', '/v1/ad-views', { token: consumer.token });
    expect(view.status).toBe(201);
    expect(view.body).toMatchObject({ slot: 1, campaign: { id: campaign.body.id, durationSeconds: 5 } });
    const viewToken = view.body.token as string;
    const early = await call('POST', `/v1/ad-views/${view.body.id}/complete`, {
      token: consumer.token,
      body: { token: viewToken },
    });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('too_early');
    // A visible report each second of play; credit never runs ahead of the server's clock.
    for (let seq = 1; seq <= 4; seq++) {
      await pause(1000);
      const progress = await call('POST', `/v1/ad-views/${view.body.id}/progress`, {
        token: consumer.token,
        body: { token: viewToken, seq, position: seq, visible: true },
      });
      expect(progress.status).toBe(200);
    }
    let completed: Reply;
    for (let attempt = 0; ; attempt++) {
      completed = await call('POST', `/v1/ad-views/${view.body.id}/complete`, {
        token: consumer.token,
        body: { token: viewToken },
      });
      if (completed.status !== 409 || completed.body.error.code !== 'too_early' || attempt === 40) break;
      await pause(100);
    }
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ status: 'verified', completedToday: 1, conversion: null });
  });

  it('an order through the supply chain: paid by webhook, shipped, 80 yuan payable to the supplier', async () => {
    const supplierOwner = await signIn();
    const applied = await call('POST', '/v1/suppliers', {
      token: supplierOwner.token,
      body: { name: 'Tea Co' },
    });
    expect(applied.status).toBe(201);
    const supplierId = applied.body.id as string;
    expect(
      (await call('POST', `/v1/platform/suppliers/${supplierId}/approve`, { token: operator.token })).status,
    ).toBe(200);
    const product = await call('POST', `/v1/suppliers/${supplierId}/products`, {
      token: supplierOwner.token,
      body: { title: 'Tea set', wholesalePrice: 8000, stock: 5 },
    });
    expect(product.status).toBe(201);
    const below = await call('POST', `/v1/merchants/${merchant.id}/listings`, {
      token: merchant.owner.token,
      body: { supplierProductId: product.body.id, price: 7999 },
    });
    expect(below.status).toBe(422);
    expect(below.body.error.code).toBe('price_below_wholesale');
    const listing = await call('POST', `/v1/merchants/${merchant.id}/listings`, {
      token: merchant.owner.token,
      body: { supplierProductId: product.body.id, price: 10000 },
    });
    expect(listing.status).toBe(201);
    const order = await call('POST', '/v1/orders', {
      token: consumer.token,
      body: { merchantId: merchant.id, items: [{ listingId: listing.body.id, quantity: 1 }], shipTo },
    });
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({ status: 'pending_payment', amount: 10000 });
    await pay(order.body.checkoutUrl);
    expect((await call('GET', `/v1/orders/${order.body.id}`, { token: consumer.token })).body.status).toBe(
      'paid',
    );
    const toShip = await call('GET', `/v1/suppliers/${supplierId}/fulfillments?status=to_ship`, {
      token: supplierOwner.token,
    });
    const fulfillment = toShip.body.data.find((f: { orderId: string }) => f.orderId === order.body.id);
    expect(fulfillment).toMatchObject({ shipTo, items: [{ title: 'Tea set', quantity: 1 }] });
    const shipped = await call('POST', `/v1/fulfillments/${fulfillment.id}/ship`, {
      token: supplierOwner.token,
      body: { carrier: 'SF Express', trackingNumber: 'SF1234567890' },
    });
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({ id: fulfillment.id, status: 'shipped' });
    const payable = await call('GET', `/v1/suppliers/${supplierId}/payable`, { token: supplierOwner.token });
    expect(payable.body).toMatchObject({ payable: 8000, paidOut: 0 });
    const statement = await call('GET', `/v1/merchants/${merchant.id}/statement`, {
      token: merchant.owner.token,
    });
    expect(statement.body).toMatchObject({
      proceeds: 10000,
      wholesaleSettled: 8000,
      net: 2000,
      adPointsCharged: 3000,
      vouchersIssued: 20000,
      topups: 10000,
    });
  });

  it('runs the scheduled handler for every cron trigger in wrangler.toml', async () => {
    const crons = /^crons\s*=\s*\[(.*)\]/m.exec(readFileSync(join(root, 'wrangler.toml'), 'utf8'))?.[1];
    const expressions = [...(crons ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    expect(expressions.length).toBeGreaterThan(0);
    for (const cron of expressions) {
      const res = await fetch(`${worker.url}/__scheduled?cron=${encodeURIComponent(cron)}`);
      expect({ cron, status: res.status, text: await res.text() }).toEqual({
        cron,
        status: 200,
        text: 'Ran scheduled event',
      });
    }
  });

  it('the ledger verifies after all of it', async () => {
    const verify = await call('GET', '/v1/platform/ledger/verify', { token: operator.token });
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);
    expect((await call('GET', '/v1/platform/ledger/verify', { token: consumer.token })).status).toBe(403);
    // Dozens of tokens checked so far, against one fetch of the JWKS: the provider lives per isolate.
    expect(supabase.jwksFetches()).toBe(1);
  });

  it("reconciles today on two connections sharing one snapshot; a second run goes on from the first's checkpoint", async () => {
    const run = (key: string) =>
      call('POST', '/v1/platform/reconciliation/runs', {
        token: operator.token,
        body: {},
        headers: { 'idempotency-key': key },
      });
    const chain = (reply: Reply) =>
      (reply.body.checks as Array<{ name: string; ok: boolean; detail: string }>).find(
        (c) => c.name === 'hash_chain',
      );
    const first = await run('worker-recon-1');
    expect(first.status).toBe(201);
    expect((first.body.checks as Array<{ ok: boolean }>).every((c) => c.ok)).toBe(true);
    // The whole ledger, unless the cron test above ran at 00:30 Beijing time, when the nightly
    // report does the same and leaves its checkpoint: then from there.
    expect(chain(first)?.detail).toMatch(/^\d+ transfers chained( since the checkpoint at transfer \d+)?$/);
    const second = await run('worker-recon-2');
    expect(second.status).toBe(201);
    expect(chain(second)?.detail).toMatch(/^0 transfers chained since the checkpoint at transfer \d+$/);
  });

  it('serves the consumer app at / and the back office at /biz/, each with its own SPA fallback', async () => {
    const consumerHtml = readFileSync(join(root, 'web-consumer/dist/index.html'), 'utf8');
    const merchantHtml = readFileSync(join(root, 'web-merchant/dist/index.html'), 'utf8');
    for (const [path, html] of [
      ['/', consumerHtml],
      ['/wallet/some/deep/page', consumerHtml],
      ['/biz/', merchantHtml],
      ['/biz/merchants/mer_x/sales', merchantHtml],
    ] as const) {
      const res = await fetch(`${worker.url}${path}`);
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({
        path,
        status: 200,
        type: 'text/html; charset=utf-8',
      });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await res.text()).toBe(html);
    }
    const script = /src="(\/biz\/assets\/[^"]+\.js)"/.exec(await (await fetch(`${worker.url}/biz/`)).text());
    const asset = await fetch(`${worker.url}${script?.[1]}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
  });

  it('restore drill: a pg_dump of this database restores into a new one whose ledger verifies', async () => {
    const source = openPostgres(database.url, 1);
    const [count] = await query<{ n: string }>(source.db, sql`select count(*) as n from ledger_transfers`);
    await source.close();
    const drill = await restoreDrill(database.url);
    expect(drill.verify.ok).toBe(true);
    expect(drill.transfers).toBe(Number(count!.n));
    expect(drill.transfers).toBeGreaterThan(0);
  });
});
