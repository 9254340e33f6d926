import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/**
 * A loopback stand-in for Supabase Auth (GoTrue): the endpoints the API calls (phone OTP send and
 * verify) and the JWKS its ES256 tokens are checked against, so the real supabase-js client and the
 * real JWT verification run in tests.
 */
export async function startGoTrueStandIn() {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'standin-key', alg: 'ES256', use: 'sig' };
  /** Last code sent per phone (GoTrue's form: digits without the plus). */
  const codes = new Map<string, string>();
  const state = { failWith: 0 };
  let url = '';

  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/auth/v1/.well-known/jwks.json') return send(200, { keys: [jwk] });
    if (state.failWith) return send(state.failWith, { code: 'unexpected_failure', msg: 'down' });
    const body = JSON.parse((await readBody(req)) || '{}') as { phone?: string; token?: string };
    const phone = String(body.phone ?? '').replace(/^\+/, '');
    if (req.method === 'POST' && path === '/auth/v1/otp') {
      codes.set(phone, String(100000 + Math.floor(Math.random() * 900000)));
      return send(200, {});
    }
    if (req.method === 'POST' && path === '/auth/v1/verify') {
      if (!codes.has(phone) || codes.get(phone) !== body.token) {
        return send(403, {
          code: 'otp_expired',
          error_code: 'otp_expired',
          msg: 'Token has expired or is invalid',
        });
      }
      codes.delete(phone);
      const userId = `00000000-0000-4000-8000-${phone.padStart(12, '0').slice(-12)}`;
      const accessToken = await new SignJWT({ phone, role: 'authenticated' })
        .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
        .setSubject(userId)
        .setIssuer(`${url}/auth/v1`)
        .setAudience('authenticated')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
      return send(200, {
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: 3600,
        expires_at: Math.floor(Date.now() / 1000) + 3600,
        refresh_token: 'standin-refresh',
        user: { id: userId, aud: 'authenticated', role: 'authenticated', phone },
      });
    }
    send(404, { code: 'not_found', msg: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    /** The code last "sent by SMS" to this phone. */
    codeFor: (e164: string) => codes.get(e164.replace(/^\+/, '')),
    /** Answer every sign-in call with this HTTP status (0: work normally). */
    failWith: (status: number) => {
      state.failWith = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => {
      data += chunk;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
