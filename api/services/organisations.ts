import { schema } from '@alliance/db';
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Ctx } from '../context';
import { ApiError, conflict, notFound, unprocessable } from '../errors';
import { newId } from '../ids';
import { maskPhone } from '../phone';
import {
  memberRole,
  type Organisation,
  type OrgKind,
  organisationForCaller,
  requireOperator,
} from './access';
import { userForPhone } from './auth';
import { inTransaction } from './tx';

/**
 * Merchants and suppliers join the same way (apply, an operator approves or rejects with a reason,
 * the owner manages staff): one organisation with a kind (ADR 0007).
 */
export type OrgStatus = 'pending' | 'active' | 'rejected' | 'suspended';

export interface ApplicationInput {
  name: string;
  /** Merchants only. */
  category?: string;
  address?: string;
  contact?: string;
}

const idPrefix = { merchant: 'mer', supplier: 'sup' } as const;

/** The organisation of this kind, or undefined; locked for the transaction with `forUpdate`. */
export async function organisationRow(
  ctx: Ctx,
  kind: OrgKind,
  id: string,
  forUpdate = false,
): Promise<Organisation | undefined> {
  const o = schema.organisations;
  const q = ctx.db
    .select()
    .from(o)
    .where(and(eq(o.id, id), eq(o.kind, kind)));
  return (await (forUpdate ? q.for('update') : q))[0];
}

/** A signed-in user applies; the application is pending and the applicant becomes its owner. */
export async function applyOrganisation(
  ctx: Ctx,
  kind: OrgKind,
  input: ApplicationInput,
): Promise<Organisation> {
  const user = ctx.user;
  if (!user) throw new ApiError(401, 'unauthorized', 'Sign in first');
  const name = input.name.trim();
  if (!name) throw unprocessable('name_required', 'The name may not be blank');
  return inTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .insert(schema.organisations)
      .values({
        id: newId(idPrefix[kind]),
        kind,
        name,
        status: 'pending',
        category: kind === 'merchant' ? input.category?.trim() || null : null,
        address: input.address?.trim() || null,
        contact: input.contact?.trim() || null,
        ownerUserId: user.id,
        createdAt: tx.now(),
      })
      .returning();
    await tx.db
      .insert(schema.organisationMembers)
      .values({ organisationId: row!.id, userId: user.id, role: 'owner', addedAt: tx.now() });
    return row!;
  });
}

/** Operators: applications (or any status), oldest first so the queue is worked in order. */
export async function listOrganisations(
  ctx: Ctx,
  kind: OrgKind,
  filter: { status?: OrgStatus; limit: number },
): Promise<Organisation[]> {
  requireOperator(ctx);
  const o = schema.organisations;
  return ctx.db
    .select()
    .from(o)
    .where(and(eq(o.kind, kind), filter.status ? eq(o.status, filter.status) : undefined))
    .orderBy(asc(o.createdAt), asc(o.id))
    .limit(filter.limit);
}

/** pending → active (`approve`) or rejected with a reason the applicant sees; doing it again changes nothing. */
async function decide(
  ctx: Ctx,
  kind: OrgKind,
  id: string,
  to: 'active' | 'rejected',
  rejectionReason: string | null,
): Promise<Organisation> {
  const operator = requireOperator(ctx);
  return inTransaction(ctx, async (tx) => {
    const row = await organisationRow(tx, kind, id, true);
    if (!row) throw notFound('not_found', `No such ${kind}`);
    if (row.status === to) return row;
    if (row.status !== 'pending') throw conflict('not_pending', `The ${kind} is ${row.status}, not pending`);
    const values = { status: to, decidedBy: operator.id, decidedAt: tx.now(), rejectionReason };
    await tx.db.update(schema.organisations).set(values).where(eq(schema.organisations.id, id));
    return { ...row, ...values };
  });
}

/**
 * What an active organisation may do and a suspended one may not (ADR 0017): new sales, listings,
 * orders, top-ups. 409 `merchant_suspended` / `supplier_suspended` tells the back office why;
 * pending and rejected ones get `<kind>_not_active`.
 */
export function requireActive(org: Organisation): void {
  if (org.status === 'active') return;
  if (org.status === 'suspended') {
    throw conflict(`${org.kind}_suspended`, `The ${org.kind} is suspended`);
  }
  throw conflict(`${org.kind}_not_active`, `The ${org.kind} is not active`);
}

/**
 * active → suspended (with the reason its staff see) or suspended → active, exactly once: the row
 * is locked, a second request finds the status already changed and gets 409. Each change is one
 * row of organisation_status_changes (who, when, why) in the same transaction.
 */
async function changeStatus(
  ctx: Ctx,
  kind: OrgKind,
  id: string,
  change:
    | { from: 'active'; to: 'suspended'; reason: string }
    | { from: 'suspended'; to: 'active'; reason: string | null },
): Promise<Organisation> {
  const operator = requireOperator(ctx);
  return inTransaction(ctx, async (tx) => {
    const row = await organisationRow(tx, kind, id, true);
    if (!row) throw notFound('not_found', `No such ${kind}`);
    if (row.status !== change.from) {
      if (change.to === 'active')
        throw conflict('not_suspended', `The ${kind} is ${row.status}, not suspended`);
      if (row.status === 'suspended') throw conflict('already_suspended', `The ${kind} is already suspended`);
      throw conflict('not_active', `The ${kind} is ${row.status}: only an active one can be suspended`);
    }
    const suspensionReason = change.to === 'suspended' ? change.reason : null;
    await tx.db
      .update(schema.organisations)
      .set({ status: change.to, suspensionReason })
      .where(eq(schema.organisations.id, id));
    await tx.db.insert(schema.organisationStatusChanges).values({
      id: newId('osc'),
      organisationId: id,
      fromStatus: change.from,
      toStatus: change.to,
      reason: change.reason,
      changedBy: operator.id,
      changedAt: tx.now(),
    });
    return { ...row, status: change.to, suspensionReason };
  });
}

/** Operators: active → suspended with a required reason. */
export async function suspendOrganisation(ctx: Ctx, kind: OrgKind, id: string, reason: string | undefined) {
  requireOperator(ctx);
  const trimmed = reason?.trim() ?? '';
  if (!trimmed) throw unprocessable('reason_required', 'Say why it is suspended');
  return changeStatus(ctx, kind, id, { from: 'active', to: 'suspended', reason: trimmed });
}

/** Operators: suspended → active; the reason is optional. */
export async function reinstateOrganisation(ctx: Ctx, kind: OrgKind, id: string, reason: string | undefined) {
  requireOperator(ctx);
  return changeStatus(ctx, kind, id, { from: 'suspended', to: 'active', reason: reason?.trim() || null });
}

/** Operators: the organisation's status changes, newest first. */
export async function statusChanges(ctx: Ctx, kind: OrgKind, id: string) {
  requireOperator(ctx);
  if (!(await organisationRow(ctx, kind, id))) throw notFound('not_found', `No such ${kind}`);
  const c = schema.organisationStatusChanges;
  const rows = await ctx.db
    .select({ change: c, operatorPhone: schema.users.phone })
    .from(c)
    .innerJoin(schema.users, eq(schema.users.id, c.changedBy))
    .where(eq(c.organisationId, id))
    .orderBy(desc(c.changedAt), desc(c.id));
  return rows.map(({ change, operatorPhone }) => ({
    id: change.id,
    fromStatus: change.fromStatus as OrgStatus,
    toStatus: change.toStatus as OrgStatus,
    reason: change.reason,
    changedBy: change.changedBy,
    changedByPhone: maskPhone(operatorPhone),
    changedAt: change.changedAt.toISOString(),
  }));
}

/** pending → active. Approving an active one again changes nothing (API.md). */
export async function approveOrganisation(ctx: Ctx, kind: OrgKind, id: string): Promise<Organisation> {
  return decide(ctx, kind, id, 'active', null);
}

/** pending → rejected with a reason the applicant sees. Rejecting a rejected one again changes nothing. */
export async function rejectOrganisation(
  ctx: Ctx,
  kind: OrgKind,
  id: string,
  reason: string | undefined,
): Promise<Organisation> {
  requireOperator(ctx);
  const trimmed = reason?.trim() ?? '';
  if (!trimmed) throw unprocessable('reason_required', 'Say why the application is rejected');
  return decide(ctx, kind, id, 'rejected', trimmed);
}

async function staffRows(ctx: Ctx, id: string) {
  const u = schema.users;
  const m = schema.organisationMembers;
  return ctx.db
    .select({ userId: m.userId, phone: u.phone, role: m.role, addedAt: m.addedAt })
    .from(m)
    .innerJoin(u, eq(u.id, m.userId))
    .where(eq(m.organisationId, id))
    .orderBy(asc(m.role), asc(m.addedAt), asc(m.userId));
}

/** Staff see the organisation (others get 404); only the owner manages staff (403 for staff). */
export async function listStaff(ctx: Ctx, kind: OrgKind, id: string) {
  await organisationForCaller(ctx, kind, id, { owner: 'forbid' });
  return staffRows(ctx, id);
}

/** Adds a person by phone; their account is created if they never signed in (one per phone). */
export async function addStaff(ctx: Ctx, kind: OrgKind, id: string, phone: string) {
  await organisationForCaller(ctx, kind, id, { owner: 'forbid' });
  return inTransaction(ctx, async (tx) => {
    const user = await userForPhone(tx, phone);
    const addedAt = tx.now();
    const inserted = await tx.db
      .insert(schema.organisationMembers)
      .values({ organisationId: id, userId: user.id, role: 'staff', addedAt })
      .onConflictDoNothing()
      .returning();
    if (inserted.length === 0) throw conflict('already_staff', 'This person already acts for it');
    return { userId: user.id, phone: user.phone, role: 'staff', addedAt };
  });
}

export async function removeStaff(ctx: Ctx, kind: OrgKind, id: string, userId: string) {
  await organisationForCaller(ctx, kind, id, { owner: 'forbid' });
  const role = await memberRole(ctx, id, userId);
  if (!role) throw notFound('not_found', 'No such staff member');
  if (role === 'owner') throw conflict('cannot_remove_owner', 'The owner cannot be removed');
  const m = schema.organisationMembers;
  await ctx.db.delete(m).where(and(eq(m.organisationId, id), eq(m.userId, userId)));
  return { removed: true as const, userId };
}

/** A deleted account (privacy.ts) acts for no organisation any more; owners are refused before. */
export async function leaveAllOrganisations(tx: Ctx, userId: string) {
  const m = schema.organisationMembers;
  await tx.db.delete(m).where(eq(m.userId, userId));
}
