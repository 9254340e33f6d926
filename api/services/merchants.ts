import { schema } from '@alliance/db';
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Ctx } from '../context';
import { ApiError, conflict, forbidden, notFound, unprocessable } from '../errors';
import { newId } from '../ids';
import { accountHistory, balanceOf } from '../ledger';
import { merchantForCaller, supplierForCaller } from './access';
import { accounts } from './accounts';
import { userForPhone } from './auth';
import { ecoPointsHolding } from './eco-points';
import { merchantAdRateBpAt, parametersAt, recordParameterChange } from './parameters';
import { inTransaction } from './tx';

/**
 * Merchants and suppliers join the same way (apply, operator approves or rejects with a reason,
 * the owner manages staff), so both use the organisation helpers below with their own tables.
 */
export type OrgKind = 'merchant' | 'supplier';
export type OrgStatus = 'pending' | 'active' | 'rejected' | 'suspended';

type OrgRow = typeof schema.merchants.$inferSelect | typeof schema.suppliers.$inferSelect;

export interface ApplicationInput {
  name: string;
  category?: string;
  address?: string;
  contact?: string;
}

const label = { merchant: 'merchant', supplier: 'supplier' } as const;

function requireOperatorCtx(ctx: Ctx) {
  if (!ctx.user) throw new ApiError(401, 'unauthorized', 'Sign in first');
  if (!ctx.user.roles.includes('operator')) throw forbidden();
  return ctx.user;
}

async function orgRow(ctx: Ctx, kind: OrgKind, id: string, forUpdate = false): Promise<OrgRow | undefined> {
  if (kind === 'merchant') {
    const q = ctx.db.select().from(schema.merchants).where(eq(schema.merchants.id, id));
    return (await (forUpdate ? q.for('update') : q))[0];
  }
  const q = ctx.db.select().from(schema.suppliers).where(eq(schema.suppliers.id, id));
  return (await (forUpdate ? q.for('update') : q))[0];
}

async function updateOrg(ctx: Ctx, kind: OrgKind, id: string, values: Partial<OrgRow>) {
  const table = kind === 'merchant' ? schema.merchants : schema.suppliers;
  await ctx.db.update(table).set(values).where(eq(table.id, id));
}

/** A signed-in user applies; the application is pending and the applicant becomes its owner. */
export async function applyOrganisation(ctx: Ctx, kind: OrgKind, input: ApplicationInput): Promise<OrgRow> {
  const user = ctx.user;
  if (!user) throw new ApiError(401, 'unauthorized', 'Sign in first');
  const name = input.name.trim();
  if (!name) throw unprocessable('name_required', 'The name may not be blank');
  return inTransaction(ctx, async (tx) => {
    const base = {
      name,
      status: 'pending',
      address: input.address?.trim() || null,
      contact: input.contact?.trim() || null,
      ownerUserId: user.id,
      createdAt: tx.now(),
    };
    if (kind === 'merchant') {
      const [row] = await tx.db
        .insert(schema.merchants)
        .values({ ...base, id: newId('mer'), category: input.category?.trim() || null })
        .returning();
      await tx.db
        .insert(schema.merchantStaff)
        .values({ merchantId: row!.id, userId: user.id, role: 'owner', addedAt: tx.now() });
      return row!;
    }
    const [row] = await tx.db
      .insert(schema.suppliers)
      .values({ ...base, id: newId('sup') })
      .returning();
    await tx.db
      .insert(schema.supplierStaff)
      .values({ supplierId: row!.id, userId: user.id, role: 'owner', addedAt: tx.now() });
    return row!;
  });
}

/** Operators: applications (or any status), oldest first so the queue is worked in order. */
export async function listOrganisations(
  ctx: Ctx,
  kind: OrgKind,
  filter: { status?: OrgStatus; limit: number },
) {
  requireOperatorCtx(ctx);
  const table = kind === 'merchant' ? schema.merchants : schema.suppliers;
  const rows = await ctx.db
    .select()
    .from(table)
    .where(filter.status ? eq(table.status, filter.status) : undefined)
    .orderBy(asc(table.createdAt), asc(table.id))
    .limit(filter.limit);
  return rows as OrgRow[];
}

/** pending → active. Approving an active one again changes nothing (API.md). */
export async function approveOrganisation(ctx: Ctx, kind: OrgKind, id: string): Promise<OrgRow> {
  const operator = requireOperatorCtx(ctx);
  return inTransaction(ctx, async (tx) => {
    const row = await orgRow(tx, kind, id, true);
    if (!row) throw notFound('not_found', `No such ${label[kind]}`);
    if (row.status === 'active') return row;
    if (row.status !== 'pending')
      throw conflict('not_pending', `The ${label[kind]} is ${row.status}, not pending`);
    const values = { status: 'active', decidedBy: operator.id, decidedAt: tx.now(), rejectionReason: null };
    await updateOrg(tx, kind, id, values);
    return { ...row, ...values };
  });
}

/** pending → rejected with a reason the applicant sees. Rejecting a rejected one again changes nothing. */
export async function rejectOrganisation(
  ctx: Ctx,
  kind: OrgKind,
  id: string,
  reason: string | undefined,
): Promise<OrgRow> {
  const operator = requireOperatorCtx(ctx);
  const trimmed = reason?.trim() ?? '';
  if (!trimmed) throw unprocessable('reason_required', 'Say why the application is rejected');
  return inTransaction(ctx, async (tx) => {
    const row = await orgRow(tx, kind, id, true);
    if (!row) throw notFound('not_found', `No such ${label[kind]}`);
    if (row.status === 'rejected') return row;
    if (row.status !== 'pending')
      throw conflict('not_pending', `The ${label[kind]} is ${row.status}, not pending`);
    const values = {
      status: 'rejected',
      decidedBy: operator.id,
      decidedAt: tx.now(),
      rejectionReason: trimmed,
    };
    await updateOrg(tx, kind, id, values);
    return { ...row, ...values };
  });
}

async function orgForCaller(ctx: Ctx, kind: OrgKind, id: string, operatorMay = false) {
  return kind === 'merchant'
    ? merchantForCaller(ctx, id, { operatorMay })
    : supplierForCaller(ctx, id, { operatorMay });
}

async function staffRows(ctx: Ctx, kind: OrgKind, id: string) {
  const u = schema.users;
  if (kind === 'merchant') {
    const s = schema.merchantStaff;
    return ctx.db
      .select({ userId: s.userId, phone: u.phone, role: s.role, addedAt: s.addedAt })
      .from(s)
      .innerJoin(u, eq(u.id, s.userId))
      .where(eq(s.merchantId, id))
      .orderBy(asc(s.role), asc(s.addedAt), asc(s.userId));
  }
  const s = schema.supplierStaff;
  return ctx.db
    .select({ userId: s.userId, phone: u.phone, role: s.role, addedAt: s.addedAt })
    .from(s)
    .innerJoin(u, eq(u.id, s.userId))
    .where(eq(s.supplierId, id))
    .orderBy(asc(s.role), asc(s.addedAt), asc(s.userId));
}

/** Staff see the organisation (others get 404); only the owner manages staff (403 for staff). */
async function requireOwner(ctx: Ctx, kind: OrgKind, id: string) {
  await orgForCaller(ctx, kind, id);
  const rows = await staffRows(ctx, kind, id);
  if (rows.find((r) => r.userId === ctx.user!.id)?.role !== 'owner') {
    throw new ApiError(403, 'owner_only', 'Only the owner manages staff');
  }
  return rows;
}

export async function listStaff(ctx: Ctx, kind: OrgKind, id: string) {
  return requireOwner(ctx, kind, id);
}

/** Adds a person by phone; their account is created if they never signed in (one per phone). */
export async function addStaff(ctx: Ctx, kind: OrgKind, id: string, phone: string) {
  await requireOwner(ctx, kind, id);
  return inTransaction(ctx, async (tx) => {
    const user = await userForPhone(tx, phone);
    const values = { userId: user.id, role: 'staff', addedAt: tx.now() };
    const inserted =
      kind === 'merchant'
        ? await tx.db
            .insert(schema.merchantStaff)
            .values({ ...values, merchantId: id })
            .onConflictDoNothing()
            .returning()
        : await tx.db
            .insert(schema.supplierStaff)
            .values({ ...values, supplierId: id })
            .onConflictDoNothing()
            .returning();
    if (inserted.length === 0) throw conflict('already_staff', 'This person already acts for it');
    return { userId: user.id, phone: user.phone, role: 'staff', addedAt: values.addedAt };
  });
}

export async function removeStaff(ctx: Ctx, kind: OrgKind, id: string, userId: string) {
  const rows = await requireOwner(ctx, kind, id);
  const member = rows.find((r) => r.userId === userId);
  if (!member) throw notFound('not_found', 'No such staff member');
  if (member.role === 'owner') throw conflict('cannot_remove_owner', 'The owner cannot be removed');
  if (kind === 'merchant') {
    const s = schema.merchantStaff;
    await ctx.db.delete(s).where(and(eq(s.merchantId, id), eq(s.userId, userId)));
  } else {
    const s = schema.supplierStaff;
    await ctx.db.delete(s).where(and(eq(s.supplierId, id), eq(s.userId, userId)));
  }
  return { removed: true as const, userId };
}

// ---- Merchants ------------------------------------------------------------------------------

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

async function merchantView(ctx: Ctx, merchant: typeof schema.merchants.$inferSelect) {
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
    createdAt: merchant.createdAt.toISOString(),
    decidedAt: merchant.decidedAt?.toISOString() ?? null,
  };
}
export type MerchantView = Awaited<ReturnType<typeof merchantView>>;

export async function applyMerchant(ctx: Ctx, input: ApplicationInput): Promise<MerchantView> {
  return merchantView(
    ctx,
    (await applyOrganisation(ctx, 'merchant', input)) as typeof schema.merchants.$inferSelect,
  );
}

/** Its staff and operators. */
export async function getMerchant(ctx: Ctx, merchantId: string): Promise<MerchantView> {
  return merchantView(ctx, await merchantForCaller(ctx, merchantId, { operatorMay: true }));
}

export async function listMerchantApplications(ctx: Ctx, filter: { status?: OrgStatus; limit: number }) {
  const rows = (await listOrganisations(ctx, 'merchant', filter)) as (typeof schema.merchants.$inferSelect)[];
  return Promise.all(rows.map((row) => merchantView(ctx, row)));
}

export async function approveMerchant(ctx: Ctx, merchantId: string): Promise<MerchantView> {
  return merchantView(
    ctx,
    (await approveOrganisation(ctx, 'merchant', merchantId)) as typeof schema.merchants.$inferSelect,
  );
}

export async function rejectMerchant(
  ctx: Ctx,
  merchantId: string,
  reason: string | undefined,
): Promise<MerchantView> {
  return merchantView(
    ctx,
    (await rejectOrganisation(ctx, 'merchant', merchantId, reason)) as typeof schema.merchants.$inferSelect,
  );
}

/** The consumers' directory: active merchants, and whether buying there earns vouchers now. */
export async function merchantDirectory(ctx: Ctx, page: { limit: number; cursor?: string }) {
  const m = schema.merchants;
  const rows = await ctx.db
    .select()
    .from(m)
    .where(and(eq(m.status, 'active'), page.cursor ? gt(m.id, page.cursor) : undefined))
    .orderBy(asc(m.id))
    .limit(page.limit + 1);
  const pageRows = rows.slice(0, page.limit);
  const data = await Promise.all(
    pageRows.map(async (row) => ({
      id: row.id,
      name: row.name,
      category: row.category,
      address: row.address,
      vouchersActive: (await merchantAdPointsStatus(ctx, row)).vouchersActive,
    })),
  );
  return { data, nextCursor: rows.length > page.limit ? (pageRows.at(-1)?.id ?? null) : null };
}

/** Operators: a per-merchant ad rate from a time on (null removes the override), kept in history. */
export async function setMerchantAdRate(
  ctx: Ctx,
  merchantId: string,
  input: { adRateBp: number | null; effectiveFrom?: Date; reason?: string },
) {
  const operator = requireOperatorCtx(ctx);
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
  if (!(await orgRow(ctx, 'merchant', merchantId))) throw notFound('not_found', 'No such merchant');
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
  page: { limit: number; cursor?: string },
) {
  await merchantForCaller(ctx, merchantId, { operatorMay: true });
  const ref =
    unit === 'ad_points' ? accounts.merchantAdPoints(merchantId) : accounts.merchantEcoPoints(merchantId);
  const history = await accountHistory(ctx.db, ref, page);
  return {
    data: history.data.map((entry) => ({ ...entry, createdAt: new Date(entry.createdAt).toISOString() })),
    nextCursor: history.nextCursor,
  };
}
