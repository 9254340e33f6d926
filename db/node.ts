import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';

import { type Db, type OpenDb, openPostgres, schema } from './index';

export * from './index';

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export interface OpenDbOptions {
  /** PostgreSQL URL; unset means embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data folder, or `memory`. */
  dataDir?: string;
  /** A migrated PGlite data folder dump to start from (tests clone one template instead of migrating). */
  loadDataDir?: Blob | File;
  /** postgres.js pool size. */
  maxConnections?: number;
  migrate?: boolean;
}

export async function openDb(options: OpenDbOptions): Promise<OpenDb> {
  const shouldMigrate = options.migrate ?? true;
  if (options.databaseUrl) {
    const opened = openPostgres(options.databaseUrl, options.maxConnections);
    await checkReachable(opened, options.databaseUrl);
    if (shouldMigrate) {
      try {
        await refuseUnknownMigrations(opened.db, 'Drop and recreate the database, then start again.');
        await migratePostgres(opened.db as never, { migrationsFolder });
      } catch (error) {
        await opened.close();
        throw error;
      }
    }
    return opened;
  }
  const dataDir = options.dataDir ?? '.data';
  const release = dataDir === 'memory' ? () => {} : lockDataDir(dataDir);
  try {
    const client =
      dataDir === 'memory'
        ? new PGlite({ loadDataDir: options.loadDataDir })
        : new PGlite(dataDir, { loadDataDir: options.loadDataDir });
    await client.waitReady;
    const db = drizzlePglite(client, { schema }) as unknown as Db;
    if (shouldMigrate) {
      try {
        await refuseUnknownMigrations(
          db,
          `Stop the server, delete the data folder ${resolve(dataDir)} and start again (it is created afresh).`,
        );
        await migratePglite(db as never, { migrationsFolder });
      } catch (error) {
        await client.close();
        throw error;
      }
    }
    return {
      db,
      kind: 'pglite',
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * Migrations are frozen from the baseline on (ADR 0007). A database migrated by files that are not
 * this checkout's (made before the baseline, or by an edited migration) cannot be brought up to date
 * safely: it is refused before anything runs, never half-migrated.
 */
async function refuseUnknownMigrations(db: Db, howToReset: string): Promise<void> {
  const [table] = await rows<{ name: string | null }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations')::text as name`,
  );
  if (!table?.name) return;
  const applied = await rows<{ hash: string; created_at: string }>(
    db,
    sql`select hash, created_at from drizzle.__drizzle_migrations order by created_at`,
  );
  const known = new Set(readMigrationFiles({ migrationsFolder }).map((m) => `${m.folderMillis}:${m.hash}`));
  const unknown = applied.filter((m) => !known.has(`${Number(m.created_at)}:${m.hash}`));
  if (unknown.length > 0) {
    throw new Error(
      `This database was created by an older version of the application (${unknown.length} of its ` +
        'migrations are not in db/migrations, which now start from one baseline) and cannot be upgraded. ' +
        howToReset,
    );
  }
}

async function rows<T>(db: Db, statement: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await db.execute(statement)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

const reachTimeoutMs = 15_000;

/**
 * Fails fast with the host named, instead of a migration's "Failed query" or a hang: postgres.js
 * retries a failed connection for as long as a query waits, so the wait itself is bounded here.
 */
async function checkReachable(opened: OpenDb, databaseUrl: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${reachTimeoutMs / 1000} s`)),
      reachTimeoutMs,
    );
  });
  try {
    await Promise.race([opened.db.execute(sql`select 1`), timeout]);
  } catch (error) {
    void opened.close().catch(() => {});
    const url = new URL(databaseUrl);
    const cause =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : error;
    throw new Error(
      `Cannot reach PostgreSQL at ${url.hostname}:${url.port || 5432} (DATABASE_URL): ${cause}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** PGlite has no lock on its folder; two processes on one folder would corrupt it. */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(resolve(dataDir), 'alliance.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockPath, 'utf8'));
      if (holder && isAlive(holder)) {
        throw new Error(
          `The data folder ${resolve(dataDir)} is in use by process ${holder}. ` +
            'Embedded PGlite allows one process per folder: stop that process, or set DATA_DIR to another folder.',
        );
      }
      // The holder died without cleaning up: take the lock over.
      if (existsSync(lockPath)) rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock the data folder ${resolve(dataDir)}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
