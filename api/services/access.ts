import { schema } from '@alliance/db';
import { and, eq } from 'drizzle-orm';
import type { Ctx, SessionUser } from '../context';
import { ApiError, forbidden, notFound, unauthorized } from '../errors';

/**
 * Who may act for an organisation, said once for every service: its members (owner or staff), the
 * owner alone for what only the owner does, operators where they may read. No other module reads
 * organisation_members for a permission.
 */
export type OrgKind = 'merchant' | 'supplier';
export type Organisation = typeof schema.organisations.$inferSelect;
export type MemberRole = 'owner' | 'staff';

export function isOperator(ctx: Ctx): boolean {
  return ctx.user?.roles.includes('operator') === true;
}

/** The signed-in operator; 401 for no one, 403 for any other role. */
export function requireOperator(ctx: Ctx): SessionUser {
  if (!ctx.user) throw unauthorized();
  if (!isOperator(ctx)) throw forbidden();
  return ctx.user;
}

export interface AccessOptions {
  /**
   * Only its owner. `hide`: staff get 404 like strangers; `forbid`: staff, who know it exists, get
   * 403 `owner_only`.
   */
  owner?: 'hide' | 'forbid';
  /** Operators may read it too. */
  operatorMay?: boolean;
}

/**
 * The organisation of this kind, if the caller may act for it. Anyone else gets 404, never 403:
 * whether a merchant or supplier exists is not revealed to those who do not belong to it (API.md).
 */
export async function organisationForCaller(
  ctx: Ctx,
  kind: OrgKind,
  id: string,
  options: AccessOptions = {},
): Promise<Organisation> {
  const user = ctx.user;
  if (!user) throw unauthorized();
  const o = schema.organisations;
  const m = schema.organisationMembers;
  const [row] = await ctx.db
    .select({ organisation: o, role: m.role })
    .from(o)
    .leftJoin(m, and(eq(m.organisationId, o.id), eq(m.userId, user.id)))
    .where(and(eq(o.id, id), eq(o.kind, kind)));
  const asOperator = options.operatorMay === true && isOperator(ctx);
  if (!row || (row.role === null && !asOperator)) throw notFound('not_found', `No such ${kind}`);
  if (options.owner && row.role !== 'owner' && !asOperator) {
    if (options.owner === 'forbid') throw new ApiError(403, 'owner_only', 'Only the owner may do this');
    throw notFound('not_found', `No such ${kind}`);
  }
  return row.organisation;
}

export function merchantForCaller(ctx: Ctx, merchantId: string, options: AccessOptions = {}) {
  return organisationForCaller(ctx, 'merchant', merchantId, options);
}

export function supplierForCaller(ctx: Ctx, supplierId: string, options: AccessOptions = {}) {
  return organisationForCaller(ctx, 'supplier', supplierId, options);
}

/** The user's role in the organisation, or null when they do not act for it. */
export async function memberRole(
  ctx: Ctx,
  organisationId: string,
  userId: string,
): Promise<MemberRole | null> {
  const m = schema.organisationMembers;
  const [row] = await ctx.db
    .select({ role: m.role })
    .from(m)
    .where(and(eq(m.organisationId, organisationId), eq(m.userId, userId)));
  return (row?.role as MemberRole | undefined) ?? null;
}

/** Whether the signed-in caller acts for the organisation (owner or staff). */
export async function callerActsFor(ctx: Ctx, organisationId: string): Promise<boolean> {
  return ctx.user ? (await memberRole(ctx, organisationId, ctx.user.id)) !== null : false;
}

/** The organisations of a kind the user acts for, optionally only those with a status. */
export async function membershipsOf(ctx: Ctx, userId: string, kind: OrgKind, status?: string) {
  const o = schema.organisations;
  const m = schema.organisationMembers;
  const rows = await ctx.db
    .select({ id: o.id, name: o.name, status: o.status, role: m.role })
    .from(m)
    .innerJoin(o, eq(o.id, m.organisationId))
    .where(and(eq(m.userId, userId), eq(o.kind, kind), status ? eq(o.status, status) : undefined));
  return rows as Array<{ id: string; name: string; status: string; role: MemberRole }>;
}
