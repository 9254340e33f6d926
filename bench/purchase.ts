/**
 * Purchase and read benchmark over HTTP: the API in a process of its own (bench/serve.ts, as
 * api/node.ts builds it) on a real PostgreSQL database, 8 concurrent keep-alive clients:
 * in-store sale confirmations (a) spread over 100 merchants and (b) all at one merchant, of sales
 * recorded through the same API process beforehand, as a deployment of one process records them;
 * (c) spread again, of sales written straight into the table as another process would have
 * recorded them (each then read before it is confirmed: issue 14, ADR 0003); then
 * `GET /v1/wallet` against the same reads on a bare Hono route (three sequential postgres.js
 * queries) measured right after it, and the API process's memory before and after every request.
 * Each scenario is printed as a ratio to pgbench's TPC-B-like tps in the rounds it alternated with
 * (bench/pgbench.ts).
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/purchase.ts
 */
import { pathToFileURL } from 'node:url';
import { schema } from '@alliance/db';
import { openDb } from '@alliance/db/node';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { newId } from '../api/ids';
import { postTransaction } from '../api/ledger';
import { accounts } from '../api/services/accounts';
import { parameterDefaults } from '../api/services/parameters';
import { adPointsChargeForAmount, vouchersForAmount } from '../api/services/rounding';
import {
  type BenchServer,
  call,
  clientCpuMs,
  drive,
  pinDatabase,
  postgresCpuMsByPid,
  postgresCpuMsSince,
  startServer,
} from './http';
import { type Alongside, alongsidePgbench, type Pgbench } from './pgbench';

export interface PurchaseBenchOptions {
  /** Admin URL; the bench creates its own database and drops it afterwards. */
  adminUrl: string;
  pgbench: Pgbench;
  clients?: number;
  /**
   * With a count: after the timed cases, that many more requests (nine wallet reads to one
   * confirmation) against the same API process, its RSS printed before, after a fifth and after all.
   */
  memoryRequests?: number;
}

/** A scenario's rate against pgbench, and what each process spent on a request in its rounds. */
interface Measured extends Alongside {
  /** CPU of the server process, of all PostgreSQL processes and of the bench's own clients, in µs. */
  serverCpuUs: number;
  postgresCpuUs: number;
  clientCpuUs: number;
}

export interface PurchaseBenchResult extends Measured {
  scenario: string;
  /** For `wallet reads`: the bare Hono route measured in the same way right after it. */
  bare?: Measured;
}

export interface PurchaseBenchReport {
  results: PurchaseBenchResult[];
  memory: { startMb: number; afterMb: number; requests: number };
  /** RSS before the long run, after its first fifth, and at its end (memoryRequests). */
  longRun?: { requests: number; beforeMb: number; fifthMb: number; afterMb: number };
}

const merchantsSpread = 100;
const dormantAccounts = 100_000;
/** More sales than 8 clients can confirm in the warm-up and the time box on this kind of machine. */
const salesPerScenario = 32_000;

export async function runPurchaseBench(options: PurchaseBenchOptions): Promise<PurchaseBenchReport> {
  const clients = options.clients ?? 8;
  const name = `alliance_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(options.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  // pg_stat_statements needs a server restart; this logs every statement's duration instead.
  if (process.env.BENCH_LOG_STATEMENTS)
    await admin.unsafe(`alter database ${name} set log_min_duration_statement = 0`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  const opened = await openDb({ databaseUrl: url.toString(), maxConnections: 4 });
  const api = await startServer({ mode: 'api', databaseUrl: url.toString() });
  let requests = 0;
  const counted = async (...args: Parameters<typeof call>) => {
    requests++;
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely here
    return (await call(...args)) as any;
  };

  /** `step` driven by every client in rounds alternating with pgbench's (bench/pgbench.ts). */
  const measure = async (
    server: BenchServer,
    step: (client: number) => Promise<boolean | undefined>,
  ): Promise<Measured> => {
    const cpuMs = { server: 0, postgres: 0, client: 0 };
    const alongside = await alongsidePgbench(options.pgbench, async (ms) => {
      const before = { server: server.cpuMs(), postgres: postgresCpuMsByPid(), client: clientCpuMs() };
      const done = await drive(clients, ms, step);
      cpuMs.server += server.cpuMs() - before.server;
      cpuMs.postgres += postgresCpuMsSince(before.postgres);
      cpuMs.client += clientCpuMs() - before.client;
      return done;
    });
    const perRequestUs = (ms: number) => (ms * 1000) / alongside.done;
    return {
      ...alongside,
      serverCpuUs: perRequestUs(cpuMs.server),
      postgresCpuUs: perRequestUs(cpuMs.postgres),
      clientCpuUs: perRequestUs(cpuMs.client),
    };
  };

  try {
    const startMb = api.rssMb();
    /** Signs a phone in over HTTP: its user id, token and member code. */
    const signIn = async (phone: string) => {
      const otp = await counted(api.base, 'POST', '/v1/auth/otp', undefined, { phone });
      const verified = await counted(api.base, 'POST', '/v1/auth/verify', undefined, {
        phone,
        code: otp.devCode,
      });
      const me = await counted(api.base, 'GET', '/v1/me', verified.token);
      return {
        id: verified.user.id as string,
        token: verified.token as string,
        memberCode: me.memberCode as string,
      };
    };
    // Setup is not measured: merchants are written directly; people sign in and sales are recorded over HTTP.
    const owner = await signIn('+8613900099999');
    const merchantIds: string[] = [];
    for (let i = 0; i < merchantsSpread; i++) {
      const id = newId('mer');
      await opened.db
        .insert(schema.organisations)
        .values({ id, kind: 'merchant', name: `Bench ${i}`, status: 'active', ownerUserId: owner.id });
      await opened.db
        .insert(schema.organisationMembers)
        .values({ organisationId: id, userId: owner.id, role: 'owner' });
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
    // The accounts of a platform in use (consumers who signed up earlier; empty here): on a table
    // of a few hundred accounts PostgreSQL scans it for the ledger's lock and write instead of
    // using the primary key it uses on a production-size table (issue 14).
    await opened.db.execute(sql`insert into ledger_accounts (ledger, owner_type, owner_id, code, debits_must_not_exceed_credits)
      select 'vouchers', 'consumer', 'usr_earlier_' || g, 'vouchers', true from generate_series(1, ${dormantAccounts}) g`);
    const consumers: Array<{ id: string; token: string; memberCode: string }> = [];
    for (let i = 0; i < clients * 2; i++)
      consumers.push(await signIn(`+86139${String(10_000_000 + i).slice(-8)}`));
    const amountFen = 12_345;
    const recordedAt = new Date();
    // No parameter was changed: the sale carries the defaults, as recordSale would write them.
    const terms = {
      voucherRatePerYuan: parameterDefaults.voucherRatePerYuan,
      adRateBp: parameterDefaults.merchantAdRateBp,
      vouchers: vouchersForAmount(amountFen, parameterDefaults.voucherRatePerYuan),
      adPointsCharge: adPointsChargeForAmount(amountFen, parameterDefaults.merchantAdRateBp),
    };

    /**
     * Records `count` sales through the API, as merchants' staff do (so the API process knows
     * them, as it knows any sale it recorded); returns them in the order recorded.
     */
    const recordSales = async (count: number, merchantOf: (i: number) => string) => {
      const queue: Array<{ saleId: string; token: string }> = [];
      let next = 0;
      await drive(clients, 24 * 3600_000, async () => {
        const i = next++;
        if (i >= count) return false;
        const consumer = consumers[i % consumers.length]!;
        const sale = await counted(api.base, 'POST', `/v1/merchants/${merchantOf(i)}/sales`, owner.token, {
          memberCode: consumer.memberCode,
          amount: amountFen,
        });
        queue.push({ saleId: sale.id, token: consumer.token });
        return true;
      });
      return queue;
    };
    /**
     * Writes `count` sales awaiting confirmation straight into the table, as another API process
     * would have recorded them (this one then reads each before confirming it); returns them in order.
     */
    const insertSales = async (count: number, merchantOf: (i: number) => string) => {
      const queue: Array<{ saleId: string; token: string }> = [];
      const rows = [];
      for (let i = 0; i < count; i++) {
        const merchantId = merchantOf(i);
        const consumer = consumers[i % consumers.length]!;
        const id = newId('sal');
        rows.push({
          id,
          channel: 'in_store',
          merchantId,
          consumerUserId: consumer.id,
          recordedBy: owner.id,
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
      return queue;
    };
    const confirmer = (queue: Array<{ saleId: string; token: string }>) => {
      let next = 0;
      return async () => {
        const item = queue[next++];
        if (!item) return false;
        const confirmed = await counted(api.base, 'POST', `/v1/sales/${item.saleId}/confirm`, item.token, {});
        if (confirmed.reason !== null) throw new Error(`unexpected refusal: ${JSON.stringify(confirmed)}`);
        return true;
      };
    };

    const results: PurchaseBenchResult[] = [];
    const scenarios = [
      ['spread over 100 merchants', recordSales],
      ['all at one merchant', recordSales],
      ['spread, recorded elsewhere', insertSales],
    ] as const;
    for (const [scenario, sales] of scenarios) {
      const queue = await sales(salesPerScenario, (i) =>
        scenario === 'all at one merchant' ? merchantIds[0]! : merchantIds[i % merchantsSpread]!,
      );
      const confirm = confirmer(queue);
      // Warm up (prepared statements, JIT, caches) outside the measured window: after one second
      // the first scenario still cost more API CPU per confirmation than the second, whichever
      // came first (after five, about the same). Then take
      // statistics of tables in use: on the setup's hundred ledger transactions, the foreign-key
      // check of each new transfer would be planned as a scan of that growing table (issue 14).
      await drive(clients, 5000, confirm);
      await opened.db.execute(sql`analyze`);
      await pinDatabase(admin, name);
      results.push({ scenario, ...(await measure(api, confirm)) });
    }

    // Reads: the wallet, then the same three reads on a bare route, in the same conditions.
    const wallet = (client: number) =>
      counted(api.base, 'GET', '/v1/wallet', consumers[client % consumers.length]!.token).then(() => true);
    await drive(clients, 1000, wallet);
    await pinDatabase(admin, name);
    const walletReads = await measure(api, wallet);
    const afterMb = api.rssMb();
    let longRun: PurchaseBenchReport['longRun'];
    if (options.memoryRequests) {
      const total = options.memoryRequests;
      const confirm = confirmer(
        await recordSales(Math.ceil(total / 10), (i) => merchantIds[i % merchantsSpread]!),
      );
      const beforeMb = api.rssMb();
      let sent = 0;
      let fifthMb = beforeMb;
      await drive(clients, 24 * 3600_000, async (client) => {
        if (sent >= total) return false;
        const n = sent++;
        if (n === Math.floor(total / 5)) fifthMb = api.rssMb();
        return n % 10 === 0 ? confirm() : wallet(client);
      });
      longRun = { requests: total, beforeMb, fifthMb, afterMb: api.rssMb() };
    }
    await api.stop();
    const bare = await startServer({ mode: 'bare', databaseUrl: url.toString() });
    try {
      const read = (client: number) =>
        call(bare.base, 'GET', `/bare/${consumers[client % consumers.length]!.id}`).then(() => true);
      await drive(clients, 1000, read);
      await pinDatabase(admin, name);
      results.push({ scenario: 'wallet reads', ...walletReads, bare: await measure(bare, read) });
    } finally {
      await bare.stop();
    }
    return { results, memory: { startMb, afterMb, requests }, longRun };
  } finally {
    await api.stop();
    await opened.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/** BENCH_MEMORY_REQUESTS=100000 adds the long run (about two minutes); unset, it is skipped. */
export function memoryRequestsFromEnv(): number | undefined {
  const n = Number(process.env.BENCH_MEMORY_REQUESTS ?? 0);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Prints each result as a ratio to the pgbench rounds it alternated with. */
export function printPurchaseResults(report: PurchaseBenchReport) {
  console.log('\nHTTP, API in its own process (8 clients)');
  const cpu = (m: Measured) =>
    `${m.serverCpuUs.toFixed(0)} µs CPU each, PostgreSQL ${m.postgresCpuUs.toFixed(0)} µs, clients ${m.clientCpuUs.toFixed(0)} µs`;
  for (const r of report.results) {
    const bare = r.bare
      ? `\n  ${'bare Hono route'.padEnd(28)} ${r.bare.perSecond.toFixed(0).padStart(6)} /s   ratio ${r.bare.ratio.toFixed(2)}   (${r.bare.done} in ${r.bare.seconds.toFixed(1)} s; pgbench ${r.bare.pgbenchTps.toFixed(0)} tps; server ${cpu(r.bare)})` +
        `\n  ${'wallet/bare'.padEnd(28)} ${''.padStart(6)}      ratio ${(r.ratio / r.bare.ratio).toFixed(2)}`
      : '';
    console.log(
      `  ${r.scenario.padEnd(28)} ${r.perSecond.toFixed(0).padStart(6)} /s   ratio ${r.ratio.toFixed(2)}   (${r.done} in ${r.seconds.toFixed(1)} s; pgbench ${r.pgbenchTps.toFixed(0)} tps; API ${cpu(r)})${bare}`,
    );
  }
  const m = report.memory;
  console.log(
    `  API process memory (RSS)     ${m.startMb.toFixed(0)} MB at start, ${m.afterMb.toFixed(0)} MB after ${m.requests} requests`,
  );
  const long = report.longRun;
  if (long) {
    console.log(
      `  ${long.requests.toLocaleString('en')} more requests (1 in 10 a confirmation): RSS ${long.beforeMb.toFixed(0)} MB before, ${long.fifthMb.toFixed(0)} MB after a fifth, ${long.afterMb.toFixed(0)} MB after all`,
    );
  }
}

/** Standalone: `npx tsx bench/purchase.ts` (bench/run.ts runs it among the others). */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const { openPgbench } = await import('./pgbench');
  const pgbench = await openPgbench(adminUrl);
  try {
    printPurchaseResults(
      await runPurchaseBench({ adminUrl, pgbench, memoryRequests: memoryRequestsFromEnv() }),
    );
  } finally {
    await pgbench.close();
  }
}
