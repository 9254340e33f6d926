import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema/index';

export { schema };
export type Schema = typeof schema;
/** Either driver's database; services only ever see this type. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type DbOrTx = Db | Tx;
export type DbKind = 'pglite' | 'postgres';

export interface OpenDb {
  db: Db;
  kind: DbKind;
  close(): Promise<void>;
}

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
    const client = postgres(options.databaseUrl, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      // Business time zone is applied explicitly in SQL; the session zone must not matter.
      connection: { application_name: 'alliance' },
    });
    const db = drizzlePostgres(client, { schema }) as unknown as Db;
    if (shouldMigrate) await migratePostgres(db as never, { migrationsFolder });
    return { db, kind: 'postgres', close: () => client.end({ timeout: 5 }) };
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
    if (shouldMigrate) await migratePglite(db as never, { migrationsFolder });
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
      if (holder && holder !== process.pid && isAlive(holder)) {
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

/** PostgreSQL error code of a (drizzle-wrapped) driver error. */
export function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
