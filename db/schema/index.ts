export * from './auth';
export * from './ledger';
export * from './members';
export * from './merchants-topups';
export * from './parameters';
export * from './sales';
export * from './supply';
export * from './videos';
