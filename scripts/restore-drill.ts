/**
 * Restore drill (docs/operations.md): dump a PostgreSQL database with pg_dump, restore the dump
 * into a new database on the same server, run the ledger verify there, drop the copy. A backup
 * counts only once a restore of it has passed the verify.
 *
 *   npx tsx scripts/restore-drill.ts postgres://user:pass@host:5432/alliance
 *
 * The Worker test tier runs it on the database its flows filled (e2e/worker/worker.test.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { openPostgres } from '@alliance/db';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type VerifyResult, verifyLedger } from '../api/ledger';
import { query } from '../api/ledger/sql';

const run = promisify(execFile);

export interface DrillResult {
  dumpBytes: number;
  /** Ledger transfers in the restored copy (the source's count, if the dump is whole). */
  transfers: number;
  verify: VerifyResult;
}

export async function restoreDrill(sourceUrl: string): Promise<DrillResult> {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-restore-'));
  const dumpPath = join(dir, 'alliance.dump');
  const source = new URL(sourceUrl);
  const copyName = `${source.pathname.slice(1)}_restored_${Math.random().toString(36).slice(2, 8)}`;
  const copyUrl = new URL(sourceUrl);
  copyUrl.pathname = `/${copyName}`;
  const admin = postgres(sourceUrl, { max: 1, onnotice: () => {} });
  try {
    // Custom format: compressed, and pg_restore loads rows before it creates triggers and indexes.
    await run('pg_dump', [
      '--format=custom',
      '--no-owner',
      '--no-privileges',
      `--file=${dumpPath}`,
      sourceUrl,
    ]);
    await admin.unsafe(`create database ${copyName}`);
    await run('pg_restore', [
      '--exit-on-error',
      '--no-owner',
      '--no-privileges',
      `--dbname=${copyUrl}`,
      dumpPath,
    ]);
    const copy = openPostgres(copyUrl.toString(), 2);
    try {
      const [count] = await query<{ n: string | number }>(
        copy.db,
        sql`select count(*) as n from ledger_transfers`,
      );
      return {
        dumpBytes: statSync(dumpPath).size,
        transfers: Number(count?.n ?? 0),
        verify: await verifyLedger(copy.db),
      };
    } finally {
      await copy.close();
    }
  } finally {
    await admin.unsafe(`drop database if exists ${copyName} with (force)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sourceUrl = process.argv[2] ?? process.env.DATABASE_URL;
  if (!sourceUrl) {
    console.error('usage: npx tsx scripts/restore-drill.ts <postgres url> (or DATABASE_URL)');
    process.exit(2);
  }
  const result = await restoreDrill(sourceUrl);
  for (const check of result.verify.checks) {
    console.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}${check.detail ? `: ${check.detail}` : ''}`);
  }
  console.log(`dump ${result.dumpBytes} bytes, ${result.transfers} ledger transfers restored`);
  process.exit(result.verify.ok ? 0 : 1);
}
