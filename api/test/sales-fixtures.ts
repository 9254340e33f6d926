import { schema } from '@alliance/db';
import { newId } from '../ids';
import { type AccountRef, balanceOf, postTransaction } from '../ledger';
import { accounts } from '../services/accounts';
import type { TestApp } from './harness';

let phoneCounter = 0;
/** A fresh phone per call within one test file (each file has its own database). */
export const nextPhone = () => `+86137${String(10_000_000 + ++phoneCounter * 7919).slice(-8)}`;

export async function signInConsumer(t: TestApp) {
  const { token, user } = await t.signIn(nextPhone());
  const me = await t.request('GET', '/v1/me', { token });
  return { token, id: user.id, memberCode: me.body.memberCode as string };
}

/** An approved merchant with its owner signed in; rows are written directly (merchant approval is another area). */
export async function activeMerchant(t: TestApp, options: { status?: string; adPoints?: number } = {}) {
  const owner = await signInConsumer(t);
  const id = newId('mer');
  await t.db.insert(schema.organisations).values({
    id,
    kind: 'merchant',
    name: `Shop ${id.slice(-4)}`,
    status: options.status ?? 'active',
    ownerUserId: owner.id,
  });
  await t.db
    .insert(schema.organisationMembers)
    .values({ organisationId: id, userId: owner.id, role: 'owner' });
  if (options.adPoints) await grantAdPoints(t, id, options.adPoints);
  return { id, owner };
}

/** Points moved from the platform's issuing account to a holder, as the area that issues them would. */
async function grant(t: TestApp, debit: AccountRef, credit: AccountRef, hundredths: number) {
  await postTransaction(t.db, {
    key: `test:grant:${newId('tst')}`,
    kind: 'test_grant',
    transfers: [{ debit, credit, amount: hundredths }],
  });
}

/** Ad points as a paid top-up would leave them (top-ups are another area). */
export const grantAdPoints = (t: TestApp, merchantId: string, hundredths: number) =>
  grant(t, accounts.platformAdPointsIssued(), accounts.merchantAdPoints(merchantId), hundredths);

/** Eco-points as converted vouchers would leave them (conversions are another area). */
export const grantEcoPoints = (t: TestApp, userId: string, hundredths: number) =>
  grant(t, accounts.platformEcoPointsIssued(), accounts.consumerEcoPoints(userId), hundredths);

/** Eco-points a merchant received from consumers' payments (spending is another area). */
export const grantMerchantEcoPoints = (t: TestApp, merchantId: string, hundredths: number) =>
  grant(t, accounts.platformEcoPointsIssued(), accounts.merchantEcoPoints(merchantId), hundredths);

/** Vouchers as confirmed sales would leave them (sales are another area). */
export const grantVouchers = (t: TestApp, userId: string, hundredths: number) =>
  grant(t, accounts.platformVouchersIssued(), accounts.consumerVouchers(userId), hundredths);

export const adPoints = async (t: TestApp, merchantId: string) =>
  (await balanceOf(t.db, accounts.merchantAdPoints(merchantId))).posted;
export const vouchers = async (t: TestApp, userId: string) =>
  (await balanceOf(t.db, accounts.consumerVouchers(userId))).posted;
