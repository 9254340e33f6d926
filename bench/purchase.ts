/**
 * Purchase benchmark: in-store sale confirmations per second over HTTP (a real @hono/node-server
 * on a random port, PostgreSQL), 8 concurrent clients, (a) spread over 100 merchants and (b) all at
 * one merchant. Each result is printed as a ratio to pgbench's TPC-B-like tps measured in the same
 * run, so the number means the same on any machine.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/purchase.ts
 */
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { schema } from '@alliance/db';
import { openDb } from '@alliance/db/node';
import { serve } from '@hono/node-server';
import postgres from 'postgres';
import { createApp } from '../api/app';
import { composeDeps } from '../api/compose';
import { loadConfig } from '../api/config';
import { ctxOf } from '../api/context';
import { newId } from '../api/ids';
import { postTransaction } from '../api/ledger';
import { createLogger } from '../api/log';
import { accounts } from '../api/services/accounts';
import { createAuthProvider } from '../api/services/auth-provider';
import { saleTermsAt } from '../api/services/sales';

export interface PurchaseBenchOptions {
  /** Admin URL; the bench creates its own database and drops it afterwards. */
  adminUrl: string;
  /** How long each scenario runs. */
  seconds?: number;
  clients?: number;
}

export interface PurchaseBenchResult {
  scenario: string;
  confirmations: number;
  seconds: number;
  perSecond: number;
}

const merchantsSpread = 100;
/** More sales than 8 clients can confirm in the time box on this kind of machine. */
const salesPerScenario = 4000;

export async function runPurchaseBench(options: PurchaseBenchOptions): Promise<PurchaseBenchResult[]> {
  const seconds = options.seconds ?? 8;
  const clients = options.clients ?? 8;
  const name = `alliance_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(options.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  const opened = await openDb({ databaseUrl: url.toString(), maxConnections: clients * 2 });
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: 'memory',
    SESSION_SECRET: 'bench-session-secret-bench-session-secret',
    AUTH_OTP_PER_IP_HOUR: '1000000',
  });
  const log = createLogger('silent');
  const deps = composeDeps({
    db: opened.db,
    dbKind: opened.kind,
    config,
    log,
    now: () => new Date(),
    auth: await createAuthProvider(config, opened.db),
  });
  const server = serve({ fetch: createApp(deps).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // Bench-only client: the API's own tests check these shapes.
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely here
    const json = (await res.json()) as any;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  try {
    // Setup is not measured: merchants, owners and sales are written directly; consumers sign in over HTTP.
    const ownerId = newId('usr');
    await opened.db
      .insert(schema.users)
      .values({ id: ownerId, phone: '+8613900099999', memberCode: '9999999999' });
    const merchantIds: string[] = [];
    for (let i = 0; i < merchantsSpread; i++) {
      const id = newId('mer');
      await opened.db
        .insert(schema.organisations)
        .values({ id, kind: 'merchant', name: `Bench ${i}`, status: 'active', ownerUserId: ownerId });
      // Enough ad points that no confirmation is refused: the bench measures the full path.
      await postTransaction(opened.db, {
        key: `bench:grant:${id}`,
        kind: 'bench_grant',
        transfers: [
          {
            debit: accounts.platformAdPointsIssued(),
            credit: accounts.merchantAdPoints(id),
            amount: 1_000_000_000_000,
          },
        ],
      });
      merchantIds.push(id);
    }
    const consumers: Array<{ id: string; token: string }> = [];
    for (let i = 0; i < clients * 2; i++) {
      const phone = `+86139${String(10_000_000 + i).slice(-8)}`;
      const otp = await call('POST', '/v1/auth/otp', undefined, { phone });
      const verified = await call('POST', '/v1/auth/verify', undefined, { phone, code: otp.devCode });
      consumers.push({ id: verified.user.id, token: verified.token });
    }
    const amountFen = 12_345;
    const recordedAt = new Date();
    const terms = await saleTermsAt(ctxOf(deps), merchantIds[0]!, amountFen, recordedAt);

    const results: PurchaseBenchResult[] = [];
    for (const scenario of ['spread over 100 merchants', 'all at one merchant'] as const) {
      const queue: Array<{ saleId: string; token: string }> = [];
      const rows = [];
      for (let i = 0; i < salesPerScenario; i++) {
        const merchantId =
          scenario === 'all at one merchant' ? merchantIds[0]! : merchantIds[i % merchantsSpread]!;
        const consumer = consumers[i % consumers.length]!;
        const id = newId('sal');
        rows.push({
          id,
          channel: 'in_store',
          merchantId,
          consumerUserId: consumer.id,
          recordedBy: ownerId,
          amountFen,
          ...terms,
          status: 'awaiting_confirmation',
          expiresAt: new Date(recordedAt.getTime() + 3600_000),
          recordedAt,
        });
        queue.push({ saleId: id, token: consumer.token });
      }
      for (let i = 0; i < rows.length; i += 1000)
        await opened.db.insert(schema.sales).values(rows.slice(i, i + 1000));

      let next = 0;
      let done = 0;
      const started = performance.now();
      const deadline = started + seconds * 1000;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (performance.now() < deadline && next < queue.length) {
            const item = queue[next++]!;
            const confirmed = await call('POST', `/v1/sales/${item.saleId}/confirm`, item.token);
            if (confirmed.reason !== null)
              throw new Error(`unexpected refusal: ${JSON.stringify(confirmed)}`);
            done++;
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      results.push({ scenario, confirmations: done, seconds: elapsed, perSecond: done / elapsed });
    }
    return results;
  } finally {
    server.close();
    await opened.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/** Prints each result as a ratio to the pgbench baseline measured in the same run. */
export function printPurchaseResults(results: PurchaseBenchResult[], pgbenchTps: number) {
  console.log(
    `\npurchase confirmations over HTTP (8 clients), pgbench TPC-B-like = ${pgbenchTps.toFixed(0)} tps`,
  );
  for (const r of results) {
    console.log(
      `  ${r.scenario.padEnd(28)} ${r.perSecond.toFixed(0).padStart(6)} /s   ratio ${(r.perSecond / pgbenchTps).toFixed(2)}   (${r.confirmations} in ${r.seconds.toFixed(1)} s)`,
    );
  }
}

/** Standalone: `npx tsx bench/purchase.ts` (bench/run.ts runs it with the shared pgbench baseline). */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const { measurePgbenchTps } = await import('./pgbench');
  const tps = await measurePgbenchTps(adminUrl);
  printPurchaseResults(await runPurchaseBench({ adminUrl }), tps);
}
