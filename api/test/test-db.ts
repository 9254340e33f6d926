import { readFileSync } from 'node:fs';
import type { OpenDb } from '@alliance/db';
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
  const name = `alliance_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const opened = await openDb({ databaseUrl: url.toString(), maxConnections: options.maxConnections ?? 20 });
  return {
    ...opened,
    url: url.toString(),
    close: async () => {
      await opened.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
