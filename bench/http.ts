/**
 * What the HTTP benches share: a server (bench/serve.ts) in a child process, a keep-alive client,
 * and a loop that keeps N clients busy for a time box. BENCH_CPU_PROF=<dir> profiles the server
 * (node --cpu-prof); BENCH_SERVER_CPU=<n> pins it to that core with taskset, and BENCH_DB_CPU=<m>
 * pins this database's PostgreSQL backends and the bench's own client process to another
 * (`pinDatabase`), so that server and database do not share a core.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface BenchServer {
  base: string;
  /** Resident memory of the server process now, in MB. */
  rssMb(): number;
  /** CPU time (user + system) the server process has used so far, in ms (10 ms resolution). */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** USER_HZ: Linux reports /proc CPU times in 1/100 s on every architecture Node runs on. */
const clockTicksPerSecond = 100;

/** CPU time (user + system) a process has used so far, in ms; 0 once it is gone. */
function processCpuMs(pid: number | string): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime, stime in ticks.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
}

/**
 * CPU time each PostgreSQL process on this machine has used so far, in ms by pid: the backends,
 * the WAL writer and the checkpointer alike (the bench expects nothing else to use the server).
 */
export function postgresCpuMsByPid(): Map<string, number> {
  const byPid = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let name: string;
    try {
      name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (name === 'postgres') byPid.set(pid, processCpuMs(pid));
  }
  return byPid;
}

/**
 * CPU PostgreSQL has used since `before`, in ms, by the processes alive now: a pgbench round's
 * backends that exit meanwhile leave out what they used before, which was not the scenario's.
 */
export function postgresCpuMsSince(before: Map<string, number>): number {
  let total = 0;
  for (const [pid, ms] of postgresCpuMsByPid()) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** CPU time this process (the bench's clients) has used so far, in ms. */
export function clientCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export async function startServer(options: {
  mode: 'api' | 'bare';
  databaseUrl: string;
  pool?: number;
}): Promise<BenchServer> {
  const entry = fileURLToPath(new URL('./serve.ts', import.meta.url));
  const profile = process.env.BENCH_CPU_PROF;
  const nodeArgs = [
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
    '--import',
    'tsx',
    entry,
  ];
  const pin = process.env.BENCH_SERVER_CPU;
  const [command, args] = pin
    ? ['taskset', ['-c', pin, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child: ChildProcess = spawn(command, args, {
    env: {
      ...process.env,
      BENCH_MODE: options.mode,
      BENCH_SERVE_DATABASE_URL: options.databaseUrl,
      BENCH_SERVE_POOL: String(options.pool ?? 10),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^port (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    base: `http://127.0.0.1:${port}`,
    rssMb: () => {
      // taskset execs node, so the child's pid is node's either way.
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    },
    cpuMs: () => processCpuMs(child.pid!),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Keep-alive HTTP/1.1 connections for the bench's clients, on raw sockets: a request's bytes are
 * written at once and the answer is read up to its Content-Length. node:http's client cost the
 * load generator about 115 µs of CPU per confirmation (this one about 40), and on this machine the
 * load generator shares the two cores with the server and PostgreSQL (pgbench's client is C).
 */
interface Connection {
  socket: net.Socket;
  /** The Host header's value. */
  host: string;
  received: Buffer;
  waiting?: { resolve(answer: { status: number; body: Buffer }): void; reject(error: Error): void };
}

/** Idle connections by server base URL; a connection the server closes leaves its list. */
const idle = new Map<string, Connection[]>();

function connect(base: string): Connection {
  const url = new URL(base);
  const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
  const connection: Connection = { socket, host: url.host, received: Buffer.alloc(0) };
  const fail = (error: Error) => {
    const waiting = connection.waiting;
    connection.waiting = undefined;
    waiting?.reject(error);
  };
  socket.on('data', (chunk: Buffer) => {
    connection.received =
      connection.received.length === 0 ? chunk : Buffer.concat([connection.received, chunk]);
    const headEnd = connection.received.indexOf('\r\n\r\n');
    if (headEnd < 0 || !connection.waiting) return;
    const head = connection.received.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) return fail(new Error(`bench client: an answer without Content-Length:\n${head}`));
    const end = headEnd + 4 + Number(length[1]);
    if (connection.received.length < end) return;
    const body = connection.received.subarray(headEnd + 4, end);
    connection.received = connection.received.subarray(end);
    const waiting = connection.waiting;
    connection.waiting = undefined;
    // "HTTP/1.1 200 OK": the status is characters 9 to 11.
    waiting.resolve({ status: Number(head.slice(9, 12)), body });
  });
  socket.on('error', fail);
  socket.on('close', () => {
    const list = idle.get(base);
    const at = list?.indexOf(connection) ?? -1;
    if (at >= 0) list?.splice(at, 1);
    fail(new Error('bench client: the server closed the connection'));
  });
  return connection;
}

/** A JSON call; anything but a 2xx fails the bench (the API's own tests check the shapes). */
export async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<unknown> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const list = idle.get(base) ?? [];
  idle.set(base, list);
  const connection = list.pop() ?? connect(base);
  const request =
    `${method} ${path} HTTP/1.1\r\nhost: ${connection.host}\r\n` +
    (token ? `authorization: Bearer ${token}\r\n` : '') +
    (payload === undefined
      ? '\r\n'
      : `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`);
  const answer = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    connection.waiting = { resolve, reject };
    connection.socket.write(request);
  });
  if (!connection.socket.destroyed) list.push(connection);
  const json = JSON.parse(answer.body.toString('utf8'));
  if (answer.status < 200 || answer.status >= 300)
    throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(json)}`);
  return json;
}

/** Runs `clients` loops of `step` until the time box ends (or a step returns false); returns the count. */
export async function drive(
  clients: number,
  ms: number,
  step: (client: number) => Promise<boolean | undefined>,
) {
  let done = 0;
  const deadline = performance.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        if ((await step(client)) === false) return;
        done++;
      }
    }),
  );
  return done;
}

/**
 * With BENCH_DB_CPU set: pins the backends now serving `database` (call it after a warm-up, when
 * the pools are open) and this process to that core. Other databases' backends are left alone.
 */
export async function pinDatabase(admin: { unsafe(q: string): Promise<unknown> }, database: string) {
  const cpu = process.env.BENCH_DB_CPU;
  if (!cpu) return;
  const rows = (await admin.unsafe(
    `select pid from pg_stat_activity where datname = '${database.replace(/'/g, "''")}'`,
  )) as Array<{ pid: number }>;
  for (const pid of [...rows.map((r) => r.pid), process.pid]) {
    execFileSync('taskset', ['-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
  }
}
