import { z } from '@hono/zod-openapi';
import { type SQLWrapper, sql } from 'drizzle-orm';

/**
 * The one paging style (docs/architecture.md): a list answers `{ data, nextCursor }`; `nextCursor`
 * is opaque to clients: base64url of a JSON tuple `[list, ...sort key of the last item]`. Routes
 * decode it with `cursorParam` (a crafted or foreign cursor is 400 `validation_error`, never a 500);
 * services receive the typed key and build the next cursor with `pageOf`.
 */

/** Ids the API hands out: a type prefix and base32 (api/ids.ts), never control characters. */
const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** Years 1..9999 only: JavaScript dates reach +275760 and year 0, PostgreSQL's timestamptz does not. */
const At = z.iso.datetime().refine((iso) => !iso.startsWith('0000'), 'year out of range');

const keyShapes = {
  /** Newest first: (timestamp desc, id desc). */
  time: z.tuple([At, Id]).transform(([at, id]) => ({ at: new Date(at), id })),
  /** By id ascending. */
  id: z.tuple([Id]).transform(([id]) => ({ id })),
  /** By a database sequence number descending (ledger transfers). */
  seq: z.tuple([z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)]).transform(([seq]) => ({ seq })),
};
type Shape = keyof typeof keyShapes;
export type CursorKey<S extends Shape> = z.output<(typeof keyShapes)[S]>;

/** Every paged list and the sort key its cursor carries. */
const lists = {
  sales: 'time',
  orders: 'time',
  topups: 'time',
  stripeAnomalies: 'time',
  withdrawals: 'time',
  /** The operators' queue, oldest first: (time asc, id asc). */
  withdrawalQueue: 'time',
  merchants: 'id',
  supplyProducts: 'id',
  ledgerHistory: 'seq',
} as const satisfies Record<string, Shape>;
export type PagedList = keyof typeof lists;
type KeyOf<L extends PagedList> = CursorKey<(typeof lists)[L]>;

function keyTuple(key: { at: Date; id: string } | { id: string } | { seq: number }): Array<string | number> {
  if ('seq' in key) return [key.seq];
  if ('at' in key) return [key.at.toISOString(), key.id];
  return [key.id];
}

export function encodeCursor<L extends PagedList>(list: L, key: KeyOf<L>): string {
  return btoa(JSON.stringify([list, ...keyTuple(key)]))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function decodeTuple(cursor: string): unknown {
  try {
    return JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return null;
  }
}

/** The `cursor` query parameter of `list`: decoded and validated, or a 400. */
function cursorParam<L extends PagedList>(list: L) {
  const shape = keyShapes[lists[list]];
  return z
    .string()
    .max(256)
    .regex(/^[A-Za-z0-9_-]*$/, 'cursor: not one this API returned')
    .optional()
    .transform((cursor, issue): KeyOf<L> | undefined => {
      // An empty cursor is the first page, as before cursors were opaque.
      if (!cursor) return undefined;
      const tuple = decodeTuple(cursor);
      const parsed =
        Array.isArray(tuple) && tuple[0] === list
          ? shape.safeParse(tuple.slice(1))
          : { success: false as const };
      if (parsed.success) return parsed.data as KeyOf<L>;
      issue.addIssue({ code: 'custom', message: 'cursor: not one this API returned' });
      return z.NEVER;
    })
    .openapi({ type: 'string', description: "The previous page's `nextCursor` (opaque)" });
}

/**
 * One page from `limit + 1` rows fetched in list order: the first `limit`, and the cursor after the
 * last of them when more follow.
 */
export function pageOf<T, L extends PagedList>(
  list: L,
  rows: T[],
  limit: number,
  keyOf: (row: T) => KeyOf<L>,
): { rows: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > limit && last ? encodeCursor(list, keyOf(last)) : null };
}

/** The query of a paged list: `limit` (1..100) and `cursor`. */
export const pageQuery = <L extends PagedList>(list: L, defaultLimit = 50) =>
  z.object({
    limit: z.coerce.number().int().min(1).max(100).default(defaultLimit),
    cursor: cursorParam(list),
  });

/** Where a list ordered by (`at` desc, `id` desc) continues after `cursor` (no condition without one). */
export function after(at: SQLWrapper, id: SQLWrapper, cursor: CursorKey<'time'> | undefined) {
  return cursor ? sql`(${at}, ${id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id})` : undefined;
}
