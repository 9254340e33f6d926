import { schema } from '@alliance/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceOf, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { loadDemoData } from '../services/demo';
import { createTestApp, type TestApp } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { OPERATOR_PHONES: '+8613900000000' } });
});
afterAll(() => t.close());

describe('demo data', () => {
  it('builds a believable alliance through the services, with exact balances, once', async () => {
    const first = await loadDemoData(t.deps);
    expect(first.loaded).toBe(true);
    expect(first.accounts).toHaveLength(8);

    const merchants = await t.db
      .select()
      .from(schema.organisations)
      .where(eq(schema.organisations.kind, 'merchant'));
    const byName = (prefix: string) => merchants.find((m) => m.name.startsWith(prefix))!;
    expect(merchants.map((m) => m.status).sort()).toEqual(['active', 'active', 'active', 'pending']);
    // 500.00 topped up, 15.00 charged for the consumer's 100-yuan dinner.
    expect((await balanceOf(t.db, accounts.merchantAdPoints(byName('老街面馆').id))).available).toBe(48_500);
    expect((await balanceOf(t.db, accounts.merchantAdPoints(byName('鲜果时光').id))).available).toBe(20_000);
    expect((await balanceOf(t.db, accounts.merchantAdPoints(byName('小美便利店').id))).available).toBe(5_000);

    const [consumer] = await t.db.select().from(schema.users).where(eq(schema.users.phone, '+8613800000001'));
    expect((await balanceOf(t.db, accounts.consumerVouchers(consumer!.id))).available).toBe(10_000);

    const signedIn = await t.signIn('+8613800000001');
    const wallet = await t.request('GET', '/v1/wallet', { token: signedIn.token });
    expect(wallet.body.vouchers).toBe(10_000);
    const view = await t.request('POST', '/v1/ad-views', { token: signedIn.token });
    expect(view.status).toBe(201);

    const listings = await t.request('GET', `/v1/merchants/${byName('鲜果时光').id}/listings`);
    expect(listings.status).toBe(200);
    expect(listings.body.data).toHaveLength(5);

    expect((await verifyLedger(t.db)).ok).toBe(true);
    const again = await loadDemoData(t.deps);
    expect(again.loaded).toBe(false);
    expect(
      (await t.db.select().from(schema.organisations).where(eq(schema.organisations.kind, 'merchant')))
        .length,
    ).toBe(4);
  });
});
