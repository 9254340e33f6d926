import { sha256, transferHashInput } from '../api/ledger/post';
const n = 33332; const s = performance.now();
for (let i = 0; i < n; i++) sha256(transferHashInput({ key: 'bench:' + i, ledger: 'vouchers', debitAccountId: 3, creditAccountId: 100000 + i, amount: 1000, type: 'single', pendingId: null, timeoutAt: null, debitBalanceAfter: 0, creditBalanceAfter: 0, createdAt: new Date(), debitPrevHash: 'a'.repeat(64), creditPrevHash: 'b'.repeat(64) }));
console.log('hash', (performance.now() - s).toFixed(0));
