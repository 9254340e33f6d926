export * from './auth';
export * from './ledger';
export * from './members';
export * from './merchants-topups';
export * from './parameters';
export * from './sales';
export * from './videos';
export * from './supply';
