import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceOf } from '../ledger';
import { accounts } from '../services/accounts';
import { parameterDefaults } from '../services/parameters';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { activeMerchant, adPoints, grantEcoPoints, signInConsumer, vouchers } from './sales-fixtures';
import { onPostgres } from './test-db';

/**
 * Eco-points from end to end (SPEC flows 3 and 4, ADR 0008): random sequences of in-store sales
 * paid in part with eco-points, their refunds, a day's six videos converting a voucher (and larger
 * grants, as many days of them would leave), withdrawals
 * by consumers and merchants (asked with the switch on or off, approved or rejected), merchants'
 * eco-topups, and changes of the fee and the ad-point price, through the HTTP API against a model.
 * After every step each holder's vouchers, usable and held eco-points and ad points equal the
 * model's, and so do the merchants' proceeds (charged for eco-points a refund had to issue anew);
 * every 10 steps and at the end the ledger verifies, eco-points conservation included.
 */
type Command =
  | { t: 'sale'; c: number; m: number; amount: number; ecoPercent: number }
  | { t: 'refund'; pick: number; amount: number }
  | { t: 'videos'; c: number }
  | { t: 'grant'; c: number; ecoPoints: number }
  | { t: 'withdraw'; holder: number; amount: Amount }
  | { t: 'decide'; pick: number; approve: boolean }
  | { t: 'ecoTopup'; m: number; amount: Amount }
  | { t: 'fee'; bp: number }
  | { t: 'adPointPrice'; fen: number }
  | { t: 'switch'; on: boolean };

/** Eco-points asked for: a share of what the holder can use (over 100 % is more than it has), or a fixed number. */
type Amount = { percent: number } | { fixed: number };

/** The withdrawal minimum the test sets (hundredths): 5.00 eco-points, so that merchants reach it too. */
const minimum = 500;
const consumersN = 2;
const merchantsN = 2;

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('sale' as const),
      c: fc.nat(consumersN - 1),
      m: fc.nat(merchantsN - 1),
      amount: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 9 })),
      ecoPercent: fc.oneof(fc.constant(0), { weight: 2, arbitrary: fc.integer({ min: 1, max: 100 }) }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('refund' as const),
      pick: fc.nat(),
      amount: fc.oneof(fc.integer({ min: 1, max: 3_000 }), fc.constant(10_000)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('videos' as const), c: fc.nat(consumersN - 1) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('grant' as const),
      c: fc.nat(consumersN - 1),
      ecoPoints: fc.integer({ min: 1, max: 10_000 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('withdraw' as const),
      // Consumers first, then merchants (asked by their owners).
      holder: fc.nat(consumersN + merchantsN - 1),
      amount: fc.oneof(
        { weight: 4, arbitrary: fc.record({ percent: fc.integer({ min: 1, max: 110 }) }) },
        fc.record({ fixed: fc.constantFrom(minimum - 1, minimum, minimum + 1) }),
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant('decide' as const), pick: fc.nat(), approve: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('ecoTopup' as const),
      m: fc.nat(merchantsN - 1),
      amount: fc.oneof(
        { weight: 4, arbitrary: fc.record({ percent: fc.integer({ min: 1, max: 110 }) }) },
        fc.record({ fixed: fc.integer({ min: 1, max: 3 }) }),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('fee' as const), bp: fc.integer({ min: 0, max: 500 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('adPointPrice' as const), fen: fc.integer({ min: 50, max: 300 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('switch' as const),
      on: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
    }),
  },
);

// The model's arithmetic assumes these defaults; the test sets the minimum and changes the fee, the
// ad-point price and the switch.
const { merchantAdRateBp, voucherRatePerYuan, ecoPointUnitPriceFen } = parameterDefaults;
const videoSeconds = 5;

describe('eco-points against a reference model', () => {
  let t: TestApp;
  // 10:00 in Beijing: a day's videos and a step to the next morning never cross midnight mid-way.
  const clock = testClock('2026-11-30T02:00:00Z');
  let operator: string;
  beforeAll(async () => {
    t = await createTestApp({ clock, env: { AUTH_OTP_PER_IP_HOUR: '100000' } });
    operator = (await t.signIn(operatorPhone)).token;
  });
  afterAll(() => t.close());
  /** A parameter change from now on; the clock moves on so that each change has its own instant. */
  const setParameter = async (name: string, value: number) => {
    clock.advance(1000);
    const res = await t.request('POST', '/v1/platform/parameters', {
      token: operator,
      body: { name, value },
    });
    expect(res.status).toBe(201);
  };

  it('keeps every holder equal to the model over 200 random steps', async () => {
    expect([merchantAdRateBp, voucherRatePerYuan, ecoPointUnitPriceFen]).toEqual([1500, 100, 100]);
    await setParameter('withdrawalMinimumEcoPoints', minimum);
    await setParameter('withdrawalsEnabled', 1);
    for (let i = 0; i < 6; i++) {
      const res = await t.request('POST', '/v1/platform/campaigns', {
        token: operator,
        body: {
          title: `Video ${i}`,
          mediaUrl: '/videos/sunrise.webm',
          durationSeconds: videoSeconds,
          pricePerCompletion: 1,
          budget: 100_000,
        },
      });
      expect(res.status).toBe(201);
    }
    const consumers: Array<Awaited<ReturnType<typeof signInConsumer>>> = [];
    for (let i = 0; i < consumersN; i++) consumers.push(await signInConsumer(t));
    const startAdPoints = 100_000_000;
    const merchants: Array<Awaited<ReturnType<typeof activeMerchant>>> = [];
    for (let i = 0; i < merchantsN; i++) merchants.push(await activeMerchant(t, { adPoints: startAdPoints }));

    // The model. Holders: consumers 0..n-1, then merchants.
    const usable = Array<number>(consumersN + merchantsN).fill(0);
    const held = Array<number>(consumersN + merchantsN).fill(0);
    const voucherHeld = Array<number>(consumersN).fill(0);
    const adPointsLeft = Array<number>(merchantsN).fill(startAdPoints);
    /** Merchants' proceeds (fen): in store only the eco-points a refund had to issue anew are charged. */
    const proceeds = Array<number>(merchantsN).fill(0);
    let switchOn = true;
    let feeBp = 0;
    let adPointPriceFen = 100;
    type Sale = {
      id: string;
      c: number;
      m: number;
      amount: number;
      eco: number;
      issued: number;
      charged: number;
      refunded: number;
      ecoBack: number;
      due: number;
      clawed: number;
      pointsBack: number;
    };
    const sales: Sale[] = [];
    type Withdrawal = { id: string; holder: number; ecoPoints: number; fee: number; state: string };
    const withdrawals: Withdrawal[] = [];
    const amountOf = (amount: Amount, holder: number) =>
      'fixed' in amount ? amount.fixed : Math.max(1, Math.floor((usable[holder]! * amount.percent) / 100));
    const tokenOf = (holder: number) =>
      holder < consumersN ? consumers[holder]!.token : merchants[holder - consumersN]!.owner.token;

    const check = async (step: number) => {
      for (let c = 0; c < consumersN; c++) {
        const wallet = (await t.request('GET', '/v1/wallet', { token: consumers[c]!.token })).body;
        expect([step, c, wallet.vouchers, wallet.ecoPoints, wallet.ecoPointsHeld]).toEqual([
          step,
          c,
          voucherHeld[c],
          usable[c],
          held[c],
        ]);
        expect(await vouchers(t, consumers[c]!.id)).toBe(voucherHeld[c]);
      }
      for (let m = 0; m < merchantsN; m++) {
        const eco = await balanceOf(t.db, accounts.merchantEcoPoints(merchants[m]!.id));
        const money = await balanceOf(t.db, accounts.merchantProceeds(merchants[m]!.id));
        expect([
          step,
          m,
          eco.available,
          eco.debitsPending,
          await adPoints(t, merchants[m]!.id),
          money.posted,
        ]).toEqual([step, m, usable[consumersN + m], held[consumersN + m], adPointsLeft[m], proceeds[m]]);
      }
      if (step % 10 === 0 || step === 200) {
        const verified = await t.request('GET', '/v1/platform/ledger/verify', { token: operator });
        expect([step, verified.body.ok, verified.body.checks.filter((x: { ok: boolean }) => !x.ok)]).toEqual([
          step,
          true,
          [],
        ]);
      }
    };

    const run = async (commands: Command[]) => {
      for (const [step, cmd] of commands.entries()) {
        switch (cmd.t) {
          case 'sale': {
            const merchant = merchants[cmd.m]!;
            const sale = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
              token: merchant.owner.token,
              body: { memberCode: consumers[cmd.c]!.memberCode, amount: cmd.amount },
            });
            expect(sale.status).toBe(201);
            // At 1.00 yuan an eco-point, a hundredth pays a fen.
            const eco = Math.min(Math.floor((cmd.amount * cmd.ecoPercent) / 100), usable[cmd.c]!);
            const confirmed = await t.request('POST', `/v1/sales/${sale.body.id}/confirm`, {
              token: consumers[cmd.c]!.token,
              body: eco > 0 ? { ecoPoints: eco } : undefined,
            });
            expect(confirmed.status).toBe(200);
            usable[cmd.c]! -= eco;
            usable[consumersN + cmd.m]! += eco;
            // The money part earns vouchers (1.00 per yuan) and costs ad points (rate, half up).
            const cash = cmd.amount - eco;
            const charged = Math.floor((cash * merchantAdRateBp + 5_000) / 10_000);
            voucherHeld[cmd.c]! += cash;
            adPointsLeft[cmd.m]! -= charged;
            expect([confirmed.body.vouchersIssued, confirmed.body.adPointsCharged]).toEqual([cash, charged]);
            sales.push({
              id: sale.body.id,
              c: cmd.c,
              m: cmd.m,
              amount: cmd.amount,
              eco,
              issued: cash,
              charged,
              refunded: 0,
              ecoBack: 0,
              due: 0,
              clawed: 0,
              pointsBack: 0,
            });
            break;
          }
          case 'refund': {
            const open = sales.filter((s) => s.refunded < s.amount);
            const sale = open[cmd.pick % Math.max(open.length, 1)];
            if (!sale) break;
            const amount = Math.min(cmd.amount, sale.amount - sale.refunded);
            const res = await t.request('POST', `/v1/sales/${sale.id}/refund`, {
              token: merchants[sale.m]!.owner.token,
              body: { amount },
            });
            expect(res.status).toBe(200);
            sale.refunded += amount;
            // Eco-points back in proportion: from the merchant's usable ones, the rest issued anew
            // and charged to its proceeds (ADR 0008).
            const ecoBack = Math.floor((sale.eco * sale.refunded) / sale.amount) - sale.ecoBack;
            sale.ecoBack += ecoBack;
            usable[sale.c]! += ecoBack;
            const fromMerchant = Math.min(ecoBack, usable[consumersN + sale.m]!);
            usable[consumersN + sale.m]! -= fromMerchant;
            proceeds[sale.m]! -= ecoBack - fromMerchant;
            // Vouchers due back are clawed back as far as the consumer still holds them (some may be
            // converted); ad points follow the vouchers clawed back (ADR 0003).
            const due = Math.floor((sale.issued * sale.refunded) / sale.amount) - sale.due;
            sale.due += due;
            const clawed = Math.min(due, voucherHeld[sale.c]!);
            sale.clawed += clawed;
            voucherHeld[sale.c]! -= clawed;
            const pointsBack =
              sale.issued > 0 ? Math.floor((sale.charged * sale.clawed) / sale.issued) - sale.pointsBack : 0;
            sale.pointsBack += pointsBack;
            adPointsLeft[sale.m]! += pointsBack;
            expect([
              res.body.ecoPointsReturned,
              res.body.vouchersClawedBack,
              res.body.adPointsReturned,
            ]).toEqual([ecoBack, clawed, pointsBack]);
            break;
          }
          case 'videos': {
            const { token } = consumers[cmd.c]!;
            // A view starts only for a consumer holding a voucher to convert.
            if (voucherHeld[cmd.c]! < 100) {
              const refused = await t.request('POST', '/v1/ad-views', { token });
              expect([step, refused.status, refused.body.error.code]).toEqual([
                step,
                409,
                'insufficient_vouchers',
              ]);
              break;
            }
            for (let n = 1; n <= 6; n++) {
              const started = await t.request('POST', '/v1/ad-views', { token });
              expect([step, n, started.status, started.body.error?.code]).toEqual([step, n, 201, undefined]);
              clock.advance(videoSeconds * 1000);
              const progress = await t.request('POST', `/v1/ad-views/${started.body.id}/progress`, {
                token,
                body: { token: started.body.token, seq: 1, position: videoSeconds, visible: true },
              });
              expect(progress.status).toBe(200);
              const done = await t.request('POST', `/v1/ad-views/${started.body.id}/complete`, {
                token,
                body: { token: started.body.token },
              });
              expect(done.status).toBe(200);
              // The sixth turns 1.00 voucher into 1.00 eco-point.
              const converts = n === 6;
              expect(done.body.conversion).toEqual(converts ? { vouchers: -100, ecoPoints: 100 } : null);
              if (converts) {
                voucherHeld[cmd.c]! -= 100;
                usable[cmd.c]! += 100;
              }
            }
            // The next morning: a new day's six.
            clock.advance(86_400_000 - 6 * videoSeconds * 1000);
            break;
          }
          case 'grant':
            // Eco-points as many days of videos would leave them.
            await grantEcoPoints(t, consumers[cmd.c]!.id, cmd.ecoPoints);
            usable[cmd.c]! += cmd.ecoPoints;
            break;
          case 'withdraw': {
            const ecoPoints = amountOf(cmd.amount, cmd.holder);
            const merchantId = cmd.holder >= consumersN ? merchants[cmd.holder - consumersN]!.id : undefined;
            const res = await t.request('POST', '/v1/withdrawals', {
              token: tokenOf(cmd.holder),
              body: { ecoPoints: ecoPoints, merchantId },
            });
            const fee = Math.ceil((ecoPoints * feeBp) / 10_000);
            const refusal = !switchOn
              ? [409, 'withdrawals_disabled']
              : ecoPoints < minimum
                ? [422, 'below_minimum']
                : ecoPoints > usable[cmd.holder]!
                  ? [422, 'insufficient_eco_points']
                  : null;
            if (refusal) {
              expect([step, res.status, res.body.error?.code]).toEqual([step, ...refusal]);
              break;
            }
            expect([step, res.status]).toEqual([step, 201]);
            // Held whole, fee included; paid out is the value of the rest at 1.00 yuan a point.
            expect([res.body.status, res.body.fee, res.body.amount]).toEqual([
              'pending',
              fee,
              ecoPoints - fee,
            ]);
            usable[cmd.holder]! -= ecoPoints;
            held[cmd.holder]! += ecoPoints;
            withdrawals.push({
              id: res.body.id,
              holder: cmd.holder,
              ecoPoints: ecoPoints,
              fee,
              state: 'pending',
            });
            break;
          }
          case 'decide': {
            const pending = withdrawals.filter((w) => w.state === 'pending');
            const w = pending[cmd.pick % Math.max(pending.length, 1)];
            if (!w) break;
            const res = cmd.approve
              ? await t.request('POST', `/v1/platform/withdrawals/${w.id}/approve`, {
                  token: operator,
                  body: { payoutReference: `BANK-${step}` },
                })
              : await t.request('POST', `/v1/platform/withdrawals/${w.id}/reject`, {
                  token: operator,
                  body: { reason: 'Bank details do not match' },
                });
            expect([step, res.status, res.body.status]).toEqual([
              step,
              200,
              cmd.approve ? 'paid' : 'rejected',
            ]);
            w.state = res.body.status;
            held[w.holder]! -= w.ecoPoints;
            if (!cmd.approve) usable[w.holder]! += w.ecoPoints;
            // Deciding again answers 409 and changes nothing.
            const again = await t.request('POST', `/v1/platform/withdrawals/${w.id}/reject`, {
              token: operator,
              body: { reason: 'again' },
            });
            expect([again.status, again.body.error.code]).toEqual([409, 'already_decided']);
            break;
          }
          case 'ecoTopup': {
            const ecoPoints = amountOf(cmd.amount, consumersN + cmd.m);
            const merchant = merchants[cmd.m]!;
            const res = await t.request('POST', `/v1/merchants/${merchant.id}/eco-topups`, {
              token: merchant.owner.token,
              body: { ecoPoints: ecoPoints },
            });
            // The points' value (1.00 yuan each) buys ad points at today's price, rounded down.
            const bought = Math.floor((ecoPoints * 100) / adPointPriceFen);
            if (bought < 1) {
              expect([step, res.status, res.body.error.code]).toEqual([step, 422, 'amount_too_small']);
              break;
            }
            if (ecoPoints > usable[consumersN + cmd.m]!) {
              expect([step, res.status, res.body.error.code]).toEqual([step, 422, 'insufficient_eco_points']);
              break;
            }
            expect([step, res.status, res.body.adPoints]).toEqual([step, 201, bought]);
            usable[consumersN + cmd.m]! -= ecoPoints;
            adPointsLeft[cmd.m]! += bought;
            break;
          }
          case 'fee':
            await setParameter('withdrawalFeeBp', cmd.bp);
            feeBp = cmd.bp;
            break;
          case 'adPointPrice':
            await setParameter('adPointPriceFen', cmd.fen);
            adPointPriceFen = cmd.fen;
            break;
          case 'switch':
            await setParameter('withdrawalsEnabled', cmd.on ? 1 : 0);
            switchOn = cmd.on;
            break;
        }
        await check(step + 1);
      }
      // Every withdrawal row says what the model says.
      for (const w of withdrawals) {
        const got = await t.request('GET', `/v1/withdrawals/${w.id}`, { token: tokenOf(w.holder) });
        expect([got.status, got.body.status, got.body.ecoPoints, got.body.fee]).toEqual([
          200,
          w.state,
          w.ecoPoints,
          w.fee,
        ]);
      }
    };

    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 200, maxLength: 200 }), run), {
      numRuns: 1,
      endOnFailure: true,
      seed: Number(process.env.MODEL_SEED ?? Date.now()),
    });
  }, 120_000);

  /**
   * The same operations fired eight at a time on PostgreSQL, where they really race: confirmations
   * paying with eco-points, withdrawals, two decisions of one withdrawal, eco-topups. Each answer is
   * a success or a documented refusal (never a 5xx), and after each round every holder equals the
   * model with exactly the successes applied: what was refused wrote nothing.
   */
  it.skipIf(!onPostgres)(
    'racing rounds: documented answers only, and balances equal to the successes',
    async () => {
      await setParameter('withdrawalMinimumEcoPoints', minimum);
      await setParameter('withdrawalsEnabled', 1);
      await setParameter('withdrawalFeeBp', 150);
      await setParameter('adPointPriceFen', 100);
      const consumer = await signInConsumer(t);
      const merchant = await activeMerchant(t, { adPoints: 100_000_000 });
      await grantEcoPoints(t, consumer.id, 20_000);
      const model = { consumer: 20_000, consumerHeld: 0, merchant: 0, merchantHeld: 0, ad: 100_000_000 };
      type Pending = { id: string; merchant: boolean; ecoPoints: number; decided: boolean };
      const pending: Pending[] = [];

      type Op =
        | { t: 'confirm'; amount: number; eco: number }
        | { t: 'withdraw'; merchant: boolean; ecoPoints: number }
        | { t: 'decide'; pick: number; approve: boolean }
        | { t: 'ecoTopup'; ecoPoints: number };
      const op: fc.Arbitrary<Op> = fc.oneof(
        fc.record({
          t: fc.constant('confirm' as const),
          amount: fc.integer({ min: 100, max: 5_000 }),
          eco: fc.integer({ min: 1, max: 5_000 }),
        }),
        fc.record({
          t: fc.constant('withdraw' as const),
          merchant: fc.boolean(),
          ecoPoints: fc.integer({ min: 400, max: 6_000 }),
        }),
        fc.record({ t: fc.constant('decide' as const), pick: fc.nat(), approve: fc.boolean() }),
        fc.record({ t: fc.constant('ecoTopup' as const), ecoPoints: fc.integer({ min: 1, max: 4_000 }) }),
      );

      const check = async (round: number) => {
        const wallet = (await t.request('GET', '/v1/wallet', { token: consumer.token })).body;
        const eco = await balanceOf(t.db, accounts.merchantEcoPoints(merchant.id));
        expect([round, wallet.ecoPoints, wallet.ecoPointsHeld, eco.available, eco.debitsPending]).toEqual([
          round,
          model.consumer,
          model.consumerHeld,
          model.merchant,
          model.merchantHeld,
        ]);
        expect([round, await adPoints(t, merchant.id)]).toEqual([round, model.ad]);
      };

      const runRounds = async (rounds: Op[][]) => {
        for (const [round, ops] of rounds.entries()) {
          // Sales are recorded first, one by one; only their confirmations race.
          const sales = new Map<number, string>();
          for (const [i, o] of ops.entries()) {
            if (o.t !== 'confirm') continue;
            const sale = await t.request('POST', `/v1/merchants/${merchant.id}/sales`, {
              token: merchant.owner.token,
              body: { memberCode: consumer.memberCode, amount: o.amount },
            });
            expect(sale.status).toBe(201);
            sales.set(i, sale.body.id);
          }
          const open = pending.filter((w) => !w.decided);
          const answers = await Promise.all(
            ops.map((o, i) => {
              switch (o.t) {
                case 'confirm':
                  return t.request('POST', `/v1/sales/${sales.get(i)}/confirm`, {
                    token: consumer.token,
                    body: { ecoPoints: Math.min(o.eco, o.amount) },
                  });
                case 'withdraw':
                  return t.request('POST', '/v1/withdrawals', {
                    token: o.merchant ? merchant.owner.token : consumer.token,
                    body: { ecoPoints: o.ecoPoints, merchantId: o.merchant ? merchant.id : undefined },
                  });
                case 'decide': {
                  const w = open[o.pick % Math.max(open.length, 1)];
                  if (!w) return Promise.resolve(null);
                  return t.request(
                    'POST',
                    `/v1/platform/withdrawals/${w.id}/${o.approve ? 'approve' : 'reject'}`,
                    {
                      token: operator,
                      body: o.approve
                        ? { payoutReference: `BANK-${round}` }
                        : { reason: 'Details do not match' },
                    },
                  );
                }
                default: // ecoTopup
                  return t.request('POST', `/v1/merchants/${merchant.id}/eco-topups`, {
                    token: merchant.owner.token,
                    body: { ecoPoints: o.ecoPoints },
                  });
              }
            }),
          );
          // Successes first, so that a refusal can be checked against what they did.
          const byOutcome = [...ops.entries()].sort(
            ([a], [b]) => (answers[a]?.status ?? 0) - (answers[b]?.status ?? 0),
          );
          for (const [i, o] of byOutcome) {
            const res = answers[i];
            if (!res) continue;
            const outcome = [round, o.t, res.status, res.body.error?.code];
            switch (o.t) {
              case 'confirm': {
                const eco = Math.min(o.eco, o.amount);
                if (res.status !== 200) {
                  expect(outcome).toEqual([round, o.t, 422, 'insufficient_eco_points']);
                  break;
                }
                model.consumer -= eco;
                model.merchant += eco;
                model.ad -= Math.floor(((o.amount - eco) * merchantAdRateBp + 5_000) / 10_000);
                break;
              }
              case 'withdraw': {
                if (res.status !== 201) {
                  expect([
                    [round, o.t, 422, 'below_minimum'],
                    [round, o.t, 422, 'insufficient_eco_points'],
                  ]).toContainEqual(outcome);
                  if (res.body.error.code === 'below_minimum') expect(o.ecoPoints).toBeLessThan(minimum);
                  break;
                }
                expect(res.body.fee).toBe(Math.ceil((o.ecoPoints * 150) / 10_000));
                if (o.merchant) {
                  model.merchant -= o.ecoPoints;
                  model.merchantHeld += o.ecoPoints;
                } else {
                  model.consumer -= o.ecoPoints;
                  model.consumerHeld += o.ecoPoints;
                }
                pending.push({
                  id: res.body.id,
                  merchant: o.merchant,
                  ecoPoints: o.ecoPoints,
                  decided: false,
                });
                break;
              }
              case 'decide': {
                const w = open[o.pick % open.length]!;
                if (res.status !== 200) {
                  // The same withdrawal decided by another operation of this round.
                  expect(outcome).toEqual([round, o.t, 409, 'already_decided']);
                  expect(w.decided).toBe(true);
                  break;
                }
                expect(w.decided).toBe(false);
                w.decided = true;
                const approved = res.body.status === 'paid';
                if (w.merchant) {
                  model.merchantHeld -= w.ecoPoints;
                  if (!approved) model.merchant += w.ecoPoints;
                } else {
                  model.consumerHeld -= w.ecoPoints;
                  if (!approved) model.consumer += w.ecoPoints;
                }
                break;
              }
              case 'ecoTopup': {
                if (res.status !== 201) {
                  expect(outcome).toEqual([round, o.t, 422, 'insufficient_eco_points']);
                  break;
                }
                model.merchant -= o.ecoPoints;
                model.ad += o.ecoPoints;
                break;
              }
            }
          }
          await check(round);
        }
        const verified = await t.request('GET', '/v1/platform/ledger/verify', { token: operator });
        expect([verified.body.ok, verified.body.checks.filter((x: { ok: boolean }) => !x.ok)]).toEqual([
          true,
          [],
        ]);
      };

      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(op, { minLength: 8, maxLength: 8 }), { minLength: 15, maxLength: 15 }),
          runRounds,
        ),
        { numRuns: 1, endOnFailure: true, seed: Number(process.env.MODEL_SEED ?? Date.now()) },
      );
    },
    120_000,
  );
});
