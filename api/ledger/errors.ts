export type LedgerErrorCode =
  | 'insufficient_funds'
  | 'idempotency_conflict'
  | 'invalid_transfer'
  | 'pending_not_found'
  | 'pending_already_resolved'
  | 'limit_exceeded';

/**
 * Explicit limits (TigerBeetle's habit): one transfer moves at most 10^12 minor units (10 billion
 * yuan, or 10 billion points), and an account's running debit and credit totals stay at or under
 * 10^15, so every balance and sum the ledger computes in JavaScript numbers is exact (2^53 > 9 x 10^15).
 */
export const maxTransferAmount = 1_000_000_000_000;
export const maxAccountTotal = 1_000_000_000_000_000;

/** A refused ledger operation; nothing was written. Services map it to their own ApiError. */
export class LedgerError extends Error {
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}
