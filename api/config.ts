import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const positiveInt = z.coerce.number().int().positive();

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  /** `dev` by default on embedded PGlite only; required with DATABASE_URL (resolved below). */
  AUTH_PROVIDER: z.enum(['dev', 'supabase']).optional(),
  OPERATOR_PHONES: z.string().optional(),
  SUPABASE_URL: z.string().url().optional(),
  SUPABASE_ANON_KEY: z.string().optional(),
  /** Defaults to `${SUPABASE_URL}/auth/v1/.well-known/jwks.json`. */
  SUPABASE_JWKS_URL: z.string().url().optional(),
  /** HS256 secret for tokens of the dev provider; generated and kept in the database when unset. */
  SESSION_SECRET: z.string().min(32).optional(),
  STRIPE_SECRET_KEY: z.string().optional(),
  /** The dev secret applies only while STRIPE_SECRET_KEY is unset (resolved below). */
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  /**
   * Secret of a second webhook endpoint that listens to connected accounts (account.updated, ADR
   * 0016): Stripe signs Connect events with that endpoint's own secret.
   */
  STRIPE_CONNECT_WEBHOOK_SECRET: z.string().optional(),
  /** Origin of the Stripe API; unset means api.stripe.com. The Worker test tier points it at the fake. */
  STRIPE_API_BASE: z.string().url().optional(),
  DEMO_DATA: bool.optional(),
  AUTH_OTP_PER_PHONE_HOUR: positiveInt.default(10),
  AUTH_OTP_PER_IP_HOUR: positiveInt.default(60),
  AUTH_VERIFY_PER_IP_HOUR: positiveInt.default(300),
  /** Public voucher quotes (the shop and the cart ask on every change) one client address may ask per minute. */
  VOUCHER_QUOTE_PER_IP_MINUTE: positiveInt.default(120),
  /** How long a running request holds its Idempotency-Key before a retry may take it over. */
  IDEMPOTENCY_LEASE_SECONDS: positiveInt.default(30),
  /** Take the client address from X-Forwarded-For (only behind a proxy you run). */
  TRUST_PROXY: bool.default(false),
  /** Public origin used in links (checkout return URLs); defaults to http://localhost:PORT. */
  PUBLIC_URL: z.string().url().optional(),
  /** AdMob server-side verification public keys (fetched, cached, refetched on an unknown key id). */
  ADMOB_KEYS_URL: z.string().url().default('https://www.gstatic.com/admob/reward/verifier-keys.json'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

type Parsed = z.infer<typeof configSchema>;
export type Config = Omit<Parsed, 'AUTH_PROVIDER' | 'STRIPE_WEBHOOK_SECRET'> & {
  AUTH_PROVIDER: 'dev' | 'supabase';
  STRIPE_WEBHOOK_SECRET: string;
  operatorPhones: Set<string>;
  publicUrl: string;
};

const devWebhookSecret = 'whsec_dev_alliance_embedded_only';

/** Parses the environment once; a bad variable stops the process with its name. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  // Production settings fail closed: a published dev secret or dev sign-in never guards real money.
  const refuse = (line: string) => {
    throw new Error(`Invalid configuration:\n  ${line}`);
  };
  if (config.DATABASE_URL && !config.AUTH_PROVIDER) {
    refuse('AUTH_PROVIDER: required with DATABASE_URL (supabase, or dev for a test deployment)');
  }
  if (config.STRIPE_SECRET_KEY && !config.STRIPE_WEBHOOK_SECRET) {
    refuse('STRIPE_WEBHOOK_SECRET: required when STRIPE_SECRET_KEY is set');
  }
  const authProvider = config.AUTH_PROVIDER ?? 'dev';
  if (authProvider === 'supabase' && !config.SUPABASE_URL) {
    refuse('SUPABASE_URL: required when AUTH_PROVIDER=supabase');
  }
  const operatorPhones = new Set(
    (config.OPERATOR_PHONES ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  );
  return {
    ...config,
    AUTH_PROVIDER: authProvider,
    STRIPE_WEBHOOK_SECRET: config.STRIPE_WEBHOOK_SECRET ?? devWebhookSecret,
    operatorPhones,
    publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
  };
}
