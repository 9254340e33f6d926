import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { stripeEndpoint } from '../services/stripe';
import worker from '../worker';
import { onPostgres } from './test-db';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts the real Node entry with this environment; resolves when it exits (or kills it at the limit). */
function runEntry(env: Record<string, string>, limitMs = 30_000) {
  return new Promise<{ code: number | null; stderr: string; ms: number }>((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/node.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', DATA_DIR: 'memory', PORT: '0', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code) => {
      clearTimeout(limit);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8787);
    expect(config.DATA_DIR).toBe('.data');
    expect(config.AUTH_PROVIDER).toBe('dev');
    expect(config.AUTH_OTP_PER_PHONE_HOUR).toBe(10);
    expect(config.AUTH_OTP_PER_IP_HOUR).toBe(60);
    expect(config.AUTH_VERIFY_PER_IP_HOUR).toBe(300);
    expect(config.STRIPE_WEBHOOK_SECRET).toBe('whsec_dev_alliance_embedded_only');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.STRIPE_SECRET_KEY).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:8787');
    expect([...config.operatorPhones]).toEqual([]);
    expect(config.STRIPE_API_BASE).toBeUndefined();
  });

  it('names the bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ AUTH_PROVIDER: 'sms' })).toThrow(/AUTH_PROVIDER/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ AUTH_OTP_PER_PHONE_HOUR: '0' })).toThrow(/AUTH_OTP_PER_PHONE_HOUR/);
    expect(() => loadConfig({ AUTH_PROVIDER: 'supabase' })).toThrow(/SUPABASE_URL/);
    expect(() => loadConfig({ STRIPE_API_BASE: '127.0.0.1:12111' })).toThrow(/STRIPE_API_BASE/);
  });

  it('turns STRIPE_API_BASE into the Stripe SDK endpoint', () => {
    expect(stripeEndpoint('http://127.0.0.1:12111')).toEqual({
      host: '127.0.0.1',
      port: 12111,
      protocol: 'http',
    });
    expect(stripeEndpoint('https://api.stripe.com')).toEqual({
      host: 'api.stripe.com',
      port: 443,
      protocol: 'https',
    });
  });

  it('reads operator phones as a list', () => {
    const config = loadConfig({ OPERATOR_PHONES: '+8613900000000, +8613900000001' });
    expect([...config.operatorPhones]).toEqual(['+8613900000000', '+8613900000001']);
  });

  it('the Worker fails closed: Stripe with its own webhook secret, and Supabase Auth', async () => {
    const production = {
      HYPERDRIVE: { connectionString: 'postgres://u:p@127.0.0.1:1/none' },
      ASSETS: { fetch: async () => new Response('') },
      AUTH_PROVIDER: 'supabase',
      SUPABASE_URL: 'https://project.supabase.co',
      STRIPE_SECRET_KEY: 'sk_live_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
    };
    const ctx = { waitUntil: () => {} };
    const health = () => new Request('http://worker/health');
    const without = (name: string) =>
      Object.fromEntries(Object.entries(production).filter(([k]) => k !== name));
    await expect(worker.fetch(health(), without('STRIPE_SECRET_KEY') as never, ctx)).rejects.toThrow(
      /STRIPE_SECRET_KEY/,
    );
    await expect(worker.fetch(health(), without('STRIPE_WEBHOOK_SECRET') as never, ctx)).rejects.toThrow(
      /STRIPE_WEBHOOK_SECRET/,
    );
    const dev = { ...production, AUTH_PROVIDER: 'dev' };
    await expect(worker.fetch(health(), dev, ctx)).rejects.toThrow(/AUTH_PROVIDER must be supabase/);
  });
});

describe('production settings fail closed', () => {
  it('refuses Stripe keys without a webhook secret, an empty value counting as unset', () => {
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_live_x' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: '' })).toThrow(
      /STRIPE_WEBHOOK_SECRET/,
    );
    const config = loadConfig({ STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_real' });
    expect(config.STRIPE_WEBHOOK_SECRET).toBe('whsec_real');
  });

  it('refuses PostgreSQL without a named sign-in provider', () => {
    const databaseUrl = 'postgres://app@db.example:5432/alliance';
    expect(() => loadConfig({ DATABASE_URL: databaseUrl })).toThrow(/AUTH_PROVIDER/);
    expect(() => loadConfig({ DATABASE_URL: databaseUrl, AUTH_PROVIDER: '' })).toThrow(/AUTH_PROVIDER/);
    expect(loadConfig({ DATABASE_URL: databaseUrl, AUTH_PROVIDER: 'dev' }).AUTH_PROVIDER).toBe('dev');
  });

  it('the server refuses to start with STRIPE_SECRET_KEY and no STRIPE_WEBHOOK_SECRET', async () => {
    const run = await runEntry({ STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: '' });
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr).toContain('STRIPE_WEBHOOK_SECRET');
  });

  it('the server refuses DATABASE_URL without AUTH_PROVIDER before connecting (a silent host)', async () => {
    // A host that accepts connections and never answers: connecting would hang, so a quick refusal
    // that names the variable proves nothing was connected to.
    const silent = await listenSilently();
    try {
      const port = (silent.address() as { port: number }).port;
      const run = await runEntry({ DATABASE_URL: `postgres://app@127.0.0.1:${port}/alliance` }, 10_000);
      expect(run.code).not.toBe(0);
      expect(run.code).not.toBeNull();
      expect(run.stderr).toContain('AUTH_PROVIDER');
    } finally {
      silent.close();
    }
  });

  it('a database that refuses connections stops the server naming the host', async () => {
    const run = await runEntry({ DATABASE_URL: 'postgres://app@127.0.0.1:1/alliance', AUTH_PROVIDER: 'dev' });
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr).toContain('Cannot reach PostgreSQL at 127.0.0.1:1');
  });

  // Slow (the bounded wait is 15 s), so it runs with the PostgreSQL tier.
  it.skipIf(!onPostgres)(
    'a host that never answers stops the server within 30 s naming the host',
    async () => {
      const silent = await listenSilently();
      try {
        const port = (silent.address() as { port: number }).port;
        const run = await runEntry({
          DATABASE_URL: `postgres://app@127.0.0.1:${port}/alliance`,
          AUTH_PROVIDER: 'dev',
        });
        expect(run.code).not.toBe(0);
        expect(run.code).not.toBeNull();
        expect(run.ms).toBeLessThan(30_000);
        expect(run.stderr).toContain(`Cannot reach PostgreSQL at 127.0.0.1:${port}`);
      } finally {
        silent.close();
      }
    },
  );
});

function listenSilently(): Promise<Server> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  const close = server.close.bind(server);
  server.close = (cb) => {
    for (const socket of sockets) socket.destroy();
    return close(cb);
  };
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
