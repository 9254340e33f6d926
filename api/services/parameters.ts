import { schema } from '@alliance/db';
import { and, desc, eq, lte } from 'drizzle-orm';
import type { Ctx } from '../context';
import { newId } from '../ids';

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
export type Parameters = { -readonly [K in ParameterName]: (typeof parameterDefaults)[K] extends number ? number : string };

const textParameters = new Set<ParameterName>(['businessTimeZone', 'supplierSettlementTrigger', 'supplierPayoutCron']);
export const isTextParameter = (name: ParameterName) => textParameters.has(name);

/** The platform parameters in force at `at` (a purchase uses those in force when it was recorded). */
export async function parametersAt(ctx: Ctx, at: Date = ctx.now()): Promise<Parameters> {
  const values: Record<string, number | string> = { ...parameterDefaults };
  const t = schema.parameterChanges;
  const rows = await ctx.db
    .selectDistinctOn([t.name])
    .from(t)
    .where(and(eq(t.scope, 'platform'), lte(t.effectiveFrom, at)))
    .orderBy(t.name, desc(t.effectiveFrom), desc(t.changedAt));
  for (const row of rows) {
    if (row.name in parameterDefaults) values[row.name] = row.textValue ?? row.intValue ?? values[row.name]!;
  }
  return values as Parameters;
}

/** A merchant's ad rate at `at`: its own override if one is in force, else the platform's. */
export async function merchantAdRateBpAt(ctx: Ctx, merchantId: string, at: Date = ctx.now()): Promise<number> {
  const t = schema.parameterChanges;
  const [override] = await ctx.db
    .select()
    .from(t)
    .where(and(eq(t.scope, merchantId), eq(t.name, 'merchantAdRateBp'), lte(t.effectiveFrom, at)))
    .orderBy(desc(t.effectiveFrom), desc(t.changedAt))
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
  return row;
}
