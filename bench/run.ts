/**
 * `npm run bench`: runs every benchmark and prints each scenario as a ratio to pgbench's TPC-B-like
 * tps, measured in rounds alternating with the scenario's own (bench/pgbench.ts), so numbers mean
 * the same on any machine and at any moment of a noisy one. To add one, export a function from its
 * own bench/<area>.ts and add it to `benches` below. Needs PostgreSQL and pgbench; each bench
 * creates its own database and drops it. Whole run: about 8 minutes.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench
 */
import { printLedgerResults, runLedgerBench } from './ledger';
import { openPgbench, type Pgbench } from './pgbench';
import { memoryRequestsFromEnv, printPurchaseResults, runPurchaseBench } from './purchase';
import { printReconciliationResults, runReconciliationBench } from './reconciliation';

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const benches: Array<{ name: string; run: (pgbench: () => Promise<Pgbench>) => Promise<void> }> = [
  {
    name: 'ledger',
    run: async (pgbench) => printLedgerResults(await runLedgerBench({ adminUrl, pgbench: await pgbench() })),
  },
  {
    name: 'purchase',
    run: async (pgbench) =>
      printPurchaseResults(
        await runPurchaseBench({
          adminUrl,
          pgbench: await pgbench(),
          memoryRequests: memoryRequestsFromEnv(),
        }),
      ),
  },
  // Its own baseline (a scan of the same table in the same run), not pgbench's tps.
  {
    name: 'reconciliation',
    run: async () => printReconciliationResults(await runReconciliationBench({ adminUrl })),
  },
];

const only = process.argv[2];
const chosen = benches.filter((bench) => !only || bench.name === only);
if (chosen.length === 0) throw new Error(`no bench named ${only}: ${benches.map((b) => b.name).join(', ')}`);
// Initialised once, by the first bench that needs it.
let opened: Promise<Pgbench> | undefined;
const pgbench = () => {
  opened ??= openPgbench(adminUrl).then((p) => {
    console.log(
      'pgbench -s 10 -c 8 -j 2 (TPC-B-like) runs in 2 s rounds between the 2 s rounds of each scenario; ratios are to those rounds',
    );
    return p;
  });
  return opened;
};
try {
  for (const bench of chosen) {
    const started = performance.now();
    await bench.run(pgbench);
    console.log(`  (${bench.name}: ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
} finally {
  if (opened) await (await opened).close();
}
