/**
 * The baseline every benchmark is divided by: pgbench's TPC-B-like transaction (three UPDATEs, a
 * SELECT and an INSERT) at scale 10 with 8 clients, on its own database that is dropped afterwards.
 *
 * A scenario is measured in short rounds that alternate with pgbench rounds (`alongsidePgbench`),
 * and its ratio is to the pgbench rounds around it. On a shared machine the speed of both cores
 * drifts: pgbench alone ranged 2,540 to 3,550 tps over eight 5-second runs in one minute, and every
 * cost moved with it (the API's, PostgreSQL's and the load generator's CPU per request alike), so a
 * ratio to one pgbench run taken minutes earlier carried that drift whole.
 */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import postgres from 'postgres';

const run = promisify(execFile);

export interface Pgbench {
  /** Runs 8 clients for `seconds` on the initialised database; tps without connection time. */
  tps(seconds: number): Promise<number>;
  close(): Promise<void>;
}

export async function openPgbench(adminUrl: string): Promise<Pgbench> {
  const name = `alliance_pgbench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
  try {
    await run('pgbench', ['-i', '-s', '10', '-q', url.toString()], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    await drop();
    throw error;
  }
  return {
    async tps(seconds) {
      const args = ['-c', '8', '-j', '2', '-T', String(seconds), url.toString()];
      // A child inherits this process's CPU affinity, which BENCH_DB_CPU narrows to one core
      // (bench/http.ts pinDatabase): pgbench gets every core back, as in an unpinned run.
      const [command, commandArgs] = process.env.BENCH_DB_CPU
        ? ['taskset', ['-c', `0-${availableParallelism() - 1}`, 'pgbench', ...args]]
        : ['pgbench', args];
      const { stdout } = await run(command, commandArgs, { maxBuffer: 16 * 1024 * 1024 });
      const match = /tps = ([\d.]+)/.exec(stdout);
      if (!match?.[1]) throw new Error(`pgbench printed no tps:\n${stdout}`);
      return Number(match[1]);
    },
    close: drop,
  };
}

const rounds = 4;
const roundSeconds = 2;

/** A scenario's rate and the pgbench rate measured in the rounds it alternated with. */
export interface Alongside {
  done: number;
  seconds: number;
  perSecond: number;
  pgbenchTps: number;
  /** perSecond / pgbenchTps: what every goal of issue 14 is stated in. */
  ratio: number;
}

/**
 * Runs `rounds` pairs of a pgbench round and a round of the scenario (`measure(ms)` drives it for
 * about `ms` and returns how many it completed), each `roundSeconds` long, and sets the scenario's
 * total rate against pgbench's mean. 8 seconds of each, as one 8-second window before.
 */
export async function alongsidePgbench(
  pgbench: Pgbench,
  measure: (ms: number) => Promise<number>,
): Promise<Alongside> {
  let done = 0;
  let seconds = 0;
  let pgbenchSum = 0;
  for (let round = 0; round < rounds; round++) {
    pgbenchSum += await pgbench.tps(roundSeconds);
    const started = performance.now();
    done += await measure(roundSeconds * 1000);
    seconds += (performance.now() - started) / 1000;
  }
  const perSecond = done / seconds;
  const pgbenchTps = pgbenchSum / rounds;
  return { done, seconds, perSecond, pgbenchTps, ratio: perSecond / pgbenchTps };
}
