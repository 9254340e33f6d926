import { type Db, schema } from '@alliance/db';
import { type AuthError, createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import { eq } from 'drizzle-orm';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Config } from '../config';
import { ApiError, unauthorized } from '../errors';
import { randomBase32 } from '../ids';

/** Who a verified token names: our user id (dev tokens) or just a phone (Supabase tokens). */
export interface TokenSubject {
  userId?: string;
  phone: string;
}

export interface AuthProvider {
  kind: 'dev' | 'supabase';
  /** Supabase only: sends the SMS code through Supabase Auth. */
  sendCode?(phone: string): Promise<void>;
  /** Supabase only: checks the code with Supabase Auth and returns its access token. */
  exchangeCode?(phone: string, code: string): Promise<string | null>;
  /** Dev only: our own session token for a verified user. */
  issueToken?(user: { id: string; phone: string }): Promise<string>;
  verifyToken(token: string): Promise<TokenSubject>;
}

const devIssuer = 'alliance-dev';
const devTokenLifetime = '30d';

/** A WebSocket class for supabase-js's realtime client; Node 20 has none built in (DESIGN.md). */
export type RealtimeTransport = NonNullable<
  NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']
>;

export async function createAuthProvider(
  config: Config,
  db: Db,
  options: { realtimeTransport?: RealtimeTransport } = {},
): Promise<AuthProvider> {
  if (config.AUTH_PROVIDER === 'supabase') return supabaseProvider(config, options.realtimeTransport);
  const secret = new TextEncoder().encode(
    config.SESSION_SECRET ?? (await generatedSecret(db, 'session_secret')),
  );
  return {
    kind: 'dev',
    issueToken: (user) =>
      new SignJWT({ phone: user.phone })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setIssuer(devIssuer)
        .setIssuedAt()
        .setExpirationTime(devTokenLifetime)
        .sign(secret),
    verifyToken: async (token) => {
      try {
        const { payload } = await jwtVerify(token, secret, { issuer: devIssuer, algorithms: ['HS256'] });
        if (typeof payload.sub !== 'string' || typeof payload.phone !== 'string') throw new Error('claims');
        return { userId: payload.sub, phone: payload.phone };
      } catch {
        throw unauthorized('invalid_token', 'The token is invalid or expired');
      }
    },
  };
}

/** Production: Supabase Auth sends and checks SMS codes; we verify its ES256 JWTs against its JWKS. */
function supabaseProvider(config: Config, realtimeTransport: RealtimeTransport | undefined): AuthProvider {
  const supabaseUrl = config.SUPABASE_URL!.replace(/\/$/, '');
  const issuer = `${supabaseUrl}/auth/v1`;
  const jwks = createRemoteJWKSet(new URL(config.SUPABASE_JWKS_URL ?? `${issuer}/.well-known/jwks.json`));
  const client = () =>
    createClient(supabaseUrl, config.SUPABASE_ANON_KEY ?? '', {
      auth: { persistSession: false, autoRefreshToken: false },
      ...(realtimeTransport ? { realtime: { transport: realtimeTransport } } : {}),
    });
  return {
    kind: 'supabase',
    sendCode: async (phone) => {
      const { error } = await client().auth.signInWithOtp({ phone });
      if (error) throw providerFailure(error);
    },
    exchangeCode: async (phone, code) => {
      const { data, error } = await client().auth.verifyOtp({ phone, token: code, type: 'sms' });
      // Supabase answers a wrong or expired code with a 4xx; anything else is its failure, not the caller's.
      if (error && !(error.status && error.status >= 400 && error.status < 500 && error.status !== 429)) {
        throw providerFailure(error);
      }
      return error || !data.session ? null : data.session.access_token;
    },
    verifyToken: async (token) => {
      try {
        const { payload } = await jwtVerify(token, jwks, { issuer, audience: 'authenticated' });
        const phone = typeof payload.phone === 'string' ? payload.phone : '';
        if (!phone) throw new Error('no phone claim');
        // Supabase stores phones without the leading "+".
        return { phone: phone.startsWith('+') ? phone : `+${phone}` };
      } catch (error) {
        // Keys that cannot be fetched are Supabase's outage, not a bad token: signing people out would be wrong.
        if (
          error instanceof joseErrors.JWKSTimeout ||
          error instanceof TypeError ||
          (error instanceof joseErrors.JOSEError && error.code === 'ERR_JOSE_GENERIC')
        ) {
          throw new ApiError(
            502,
            'auth_provider_error',
            'The sign-in service did not answer; try again shortly',
          );
        }
        throw unauthorized('invalid_token', 'The token is invalid or expired');
      }
    },
  };
}

/** Supabase's own limit stays a 429; every other failure of the provider is a 502 with a code, never a 500. */
function providerFailure(error: AuthError): ApiError {
  if (error.status === 429) return new ApiError(429, 'rate_limited', 'Too many requests; try again later');
  return new ApiError(502, 'auth_provider_error', 'The sign-in service did not answer; try again shortly');
}

async function generatedSecret(db: Db, name: string): Promise<string> {
  const t = schema.generatedSecrets;
  await db
    .insert(t)
    .values({ name, value: randomBase32(52) })
    .onConflictDoNothing();
  const [row] = await db.select().from(t).where(eq(t.name, name));
  return row!.value;
}
