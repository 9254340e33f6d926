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

const fixedHeaders: Array<[string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Frame-Options', 'DENY'],
];

/**
 * API.md: every response is nosniff and sends no referrer; HTML pages get a CSP unless they set their own.
 * Set before the handler runs, so that c.json() and friends build the response with them: setting a
 * header on a finished response copies it into a new one, twice per header on @hono/node-server,
 * and made it stream the body (issue 14). A response a handler built itself is completed after.
 */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  for (const [name, value] of fixedHeaders) c.header(name, value);
  await next();
  const headers = c.res.headers;
  for (const [name, value] of fixedHeaders) if (!headers.has(name)) c.header(name, value);
  if (headers.get('content-type')?.startsWith('text/html') && !headers.has('content-security-policy')) {
    c.header('Content-Security-Policy', appContentSecurityPolicy);
  }
};
