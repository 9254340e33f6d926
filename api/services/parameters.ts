import { isTransaction, schema } from '@alliance/db';
import { and, desc, eq, lte } from 'drizzle-orm';
import type { PlatformParameterRow } from '../caches';
import type { Ctx } from '../context';
import { ApiError } from '../errors';
import { newId } from '../ids';
import { requireOperator } from './access';

/** SPEC section 3 defaults. Integers only: fen, hundredths of a point, basis points, counts. */
export const parameterDefaults = {
  adPointPriceFen: 100,
  merchantAdRateBp: 1500,
  /** Vouchers (hundredths) per yuan of sales, in hundredths: 100 = 1.00 voucher per yuan. */
  voucherRatePerYuan: 100,
  videosPerConversion: 6,
  conversionsPerDay: 1,
  conversionVouchers: 100,
  conversionEcoPoints: 100,
  businessTimeZone: 'Asia/Shanghai',
  ecoPointUnitPriceFen: 100,
  withdrawalMinimumEcoPoints: 1000,
  withdrawalFeeBp: 0,
  withdrawalsEnabled: 0,
  lowBalanceAlertAdPoints: 10000,
  /** on_shipment | on_delivery */
  supplierSettlementTrigger: 'on_shipment',
  supplierPayoutCron: '0 2 * * 1',
  deliveryAutoConfirmDays: 10,
} as const;

export type ParameterName = keyof typeof parameterDefaults;
export type Parameters = {
  -readonly [K in ParameterName]: (typeof parameterDefaults)[K] extends number ? number : string;
};

const textParameters = new Set<ParameterName>([
  'businessTimeZone',
  'supplierSettlementTrigger',
  'supplierPayoutCron',
]);
export const isTextParameter = (name: ParameterName) => textParameters.has(name);

/**
 * The platform parameters in force at `at` (a purchase uses those in force when it was recorded).
 * Worked out from the platform's whole change history, which is small and read through the
 * process's cache (api/caches.ts): outside a transaction, a change another process made is seen
 * within the cache's TTL. A transaction reads the table itself and never fills the cache.
 */
export async function parametersAt(ctx: Ctx, at: Date = ctx.now()): Promise<Parameters> {
  const rows = isTransaction(ctx.db)
    ? await platformParameterRows(ctx)
    : await ctx.caches.platformParameters.get('platform', () => platformParameterRows(ctx));
  const values: Record<string, number | string> = { ...parameterDefaults };
  const latest = new Map<string, PlatformParameterRow>();
  for (const row of rows) {
    if (row.effectiveFrom.getTime() > at.getTime() || !Object.hasOwn(parameterDefaults, row.name)) continue;
    const seen = latest.get(row.name);
    if (
      !seen ||
      row.effectiveFrom > seen.effectiveFrom ||
      (+row.effectiveFrom === +seen.effectiveFrom && row.seq > seen.seq)
    )
      latest.set(row.name, row);
  }
  for (const [name, row] of latest) values[name] = row.textValue ?? row.intValue ?? values[name]!;
  return values as Parameters;
}

function platformParameterRows(ctx: Ctx): Promise<PlatformParameterRow[]> {
  const t = schema.parameterChanges;
  return ctx.db
    .select({
      name: t.name,
      intValue: t.intValue,
      textValue: t.textValue,
      effectiveFrom: t.effectiveFrom,
      seq: t.seq,
    })
    .from(t)
    .where(eq(t.scope, 'platform'));
}

/** A merchant's ad rate at `at`: its own override if one is in force, else the platform's. */
export async function merchantAdRateBpAt(
  ctx: Ctx,
  merchantId: string,
  at: Date = ctx.now(),
): Promise<number> {
  const t = schema.parameterChanges;
  const [override] = await ctx.db
    .select()
    .from(t)
    .where(and(eq(t.scope, merchantId), eq(t.name, 'merchantAdRateBp'), lte(t.effectiveFrom, at)))
    .orderBy(desc(t.effectiveFrom), desc(t.seq))
    .limit(1);
  if (override && override.intValue !== null) return override.intValue;
  return (await parametersAt(ctx, at)).merchantAdRateBp;
}

export interface ParameterChangeInput {
  scope: 'platform' | string;
  name: ParameterName;
  value: number | string | null;
  effectiveFrom?: Date;
  changedBy: string;
  reason?: string;
}

/** Appends a change; history is never edited. A null value on a merchant scope removes its override. */
export async function recordParameterChange(ctx: Ctx, input: ParameterChangeInput) {
  const now = ctx.now();
  const row = {
    id: newId('par'),
    scope: input.scope,
    name: input.name,
    intValue: typeof input.value === 'number' ? input.value : null,
    textValue: typeof input.value === 'string' ? input.value : null,
    effectiveFrom: input.effectiveFrom ?? now,
    changedBy: input.changedBy,
    changedAt: now,
    reason: input.reason ?? null,
  };
  await ctx.db.insert(schema.parameterChanges).values(row);
  if (row.scope === 'platform') ctx.caches.platformParameters.evict();
  return row;
}

/** What an operator may set each parameter to; a value outside is 422 `invalid_parameter_value`. */
const intRanges: Partial<Record<ParameterName, [number, number]>> = {
  adPointPriceFen: [1, 1_000_000],
  merchantAdRateBp: [0, 10_000],
  voucherRatePerYuan: [0, 100_000],
  videosPerConversion: [1, 100],
  conversionsPerDay: [0, 100],
  conversionVouchers: [1, 1_000_000],
  conversionEcoPoints: [1, 1_000_000],
  ecoPointUnitPriceFen: [1, 1_000_000],
  withdrawalMinimumEcoPoints: [0, 1_000_000_000],
  withdrawalFeeBp: [0, 10_000],
  withdrawalsEnabled: [0, 1],
  lowBalanceAlertAdPoints: [0, 1_000_000_000_000],
  deliveryAutoConfirmDays: [1, 365],
};

export function parameterValueProblem(name: ParameterName, value: unknown): string | null {
  if (isTextParameter(name)) {
    if (typeof value !== 'string') return `${name} is text`;
    if (name === 'businessTimeZone') {
      try {
        new Intl.DateTimeFormat('en', { timeZone: value });
        return null;
      } catch {
        return `${value} is not an IANA time zone`;
      }
    }
    if (name === 'supplierSettlementTrigger') {
      return value === 'on_shipment' || value === 'on_delivery' ? null : 'on_shipment or on_delivery';
    }
    return /^(\S+\s+){4}\S+$/.test(value.trim()) && /^[\d*,/\-\s]+$/.test(value)
      ? null
      : 'a five-field cron expression';
  }
  const [min, max] = (Object.hasOwn(intRanges, name) && intRanges[name]) || [0, Number.MAX_SAFE_INTEGER];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    return `${name} must be an integer from ${min} to ${max}`;
  }
  return null;
}

/** Operators: the values in force now, and every change (newest first) with who, when, from when. */
export async function parameterOverview(ctx: Ctx, options: { limit: number }) {
  const t = schema.parameterChanges;
  const history = await ctx.db.select().from(t).orderBy(desc(t.seq)).limit(options.limit);
  return {
    values: await parametersAt(ctx),
    defaults: parameterDefaults,
    history: history.map((row) => ({
      id: row.id,
      scope: row.scope,
      name: row.name,
      value: row.textValue ?? row.intValue,
      effectiveFrom: row.effectiveFrom.toISOString(),
      changedBy: row.changedBy,
      changedAt: row.changedAt.toISOString(),
      reason: row.reason,
    })),
  };
}

/** Operators change a platform parameter from now or a later time; never retroactively. */
export async function changePlatformParameter(
  ctx: Ctx,
  input: { name: string; value: number | string; effectiveFrom?: Date; reason?: string },
) {
  const operator = requireOperator(ctx);
  if (!Object.hasOwn(parameterDefaults, input.name))
    throw new ApiError(422, 'unknown_parameter', `No parameter ${input.name}`);
  const name = input.name as ParameterName;
  const problem = parameterValueProblem(name, input.value);
  if (problem) throw new ApiError(422, 'invalid_parameter_value', problem);
  if (input.effectiveFrom && input.effectiveFrom.getTime() < ctx.now().getTime()) {
    throw new ApiError(422, 'effective_in_past', 'A change applies from now or later, never retroactively');
  }
  const change = await recordParameterChange(ctx, {
    scope: 'platform',
    name,
    value: input.value,
    effectiveFrom: input.effectiveFrom,
    changedBy: operator.id,
    reason: input.reason,
  });
  return {
    id: change.id,
    scope: change.scope,
    name: change.name,
    value: change.textValue ?? change.intValue,
    effectiveFrom: change.effectiveFrom.toISOString(),
    changedBy: change.changedBy,
    changedAt: change.changedAt.toISOString(),
    reason: change.reason,
  };
}
