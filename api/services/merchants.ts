import { schema } from '@alliance/db';
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Ctx } from '../context';
import { notFound, unprocessable } from '../errors';
import { accountHistory, availableBalances, balanceOf } from '../ledger';
import { type CursorKey, pageOf } from '../paging';
import { merchantForCaller, type Organisation, requireOperator } from './access';
import { accounts } from './accounts';
import { ecoPointsHolding } from './eco-points';
import {
  type ApplicationInput,
  applyOrganisation,
  approveOrganisation,
  listOrganisations,
  type OrgStatus,
  organisationRow,
  reinstateOrganisation,
  rejectOrganisation,
  suspendOrganisation,
} from './organisations';
import { merchantAdRateBpAt, parametersAt, recordParameterChange } from './parameters';

export interface AdPointsStatus {
  /** Hundredths of an ad point that can still be charged. */
  adPoints: number;
  /** Consumers get vouchers only while the merchant is active and holds ad points. */
  vouchersActive: boolean;
  /** Under the low-balance alert parameter: the back office warns on every page. */
  lowBalance: boolean;
  lowBalanceAlertAdPoints: number;
}

/**
 * The rule for the public listing and the back-office warning, written down once:
 * `vouchersActive` = active and available ad points > 0 (a sale whose charge exceeds the balance
 * still issues none, SPEC flow 2); `lowBalance` = available < lowBalanceAlertAdPoints.
 */
export async function merchantAdPointsStatus(
  ctx: Ctx,
  merchant: { id: string; status: string },
): Promise<AdPointsStatus> {
  const [balance, params] = await Promise.all([
    balanceOf(ctx.db, accounts.merchantAdPoints(merchant.id)),
    parametersAt(ctx),
  ]);
  return {
    adPoints: balance.available,
    vouchersActive: merchant.status === 'active' && balance.available > 0,
    lowBalance: balance.available < params.lowBalanceAlertAdPoints,
    lowBalanceAlertAdPoints: params.lowBalanceAlertAdPoints,
  };
}

async function merchantView(ctx: Ctx, merchant: Organisation) {
  const [status, adRateBp, ecoPoints] = await Promise.all([
    merchantAdPointsStatus(ctx, merchant),
    merchantAdRateBpAt(ctx, merchant.id),
    ecoPointsHolding(ctx, accounts.merchantEcoPoints(merchant.id)),
  ]);
  return {
    id: merchant.id,
    name: merchant.name,
    status: merchant.status as OrgStatus,
    category: merchant.category,
    address: merchant.address,
    contact: merchant.contact,
    ...status,
    adRateBp,
    ...ecoPoints,
    rejectionReason: merchant.rejectionReason,
    suspensionReason: merchant.suspensionReason,
    createdAt: merchant.createdAt.toISOString(),
    decidedAt: merchant.decidedAt?.toISOString() ?? null,
  };
}
export type MerchantView = Awaited<ReturnType<typeof merchantView>>;

export async function applyMerchant(ctx: Ctx, input: ApplicationInput): Promise<MerchantView> {
  return merchantView(ctx, await applyOrganisation(ctx, 'merchant', input));
}

/** Its staff and operators. */
export async function getMerchant(ctx: Ctx, merchantId: string): Promise<MerchantView> {
  return merchantView(ctx, await merchantForCaller(ctx, merchantId, { operatorMay: true }));
}

export async function listMerchantApplications(ctx: Ctx, filter: { status?: OrgStatus; limit: number }) {
  const rows = await listOrganisations(ctx, 'merchant', filter);
  return Promise.all(rows.map((row) => merchantView(ctx, row)));
}

export async function approveMerchant(ctx: Ctx, merchantId: string): Promise<MerchantView> {
  return merchantView(ctx, await approveOrganisation(ctx, 'merchant', merchantId));
}

export async function rejectMerchant(
  ctx: Ctx,
  merchantId: string,
  reason: string | undefined,
): Promise<MerchantView> {
  return merchantView(ctx, await rejectOrganisation(ctx, 'merchant', merchantId, reason));
}

export async function suspendMerchant(ctx: Ctx, merchantId: string, reason: string | undefined) {
  return merchantView(ctx, await suspendOrganisation(ctx, 'merchant', merchantId, reason));
}

export async function reinstateMerchant(ctx: Ctx, merchantId: string, reason: string | undefined) {
  return merchantView(ctx, await reinstateOrganisation(ctx, 'merchant', merchantId, reason));
}

/** The consumers' directory: active merchants, and whether buying there earns vouchers now. */
export async function merchantDirectory(ctx: Ctx, page: { limit: number; cursor?: CursorKey<'id'> }) {
  const m = schema.organisations;
  const found = await ctx.db
    .select()
    .from(m)
    .where(
      and(eq(m.kind, 'merchant'), eq(m.status, 'active'), page.cursor ? gt(m.id, page.cursor.id) : undefined),
    )
    .orderBy(asc(m.id))
    .limit(page.limit + 1);
  const { rows, nextCursor } = pageOf('merchants', found, page.limit, (row) => ({ id: row.id }));
  // One balance query for the page: vouchers are active while an active merchant has ad points.
  const adPoints = await availableBalances(
    ctx.db,
    rows.map((row) => accounts.merchantAdPoints(row.id)),
  );
  const data = rows.map((row, i) => ({
    id: row.id,
    name: row.name,
    category: row.category,
    address: row.address,
    vouchersActive: (adPoints[i] ?? 0) > 0,
  }));
  return { data, nextCursor };
}

/** Operators: a per-merchant ad rate from a time on (null removes the override), kept in history. */
export async function setMerchantAdRate(
  ctx: Ctx,
  merchantId: string,
  input: { adRateBp: number | null; effectiveFrom?: Date; reason?: string },
) {
  const operator = requireOperator(ctx);
  if (
    input.adRateBp !== null &&
    (!Number.isInteger(input.adRateBp) || input.adRateBp < 0 || input.adRateBp > 10_000)
  ) {
    throw unprocessable(
      'invalid_parameter_value',
      'adRateBp must be an integer from 0 to 10000 basis points',
    );
  }
  if (input.effectiveFrom && input.effectiveFrom.getTime() < ctx.now().getTime()) {
    throw unprocessable('effective_in_past', 'A change applies from now or later, never retroactively');
  }
  if (!(await organisationRow(ctx, 'merchant', merchantId))) throw notFound('not_found', 'No such merchant');
  const change = await recordParameterChange(ctx, {
    scope: merchantId,
    name: 'merchantAdRateBp',
    value: input.adRateBp,
    effectiveFrom: input.effectiveFrom,
    changedBy: operator.id,
    reason: input.reason,
  });
  return { merchantId, adRateBp: await merchantAdRateBpAt(ctx, merchantId), change };
}

/** The merchant's ad point or eco-point movements, newest first, from the ledger. */
export async function merchantPointsHistory(
  ctx: Ctx,
  merchantId: string,
  unit: 'ad_points' | 'eco_points',
  page: { limit: number; cursor?: CursorKey<'seq'> },
) {
  await merchantForCaller(ctx, merchantId, { operatorMay: true });
  const ref =
    unit === 'ad_points' ? accounts.merchantAdPoints(merchantId) : accounts.merchantEcoPoints(merchantId);
  const history = await accountHistory(ctx.db, ref, {
    limit: page.limit + 1,
    beforeTransferId: page.cursor?.seq,
  });
  const { rows, nextCursor } = pageOf('ledgerHistory', history, page.limit, (e) => ({ seq: e.transferId }));
  return {
    data: rows.map((entry) => ({ ...entry, createdAt: new Date(entry.createdAt).toISOString() })),
    nextCursor,
  };
}
