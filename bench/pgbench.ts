/**
 * The baseline every benchmark is divided by: pgbench's TPC-B-like transaction (three UPDATEs, a
 * SELECT and an INSERT) at scale 10 with 8 clients, on its own database that is dropped afterwards.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import postgres from 'postgres';

const run = promisify(execFile);

export async function measurePgbenchTps(adminUrl: string, seconds = 10): Promise<number> {
  const name = `alliance_pgbench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    await run('pgbench', ['-i', '-s', '10', '-q', url.toString()], { maxBuffer: 16 * 1024 * 1024 });
    const { stdout } = await run('pgbench', ['-c', '8', '-j', '2', '-T', String(seconds), url.toString()], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const match = /tps = ([\d.]+)/.exec(stdout);
    if (!match?.[1]) throw new Error(`pgbench printed no tps:\n${stdout}`);
    return Number(match[1]);
  } finally {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
