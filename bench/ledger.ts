/**
 * Ledger write-path benchmark: postTransaction straight on PostgreSQL with 8 concurrent workers,
 * one- and two-transfer transactions, spread over 1000 accounts or all through one hot (sharded)
 * platform account; then one-transfer transactions with 10,000 and with 1,000,000 transfers
 * already in the ledger (the history is seeded by set-based SQL: its hashes are not a valid
 * chain, which the write path never reads). Each scenario is printed as a ratio to pgbench's
 * TPC-B-like tps in the rounds it alternated with (bench/pgbench.ts).
 */
import type { Db } from '@alliance/db';
import { openDb } from '@alliance/db/node';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type AccountRef, postTransaction, type TransferInput } from '../api/ledger';
import { query } from '../api/ledger/sql';
import { accounts } from '../api/services/accounts';
import { type Alongside, alongsidePgbench, type Pgbench } from './pgbench';

export interface LedgerBenchResult extends Alongside {
  scenario: string;
}

const accountCount = 1000;
const funding = 1_000_000_000;
const historyScales = [10_000, 1_000_000];
const seedBatch = 250_000;

interface LedgerBenchOptions {
  adminUrl: string;
  pgbench: Pgbench;
  workers?: number;
}

export async function runLedgerBench(options: LedgerBenchOptions): Promise<LedgerBenchResult[]> {
  const results: LedgerBenchResult[] = [];
  // The scenarios on a young ledger, then the history on a database of its own.
  for (const phase of ['scenarios', 'history'] as const) {
    results.push(...(await runPhase(options, phase)));
  }
  return results;
}

async function runPhase(
  options: LedgerBenchOptions,
  phase: 'scenarios' | 'history',
): Promise<LedgerBenchResult[]> {
  const workers = options.workers ?? 8;
  const name = `alliance_bench_ledger_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(options.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  const opened = await openDb({ databaseUrl: url.toString(), maxConnections: workers });
  try {
    const db = opened.db;
    const holder = (i: number): AccountRef => accounts.consumerVouchers(`usr_bench${i}`);
    const hot = accounts.platformVouchersIssued();
    // Fund every holder from the hot platform account, one top-up each, as a ledger in use has them
    // (this also creates the accounts and shards). The statistics below then see a ledger of a
    // thousand transactions, not twenty: planned on twenty, the foreign-key check on each new
    // transfer's transaction would scan that table for the rest of the run (issue 14).
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (let i = w; i < accountCount; i += workers) {
          await postTransaction(db, {
            key: `fund-${i}`,
            kind: 'bench_fund',
            transfers: [{ debit: hot, credit: holder(i), amount: funding }],
          });
        }
      }),
    );
    // Statistics, as any database in use has them (a fresh one plans the lock query without).
    await db.execute(sql`analyze`);
    // As before the history runs: pgbench's setup just wrote hundreds of MB of WAL, and the
    // checkpoint that follows would otherwise run during the first scenarios (issue 14).
    await db.execute(sql`checkpoint`);
    const pick = () => Math.floor(Math.random() * accountCount);
    const pair = (): [number, number] => {
      const a = pick();
      let b = pick();
      while (b === a) b = pick();
      return [a, b];
    };
    const oneTransfer = (): TransferInput[] => {
      const [a, b] = pair();
      return [{ debit: holder(a), credit: holder(b), amount: 1 }];
    };
    const scenarios: Array<[string, () => TransferInput[]]> = [
      ['one transfer, uniform', oneTransfer],
      [
        'two transfers, uniform',
        () => {
          const [a, b] = pair();
          return [
            { debit: holder(a), credit: holder(b), amount: 2 },
            { debit: holder(b), credit: holder(a), amount: 1 },
          ];
        },
      ],
      ['one transfer, one hot account', () => [{ debit: holder(pick()), credit: hot, amount: 1 }]],
      [
        'two transfers, one hot account',
        () => {
          const [a, b] = pair();
          return [
            { debit: holder(a), credit: holder(b), amount: 2 },
            { debit: holder(b), credit: hot, amount: 1 },
          ];
        },
      ],
    ];
    const results: LedgerBenchResult[] = [];
    let serial = 0;
    const drive = async (transfers: () => TransferInput[], ms: number) => {
      let done = 0;
      const deadline = performance.now() + ms;
      await Promise.all(
        Array.from({ length: workers }, async () => {
          while (performance.now() < deadline) {
            await postTransaction(db, { key: `bench-${serial++}`, kind: 'bench', transfers: transfers() });
            done++;
          }
        }),
      );
      return done;
    };
    const measure = async (scenario: string, transfers: () => TransferInput[]) => {
      // Warm up (prepared statements, JIT) outside the measured window.
      await drive(transfers, 1000);
      results.push({ scenario, ...(await alongsidePgbench(options.pgbench, (ms) => drive(transfers, ms))) });
    };
    if (phase === 'scenarios') {
      for (const [scenario, transfers] of scenarios) await measure(scenario, transfers);
    } else {
      for (const scale of historyScales) {
        await seedHistory(db, scale);
        await measure(`one transfer, ${scale.toLocaleString('en')} in history`, oneTransfer);
      }
    }
    return results;
  } finally {
    await opened.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/**
 * Adds one-transfer transactions between the bench's holders until the ledger holds `total`
 * transfers, in set-based statements, and moves the holders' balances by the same amounts.
 * Foreign-key triggers are off for the seeding session only (session_replication_role).
 */
async function seedHistory(db: Db, total: number) {
  const ids = (
    await query<{ id: string }>(
      db,
      sql`select id from ledger_accounts where owner_type = 'consumer' and owner_id like 'usr_bench%' order by id`,
    )
  ).map((r) => Number(r.id));
  if (ids.length !== accountCount) throw new Error(`expected ${accountCount} holders, found ${ids.length}`);
  const [counted] = await query<{ count: string }>(db, sql`select count(*) as count from ledger_transfers`);
  let have = Number(counted?.count ?? 0);
  if (have >= total) throw new Error(`the ledger already holds ${have} transfers, more than ${total}`);
  const idArray = `{${ids.join(',')}}`;
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    while (have < total) {
      const n = Math.min(seedBatch, total - have);
      // Debit holder g mod 1000, credit one 1..999 places further: never the same account.
      await tx.execute(sql`
        with tx as (
          insert into ledger_transactions (key, kind, contents_hash, contents)
          select 'seed-' || g, 'bench_seed', md5(g::text), '{}'::jsonb from generate_series(${have + 1}::int8, ${have + n}::int8) g
          returning id
        ), pairs as (
          select id, (${idArray}::int8[])[1 + id % ${accountCount}] as debit,
            (${idArray}::int8[])[1 + (id + 1 + (id / ${accountCount}) % ${accountCount - 1}) % ${accountCount}] as credit
          from tx
        ), ins as (
          insert into ledger_transfers (transaction_id, ledger, debit_account_id, credit_account_id, amount, type,
            debit_balance_after, credit_balance_after, debit_prev_hash, credit_prev_hash, hash)
          select id, 'vouchers', debit, credit, 1, 'single', 0, 0, '', '', md5(id::text) from pairs
          returning debit_account_id, credit_account_id
        ), moved as (
          select account, sum(d) as debits, sum(c) as credits from (
            select debit_account_id as account, 1 as d, 0 as c from ins
            union all select credit_account_id, 0, 1 from ins) m group by account
        )
        update ledger_accounts a set debits_posted = a.debits_posted + moved.debits,
          credits_posted = a.credits_posted + moved.credits
        from moved where a.id = moved.account`);
      have += n;
    }
  });
  await db.execute(sql`vacuum analyze ledger_transfers`);
  await db.execute(sql`vacuum analyze ledger_transactions`);
  await db.execute(sql`vacuum analyze ledger_accounts`);
  // The seeding's dirty pages are written now, not by a checkpoint during the measurement.
  await db.execute(sql`checkpoint`);
}

export function printLedgerResults(results: LedgerBenchResult[]) {
  console.log('\nledger postTransaction (8 workers)');
  for (const r of results) {
    console.log(
      `  ${r.scenario.padEnd(36)} ${r.perSecond.toFixed(0).padStart(6)} tps   ratio ${r.ratio.toFixed(2)}   (${r.done} in ${r.seconds.toFixed(1)} s; pgbench ${r.pgbenchTps.toFixed(0)} tps)`,
    );
  }
  const [young, old] = historyScales.map((scale) =>
    results.find((r) => r.scenario === `one transfer, ${scale.toLocaleString('en')} in history`),
  );
  // Each against its own pgbench rounds, so the machine's drift between the two cancels out.
  if (young && old) {
    console.log(`  1,000,000 against 10,000 in history  ratio ${(old.ratio / young.ratio).toFixed(2)}`);
  }
}
