/**
 * `npm run bench`: measures pgbench's TPC-B-like tps once, then runs every benchmark and prints
 * each as a ratio to it, so numbers mean the same on any machine. To add one, export a function
 * from its own bench/<area>.ts and add it to `benches` below. Needs PostgreSQL and pgbench; each
 * bench creates its own database and drops it. Whole run: about 3 minutes.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench
 */
import { printLedgerResults, runLedgerBench } from './ledger';
import { measurePgbenchTps } from './pgbench';
import { memoryRequestsFromEnv, printPurchaseResults, runPurchaseBench } from './purchase';
import { printReconciliationResults, runReconciliationBench } from './reconciliation';

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const benches: Array<{ name: string; run: (pgbenchTps: number) => Promise<void> }> = [
  { name: 'ledger', run: async (tps) => printLedgerResults(await runLedgerBench({ adminUrl }), tps) },
  {
    name: 'purchase',
    run: async (tps) =>
      printPurchaseResults(
        await runPurchaseBench({ adminUrl, memoryRequests: memoryRequestsFromEnv() }),
        tps,
      ),
  },
  // Its own baseline (a scan of the same table in the same run), not pgbench's tps.
  {
    name: 'reconciliation',
    run: async () => printReconciliationResults(await runReconciliationBench({ adminUrl })),
  },
];

const only = process.argv[2];
const tps = await measurePgbenchTps(adminUrl);
console.log(`pgbench -s 10 -c 8 -j 2 -T 10 (TPC-B-like): ${tps.toFixed(0)} tps`);
for (const bench of benches) {
  if (only && bench.name !== only) continue;
  const started = performance.now();
  await bench.run(tps);
  console.log(`  (${bench.name}: ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
