import type { HonoRequest, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../context';
import { ApiError, badRequest } from '../errors';

/** Deeper JSON than any endpoint takes; bounds every recursive walk after this point. */
export const maxJsonDepth = 32;

// U+0000 (PostgreSQL text cannot hold it) and UTF-16 halves without their partner (not UTF-8).
const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * API.md: a string holding U+0000 or an unpaired surrogate is 400 `validation_error`, wherever it
 * is (path, query, JSON body keys and values, signed webhook payloads), and so is JSON nested deeper
 * than any endpoint takes. Checked once here, so no such value reaches a service, a hash or the database.
 */
export const inputGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const url = new URL(c.req.url);
  checkText(decodeComponent(url.pathname), 'path');
  for (const [name, value] of url.searchParams) {
    checkText(name, 'query');
    checkText(value, 'query');
  }
  if (hasBody(c.req)) {
    // Hono keeps the text: the route's validator parses it from there (no clone of the stream).
    const raw = await c.req.text();
    checkText(raw, 'body');
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // Not JSON: the route's own validation answers.
      return next();
    }
    checkJson(parsed);
  }
  return next();
};

const maxBodyBytes = 64 * 1024;
const tooLarge = () => {
  throw new ApiError(413, 'payload_too_large', 'The request body is larger than 64 KiB');
};
const limitBody = bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge });

/** A body over 64 KiB is 413 `payload_too_large`: by its declared size when it has one, else as it streams. */
export const bodySizeLimit: MiddlewareHandler<AppEnv> = (c, next) => {
  if (!mayHaveBody(c.req.method)) return next();
  const declared = declaredBodyBytes(c.req);
  if (declared === undefined) return limitBody(c, next);
  return declared > maxBodyBytes ? tooLarge() : next();
};

/**
 * A GET or HEAD request never has a body (fetch's Request refuses one), so its body is not looked
 * at: on @hono/node-server, asking for it builds the full Request object (issue 14).
 */
function mayHaveBody(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

/**
 * The body's size as its headers declare it (Content-Length without Transfer-Encoding, the rule
 * hono's bodyLimit applies), or undefined when they do not. Read from the headers because asking
 * the request for its body stream builds the full Request object on @hono/node-server, while
 * reading its text does not (issue 14).
 */
function declaredBodyBytes(req: HonoRequest): number | undefined {
  const length = req.header('content-length');
  if (length === undefined || req.header('transfer-encoding') !== undefined) return undefined;
  // Node's parser refuses a malformed length; another runtime might pass one on: then the stream decides.
  return /^\d{1,15}$/.test(length) ? Number(length) : undefined;
}

function hasBody(req: HonoRequest): boolean {
  if (!mayHaveBody(req.method)) return false;
  const declared = declaredBodyBytes(req);
  return declared === undefined ? req.raw.body !== null : declared > 0;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw badRequest('path: not valid percent-encoded UTF-8');
  }
}

function checkText(text: string, where: string): void {
  if (text.includes('\u0000') || unpairedSurrogate.test(text)) {
    throw badRequest(`${where}: text may not hold U+0000 or an unpaired surrogate`);
  }
}

/** Iterative, so no input can exhaust the stack here. */
function checkJson(root: unknown): void {
  const stack: Array<[value: unknown, depth: number]> = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'string') {
      checkText(value, 'body');
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxJsonDepth) throw badRequest(`body: nested deeper than ${maxJsonDepth} levels`);
    for (const [key, child] of Object.entries(value)) {
      checkText(key, 'body');
      stack.push([child, depth + 1]);
    }
  }
}
