// Streams ledger transfers for ledger-concurrency.test.ts, printing "ack <key>" after each commit,
// until the test kills this process with SIGKILL. Args: database URL, key prefix, consumer id.
import { openDb } from '@alliance/db/node';
import { postTransaction } from '../ledger';

const [url, prefix, consumerId] = process.argv.slice(2) as [string, string, string];
const { db } = await openDb({ databaseUrl: url, migrate: false, maxConnections: 4 });
const issued = {
  ownerType: 'platform',
  ownerId: 'platform',
  code: 'vouchers.issued',
  ledger: 'vouchers',
  shards: 4,
} as const;
const consumer = {
  ownerType: 'consumer',
  ownerId: consumerId,
  code: 'vouchers',
  ledger: 'vouchers',
  noOverdraft: true,
} as const;

// Four streams at once, so the kill lands with transactions in flight.
await Promise.all(
  [0, 1, 2, 3].map(async (stream) => {
    for (let i = 0; ; i++) {
      const key = `${prefix}-${stream}-${i}`;
      await postTransaction(db, {
        key,
        kind: 'kill_test',
        transfers: [{ debit: issued, credit: consumer, amount: 100 }],
      });
      process.stdout.write(`ack ${key}\n`);
    }
  }),
);
