import type { MiddlewareHandler } from 'hono';

/**
 * The web apps' policy: everything from this origin; inline styles only (Solid sets style
 * attributes); campaign videos may be absolute https URLs; never framed (clickjacking).
 */
export const appContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' https: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** API.md: every response is nosniff and sends no referrer; HTML pages get a CSP unless they set their own. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
  if (
    c.res.headers.get('content-type')?.startsWith('text/html') &&
    !c.res.headers.has('content-security-policy')
  ) {
    c.header('Content-Security-Policy', appContentSecurityPolicy);
  }
};
