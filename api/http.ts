import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AppEnv, type Ctx, ctxOf, type SessionUser } from './context';
import { ApiError, forbidden, unauthorized } from './errors';

/** Validation failures of any route become API.md's 400 `validation_error`. */
export const newRouter = () =>
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        throw new ApiError(400, 'validation_error', `${where}${issue?.message ?? 'invalid input'}`, {
          issues: result.error.issues.map((i) => ({ path: i.path, message: i.message })),
        });
      }
    },
  });

export function serviceCtx(c: Context<AppEnv>): Ctx {
  return ctxOf(c.get('deps'), c.get('user'));
}

export function requireUser(c: Context<AppEnv>): SessionUser {
  const user = c.get('user');
  if (!user) throw unauthorized();
  return user;
}

export function requireOperator(c: Context<AppEnv>): SessionUser {
  const user = requireUser(c);
  if (!user.roles.includes('operator')) throw forbidden();
  return user;
}

/** Client address for rate limits: the socket's, or X-Forwarded-For's first hop behind a trusted proxy. */
export function clientAddress(c: Context<AppEnv>): string {
  if (c.get('deps').config.TRUST_PROXY) {
    const forwarded =
      c.req.header('cf-connecting-ip') ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
