import type { Db, DbKind, DbOrTx } from '@alliance/db';
import type Stripe from 'stripe';
import type { Config } from './config';
import type { Logger } from './log';
import type { AuthProvider } from './services/auth-provider';

export type Role = 'consumer' | 'operator';

export interface SessionUser {
  id: string;
  phone: string;
  roles: Role[];
}

/** What the process holds: wiring only, no state that matters (DESIGN.md). */
export interface Deps {
  db: Db;
  dbKind: DbKind;
  config: Config;
  log: Logger;
  /** The server's clock; tests inject their own. */
  now: () => Date;
  auth: AuthProvider;
  /** Stripe, real or the embedded fake on loopback (services/stripe.ts); unset where no payments run. */
  stripe?: Stripe;
}

/** What a service sees: the database or the caller's transaction, the clock, the caller. */
export interface Ctx {
  db: DbOrTx;
  config: Config;
  log: Logger;
  now: () => Date;
  user?: SessionUser;
  stripe?: Stripe;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    deps: Deps;
    user?: SessionUser;
  };
};
