import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceOf, verifyLedger } from '../ledger';
import { accounts } from '../services/accounts';
import { viewRules } from '../services/ad-views';
import { parameterDefaults } from '../services/parameters';
import { createTestApp, operatorPhone, type TestApp, testClock } from './harness';
import { grantVouchers, signInConsumer } from './sales-fixtures';

/**
 * Video campaigns and the consumers' six a day (SPEC flow 3, ADR 0004): random sequences of
 * campaigns created with budgets and daily caps, paused and resumed, views started by three
 * consumers and completed in any order (some left open across midnight, which still count on the
 * day they started; some left too long between reports, which earn nothing), and the start rate
 * limit, through the HTTP API against a model. A start must offer the first servable
 * campaign in creation order or say none is; a completion must be counted, charged (only within the
 * budget and the cap) and converted as the model says. After every step each campaign's budget
 * left, serving flag and completions per day, the platform's video revenue, and each consumer's day
 * and eco-points equal the model's.
 */
type Command =
  | { t: 'campaign'; price: number; completions: number; spare: number; cap: number | null }
  | { t: 'status'; pick: number; active: boolean }
  | { t: 'start'; c: number }
  | { t: 'complete'; latest: boolean; pick: number }
  | { t: 'dusk' };

const consumersN = 3;
const videoSeconds = 5;

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('campaign' as const),
      price: fc.integer({ min: 1, max: 300 }),
      // A budget for this many completions and some fen that pay for none.
      completions: fc.integer({ min: 1, max: 6 }),
      spare: fc.nat(299),
      cap: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('status' as const), pick: fc.nat(), active: fc.boolean() }),
  },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('start' as const), c: fc.nat(consumersN - 1) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('complete' as const),
      // Mostly the view started last; sometimes any open one.
      latest: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
      pick: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'dusk' as const }) },
);

const { videosPerConversion, conversionsPerDay } = parameterDefaults;
const dailyLimit = videosPerConversion * conversionsPerDay;

describe('video campaigns against a reference model', () => {
  let t: TestApp;
  // 10:00 in Beijing; each "dusk" step moves to 6 s before the next midnight there.
  const clock = testClock('2026-11-30T02:00:00Z');
  beforeAll(async () => {
    t = await createTestApp({ clock, env: { AUTH_OTP_PER_IP_HOUR: '100000' } });
  });
  afterAll(() => t.close());

  it('offers, counts, charges and converts as the model says over 150 random steps', async () => {
    expect([videosPerConversion, conversionsPerDay]).toEqual([6, 1]);
    const operator = (await t.signIn(operatorPhone)).token;
    const consumers: Array<Awaited<ReturnType<typeof signInConsumer>>> = [];
    for (let i = 0; i < consumersN; i++) {
      const consumer = await signInConsumer(t);
      await grantVouchers(t, consumer.id, 100_000);
      consumers.push(consumer);
    }
    const revenueAtStart = (await balanceOf(t.db, accounts.platformVideoAdRevenue())).posted;

    // The model.
    /** Business days since 2026-11-30 in Beijing (UTC+8, no daylight saving), by the clock. */
    const dayMs = 86_400_000;
    const firstDay = Date.UTC(2026, 10, 30) - 8 * 3600_000;
    const today = () => Math.floor((clock.now().getTime() - firstDay) / dayMs);
    const dateOf = (d: number) => new Date(Date.UTC(2026, 10, 30 + d)).toISOString().slice(0, 10);
    type Campaign = {
      id: string;
      price: number;
      budgetLeft: number;
      cap: number | null;
      active: boolean;
      /** Completions counted against the cap, by day. */
      counted: Map<number, number>;
      /** Verified completions, by day. */
      completions: Map<number, number>;
    };
    const campaigns: Campaign[] = [];
    /** Per consumer: completions by day, and the days a campaign was started (one view a day each). */
    const completed = consumers.map(() => new Map<number, number>());
    const seen = consumers.map(() => new Set<string>());
    const eco = consumers.map(() => 0);
    let revenue = 0;
    type View = { id: string; token: string; c: number; campaign: Campaign; day: number; startedMs: number };
    const open: View[] = [];
    const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);
    /** Starts per consumer and fixed rate-limit window (every start counts, refused or not). */
    const starts = new Map<string, number>();

    const servable = (c: number) =>
      campaigns.find(
        (x) =>
          x.active &&
          !seen[c]!.has(`${x.id}:${today()}`) &&
          (x.cap === null || (x.counted.get(today()) ?? 0) < x.cap) &&
          x.budgetLeft >= x.price,
      );

    const check = async (step: number) => {
      const listed = (await t.request('GET', '/v1/platform/campaigns', { token: operator })).body.data;
      for (const x of campaigns) {
        const got = listed.find((y: { id: string }) => y.id === x.id);
        // The list shows the last 14 business days, oldest first.
        const byDay = [...x.completions]
          .filter(([d]) => d > today() - 14)
          .sort(([a], [b]) => a - b)
          .map(([d, n]) => ({ businessDate: dateOf(d), completions: n }));
        expect([step, got.budgetLeft, got.serving, got.completionsByDay]).toEqual([
          step,
          x.budgetLeft,
          x.active && x.budgetLeft >= x.price,
          byDay,
        ]);
      }
      const earned = (await balanceOf(t.db, accounts.platformVideoAdRevenue())).posted - revenueAtStart;
      expect([step, earned]).toEqual([step, revenue]);
      for (const [c, consumer] of consumers.entries()) {
        const wallet = (await t.request('GET', '/v1/wallet', { token: consumer.token })).body;
        expect([step, c, wallet.today.completed, wallet.ecoPoints]).toEqual([
          step,
          c,
          completed[c]!.get(today()) ?? 0,
          eco[c],
        ]);
      }
    };

    const run = async (commands: Command[]) => {
      for (const [step, cmd] of commands.entries()) {
        switch (cmd.t) {
          case 'campaign': {
            const budget = cmd.price * cmd.completions + (cmd.spare % cmd.price);
            const res = await t.request('POST', '/v1/platform/campaigns', {
              token: operator,
              body: {
                title: `Campaign ${campaigns.length}`,
                mediaUrl: '/videos/sunrise.webm',
                durationSeconds: videoSeconds,
                pricePerCompletion: cmd.price,
                budget,
                dailyCap: cmd.cap,
              },
            });
            expect([step, res.status]).toEqual([step, 201]);
            campaigns.push({
              id: res.body.id,
              price: cmd.price,
              budgetLeft: budget,
              cap: cmd.cap,
              active: true,
              counted: new Map(),
              completions: new Map(),
            });
            // Creation order decides which is offered first: keep instants distinct.
            clock.advance(1000);
            break;
          }
          case 'status': {
            const x = campaigns[cmd.pick % Math.max(campaigns.length, 1)];
            if (!x) break;
            const res = await t.request('PATCH', `/v1/platform/campaigns/${x.id}`, {
              token: operator,
              body: { status: cmd.active ? 'active' : 'paused' },
            });
            expect([step, res.status]).toEqual([step, 200]);
            x.active = cmd.active;
            break;
          }
          case 'start': {
            const res = await t.request('POST', '/v1/ad-views', { token: consumers[cmd.c]!.token });
            const window = `${cmd.c}:${Math.floor(clock.now().getTime() / viewRules.startWindowMs)}`;
            bump(starts, window);
            if (starts.get(window)! > viewRules.startsPerConsumer) {
              expect([step, res.status, res.body.error?.code]).toEqual([step, 429, 'rate_limited']);
              break;
            }
            if ((completed[cmd.c]!.get(today()) ?? 0) >= dailyLimit) {
              expect([step, res.status, res.body.error?.code]).toEqual([step, 409, 'daily_limit_reached']);
              break;
            }
            const x = servable(cmd.c);
            if (!x) {
              expect([step, res.status, res.body.error?.code]).toEqual([step, 404, 'no_campaign_available']);
              break;
            }
            expect([step, res.status, res.body.campaign?.id]).toEqual([step, 201, x.id]);
            seen[cmd.c]!.add(`${x.id}:${today()}`);
            open.push({
              id: res.body.id,
              token: res.body.token,
              c: cmd.c,
              campaign: x,
              day: today(),
              startedMs: clock.now().getTime(),
            });
            break;
          }
          case 'complete': {
            const at = cmd.latest ? open.length - 1 : cmd.pick % Math.max(open.length, 1);
            const view = open.splice(at, 1)[0];
            if (!view) break;
            const { token } = consumers[view.c]!;
            clock.advance(videoSeconds * 1000);
            const progress = await t.request('POST', `/v1/ad-views/${view.id}/progress`, {
              token,
              body: { token: view.token, seq: 1, position: videoSeconds, visible: true },
            });
            expect([step, progress.status]).toEqual([step, 200]);
            const res = await t.request('POST', `/v1/ad-views/${view.id}/complete`, {
              token,
              body: { token: view.token },
            });
            // Playback is credited only between reports at most maxReportGapMs apart: a view left
            // waiting longer than that before its first report has nothing credited.
            if (clock.now().getTime() - view.startedMs > viewRules.maxReportGapMs) {
              expect([step, res.status, res.body.error?.code]).toEqual([step, 422, 'insufficient_progress']);
              break;
            }
            // It counts on the day it started, at most six a day.
            const slot = (completed[view.c]!.get(view.day) ?? 0) + 1;
            if (slot > dailyLimit) {
              expect([step, res.status, res.body.error?.code]).toEqual([step, 409, 'daily_limit_reached']);
              break;
            }
            bump(completed[view.c]!, view.day);
            const x = view.campaign;
            bump(x.completions, view.day);
            // Honoured for the consumer; charged only under the cap and within the budget.
            if (x.cap === null || (x.counted.get(view.day) ?? 0) < x.cap) {
              bump(x.counted, view.day);
              if (x.budgetLeft >= x.price) {
                x.budgetLeft -= x.price;
                revenue += x.price;
              }
            }
            const converts = slot === dailyLimit;
            if (converts) eco[view.c]! += 100;
            expect([step, res.status, res.body]).toEqual([
              step,
              200,
              {
                status: 'verified',
                completedToday: slot,
                conversion: converts ? { vouchers: -100, ecoPoints: 100 } : null,
              },
            ]);
            break;
          }
          case 'dusk': {
            // Forward only: within the last 6 s of a day, the next day's dusk.
            const dusk = firstDay + (today() + 1) * dayMs - 6_000;
            clock.set(new Date(dusk > clock.now().getTime() ? dusk : dusk + dayMs));
            break;
          }
        }
        await check(step + 1);
      }
      expect((await verifyLedger(t.db)).ok).toBe(true);
    };

    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 150, maxLength: 150 }), run), {
      numRuns: 1,
      endOnFailure: true,
      seed: Number(process.env.MODEL_SEED ?? Date.now()),
    });
  }, 120_000);
});
