import { readFileSync } from 'node:fs';
import type { Db, OpenDb, Tx } from '@alliance/db';
import { openDb } from '@alliance/db/node';
import postgres from 'postgres';
import { inject } from 'vitest';

/** This test file's own database: a PGlite copy of the migrated template, or a new PostgreSQL database. */
export async function openTestDb(
  options: { maxConnections?: number } = {},
): Promise<OpenDb & { url?: string }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const template = readFileSync(inject('pgliteTemplate'));
    return openDb({ dataDir: 'memory', loadDataDir: new Blob([template]), migrate: false });
  }
  const database = await createPostgresDatabase(adminUrl);
  const opened = await openDb({ databaseUrl: database.url, maxConnections: options.maxConnections ?? 20 });
  return {
    ...opened,
    url: database.url,
    close: async () => {
      await opened.close();
      await database.drop();
    },
  };
}

/** A new empty database on the admin URL's server, for one test run; drop() removes it. */
export async function createPostgresDatabase(
  adminUrl: string,
  prefix = 'alliance_test',
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

/**
 * Runs `hold` in a transaction of its own (taking a lock, say) and keeps that transaction open
 * until `release()`, which resolves once it has committed. Resolves when `hold` has run.
 */
export async function holdOpen(
  db: Db,
  hold: (tx: Tx) => Promise<unknown>,
): Promise<{ release(): Promise<void> }> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = () => {};
  const isHeld = new Promise<void>((resolve) => {
    held = resolve;
  });
  const transaction = db.transaction(async (tx) => {
    await hold(tx as Tx);
    held();
    await released;
  });
  await Promise.race([isHeld, transaction]);
  return {
    release: async () => {
      release();
      await transaction;
    },
  };
}
