import { schema } from '@alliance/db';
import { and, eq, isNull, lt, lte, or } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';
import { ApiError, badRequest } from '../errors';
import { canonicalJson, sha256Hex } from '../ids';

const keyLifetimeMs = 24 * 60 * 60 * 1000;

/**
 * API.md "Idempotency": the same key and body replays the first response; a different body is 409.
 * Keys are scoped to the caller, method and path. 5xx responses are not kept, so the caller may retry.
 * A running first request holds the key for a lease of seconds (ADR 0012): if its process dies, the
 * key is not stuck; once the lease is over a retry takes the key over and runs the request again,
 * which the business rules make safe.
 */
export const idempotency: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = c.req.header('idempotency-key');
  // Sign-in moves no value, and its response is a bearer token that must not be kept or replayed.
  if (c.req.method !== 'POST' || key === undefined || c.req.path.startsWith('/v1/auth/')) return next();
  if (key.length < 1 || key.length > 255) throw badRequest('Idempotency-Key must be 1 to 255 characters');

  const { db, now, config } = c.get('deps');
  const caller = c.get('user')?.id ?? 'anonymous';
  const scope = `${caller} ${c.req.method} ${c.req.path}`;
  const raw = await c.req.text();
  let body: unknown = raw;
  try {
    body = raw ? JSON.parse(raw) : null;
  } catch {
    // Not JSON: compare the raw text; the route will reject it anyway.
  }
  const requestHash = await sha256Hex(canonicalJson(body));
  const t = schema.idempotencyKeys;

  await db
    .delete(t)
    .where(
      and(eq(t.scope, scope), eq(t.key, key), lt(t.createdAt, new Date(now().getTime() - keyLifetimeMs))),
    );
  const leaseUntil = () => new Date(now().getTime() + config.IDEMPOTENCY_LEASE_SECONDS * 1000);
  const inserted = await db
    .insert(t)
    .values({ scope, key, requestHash, leaseUntil: leaseUntil(), createdAt: now() })
    .onConflictDoNothing()
    .returning({ key: t.key });
  if (inserted.length === 0) {
    const [existing] = await db
      .select()
      .from(t)
      .where(and(eq(t.scope, scope), eq(t.key, key)));
    if (!existing) throw new ApiError(409, 'idempotency_request_in_progress', 'Retry this request');
    if (existing.requestHash !== requestHash) {
      throw new ApiError(
        409,
        'idempotency_key_reused',
        'This Idempotency-Key was used with a different body',
      );
    }
    if (existing.status !== null) {
      c.header('Idempotent-Replayed', 'true');
      return c.json(existing.body as object, existing.status as 200);
    }
    // The first request is running, or its process died: a lapsed lease is taken over by one retry.
    const takenOver = await db
      .update(t)
      .set({ leaseUntil: leaseUntil() })
      .where(
        and(
          eq(t.scope, scope),
          eq(t.key, key),
          isNull(t.status),
          or(isNull(t.leaseUntil), lte(t.leaseUntil, now())),
        ),
      )
      .returning({ key: t.key });
    if (takenOver.length === 0) {
      throw new ApiError(
        409,
        'idempotency_request_in_progress',
        'The first request with this key is still running',
      );
    }
  }

  try {
    await next();
  } catch (error) {
    await db.delete(t).where(and(eq(t.scope, scope), eq(t.key, key)));
    throw error;
  }
  const status = c.res.status;
  if (status >= 500) {
    await db.delete(t).where(and(eq(t.scope, scope), eq(t.key, key)));
    return;
  }
  const responseBody = await c.res
    .clone()
    .json()
    .catch(() => null);
  await db
    .update(t)
    .set({ status, body: responseBody, leaseUntil: null })
    .where(and(eq(t.scope, scope), eq(t.key, key)));
};
