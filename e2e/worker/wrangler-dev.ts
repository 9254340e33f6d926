/**
 * Test fixture: the Worker (api/worker.ts, with the web apps as static assets) in workerd through
 * `wrangler dev`, offline, on a free port, with Hyperdrive pointed at the given database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, root } from '../server';

export interface WorkerServer {
  url: string;
  stop(): Promise<void>;
  output(): string;
}

export async function startWorker(databaseUrl: string, vars: Record<string, string>): Promise<WorkerServer> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const stateDir = mkdtempSync(join(tmpdir(), 'alliance-wrangler-'));
  // Hyperdrive's local mode refuses a connection string without a password; trust auth ignores it.
  const hyperdriveUrl = new URL(databaseUrl);
  if (!hyperdriveUrl.password) hyperdriveUrl.password = 'local';
  const args = [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
  ];
  // Cron triggers: with static assets, wrangler 4.86's /cdn-cgi/handler/scheduled reaches the asset
  // router, which has no scheduled handler; --test-scheduled adds /__scheduled?cron= to the Worker.
  args.push('--test-scheduled', '--persist-to', stateDir, '--show-interactive-dev-session=false');
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  let log = '';
  const child: ChildProcess = spawn(join(root, 'node_modules/.bin/wrangler'), args, {
    cwd: root,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      // No banner, so no check of the npm registry for a newer wrangler.
      WRANGLER_HIDE_BANNER: 'true',
      CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: hyperdriveUrl.toString(),
    },
    // Its own process group: stop() ends wrangler and the workerd processes it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    log += d;
  });
  child.stderr?.on('data', (d) => {
    log += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  // Building both web apps and the Worker takes a few seconds; a busy 2-core machine, more.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log}`);
    }
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Worker did not become healthy in 90 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, stop, output: () => log };
}
