/**
 * A local stand-in for Supabase Auth (GoTrue) on loopback, for tests: the endpoints the platform
 * calls through @supabase/supabase-js (phone OTP send and verify) and the JWKS its ES256 access
 * tokens verify against, so the production `supabase` provider runs unchanged. The "SMS" is
 * `lastCode(phone)`. Like GoTrue it keeps phones without the leading "+", checks the apikey
 * header, and a code is good for one use.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface SupabaseStandIn {
  /** Use as SUPABASE_URL. */
  url: string;
  anonKey: string;
  /** The last code sent to this phone (E.164, with or without "+"). */
  lastCode(phone: string): string | undefined;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  /** Answer every OTP call with this HTTP status (an outage); 0 answers normally again. */
  failWith(status: number): void;
  close(): Promise<void>;
}

const tokenLifetimeSeconds = 3600;

export async function startSupabaseStandIn(anonKey = 'stand-in-anon-key'): Promise<SupabaseStandIn> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] };
  const codes = new Map<string, string>();
  const userIds = new Map<string, string>();
  const digits = (phone: unknown) => String(phone ?? '').replace(/^\+/, '');
  let url = '';
  let jwksFetches = 0;
  let failStatus = 0;

  async function session(phone: string) {
    const userId = userIds.get(phone) ?? randomUUID();
    userIds.set(phone, userId);
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({
      phone,
      role: 'authenticated',
      aal: 'aal1',
      session_id: randomUUID(),
    })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(`${url}/auth/v1`)
      .setAudience('authenticated')
      .setSubject(userId)
      .setIssuedAt(now)
      .setExpirationTime(now + tokenLifetimeSeconds)
      .sign(privateKey);
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: tokenLifetimeSeconds,
      expires_at: now + tokenLifetimeSeconds,
      refresh_token: randomUUID(),
      user: {
        id: userId,
        aud: 'authenticated',
        role: 'authenticated',
        phone,
        phone_confirmed_at: new Date().toISOString(),
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', url).pathname;
    if (req.method === 'GET' && path === '/auth/v1/.well-known/jwks.json') {
      jwksFetches++;
      return send(res, 200, jwks);
    }
    if (failStatus)
      return send(res, failStatus, { code: failStatus, error_code: 'unexpected_failure', msg: 'down' });
    if (req.headers.apikey !== anonKey) return send(res, 401, { message: 'Invalid API key' });
    const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
    if (req.method === 'POST' && path === '/auth/v1/otp') {
      const phone = digits(body.phone);
      if (!/^\d{8,15}$/.test(phone)) {
        return send(res, 400, {
          code: 400,
          error_code: 'validation_failed',
          msg: 'Invalid phone number format',
        });
      }
      codes.set(phone, String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0'));
      return send(res, 200, { message_id: randomUUID() });
    }
    if (req.method === 'POST' && path === '/auth/v1/verify') {
      const phone = digits(body.phone);
      if (body.type !== 'sms' || !codes.has(phone) || codes.get(phone) !== String(body.token)) {
        return send(res, 403, {
          code: 403,
          error_code: 'otp_expired',
          msg: 'Token has expired or is invalid',
        });
      }
      codes.delete(phone);
      return send(res, 200, await session(phone));
    }
    return send(res, 404, { code: 404, error_code: 'not_found', msg: `No ${req.method} ${path} here` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => send(res, 500, { code: 500, msg: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    anonKey,
    lastCode: (phone) => codes.get(digits(phone)),
    jwksFetches: () => jwksFetches,
    failWith: (status) => {
      failStatus = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
