import { schema } from '@alliance/db';
import { eq, inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../context';
import { runSalesExpiry } from '../jobs/sales';
import { balanceOf, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { activeMerchant, adPoints, grantEcoPoints, signInConsumer, vouchers } from './sales-fixtures';

/**
 * The supply chain at the business level (SPEC flow 5): random sequences of orders of two
 * suppliers' products (paid, left to expire), shipments, cancellations by the merchant or the
 * supplier, returns, refunds, and supplier and merchant payout runs marked paid, through the HTTP
 * API, against a model of every balance they move. After every step: what the merchant and each
 * supplier are owed and were paid out, the suppliers' stock, the merchant's ad points and the
 * consumer's vouchers equal the model's; the ledger is verified every 20 steps and at the end, and
 * the merchant's statement for the whole period adds up to the model.
 */
type Command =
  | { t: 'order'; lines: Array<{ p: number; quantity: number }>; ecoPercent: number }
  | { t: 'grant'; ecoPoints: number }
  | { t: 'pay'; pick: number }
  | { t: 'wait'; days: number }
  | { t: 'ship'; pick: number }
  | { t: 'cancel'; pick: number; byMerchant: boolean }
  | { t: 'return'; pick: number }
  | { t: 'refund'; pick: number; amount: number }
  | { t: 'dashboardRefund'; pick: number; amount: number; dispute: boolean }
  | { t: 'consumerCancel'; pick: number }
  | { t: 'deliver'; pick: number }
  | { t: 'trigger'; onDelivery: boolean }
  | { t: 'stale'; pick: number }
  | { t: 'payouts'; merchant: boolean };

const line = fc.record({ p: fc.nat(2), quantity: fc.integer({ min: 1, max: 3 }) });
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('order' as const),
      lines: fc.uniqueArray(line, { minLength: 1, maxLength: 3, selector: (l) => l.p }),
      // Most orders in money only; others with part or all of it in eco-points.
      ecoPercent: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 100 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('grant' as const),
      ecoPoints: fc.integer({ min: 1, max: 20_000 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('pay' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 6 }) }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('ship' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('cancel' as const), pick: fc.nat(), byMerchant: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('return' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('refund' as const),
      pick: fc.nat(),
      amount: fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.constant(30_000)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('dashboardRefund' as const),
      pick: fc.nat(),
      amount: fc.integer({ min: 1, max: 8_000 }),
      dispute: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('consumerCancel' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('deliver' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('trigger' as const), onDelivery: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('stale' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('payouts' as const), merchant: fc.boolean() }) },
);

/**
 * Two suppliers' products and the merchant's own, which it ships itself (no wholesale): price at the
 * merchant and wholesale, in fen.
 */
const products = [
  { price: 10_000, wholesale: 8_000, stock: 12 },
  { price: 5_000, wholesale: 3_333, stock: 12 },
  { price: 2_500, wholesale: 0, stock: 12 },
];
const own = 2;
const adRateBp = 1500;
const startAdPoints = 1_000_000;
const businessToday = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(clock.now());
const clock = testClock('2026-11-30T02:00:00Z');
const shipTo = { name: 'Li Lei', phone: '+8613800000009', region: 'Shanghai', address: '1 Nanjing Road' };

describe('the supply chain against a reference model', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock, env: { AUTH_OTP_PER_IP_HOUR: '100000' } });
  });
  afterAll(() => t.close());

  it('keeps what the merchant and suppliers are owed, the stock, ad points and vouchers equal to the model over 100 random steps', async () => {
    const operator = (await t.signIn(operatorPhone)).token;
    const consumer = await signInConsumer(t);
    const merchant = await activeMerchant(t, { adPoints: startAdPoints });
    const suppliers: Array<{ id: string; token: string; productId: string }> = [];
    const listings: string[] = [];
    for (const [i, p] of products.slice(0, own).entries()) {
      const owner = await signInConsumer(t);
      const created = await t.request('POST', '/v1/suppliers', {
        token: owner.token,
        body: { name: `S${i}` },
      });
      const id = created.body.id as string;
      expect(
        (await t.request('POST', `/v1/platform/suppliers/${id}/approve`, { token: operator })).status,
      ).toBe(200);
      const product = await t.request('POST', `/v1/suppliers/${id}/products`, {
        token: owner.token,
        body: { title: `Product ${i}`, wholesalePrice: p.wholesale, stock: p.stock },
      });
      expect(product.status).toBe(201);
      suppliers.push({ id, token: owner.token, productId: product.body.id });
      const listed = await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
        token: merchant.owner.token,
        body: { supplierProductId: product.body.id, price: p.price },
      });
      expect(listed.status).toBe(201);
      listings.push(listed.body.id);
    }
    const ownListing = await t.request('POST', `/v1/merchants/${merchant.id}/listings`, {
      token: merchant.owner.token,
      body: { title: 'House tea', price: products[own]!.price, stock: products[own]!.stock, ships: true },
    });
    expect(ownListing.status).toBe(201);
    listings.push(ownListing.body.id);
    /** Who ships each product: its supplier, or the merchant for its own. */
    const shippers = [
      ...suppliers.map((s) => ({ id: s.id, token: s.token })),
      { id: merchant.id, token: merchant.owner.token },
    ];

    // The model.
    const stock = products.map((p) => p.stock);
    const supplierOwed = [0, 0];
    const supplierPaidOut = [0, 0];
    /** Settlements less reversals not yet in a supplier batch: the next batch's amount when positive. */
    const supplierUnbatched = [0, 0];
    let merchantOwed = 0;
    let merchantPaidOut = 0;
    let adPointsLeft = startAdPoints;
    let vouchersHeld = 0;
    let consumerEco = 0;
    let merchantEco = 0;
    /** Money taken on orders, and given back by refunds: the statement's proceeds. */
    let paidTotal = 0;
    let refundedTotal = 0;
    let settledTotal = 0;
    type Order = {
      id: string;
      checkoutSessionId: string;
      lines: Array<{ p: number; quantity: number }>;
      amount: number;
      /** Eco-points applied (hundredths; at 1.00 yuan each, as many fen) and the money part. */
      eco: number;
      cash: number;
      state: 'unpaid' | 'paid' | 'expired' | 'cancelled';
      refunded: number;
      ecoBack: number;
      cashBack: number;
      vouchersIssued: number;
      adPointsCharged: number;
      vouchersBack: number;
      adPointsBack: number;
    };
    type Fulfillment = {
      id: string;
      order: Order;
      s: number;
      quantity: number;
      status: 'to_ship' | 'shipped' | 'delivered' | 'cancelled' | 'returned';
      /** The settlement trigger in force when the order was paid: on_delivery, else on_shipment. */
      onDelivery: boolean;
      settled: boolean;
    };
    let triggerOnDelivery = false;
    /** The wholesale moves from the merchant's proceeds to the supplier (none for its own shipment). */
    const settle = (f: Fulfillment, sign: 1 | -1) => {
      const wholesale = products[f.s]!.wholesale * f.quantity;
      f.settled = sign === 1;
      if (f.s === own) return;
      merchantOwed -= sign * wholesale;
      supplierOwed[f.s]! += sign * wholesale;
      supplierUnbatched[f.s]! += sign * wholesale;
      settledTotal += sign * wholesale;
    };
    const orders: Order[] = [];
    const fulfillments: Fulfillment[] = [];
    const batches: Array<{ id: string; merchant: boolean; s: number; amount: number }> = [];
    /** Charges as Stripe described them after each payment and refund: events that may come late. */
    const chargeSnapshots: Array<Record<string, unknown>> = [];
    const snapshot = (orderId: string) => {
      const charge = [...t.fakeStripe.charges.values()].find((c) => c.metadata?.order_id === orderId);
      if (charge) chargeSnapshots.push({ ...charge });
    };

    /** A refund's effect as ADR 0003 words it: cumulative floors, vouchers clawed back in full here. */
    const refundModel = (o: Order, amount: number) => {
      o.refunded += amount;
      // Eco-points back in proportion, the rest in money, never more money than was paid (ADR 0008).
      const ecoBack = Math.floor((o.eco * o.refunded) / o.amount);
      const cashBack = Math.max(o.cashBack, Math.min(o.refunded - ecoBack, o.cash));
      consumerEco += ecoBack - o.ecoBack;
      merchantEco -= ecoBack - o.ecoBack;
      refundedTotal += cashBack - o.cashBack;
      merchantOwed -= cashBack - o.cashBack;
      [o.ecoBack, o.cashBack] = [ecoBack, cashBack];
      const due = Math.floor((o.vouchersIssued * o.refunded) / o.amount);
      vouchersHeld -= due - o.vouchersBack;
      o.vouchersBack = due;
      const back =
        o.vouchersIssued > 0 ? Math.floor((o.adPointsCharged * o.vouchersBack) / o.vouchersIssued) : 0;
      adPointsLeft += back - o.adPointsBack;
      o.adPointsBack = back;
    };

    /** An order is paid: money to proceeds, eco-points to the merchant, a fulfillment per shipper. */
    const paidModel = async (o: Order, step: number) => {
      o.state = 'paid';
      snapshot(o.id);
      paidTotal += o.cash;
      merchantOwed += o.cash;
      merchantEco += o.eco;
      // On the money part only: 1.00 voucher per yuan (fen = hundredths); ad points at 15 %, rounded
      // half up.
      o.vouchersIssued = o.cash;
      o.adPointsCharged = Math.floor((o.cash * adRateBp + 5_000) / 10_000);
      vouchersHeld += o.vouchersIssued;
      adPointsLeft -= o.adPointsCharged;
      // One fulfillment per shipper: each supplier's, and the merchant's own shipment.
      const list = await t.request('GET', `/v1/orders/${o.id}/fulfillments`, { token: consumer.token });
      expect(list.body.data).toHaveLength(o.lines.length);
      for (const l of o.lines) {
        const f = list.body.data.find((x: { supplierId: string }) => x.supplierId === shippers[l.p]!.id);
        const onDelivery = triggerOnDelivery && l.p !== own;
        expect([f?.status, f?.wholesaleCost, f?.settlementTrigger], `step ${step}`).toEqual([
          'to_ship',
          products[l.p]!.wholesale * l.quantity,
          onDelivery ? 'on_delivery' : 'on_shipment',
        ]);
        fulfillments.push({
          id: f.id,
          order: o,
          s: l.p,
          quantity: l.quantity,
          status: 'to_ship',
          onDelivery,
          settled: false,
        });
      }
    };

    const check = async (step: number) => {
      for (const [i, s] of suppliers.entries()) {
        const owed = (await t.request('GET', `/v1/suppliers/${s.id}/payable`, { token: s.token })).body;
        expect([step, owed.payable, owed.paidOut], `supplier ${i}`).toEqual([
          step,
          supplierOwed[i],
          supplierPaidOut[i],
        ]);
      }
      const owed = (
        await t.request('GET', `/v1/merchants/${merchant.id}/payable`, { token: merchant.owner.token })
      ).body;
      expect([step, owed.payable, owed.paidOut], 'merchant').toEqual([step, merchantOwed, merchantPaidOut]);
      const rows = await t.db
        .select({ id: schema.supplierProducts.id, stock: schema.supplierProducts.stock })
        .from(schema.supplierProducts)
        .where(
          inArray(
            schema.supplierProducts.id,
            suppliers.map((s) => s.productId),
          ),
        );
      const [ownRow] = await t.db
        .select({ stock: schema.listings.stock })
        .from(schema.listings)
        .where(eq(schema.listings.id, listings[own]!));
      const stockNow = [
        ...suppliers.map((s) => rows.find((r) => r.id === s.productId)!.stock),
        ownRow!.stock,
      ];
      expect([step, ...stockNow], 'stock').toEqual([step, ...stock]);
      expect([step, await adPoints(t, merchant.id), await vouchers(t, consumer.id)]).toEqual([
        step,
        adPointsLeft,
        vouchersHeld,
      ]);
      const wallet = (await t.request('GET', '/v1/wallet', { token: consumer.token })).body;
      const held = orders.filter((o) => o.state === 'unpaid').reduce((sum, o) => sum + o.eco, 0);
      const merchantEcoNow = (await balanceOf(t.db, accounts.merchantEcoPoints(merchant.id))).posted;
      expect([step, wallet.ecoPoints, wallet.ecoPointsHeld, merchantEcoNow], 'eco-points').toEqual([
        step,
        consumerEco,
        held,
        merchantEco,
      ]);
      if (step % 20 === 0) expect((await verifyLedger(t.db)).ok).toBe(true);
    };

    const run = async (commands: Command[]) => {
      for (const [step, cmd] of commands.entries()) {
        switch (cmd.t) {
          case 'order': {
            const amount = cmd.lines.reduce((sum, l) => sum + products[l.p]!.price * l.quantity, 0);
            const eco = Math.min(Math.floor((amount * cmd.ecoPercent) / 100), consumerEco);
            const res = await t.request('POST', '/v1/orders', {
              token: consumer.token,
              body: {
                merchantId: merchant.id,
                items: cmd.lines.map((l) => ({ listingId: listings[l.p], quantity: l.quantity })),
                shipTo,
                ecoPoints: eco > 0 ? eco : undefined,
              },
            });
            if (cmd.lines.some((l) => l.quantity > stock[l.p]!)) {
              expect([res.status, res.body.error.code]).toEqual([409, 'out_of_stock']);
              break;
            }
            expect(res.status).toBe(201);
            for (const l of cmd.lines) stock[l.p]! -= l.quantity;
            // The eco-points are held from the consumer until the order is paid or ends.
            consumerEco -= eco;
            const o: Order = {
              id: res.body.id,
              checkoutSessionId: res.body.checkoutSessionId,
              lines: cmd.lines,
              amount,
              eco,
              cash: amount - eco,
              state: 'unpaid',
              refunded: 0,
              ecoBack: 0,
              cashBack: 0,
              vouchersIssued: 0,
              adPointsCharged: 0,
              vouchersBack: 0,
              adPointsBack: 0,
            };
            orders.push(o);
            // Covered whole by eco-points: paid at once, nothing to pay through Stripe.
            expect(res.body.status).toBe(o.cash === 0 ? 'paid' : 'pending_payment');
            if (o.cash === 0) await paidModel(o, step);
            break;
          }
          case 'pay': {
            const unpaid = orders.filter((o) => o.state === 'unpaid');
            const o = unpaid[cmd.pick % Math.max(unpaid.length, 1)];
            if (!o) break;
            await t.fakeStripe.pay(o.checkoutSessionId, { method: 'alipay' });
            await paidModel(o, step);
            break;
          }
          case 'wait':
            // Unpaid orders expire (their Checkout Sessions with them) and give their stock back.
            clock.advance(cmd.days * 86_400_000);
            await runSalesExpiry(ctxOf(t.deps));
            for (const o of orders.filter((x) => x.state === 'unpaid')) {
              o.state = 'expired';
              consumerEco += o.eco;
              for (const l of o.lines) stock[l.p]! += l.quantity;
            }
            break;
          case 'ship': {
            const f = fulfillments[cmd.pick % Math.max(fulfillments.length, 1)];
            if (!f) break;
            const res = await t.request('POST', `/v1/fulfillments/${f.id}/ship`, {
              token: shippers[f.s]!.token,
              body: { carrier: 'SF Express', trackingNumber: `SF${step}` },
            });
            if (f.status !== 'to_ship') {
              expect(res.status).toBe(409);
              break;
            }
            expect(res.status).toBe(200);
            f.status = 'shipped';
            if (!f.onDelivery) settle(f, 1);
            break;
          }
          case 'deliver': {
            const f = fulfillments[cmd.pick % Math.max(fulfillments.length, 1)];
            if (!f) break;
            const res = await t.request(
              'POST',
              `/v1/orders/${f.order.id}/fulfillments/${f.id}/confirm-delivery`,
              { token: consumer.token },
            );
            if (f.status !== 'shipped') {
              expect(res.status).toBe(409);
              break;
            }
            expect(res.status).toBe(200);
            f.status = 'delivered';
            if (f.onDelivery) settle(f, 1);
            break;
          }
          case 'grant':
            await grantEcoPoints(t, consumer.id, cmd.ecoPoints);
            consumerEco += cmd.ecoPoints;
            break;
          case 'stale': {
            // Stripe delivers in any order: an older view of a charge, under a new event id, changes
            // nothing (what the platform recorded is already past it).
            const charge = chargeSnapshots[cmd.pick % Math.max(chargeSnapshots.length, 1)];
            if (!charge) break;
            const late = await t.fakeStripe.sendEvent('charge.refunded', { ...charge });
            expect(late.status).toBe(200);
            break;
          }
          case 'trigger': {
            const value = cmd.onDelivery ? 'on_delivery' : 'on_shipment';
            const res = await t.request('POST', '/v1/platform/parameters', {
              token: operator,
              body: { name: 'supplierSettlementTrigger', value },
            });
            expect(res.status).toBe(201);
            triggerOnDelivery = cmd.onDelivery;
            break;
          }
          case 'cancel': {
            const f = fulfillments[cmd.pick % Math.max(fulfillments.length, 1)];
            if (!f) break;
            const res = await t.request('POST', `/v1/fulfillments/${f.id}/cancel`, {
              token: cmd.byMerchant ? merchant.owner.token : shippers[f.s]!.token,
              body: { reason: 'model' },
            });
            if (f.status !== 'to_ship') {
              expect(res.status).toBe(409);
              break;
            }
            expect(res.status).toBe(200);
            f.status = 'cancelled';
            stock[f.s]! += f.quantity;
            const lines = products[f.s]!.price * f.quantity;
            // The merchant's own cancellation refunds the lines at once (what the order has left);
            // the supplier's leaves the refund to the merchant.
            const refundable = Math.min(lines, f.order.amount - f.order.refunded);
            if (cmd.byMerchant || f.s === own) {
              expect([res.body.refunded, res.body.refundDue], `step ${step}`).toEqual([refundable, 0]);
              if (refundable > 0) {
                refundModel(f.order, refundable);
                snapshot(f.order.id);
              }
            } else {
              expect([res.body.refunded, res.body.refundDue], `step ${step}`).toEqual([0, refundable]);
            }
            break;
          }
          case 'return': {
            const f = fulfillments[cmd.pick % Math.max(fulfillments.length, 1)];
            if (!f) break;
            const res = await t.request('POST', `/v1/fulfillments/${f.id}/return`, {
              token: shippers[f.s]!.token,
              body: { reason: 'model' },
            });
            if (f.status !== 'shipped' && f.status !== 'delivered') {
              expect(res.status).toBe(409);
              break;
            }
            expect(res.status).toBe(200);
            f.status = 'returned';
            // Only a settlement that happened is reversed (on_delivery, before delivery: nothing).
            expect(res.body.reversed).toBe(f.settled ? products[f.s]!.wholesale * f.quantity : 0);
            if (f.settled) settle(f, -1);
            break;
          }
          case 'dashboardRefund': {
            // Money given back from Stripe's dashboard: its charge.refunded webhook is applied as a refund.
            // Orders in money only: on one with eco-points Stripe's amount cannot say which part it
            // refunds, and an operator applies it (eco-points.test.ts).
            const paid = orders.filter(
              (o) => o.state === 'paid' && o.eco === 0 && o.refunded + cmd.amount <= o.amount,
            );
            const o = paid[cmd.pick % Math.max(paid.length, 1)];
            if (!o) break;
            const charge = [...t.fakeStripe.charges.values()].find((c) => c.metadata?.order_id === o.id)!;
            if (cmd.dispute) {
              // A lost dispute: Stripe takes the money back, applied as a refund of that amount; the
              // charge's refunded total leaves it out.
              const delivered = await t.fakeStripe.closeDispute(charge.id, { amount: cmd.amount });
              expect(delivered.status).toBe(200);
            } else {
              await t.deps.stripe!.refunds.create({ charge: charge.id, amount: cmd.amount });
              expect(t.fakeStripe.deliveries.at(-1)).toMatchObject({ type: 'charge.refunded', status: 200 });
              snapshot(o.id);
            }
            refundModel(o, cmd.amount);
            break;
          }
          case 'consumerCancel': {
            // The consumer gives up an unpaid order: stock and held eco-points back at once.
            const unpaid = orders.filter((o) => o.state === 'unpaid');
            const o = unpaid[cmd.pick % Math.max(unpaid.length, 1)];
            if (!o) break;
            const res = await t.request('POST', `/v1/orders/${o.id}/cancel`, { token: consumer.token });
            expect([res.status, res.body.status]).toEqual([200, 'cancelled']);
            o.state = 'cancelled';
            consumerEco += o.eco;
            for (const l of o.lines) stock[l.p]! += l.quantity;
            break;
          }
          case 'refund': {
            const paid = orders.filter((o) => o.state === 'paid' && o.refunded < o.amount);
            const o = paid[cmd.pick % Math.max(paid.length, 1)];
            if (!o) break;
            const res = await t.request('POST', `/v1/orders/${o.id}/refund`, {
              token: merchant.owner.token,
              body: { amount: cmd.amount },
            });
            if (o.refunded + cmd.amount > o.amount) {
              expect([res.status, res.body.error.code]).toEqual([422, 'refund_exceeds_amount']);
              break;
            }
            expect(res.status).toBe(200);
            const [vouchersBefore, adPointsBefore] = [o.vouchersBack, o.adPointsBack];
            refundModel(o, cmd.amount);
            snapshot(o.id);
            expect([res.body.vouchersClawedBack, res.body.adPointsReturned]).toEqual([
              o.vouchersBack - vouchersBefore,
              o.adPointsBack - adPointsBefore,
            ]);
            break;
          }
          case 'payouts': {
            const path = cmd.merchant ? '/v1/platform/merchant-payouts' : '/v1/platform/payouts';
            const before = merchantOwed;
            clock.advance(1000);
            const res = await t.request('POST', `${path}/run`, { token: operator });
            expect(res.status).toBe(200);
            const created = res.body.created as Array<{ id: string; amount: number; supplierId?: string }>;
            if (cmd.merchant) {
              // Which orders are released depends on their age and open lines; a batch is never more
              // than the merchant is owed.
              for (const b of created) {
                expect(b.amount).toBeGreaterThan(0);
                expect(b.amount).toBeLessThanOrEqual(before);
                batches.push({ id: b.id, merchant: true, s: -1, amount: b.amount });
              }
            } else {
              const expected = suppliers.flatMap((s, i) =>
                supplierUnbatched[i]! > 0 ? [[s.id, supplierUnbatched[i]]] : [],
              );
              expect(created.map((b) => [b.supplierId, b.amount]).sort()).toEqual(expected.sort());
              for (const b of created) {
                const i = suppliers.findIndex((s) => s.id === b.supplierId);
                supplierUnbatched[i] = 0;
                batches.push({ id: b.id, merchant: false, s: i, amount: b.amount });
              }
            }
            // An operator pays every open batch by bank.
            for (const b of batches.splice(0)) {
              const paid = await t.request(
                'POST',
                `${b.merchant ? '/v1/platform/merchant-payouts' : '/v1/platform/payouts'}/${b.id}/mark-paid`,
                { token: operator, body: { reference: `BANK-${step}` } },
              );
              expect(paid.status).toBe(200);
              if (b.merchant) {
                merchantOwed -= b.amount;
                merchantPaidOut += b.amount;
              } else {
                supplierOwed[b.s]! -= b.amount;
                supplierPaidOut[b.s]! += b.amount;
              }
            }
            break;
          }
        }
        await check(step + 1);
      }
      expect((await verifyLedger(t.db)).ok).toBe(true);
      const anomalies = await t.request('GET', '/v1/platform/stripe/anomalies?status=open&limit=100', {
        token: operator,
      });
      // Late and repeated events, dashboard refunds of money-only orders: nothing left for an operator.
      expect(anomalies.body.data).toEqual([]);
      // The statement over the whole period adds up to the same movements.
      const statement = await t.request(
        'GET',
        `/v1/merchants/${merchant.id}/statement?from=2026-11-30&to=${businessToday()}`,
        { token: merchant.owner.token },
      );
      expect(statement.status).toBe(200);
      expect(statement.body).toMatchObject({
        proceeds: paidTotal - refundedTotal,
        wholesaleSettled: settledTotal,
        net: paidTotal - refundedTotal - settledTotal,
        adPointsCharged: startAdPoints - adPointsLeft,
        vouchersIssued: vouchersHeld,
      });
    };

    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 100, maxLength: 100 }), run), {
      numRuns: 1,
      endOnFailure: true,
      seed: Number(process.env.MODEL_SEED ?? Date.now()),
    });
  }, 120_000);
});
