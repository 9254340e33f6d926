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

export { type Balance, balanceOf } from './balances';
