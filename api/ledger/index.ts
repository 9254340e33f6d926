/**
 * The double-entry ledger: the only code that changes a balance. It knows accounts, units and
 * transfers, never business words; services name accounts through services/accounts.ts.
 */
export type LedgerUnit = 'cny' | 'ad_points' | 'vouchers' | 'eco_points';
export type OwnerType = 'platform' | 'merchant' | 'consumer' | 'supplier' | 'campaign';

/** A logical account. Created on first use with these flags; `shards` > 1 spreads a hot account. */
export interface AccountRef {
  ownerType: OwnerType;
  ownerId: string;
  code: string;
  ledger: LedgerUnit;
  /** Debits (posted + pending) may never exceed credits: the balance cannot go below zero. */
  noOverdraft?: boolean;
  shards?: number;
}

export interface TransferInput {
  debit: AccountRef;
  credit: AccountRef;
  /** Minor units (fen or hundredths), a positive integer. */
  amount: number;
  /** Reserve now, post or void later (postPending / voidPending); optionally voided by a job at timeoutAt. */
  pending?: { timeoutAt?: Date };
}

export interface PostResult {
  transactionId: number;
  transferIds: number[];
  /** True when the key had been used with the same contents: nothing new was written. */
  replayed: boolean;
}

export {
  type AccountKind,
  type Balance,
  type BalanceAt,
  balanceOf,
  type Movement,
  movementsBetween,
  postedBalanceAt,
  postedBalancesAt,
  postedTotalAt,
} from './balances';
export { LedgerError, type LedgerErrorCode } from './errors';
export { accountHistory, type HistoryEntry } from './history';
export {
  type PostTransactionInput,
  postPending,
  postTransaction,
  type ResolvePendingInput,
  voidPending,
} from './post';
export { type VerifyResult, verifyLedger } from './verify';
