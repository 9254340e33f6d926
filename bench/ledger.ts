/**
 * Ledger write-path benchmark: postTransaction straight on PostgreSQL with 8 concurrent workers,
 * one- and two-transfer transactions, spread over 1000 accounts or all through one hot (sharded)
 * platform account. Results are printed as a ratio to pgbench's TPC-B-like tps of the same run.
 */
import { openDb } from '@alliance/db/node';
import postgres from 'postgres';
import { type AccountRef, postTransaction, type TransferInput } from '../api/ledger';
import { accounts } from '../api/services/accounts';

export interface LedgerBenchResult {
  scenario: string;
  transactions: number;
  seconds: number;
  tps: number;
}

const accountCount = 1000;
const funding = 1_000_000_000;

export async function runLedgerBench(options: {
  adminUrl: string;
  seconds?: number;
  workers?: number;
}): Promise<LedgerBenchResult[]> {
  const seconds = options.seconds ?? 8;
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
    // Fund every holder from the hot platform account (this also creates the accounts and shards).
    for (let i = 0; i < accountCount; i += 50) {
      await postTransaction(db, {
        key: `fund-${i}`,
        kind: 'bench_fund',
        transfers: Array.from({ length: 50 }, (_, j) => ({
          debit: hot,
          credit: holder(i + j),
          amount: funding,
        })),
      });
    }
    const pick = () => Math.floor(Math.random() * accountCount);
    const pair = (): [number, number] => {
      const a = pick();
      let b = pick();
      while (b === a) b = pick();
      return [a, b];
    };
    const scenarios: Array<[string, () => TransferInput[]]> = [
      [
        'one transfer, uniform',
        () => {
          const [a, b] = pair();
          return [{ debit: holder(a), credit: holder(b), amount: 1 }];
        },
      ],
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
    for (const [scenario, transfers] of scenarios) {
      // Warm up (prepared statements, JIT) outside the measured window.
      await drive(transfers, 1000);
      const started = performance.now();
      const done = await drive(transfers, seconds * 1000);
      const elapsed = (performance.now() - started) / 1000;
      results.push({ scenario, transactions: done, seconds: elapsed, tps: done / elapsed });
    }
    return results;
  } finally {
    await opened.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

export function printLedgerResults(results: LedgerBenchResult[], pgbenchTps: number) {
  console.log(`\nledger postTransaction (8 workers), pgbench TPC-B-like = ${pgbenchTps.toFixed(0)} tps`);
  for (const r of results) {
    console.log(
      `  ${r.scenario.padEnd(32)} ${r.tps.toFixed(0).padStart(6)} tps   ratio ${(r.tps / pgbenchTps).toFixed(2)}   (${r.transactions} in ${r.seconds.toFixed(1)} s)`,
    );
  }
}
