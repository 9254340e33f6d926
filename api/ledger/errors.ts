export type LedgerErrorCode =
  | 'insufficient_funds'
  | 'idempotency_conflict'
  | 'invalid_transfer'
  | 'pending_not_found'
  | 'pending_already_resolved';

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
