export * from './auth';
export * from './ledger';
export * from './members';
export * from './parameters';
