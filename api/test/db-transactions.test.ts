import { type OpenDb, pgErrorCode } from '@alliance/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../ledger/sql';
import { onPostgres, openTestDb } from './test-db';

/**
 * db/index.ts sends BEGIN together with a transaction's first statement (issue 14). These check
 * that it is still one transaction with postgres.js's begin() semantics, on real PostgreSQL.
 */
describe.skipIf(!onPostgres)('transactions with a pipelined BEGIN (PostgreSQL)', () => {
  let opened: OpenDb;
  const rows = async () =>
    (await query<{ label: string }>(opened.db, sql`select label from tx_probe order by label`)).map(
      (r) => r.label,
    );

  beforeAll(async () => {
    opened = await openTestDb({ maxConnections: 4 });
    await opened.db.execute(sql`create table tx_probe (label text primary key)`);
  });
  afterAll(() => opened.close());

  it('the first statement already runs inside the transaction, and the work commits', async () => {
    await opened.db.execute(sql`truncate tx_probe`);
    const ids = await opened.db.transaction(async (tx) => {
      const [first] = await query<{ id: string }>(tx, sql`select txid_current()::text as id`);
      await tx.execute(sql`insert into tx_probe values ('a')`);
      const [second] = await query<{ id: string }>(tx, sql`select txid_current()::text as id`);
      return [first?.id, second?.id];
    });
    expect(ids[0]).toBe(ids[1]);
    expect(await rows()).toEqual(['a']);
  });

  it('work that throws leaves nothing behind', async () => {
    await opened.db.execute(sql`truncate tx_probe`);
    await expect(
      opened.db.transaction(async (tx) => {
        await tx.execute(sql`insert into tx_probe values ('a')`);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await rows()).toEqual([]);
  });

  it('a failed statement whose error the work caught still fails the transaction', async () => {
    await opened.db.execute(sql`truncate tx_probe`);
    await expect(
      opened.db.transaction(async (tx) => {
        await tx.execute(sql`insert into tx_probe values ('a')`);
        await tx.execute(sql`insert into tx_probe values ('a')`).catch(() => {});
        return 'done';
      }),
    ).rejects.toSatisfy((error) => pgErrorCode(error) === '23505');
    expect(await rows()).toEqual([]);
  });

  it('a nested transaction (savepoint) that fails is undone alone; the outer work commits', async () => {
    await opened.db.execute(sql`truncate tx_probe`);
    await opened.db.transaction(async (tx) => {
      await tx.execute(sql`insert into tx_probe values ('a')`);
      await expect(
        tx.transaction(async (inner) => {
          await inner.execute(sql`insert into tx_probe values ('b')`);
          await inner.execute(sql`insert into tx_probe values ('a')`);
        }),
      ).rejects.toSatisfy((error) => pgErrorCode(error) === '23505');
      await tx.transaction(async (inner) => {
        await inner.execute(sql`insert into tx_probe values ('c')`);
      });
    });
    expect(await rows()).toEqual(['a', 'c']);
  });
});
