import { schema } from '@alliance/db';
import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Ctx, Role, SessionUser } from '../context';
import { unauthorized } from '../errors';
import { newId, sha256Hex } from '../ids';
import { maskPhone } from '../phone';
import type { AuthProvider } from './auth-provider';
import { hitRateLimit } from './rate-limit';

export const otpLifetimeMs = 5 * 60 * 1000;
export const otpMaxFailedAttempts = 5;
const hourMs = 60 * 60 * 1000;

/** E.164: a plus, a country code that does not start with 0, 8 to 15 digits in all. */
export const e164Pattern = /^\+[1-9]\d{7,14}$/;

export async function requestOtp(
  ctx: Ctx,
  provider: AuthProvider,
  input: { phone: string; clientAddress: string },
): Promise<{ sent: true; devCode?: string }> {
  const { phone } = input;
  await hitRateLimit(ctx, `otp:ip:${input.clientAddress}`, ctx.config.AUTH_OTP_PER_IP_HOUR, hourMs);
  await hitRateLimit(ctx, `otp:phone:${phone}`, ctx.config.AUTH_OTP_PER_PHONE_HOUR, hourMs);
  if (provider.sendCode) {
    await provider.sendCode(phone);
    return { sent: true };
  }
  const code = String(crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000).padStart(6, '0');
  const now = ctx.now();
  await ctx.db.insert(schema.otpCodes).values({
    id: newId('otp'),
    phone,
    codeHash: await hashCode(phone, code),
    expiresAt: new Date(now.getTime() + otpLifetimeMs),
    createdAt: now,
  });
  // The dev provider's "SMS" is the server log (and the response, for the demo and tests).
  ctx.log.info('dev sms code', { phone: maskPhone(phone), code });
  return { sent: true, devCode: code };
}

export async function verifyOtp(
  ctx: Ctx,
  provider: AuthProvider,
  input: { phone: string; code: string; clientAddress: string },
): Promise<{ token: string; user: SessionUser }> {
  const { phone, code } = input;
  await hitRateLimit(ctx, `verify:ip:${input.clientAddress}`, ctx.config.AUTH_VERIFY_PER_IP_HOUR, hourMs);
  if (provider.exchangeCode) {
    const token = await provider.exchangeCode(phone, code);
    if (!token) throw unauthorized('invalid_code', 'The code is wrong or has expired');
    return { token, user: await userForPhone(ctx, phone) };
  }
  const t = schema.otpCodes;
  const now = ctx.now();
  const codeHash = await hashCode(phone, code);
  const matches = sql`${t.codeHash} = ${codeHash}`;
  // One conditional UPDATE decides the check: the row lock serialises concurrent checks, and each
  // re-reads failed_attempts, so a code is void after 5 wrong checks however many arrive at once.
  const [checked] = await ctx.db
    .update(t)
    .set({
      failedAttempts: sql`case when ${matches} then ${t.failedAttempts} else ${t.failedAttempts} + 1 end`,
      consumedAt: sql`case when ${matches} then ${now.toISOString()}::timestamptz else null end`,
    })
    .where(
      and(
        eq(
          t.id,
          ctx.db
            .select({ id: t.id })
            .from(t)
            .where(and(eq(t.phone, phone), isNull(t.consumedAt)))
            .orderBy(desc(t.createdAt))
            .limit(1),
        ),
        isNull(t.consumedAt),
        gt(t.expiresAt, now),
        lt(t.failedAttempts, otpMaxFailedAttempts),
      ),
    )
    .returning({ matched: sql<boolean>`${t.consumedAt} is not null` });
  if (!checked?.matched) throw unauthorized('invalid_code', 'The code is wrong or has expired');
  const user = await userForPhone(ctx, phone);
  return { token: await provider.issueToken!(user), user };
}

/**
 * The user a bearer token names. Kept for a few seconds per exact token string (api/caches.ts), so
 * a token is verified and its user read once, not on every request; only a token that passed is kept.
 */
export function resolveSessionUser(ctx: Ctx, provider: AuthProvider, token: string): Promise<SessionUser> {
  return ctx.caches.sessions.get(token, () => lookUpSessionUser(ctx, provider, token));
}

/** A process that deletes an account forgets its tokens at once (others within api/caches.ts's TTL). */
export function forgetSessionsOf(ctx: Ctx, userId: string): void {
  ctx.caches.sessions.evict((user) => user.id === userId);
}

async function lookUpSessionUser(ctx: Ctx, provider: AuthProvider, token: string): Promise<SessionUser> {
  const subject = await provider.verifyToken(token);
  if (subject.userId) {
    const [row] = await ctx.db.select().from(schema.users).where(eq(schema.users.id, subject.userId));
    if (!row || row.phone !== subject.phone)
      throw unauthorized('invalid_token', 'The account no longer exists');
    return toSessionUser(ctx, row);
  }
  return userForPhone(ctx, subject.phone);
}

/** One account per phone number: find it, or create it on first sign-in. */
export async function userForPhone(ctx: Ctx, phone: string): Promise<SessionUser> {
  const t = schema.users;
  for (let attempt = 0; attempt < 3; attempt++) {
    const [existing] = await ctx.db.select().from(t).where(eq(t.phone, phone));
    if (existing) return toSessionUser(ctx, existing);
    await ctx.db
      .insert(t)
      .values({ id: newId('usr'), phone, memberCode: newMemberCode(), createdAt: ctx.now() })
      .onConflictDoNothing();
  }
  throw new Error('could not create the user');
}

function toSessionUser(ctx: Ctx, row: { id: string; phone: string }): SessionUser {
  const roles: Role[] = ['consumer'];
  if (ctx.config.operatorPhones.has(row.phone)) roles.push('operator');
  return { id: row.id, phone: row.phone, roles };
}

/** 10 digits: easy to type at a till, shown as a QR code in the consumer app. */
function newMemberCode(): string {
  const [a, b] = crypto.getRandomValues(new Uint32Array(2));
  return `${String(a! % 100_000).padStart(5, '0')}${String(b! % 100_000).padStart(5, '0')}`;
}

async function hashCode(phone: string, code: string): Promise<string> {
  return sha256Hex(`otp:${phone}:${code}`);
}
