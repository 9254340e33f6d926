import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
