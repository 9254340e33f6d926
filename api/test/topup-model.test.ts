import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceOf, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { activeMerchant, adPoints, grantEcoPoints, signInConsumer } from './sales-fixtures';

/**
 * Prepaid ad points at the business level (SPEC flows 1 and 2, ADR 0002): random sequences of
 * top-ups (paid or left unpaid) at changing ad-point prices, in-store sales that spend the points,
 * refunds of those sales, money Stripe gives back on top-ups (dashboard refunds, lost disputes)
 * and late deliveries of older charge states, through the HTTP API and the fake Stripe, against a
 * model. After every step the merchant's ad points and prepaid money equal the model's; every 10
 * steps and at the end each top-up's refunded money, points reversed and points unrecovered too.
 */
type Command =
  | { t: 'topup'; amount: number; pay: boolean }
  | { t: 'sale'; amount: number; ecoPercent: number }
  | { t: 'grant'; ecoPoints: number }
  | { t: 'saleRefund'; pick: number; amount: number }
  | { t: 'moneyBack'; pick: number; amount: number; dispute: boolean }
  | { t: 'price'; fen: number }
  | { t: 'stale'; pick: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('topup' as const),
      amount: fc.oneof(fc.integer({ min: 100, max: 30_000 }), fc.constantFrom(100, 101, 333)),
      pay: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('sale' as const),
      amount: fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 7 })),
      // Most sales in money only; others paid in part or whole with the consumer's eco-points.
      ecoPercent: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 100 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('grant' as const), ecoPoints: fc.integer({ min: 1, max: 5_000 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('saleRefund' as const),
      pick: fc.nat(),
      amount: fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.constant(20_000)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('moneyBack' as const),
      pick: fc.nat(),
      amount: fc.oneof(fc.integer({ min: 1, max: 3_000 }), fc.constant(30_000)),
      dispute: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('price' as const), fen: fc.integer({ min: 50, max: 300 }) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('stale' as const), pick: fc.nat() }) },
);

const adRateBp = 1500;

describe('prepaid ad points against a reference model', () => {
  let t: TestApp;
  const clock = testClock('2026-11-30T02:00:00Z');
  beforeAll(async () => {
    t = await createTestApp({ clock, env: { AUTH_OTP_PER_IP_HOUR: '100000' } });
  });
  afterAll(() => t.close());

  it('keeps ad points, prepaid money and every top-up equal to the model over 120 random steps', async () => {
    const operator = (await t.signIn(operatorPhone)).token;
    const consumer = await signInConsumer(t);
    const merchant = await activeMerchant(t);

    let price = 100;
    let available = 0;
    let prepaid = 0;
    type Topup = {
      id: string;
      amount: number;
      points: number;
      chargeId: string | null;
      returned: number;
      reversed: number;
      unrecovered: number;
    };
    const topups: Topup[] = [];
    type Sale = {
      id: string;
      amount: number;
      /** Eco-points applied (hundredths; at 1.00 yuan each, as many fen); vouchers on the money part. */
      eco: number;
      issued: number;
      charged: number;
      refunded: number;
      ecoBack: number;
      vouchersBack: number;
      pointsBack: number;
    };
    let consumerEco = 0;
    let merchantEco = 0;
    let vouchersHeld = 0;
    const sales: Sale[] = [];
    const chargeSnapshots: Array<Record<string, unknown>> = [];

    /** Money Stripe gave back on a top-up: its points in proportion, as many as are still there. */
    const moneyBackModel = (topup: Topup, fen: number) => {
      topup.returned += fen;
      prepaid -= fen;
      const due =
        Math.floor((topup.points * topup.returned) / topup.amount) - topup.reversed - topup.unrecovered;
      const taken = Math.min(due, available);
      available -= taken;
      topup.reversed += taken;
      topup.unrecovered += due - taken;
    };

    const checkTopups = async (step: number) => {
      for (const topup of topups) {
        const got = (
          await t.request('GET', `/v1/merchants/${merchant.id}/topups/${topup.id}`, {
            token: merchant.owner.token,
          })
        ).body;
        expect([step, got.refunded, got.adPointsReversed, got.adPointsUnrecovered]).toEqual([
          step,
          topup.returned,
          topup.reversed,
          topup.unrecovered,
        ]);
      }
    };
    const check = async (step: number) => {
      const money = await balanceOf(t.db, accounts.merchantPrepaidMoney(merchant.id));
      expect([step, await adPoints(t, merchant.id), money.posted]).toEqual([step, available, prepaid]);
      const wallet = (await t.request('GET', '/v1/wallet', { token: consumer.token })).body;
      const merchantEcoNow = (await balanceOf(t.db, accounts.merchantEcoPoints(merchant.id))).posted;
      expect([step, wallet.vouchers, wallet.ecoPoints, merchantEcoNow]).toEqual([
        step,
        vouchersHeld,
        consumerEco,
        merchantEco,
      ]);
      if (step % 10 === 0) {
        await checkTopups(step);
        expect((await verifyLedger(t.db)).ok).toBe(true);
      }
    };

    const run = async (commands: Command[]) => {
      for (const [step, cmd] of commands.entries()) {
        switch (cmd.t) {
          case 'topup': {
            const res = await t.request('POST', `/v1/merchants/${merchant.id}/topups`, {
              token: merchant.owner.token,
              body: { amount: cmd.amount },
            });
            // Points are fixed at creation, rounded down; an amount that buys none is refused.
            const points = Math.floor((cmd.amount * 100) / price);
            if (points < 1) {
              expect([res.status, res.body.error.code]).toEqual([422, 'amount_too_small']);
              break;
            }
            expect([res.status, res.body.adPoints]).toEqual([201, points]);
            if (!cmd.pay) break;
            await t.fakeStripe.pay(res.body.checkoutSessionId, { method: 'card' });
            const charge = [...t.fakeStripe.charges.values()].find(
              (c) => c.metadata?.topup_id === res.body.id,
            )!;
            chargeSnapshots.push({ ...charge });
            topups.push({
              id: res.body.id,
              amount: cmd.amount,
              points,
              chargeId: charge.id,
              returned: 0,
              reversed: 0,
              unrecovered: 0,
            });
            available += points;
            prepaid += cmd.amount;
            break;
          }
          case 'sale': {
            const sale = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
              token: merchant.owner.token,
              body: { memberCode: consumer.memberCode, amount: cmd.amount },
            });
            expect(sale.status).toBe(201);
            const eco = Math.min(Math.floor((cmd.amount * cmd.ecoPercent) / 100), consumerEco);
            const confirmed = await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, {
              token: consumer.token,
              body: eco > 0 ? { ecoPoints: eco } : undefined,
            });
            expect(confirmed.status).toBe(200);
            consumerEco -= eco;
            merchantEco += eco;
            // On the money part: vouchers 1.00 per yuan, ad points at the rate rounded half up, both
            // only when the points cover the charge (ADR 0003, ADR 0008).
            const cash = cmd.amount - eco;
            const due = Math.floor((cash * adRateBp + 5_000) / 10_000);
            const covered = due <= available;
            const charged = covered ? due : 0;
            const issued = covered ? cash : 0;
            available -= charged;
            vouchersHeld += issued;
            expect([confirmed.body.adPointsCharged, confirmed.body.vouchersIssued]).toEqual([
              charged,
              issued,
            ]);
            sales.push({
              id: sale.body.id,
              amount: cmd.amount,
              eco,
              issued,
              charged,
              refunded: 0,
              ecoBack: 0,
              vouchersBack: 0,
              pointsBack: 0,
            });
            break;
          }
          case 'saleRefund': {
            const open = sales.filter((s) => s.refunded < s.amount);
            const sale = open[cmd.pick % Math.max(open.length, 1)];
            if (!sale) break;
            const amount = Math.min(cmd.amount, sale.amount - sale.refunded);
            const res = await t.request('POST', `/v1/sales/${sale.id}/refund`, {
              token: merchant.owner.token,
              body: { amount },
            });
            expect(res.status).toBe(200);
            sale.refunded += amount;
            // Eco-points back in proportion (the rest is money, outside the platform in store).
            const ecoBack = Math.floor((sale.eco * sale.refunded) / sale.amount);
            consumerEco += ecoBack - sale.ecoBack;
            merchantEco -= ecoBack - sale.ecoBack;
            // The consumer never converts here, so every voucher due back is clawed back and the
            // points follow them: floor(charged x floor(issued x refunded / amount) / issued).
            const clawed = Math.floor((sale.issued * sale.refunded) / sale.amount);
            const back = sale.issued > 0 ? Math.floor((sale.charged * clawed) / sale.issued) : 0;
            expect([
              res.body.ecoPointsReturned,
              res.body.vouchersClawedBack,
              res.body.adPointsReturned,
            ]).toEqual([ecoBack - sale.ecoBack, clawed - sale.vouchersBack, back - sale.pointsBack]);
            vouchersHeld -= clawed - sale.vouchersBack;
            available += back - sale.pointsBack;
            [sale.ecoBack, sale.vouchersBack, sale.pointsBack] = [ecoBack, clawed, back];
            break;
          }
          case 'moneyBack': {
            const open = topups.filter((x) => x.returned < x.amount);
            const topup = open[cmd.pick % Math.max(open.length, 1)];
            if (!topup) break;
            const fen = Math.min(cmd.amount, topup.amount - topup.returned);
            const charge = t.fakeStripe.charges.get(topup.chargeId!)!;
            if (cmd.dispute) {
              // A lost dispute: Stripe takes the money back; the charge's refunded total does not move.
              const delivered = await t.fakeStripe.closeDispute(charge.id, { amount: fen });
              expect(delivered.status).toBe(200);
            } else {
              await t.deps.stripe!.refunds.create({ charge: charge.id, amount: fen });
              expect(t.fakeStripe.deliveries.at(-1)).toMatchObject({ type: 'charge.refunded', status: 200 });
              chargeSnapshots.push({ ...charge });
            }
            moneyBackModel(topup, fen);
            break;
          }
          case 'grant':
            await grantEcoPoints(t, consumer.id, cmd.ecoPoints);
            consumerEco += cmd.ecoPoints;
            break;
          case 'price': {
            clock.advance(1000);
            const res = await t.request('POST', '/v1/platform/parameters', {
              token: operator,
              body: { name: 'adPointPriceFen', value: cmd.fen },
            });
            expect(res.status).toBe(201);
            price = cmd.fen;
            break;
          }
          case 'stale': {
            const charge = chargeSnapshots[cmd.pick % Math.max(chargeSnapshots.length, 1)];
            if (!charge) break;
            const late = await t.fakeStripe.sendEvent('charge.refunded', { ...charge });
            expect(late.status).toBe(200);
            break;
          }
        }
        await check(step + 1);
      }
      await checkTopups(commands.length);
      expect((await verifyLedger(t.db)).ok).toBe(true);
    };

    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 120, maxLength: 120 }), run), {
      numRuns: 1,
      endOnFailure: true,
      seed: Number(process.env.MODEL_SEED ?? Date.now()),
    });
  }, 120_000);
});
