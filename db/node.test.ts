import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from './node';

const dir = mkdtempSync(join(tmpdir(), 'alliance-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded PGlite data folder', () => {
  it('is used by one process only: a second opener gets a clear error', async () => {
    const first = await openDb({ dataDir: dir, migrate: false });
    try {
      await expect(openDb({ dataDir: dir, migrate: false })).rejects.toThrow(/is in use by process \d+/);
      const script = join(dir, 'second.ts');
      writeFileSync(
        script,
        `import { openDb } from ${JSON.stringify(join(process.cwd(), 'db/node.ts'))};\n` +
          `openDb({ dataDir: ${JSON.stringify(dir)}, migrate: false }).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(3); });\n`,
      );
      const child = spawnSync('npx', ['tsx', script], { encoding: 'utf8' });
      expect(child.status).toBe(3);
      expect(child.stderr).toContain('Embedded PGlite allows one process per folder');
    } finally {
      await first.close();
    }
    // Released on close: it opens again.
    const again = await openDb({ dataDir: dir, migrate: false });
    await again.close();
  });

  it('takes over the lock of a process that died', async () => {
    writeFileSync(join(dir, 'alliance.lock'), '999999999');
    const opened = await openDb({ dataDir: dir, migrate: false });
    await opened.close();
  });
});

describe('a database from before the migration baseline', () => {
  it('is refused at start with how to reset it, and nothing is migrated', async () => {
    const oldDir = join(dir, 'old');
    const old = await openDb({ dataDir: oldDir, migrate: false });
    // What an older checkout left in drizzle's journal: its first migration, 0000_foundation.
    await old.db.execute(sql`create schema drizzle`);
    await old.db.execute(
      sql`create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
    );
    await old.db.execute(
      sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('0c3f7a0e', 1795997727496)`,
    );
    await old.close();

    await expect(openDb({ dataDir: oldDir })).rejects.toThrow(
      /created by an older version .* delete the data folder .*old and start again/,
    );
    const after = await openDb({ dataDir: oldDir, migrate: false });
    try {
      const result = (await after.db.execute(
        sql`select to_regclass('public.users')::text as name`,
      )) as unknown as {
        rows: Array<{ name: string | null }>;
      };
      expect(result.rows[0]?.name).toBeNull();
    } finally {
      await after.close();
    }
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'on PostgreSQL too: the message says to drop the database',
    async () => {
      const adminUrl = process.env.TEST_DATABASE_URL!;
      const name = `alliance_old_${process.pid}`;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      try {
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        const old = postgres(url.toString(), { max: 1, onnotice: () => {} });
        await old.unsafe(
          'create schema drizzle; create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint); ' +
            "insert into drizzle.__drizzle_migrations (hash, created_at) values ('0c3f7a0e', 1795997727496)",
        );
        await old.end();
        await expect(openDb({ databaseUrl: url.toString() })).rejects.toThrow(
          /drop and recreate the database/i,
        );
      } finally {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    },
  );
});
