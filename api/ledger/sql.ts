import type { DbOrTx } from '@alliance/db';
import type { SQL } from 'drizzle-orm';

/** Rows of a raw query: postgres.js returns an array, PGlite an object with `rows`. */
export async function query<T>(db: DbOrTx, statement: SQL): Promise<T[]> {
  const result = (await db.execute(statement)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
