import { schema } from '@alliance/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor, type PagedList } from '../paging';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';

const clock = testClock('2026-11-30T02:00:00Z');
let t: TestApp;
let op: string;
let consumer: string;

beforeAll(async () => {
  t = await createTestApp({ clock });
  op = (await t.signIn(operatorPhone)).token;
  consumer = (await t.signIn('+8613800000299')).token;
});
afterAll(() => t?.close());

async function apply(phone: string, body: Record<string, unknown> = { name: 'Dumpling Corner' }) {
  const owner = await t.signIn(phone);
  const res = await t.request('POST', '/v1/merchants', { token: owner.token, body });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, token: owner.token, userId: owner.user.id };
}

describe('merchants apply, operators approve or reject', () => {
  it('records an application as pending with the caller as owner', async () => {
    const owner = await t.signIn('+8613800000201');
    const res = await t.request('POST', '/v1/merchants', {
      token: owner.token,
      body: { name: ' Dumpling Corner ', category: 'food', address: '1 Nanjing Rd', contact: 'Ms Li' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^mer_/),
      name: 'Dumpling Corner',
      status: 'pending',
      category: 'food',
      adPoints: 0,
      adRateBp: 1500,
      vouchersActive: false,
      lowBalance: true,
      lowBalanceAlertAdPoints: 10000,
      rejectionReason: null,
    });
    const me = await t.request('GET', '/v1/me', { token: owner.token });
    expect(me.body.merchants).toEqual([
      expect.objectContaining({ id: res.body.id, name: 'Dumpling Corner', status: 'pending' }),
    ]);
  });

  it('refuses anonymous applicants (401) and malformed ones (400), writing nothing', async () => {
    const before = (
      await t.db.select().from(schema.organisations).where(eq(schema.organisations.kind, 'merchant'))
    ).length;
    expect((await t.request('POST', '/v1/merchants', { body: { name: 'X' } })).status).toBe(401);
    const owner = await t.signIn('+8613800000202');
    for (const body of [{}, { name: '' }, { name: 5 }, { name: 'x'.repeat(101) }]) {
      const res = await t.request('POST', '/v1/merchants', { token: owner.token, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
    const blank = await t.request('POST', '/v1/merchants', { token: owner.token, body: { name: '   ' } });
    expect(blank.status).toBe(422);
    expect(blank.body.error.code).toBe('name_required');
    expect(
      (await t.db.select().from(schema.organisations).where(eq(schema.organisations.kind, 'merchant')))
        .length,
    ).toBe(before);
  });

  it('lets operators list, approve (idempotently) and reject with a reason; nobody else', async () => {
    const a = await apply('+8613800000203', { name: 'Approve me' });
    const b = await apply('+8613800000204', { name: 'Reject me' });

    const list = await t.request('GET', '/v1/platform/merchants?status=pending', { token: op });
    expect(list.status).toBe(200);
    expect(list.body.data.map((m: any) => m.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(list.body.data.every((m: any) => m.status === 'pending')).toBe(true);

    for (const token of [consumer, a.token]) {
      expect((await t.request('GET', '/v1/platform/merchants?status=pending', { token })).status).toBe(403);
      expect((await t.request('POST', `/v1/platform/merchants/${a.id}/approve`, { token })).status).toBe(403);
      expect(
        (await t.request('POST', `/v1/platform/merchants/${b.id}/reject`, { token, body: { reason: 'no' } }))
          .status,
      ).toBe(403);
    }
    expect((await t.request('POST', `/v1/platform/merchants/${a.id}/approve`)).status).toBe(401);
    expect((await t.request('GET', `/v1/merchants/${a.id}`, { token: a.token })).body.status).toBe('pending');

    const approved = await t.request('POST', `/v1/platform/merchants/${a.id}/approve`, { token: op });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id: a.id, status: 'active' });
    const again = await t.request('POST', `/v1/platform/merchants/${a.id}/approve`, { token: op });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('active');
    expect(again.body.decidedAt).toBe(approved.body.decidedAt);

    for (const body of [{}, { reason: '  ' }]) {
      const noReason = await t.request('POST', `/v1/platform/merchants/${b.id}/reject`, { token: op, body });
      expect(noReason.status).toBe(422);
      expect(noReason.body.error.code).toBe('reason_required');
    }
    const rejected = await t.request('POST', `/v1/platform/merchants/${b.id}/reject`, {
      token: op,
      body: { reason: 'Business licence missing' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectionReason: 'Business licence missing' });
    const seen = await t.request('GET', `/v1/merchants/${b.id}`, { token: b.token });
    expect(seen.body).toMatchObject({ status: 'rejected', rejectionReason: 'Business licence missing' });

    const rejectActive = await t.request('POST', `/v1/platform/merchants/${a.id}/reject`, {
      token: op,
      body: { reason: 'late' },
    });
    expect(rejectActive.status).toBe(409);
    expect(rejectActive.body.error.code).toBe('not_pending');
    const approveRejected = await t.request('POST', `/v1/platform/merchants/${b.id}/approve`, { token: op });
    expect(approveRejected.status).toBe(409);
    expect(
      (await t.request('POST', '/v1/platform/merchants/mer_nothing/approve', { token: op })).status,
    ).toBe(404);
  });

  it('lists active merchants in the public directory with whether vouchers are active', async () => {
    const a = await apply('+8613800000205', { name: 'Listed' });
    const pending = await apply('+8613800000206', { name: 'Unlisted' });
    await t.request('POST', `/v1/platform/merchants/${a.id}/approve`, { token: op });
    const dir = await t.request('GET', '/v1/merchants?limit=100');
    expect(dir.status).toBe(200);
    const ids = dir.body.data.map((m: any) => m.id);
    expect(ids).toContain(a.id);
    expect(ids).not.toContain(pending.id);
    expect(dir.body.data.find((m: any) => m.id === a.id)).toEqual({
      id: a.id,
      name: 'Listed',
      category: null,
      address: null,
      vouchersActive: false,
    });
  });
});

describe('staff', () => {
  it('the owner adds staff by phone (creating the account), staff act for the merchant, only the owner manages', async () => {
    const m = await apply('+8613800000211');
    const newPhone = '+8613800000212';
    expect((await t.db.select().from(schema.users).where(eq(schema.users.phone, newPhone))).length).toBe(0);
    const added = await t.request('POST', `/v1/merchants/${m.id}/staff`, {
      token: m.token,
      body: { phone: newPhone },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      userId: expect.stringMatching(/^usr_/),
      phone: newPhone,
      role: 'staff',
    });
    const dup = await t.request('POST', `/v1/merchants/${m.id}/staff`, {
      token: m.token,
      body: { phone: newPhone },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('already_staff');
    const badPhone = await t.request('POST', `/v1/merchants/${m.id}/staff`, {
      token: m.token,
      body: { phone: '12345' },
    });
    expect(badPhone.status).toBe(400);

    const staff = await t.signIn(newPhone);
    expect(staff.user.id).toBe(added.body.userId);
    expect((await t.request('GET', `/v1/merchants/${m.id}`, { token: staff.token })).status).toBe(200);
    for (const [method, path, body] of [
      ['GET', `/v1/merchants/${m.id}/staff`],
      ['POST', `/v1/merchants/${m.id}/staff`, { phone: '+8613800000213' }],
      ['DELETE', `/v1/merchants/${m.id}/staff/${m.userId}`],
    ] as const) {
      const res = await t.request(method, path, { token: staff.token, body });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('owner_only');
    }
    const other = await apply('+8613800000214');
    for (const token of [other.token, consumer, op]) {
      expect((await t.request('GET', `/v1/merchants/${m.id}/staff`, { token })).status).toBe(404);
      expect(
        (await t.request('POST', `/v1/merchants/${m.id}/staff`, { token, body: { phone: '+8613800000215' } }))
          .status,
      ).toBe(404);
    }
    expect((await t.request('GET', `/v1/merchants/${m.id}/staff`)).status).toBe(401);

    const list = await t.request('GET', `/v1/merchants/${m.id}/staff`, { token: m.token });
    expect(list.body.data.map((s: any) => [s.userId, s.role])).toEqual([
      [m.userId, 'owner'],
      [staff.user.id, 'staff'],
    ]);
    const removeOwner = await t.request('DELETE', `/v1/merchants/${m.id}/staff/${m.userId}`, {
      token: m.token,
    });
    expect(removeOwner.status).toBe(409);
    expect(removeOwner.body.error.code).toBe('cannot_remove_owner');
    const removed = await t.request('DELETE', `/v1/merchants/${m.id}/staff/${staff.user.id}`, {
      token: m.token,
    });
    expect(removed.status).toBe(200);
    expect((await t.request('GET', `/v1/merchants/${m.id}`, { token: staff.token })).status).toBe(404);
    expect(
      (await t.request('DELETE', `/v1/merchants/${m.id}/staff/${staff.user.id}`, { token: m.token })).status,
    ).toBe(404);
  });
});

describe('suppliers join the same way', () => {
  it('apply, approve, read, staff; consumers and other suppliers cannot', async () => {
    const owner = await t.signIn('+8613800000221');
    const applied = await t.request('POST', '/v1/suppliers', {
      token: owner.token,
      body: { name: 'Farm Co', contact: 'Mr Wang' },
    });
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({
      id: expect.stringMatching(/^sup_/),
      status: 'pending',
      contact: 'Mr Wang',
    });
    const id = applied.body.id;
    expect(
      (await t.request('POST', `/v1/platform/suppliers/${id}/approve`, { token: consumer })).status,
    ).toBe(403);
    expect(
      (await t.request('GET', '/v1/platform/suppliers?status=pending', { token: consumer })).status,
    ).toBe(403);
    const pendingList = await t.request('GET', '/v1/platform/suppliers?status=pending', { token: op });
    expect(pendingList.body.data.map((s: any) => s.id)).toContain(id);
    const approved = await t.request('POST', `/v1/platform/suppliers/${id}/approve`, { token: op });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('active');
    expect((await t.request('POST', `/v1/platform/suppliers/${id}/approve`, { token: op })).body.status).toBe(
      'active',
    );

    const other = await t.signIn('+8613800000222');
    const otherSupplier = await t.request('POST', '/v1/suppliers', {
      token: other.token,
      body: { name: 'Other' },
    });
    const rejected = await t.request('POST', `/v1/platform/suppliers/${otherSupplier.body.id}/reject`, {
      token: op,
      body: {},
    });
    expect(rejected.status).toBe(422);
    expect(rejected.body.error.code).toBe('reason_required');

    expect((await t.request('GET', `/v1/suppliers/${id}`, { token: owner.token })).body.status).toBe(
      'active',
    );
    expect((await t.request('GET', `/v1/suppliers/${id}`, { token: op })).status).toBe(200);
    for (const token of [other.token, consumer]) {
      expect((await t.request('GET', `/v1/suppliers/${id}`, { token })).status).toBe(404);
      expect((await t.request('GET', `/v1/suppliers/${id}/staff`, { token })).status).toBe(404);
    }
    const added = await t.request('POST', `/v1/suppliers/${id}/staff`, {
      token: owner.token,
      body: { phone: '+8613800000223' },
    });
    expect(added.status).toBe(201);
    const staff = await t.signIn('+8613800000223');
    expect((await t.request('GET', `/v1/suppliers/${id}`, { token: staff.token })).status).toBe(200);
    expect((await t.request('GET', `/v1/suppliers/${id}/staff`, { token: staff.token })).status).toBe(403);
    const me = await t.request('GET', '/v1/me', { token: staff.token });
    expect(me.body.suppliers.map((s: any) => s.id)).toEqual([id]);
  });
});

describe('parameters (operators)', () => {
  it('reads values with history, changes them with who and from when, validates per name', async () => {
    const overview = await t.request('GET', '/v1/platform/parameters', { token: op });
    expect(overview.status).toBe(200);
    expect(overview.body.values).toMatchObject({
      adPointPriceFen: 100,
      merchantAdRateBp: 1500,
      lowBalanceAlertAdPoints: 10000,
    });

    for (const token of [consumer]) {
      expect((await t.request('GET', '/v1/platform/parameters', { token })).status).toBe(403);
      expect(
        (
          await t.request('POST', '/v1/platform/parameters', {
            token,
            body: { name: 'adPointPriceFen', value: 1 },
          })
        ).status,
      ).toBe(403);
    }
    expect((await t.request('GET', '/v1/platform/parameters')).status).toBe(401);

    for (const [body, code] of [
      [{ name: 'adPointPriceFen', value: 0 }, 'invalid_parameter_value'],
      [{ name: 'adPointPriceFen', value: 1.5 }, 'invalid_parameter_value'],
      [{ name: 'adPointPriceFen', value: '100' }, 'invalid_parameter_value'],
      [{ name: 'merchantAdRateBp', value: 10001 }, 'invalid_parameter_value'],
      [{ name: 'businessTimeZone', value: 'Mars/Base' }, 'invalid_parameter_value'],
      [{ name: 'supplierSettlementTrigger', value: 'whenever' }, 'invalid_parameter_value'],
      [{ name: 'noSuchThing', value: 1 }, 'unknown_parameter'],
      [{ name: 'toString', value: 1 }, 'unknown_parameter'],
      [{ name: '__proto__', value: 1 }, 'unknown_parameter'],
      [{ name: 'constructor', value: 'x' }, 'unknown_parameter'],
      [{ name: 'adPointPriceFen', value: 200, effectiveFrom: '2026-11-29T00:00:00Z' }, 'effective_in_past'],
    ] as const) {
      const res = await t.request('POST', '/v1/platform/parameters', { token: op, body });
      expect([body, res.status, res.body.error?.code]).toEqual([body, 422, code]);
    }

    const change = await t.request('PUT', '/v1/platform/parameters', {
      token: op,
      body: { name: 'lowBalanceAlertAdPoints', value: 5000, reason: 'fewer alerts' },
    });
    expect(change.status).toBe(201);
    expect(change.body).toMatchObject({
      scope: 'platform',
      name: 'lowBalanceAlertAdPoints',
      value: 5000,
      effectiveFrom: '2026-11-30T02:00:00.000Z',
      reason: 'fewer alerts',
    });
    const later = await t.request('POST', '/v1/platform/parameters', {
      token: op,
      body: { name: 'adPointPriceFen', value: 200, effectiveFrom: '2026-12-01T00:00:00Z' },
    });
    expect(later.status).toBe(201);

    const after = await t.request('GET', '/v1/platform/parameters', { token: op });
    expect(after.body.values.lowBalanceAlertAdPoints).toBe(5000);
    expect(after.body.values.adPointPriceFen).toBe(100);
    const opUser = (await t.request('GET', '/v1/me', { token: op })).body.user.id;
    expect(after.body.history.slice(0, 2).map((h: any) => [h.name, h.value, h.changedBy])).toEqual(
      expect.arrayContaining([
        ['lowBalanceAlertAdPoints', 5000, opUser],
        ['adPointPriceFen', 200, opUser],
      ]),
    );
  });

  it('a top-up uses the ad point price in force when it is created', async () => {
    const m = await apply('+8613800000231');
    await t.request('POST', `/v1/platform/merchants/${m.id}/approve`, { token: op });
    const before = await t.request('POST', `/v1/merchants/${m.id}/topups`, {
      token: m.token,
      body: { amount: 10000 },
    });
    expect(before.body).toMatchObject({ adPoints: 10000, adPointPriceFen: 100 });
    clock.set('2026-12-01T00:00:00Z');
    const after = await t.request('POST', `/v1/merchants/${m.id}/topups`, {
      token: m.token,
      body: { amount: 10001 },
    });
    expect(after.body).toMatchObject({ adPoints: 5000, adPointPriceFen: 200 });
    // The first keeps its points.
    expect(
      (await t.request('GET', `/v1/merchants/${m.id}/topups/${before.body.id}`, { token: m.token })).body
        .adPoints,
    ).toBe(10000);
  });

  it('sets and clears a merchant ad rate; the merchant sees the rate in force', async () => {
    const m = await apply('+8613800000241');
    const set = await t.request('POST', `/v1/platform/merchants/${m.id}/ad-rate`, {
      token: op,
      body: { adRateBp: 1000, reason: 'pilot' },
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      merchantId: m.id,
      adRateBp: 1000,
      change: { scope: m.id, name: 'merchantAdRateBp', value: 1000 },
    });
    expect((await t.request('GET', `/v1/merchants/${m.id}`, { token: m.token })).body.adRateBp).toBe(1000);
    const bad = await t.request('POST', `/v1/platform/merchants/${m.id}/ad-rate`, {
      token: op,
      body: { adRateBp: 20000 },
    });
    expect(bad.status).toBe(422);
    expect(
      (
        await t.request('POST', `/v1/platform/merchants/${m.id}/ad-rate`, {
          token: m.token,
          body: { adRateBp: 0 },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.request('POST', '/v1/platform/merchants/mer_none/ad-rate', {
          token: op,
          body: { adRateBp: 0 },
        })
      ).status,
    ).toBe(404);
    clock.advance(1000);
    const cleared = await t.request('POST', `/v1/platform/merchants/${m.id}/ad-rate`, {
      token: op,
      body: { adRateBp: null },
    });
    expect(cleared.body.adRateBp).toBe(1500);
    expect((await t.request('GET', `/v1/merchants/${m.id}`, { token: m.token })).body.adRateBp).toBe(1500);
  });
});

describe('paging: one opaque cursor on every list', () => {
  const craft = (tuple: unknown) =>
    btoa(JSON.stringify(tuple)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

  it('a crafted, foreign or garbage cursor is 400 validation_error on every paged list, never a 500', async () => {
    const m = await apply('+8613800000290');
    const lists: Array<[list: PagedList, path: string, token?: string]> = [
      ['merchants', '/v1/merchants'],
      ['ledgerHistory', `/v1/merchants/${m.id}/ad-points/history`, op],
      ['ledgerHistory', '/v1/wallet/history?unit=vouchers', consumer],
      ['orders', '/v1/orders', consumer],
      ['orders', `/v1/merchants/${m.id}/orders`, op],
      ['sales', '/v1/sales', consumer],
      ['sales', `/v1/merchants/${m.id}/sales`, op],
      ['topups', `/v1/merchants/${m.id}/topups`, op],
      ['stripeAnomalies', '/v1/platform/stripe/anomalies', op],
      ['supplyProducts', '/v1/supply/products', op],
      ['withdrawals', '/v1/withdrawals', consumer],
      ['withdrawalQueue', '/v1/platform/withdrawals', op],
      ['ledgerHistory', `/v1/merchants/${m.id}/eco-points/history`, op],
    ];
    const with_ = (path: string, cursor: string) =>
      `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
    for (const [list, path, token] of lists) {
      const other: PagedList = list === 'sales' ? 'orders' : 'sales';
      const crafted = [
        craft([list, '+275760-09-13T00:00:00.000Z', 'sal_x']),
        craft([list, '0000-01-01T00:00:00.000Z', 'sal_x']),
        craft([list, '2026-11-30T02:00:00.000Z', 'sal_\u0000']),
        craft([list, 'sal_\u0000']),
        craft([list, 2 ** 60]),
        craft([list, -1]),
        craft([list, 1.5]),
        craft([list, 'x'.repeat(65)]),
        craft([list]),
        craft({ list }),
        craft(null),
        encodeCursor(other, { at: new Date('2026-11-30T02:00:00Z'), id: 'sal_x' }),
        'bm9uc2Vuc2U',
        'nonsense',
        '\u0000',
        '%FF',
        'a'.repeat(257),
        '',
      ];
      for (const cursor of crafted) {
        const res = await t.request('GET', with_(path, cursor), { token });
        const outcome = cursor === '' ? 200 : 400;
        expect([path, cursor, res.status, res.body?.error?.code]).toEqual([
          path,
          cursor,
          outcome,
          outcome === 400 ? 'validation_error' : undefined,
        ]);
      }
      // The earliest and latest instants PostgreSQL and JavaScript share are cursors like any other.
      const valid: Record<PagedList, string[]> = {
        merchants: [encodeCursor('merchants', { id: 'mer_zzz' })],
        supplyProducts: [encodeCursor('supplyProducts', { id: 'spr_0' })],
        ledgerHistory: [encodeCursor('ledgerHistory', { seq: Number.MAX_SAFE_INTEGER })],
        orders: [],
        sales: [],
        topups: [],
        stripeAnomalies: [],
        withdrawals: [],
        withdrawalQueue: [],
      };
      for (const at of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
        for (const l of [
          'orders',
          'sales',
          'topups',
          'stripeAnomalies',
          'withdrawals',
          'withdrawalQueue',
        ] as const)
          valid[l].push(encodeCursor(l, { at: new Date(at), id: 'x_1' }));
      }
      for (const cursor of valid[list]) {
        const res = await t.request('GET', with_(path, cursor), { token });
        expect([path, res.status, res.body.nextCursor]).toEqual([path, 200, null]);
      }
    }
  });

  it('pages the directory by its own cursor, with whether vouchers are active, to the end', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const res = await t.request('GET', `/v1/merchants?limit=1${query}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(1);
      for (const row of res.body.data) {
        expect(typeof row.vouchersActive).toBe('boolean');
        seen.push(row.id);
      }
      cursor = res.body.nextCursor;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    } while (cursor);
    const all = await t.request('GET', '/v1/merchants?limit=100');
    expect(seen).toEqual(all.body.data.map((r: { id: string }) => r.id));
    expect(seen.length).toBeGreaterThan(1);
  });
});
