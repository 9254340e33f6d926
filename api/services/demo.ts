import type { Db } from '@alliance/db';
import { schema } from '@alliance/db';
import type { Config } from '../config';
import type { Logger } from '../log';

export interface DemoResult {
  loaded: boolean;
  accounts: string[];
}

/** A small believable alliance on an empty database, so a newcomer can click through at once. */
export async function loadDemoData(deps: { db: Db; config: Config; log: Logger; now: () => Date }): Promise<DemoResult> {
  const existing = await deps.db.select({ id: schema.users.id }).from(schema.users).limit(1);
  if (existing.length > 0) return { loaded: false, accounts: [] };
  // Filled in as the domains arrive (merchants, supplier, products, videos).
  return { loaded: true, accounts: [] };
}
