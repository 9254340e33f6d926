import type { DbOrTx } from '@alliance/db';
import { type Query, SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

/**
 * A statement rendered to text once and the values of its placeholders for one call: the ledger's
 * statements that run on every posting skip building their text again (issue 14).
 */
export interface Bound {
  query: Query;
  values: Record<string, unknown>;
}

export type Statement = SQL | Bound;

const dialect = new PgDialect();

/** Renders a statement written with `sql.placeholder(name)` once; bind it with `{ query, values }`. */
export function render(statement: SQL): Query {
  return dialect.sqlToQuery(statement);
}

/** Rows of a raw query: postgres.js returns an array, PGlite an object with `rows`. */
export async function query<T>(db: DbOrTx, statement: Statement): Promise<T[]> {
  const result = (
    statement instanceof SQL
      ? await db.execute(statement)
      : await db._.session
          .prepareQuery(statement.query, undefined, undefined, false)
          .execute(statement.values)
  ) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
