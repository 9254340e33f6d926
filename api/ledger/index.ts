/**
 * The double-entry ledger: the only code that changes a balance. It knows accounts, units and
 * transfers, never business words; services name accounts through services/accounts.ts. It imports
 * nothing from services and throws only LedgerError, which the edge maps to an API error once (and
 * GuardNotMet to a caller that gave postTransaction a guard, which that caller handles).
 */

export {
  type AccountKind,
  availableBalances,
  type Balance,
  type BalanceAt,
  balanceOf,
  balancesOf,
  type Movement,
  movementsBetween,
  postedBalanceAt,
  postedBalancesAt,
  postedTotalAt,
} from './balances';
export { LedgerError, type LedgerErrorCode, maxAccountTotal, maxTransferAmount } from './errors';
export { accountHistory, type HistoryEntry } from './history';
export {
  GuardNotMet,
  type PostTransactionInput,
  postPending,
  postTransaction,
  type ResolvePendingInput,
  voidPending,
} from './post';
export { voidExpiredPending } from './timeouts';
export type { AccountRef, LedgerUnit, OwnerType, PostResult, TransferInput } from './types';
export {
  ledgerCut,
  lockLedgerCheckpoints,
  type VerifyResult,
  verifyLedger,
  verifyLedgerSinceCheckpoint,
} from './verify';
