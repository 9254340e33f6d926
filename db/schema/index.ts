export * from './auth';
export * from './ledger';
export * from './members';
