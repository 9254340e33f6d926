import { schema } from '@alliance/db';
import { and, eq, inArray, like } from 'drizzle-orm';
import type { Ctx, SessionUser } from '../context';
import { conflict, unauthorized, unprocessable } from '../errors';
import { accountHistory, balanceOf, type HistoryEntry } from '../ledger';
import { membershipsOf } from './access';
import { accounts } from './accounts';
import { forgetSessionsOf } from './auth';
import { forgetMemberCodesOf } from './member-codes';
import { leaveAllOrganisations } from './organisations';
import { inTransaction } from './tx';

/** The privacy notice in force; a person who accepted an older one is asked again (SPEC section 7). */
export const privacyNoticeVersion = '2026-12-01';

/** Bounds an export: far more entries than a person makes, and a fixed cost per request. */
const maxExportEntries = 10_000;

type UserRow = typeof schema.users.$inferSelect;

/** What GET /v1/me says about consent. */
export function consentState(row: Pick<UserRow, 'consentVersion' | 'consentedAt'>) {
  return {
    required: row.consentVersion !== privacyNoticeVersion,
    version: privacyNoticeVersion,
    acceptedVersion: row.consentVersion,
    acceptedAt: row.consentedAt?.toISOString() ?? null,
  };
}

/** The person accepts the privacy notice in force; accepting it again keeps the first time. */
export async function acceptPrivacyNotice(ctx: Ctx, user: SessionUser, input: { version: string }) {
  if (input.version !== privacyNoticeVersion) {
    throw unprocessable('unknown_privacy_notice', `The privacy notice in force is ${privacyNoticeVersion}`);
  }
  const u = schema.users;
  const row = await ownRow(ctx, user);
  if (row.consentVersion === privacyNoticeVersion) return consentState(row);
  const [updated] = await ctx.db
    .update(u)
    .set({ consentVersion: privacyNoticeVersion, consentedAt: ctx.now() })
    .where(eq(u.id, user.id))
    .returning();
  return consentState(updated!);
}

/** GET /v1/me/export: everything kept about the person, as JSON (PIPL right of access and portability). */
export async function exportPersonalData(ctx: Ctx, user: SessionUser) {
  const row = await ownRow(ctx, user);
  const o = schema.orders;
  const orders = await ctx.db.select().from(o).where(eq(o.consumerUserId, user.id)).limit(maxExportEntries);
  const items = orders.length
    ? await ctx.db
        .select()
        .from(schema.orderItems)
        .where(
          inArray(
            schema.orderItems.orderId,
            orders.map((order) => order.id),
          ),
        )
    : [];
  const [vouchers, ecoPoints, sales, adViews, merchantRoles, supplierRoles, voucherHistory, ecoHistory] =
    await Promise.all([
      balanceOf(ctx.db, accounts.consumerVouchers(user.id)),
      balanceOf(ctx.db, accounts.consumerEcoPoints(user.id)),
      ctx.db
        .select()
        .from(schema.sales)
        .where(eq(schema.sales.consumerUserId, user.id))
        .limit(maxExportEntries),
      ctx.db
        .select({
          id: schema.adViews.id,
          campaignId: schema.adViews.campaignId,
          businessDate: schema.adViews.businessDate,
          startedAt: schema.adViews.startedAt,
          status: schema.adViews.status,
          clientAddress: schema.adViews.clientAddress,
        })
        .from(schema.adViews)
        .where(eq(schema.adViews.consumerId, user.id))
        .limit(maxExportEntries),
      membershipsOf(ctx, user.id, 'merchant'),
      membershipsOf(ctx, user.id, 'supplier'),
      fullHistory(ctx, accounts.consumerVouchers(user.id)),
      fullHistory(ctx, accounts.consumerEcoPoints(user.id)),
    ]);
  return {
    exportedAt: ctx.now().toISOString(),
    user: {
      id: row.id,
      phone: row.phone,
      memberCode: row.memberCode,
      createdAt: row.createdAt.toISOString(),
      consent: consentState(row),
    },
    wallet: { vouchers: vouchers.available, ecoPoints: ecoPoints.available },
    ledger: { vouchers: voucherHistory, ecoPoints: ecoHistory },
    sales,
    orders: orders.map((order) => ({ ...order, items: items.filter((item) => item.orderId === order.id) })),
    adViews,
    memberships: { merchants: merchantRoles, suppliers: supplierRoles },
  };
}

/**
 * DELETE /v1/me: personal data is erased (phone, member code, ship-to addresses, client addresses,
 * sign-in codes, kept responses); the ledger keeps its history under the same opaque user id, which
 * no longer leads to a person. Refused while the person still has obligations to others.
 */
export async function deleteAccount(ctx: Ctx, user: SessionUser) {
  const deleted = await inTransaction(ctx, async (tx) => {
    const u = schema.users;
    const [row] = await tx.db.select().from(u).where(eq(u.id, user.id)).for('update');
    if (!row || row.deletedAt || row.phone !== user.phone) {
      throw unauthorized('invalid_token', 'The account no longer exists');
    }
    await refuseWhileObligations(tx, user.id);
    const placeholder = `deleted:${user.id}`;
    await tx.db
      .update(u)
      .set({ phone: placeholder, memberCode: placeholder, deletedAt: tx.now() })
      .where(eq(u.id, user.id));
    await tx.db.update(schema.orders).set({ shipTo: null }).where(eq(schema.orders.consumerUserId, user.id));
    await tx.db
      .update(schema.fulfillments)
      .set({ shipTo: null })
      .where(eq(schema.fulfillments.consumerUserId, user.id));
    await tx.db
      .update(schema.adViews)
      .set({ clientAddress: null })
      .where(eq(schema.adViews.consumerId, user.id));
    await leaveAllOrganisations(tx, user.id);
    await tx.db.delete(schema.otpCodes).where(eq(schema.otpCodes.phone, row.phone));
    await forgetMemberCodesOf(tx, user.id);
    await tx.db
      .delete(schema.rateLimitCounters)
      .where(eq(schema.rateLimitCounters.bucket, `otp:phone:${row.phone}`));
    // Kept responses may hold ship-to details; scopes start with the caller's id.
    const scopePrefix = `${user.id.replace(/[\\_%]/g, '\\$&')} %`;
    await tx.db.delete(schema.idempotencyKeys).where(like(schema.idempotencyKeys.scope, scopePrefix));
    return { id: user.id, deleted: true as const };
  });
  // After the commit, so no request of this process can read the old row back into the cache.
  forgetSessionsOf(ctx, user.id);
  return deleted;
}

/** 409 with a code that says what to finish first. */
async function refuseWhileObligations(ctx: Ctx, userId: string) {
  const o = schema.organisations;
  const [owned] = await ctx.db
    .select({ id: o.id })
    .from(o)
    .where(and(eq(o.ownerUserId, userId), eq(o.status, 'active')))
    .limit(1);
  if (owned) {
    throw conflict(
      'owns_active_business',
      'You own an active merchant or supplier: hand it over or close it before deleting your account',
    );
  }
  const [order] = await ctx.db
    .select({ id: schema.orders.id })
    .from(schema.orders)
    .where(and(eq(schema.orders.consumerUserId, userId), eq(schema.orders.status, 'pending_payment')))
    .limit(1);
  const [delivery] = await ctx.db
    .select({ id: schema.fulfillments.id })
    .from(schema.fulfillments)
    .where(
      and(
        eq(schema.fulfillments.consumerUserId, userId),
        inArray(schema.fulfillments.status, ['to_ship', 'shipped']),
      ),
    )
    .limit(1);
  if (order || delivery) {
    throw conflict(
      'pending_order',
      'An order of yours is awaiting payment or delivery: cancel an unpaid one, or wait for the delivery, before deleting your account',
    );
  }
  const w = schema.withdrawals;
  const [held] = await ctx.db
    .select({ id: w.id })
    .from(w)
    .where(and(eq(w.holderType, 'consumer'), eq(w.holderId, userId), eq(w.status, 'pending')))
    .limit(1);
  if (held) {
    throw conflict(
      'pending_withdrawal',
      'A withdrawal of yours is still pending: wait until it is decided before deleting your account',
    );
  }
}

async function ownRow(ctx: Ctx, user: SessionUser): Promise<UserRow> {
  const [row] = await ctx.db.select().from(schema.users).where(eq(schema.users.id, user.id));
  if (!row || row.deletedAt || row.phone !== user.phone) {
    throw unauthorized('invalid_token', 'The account no longer exists');
  }
  return row;
}

async function fullHistory(ctx: Ctx, ref: Parameters<typeof accountHistory>[1]): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  let page: HistoryEntry[];
  do {
    page = await accountHistory(ctx.db, ref, { limit: 200, beforeTransferId: entries.at(-1)?.transferId });
    entries.push(...page);
  } while (page.length === 200 && entries.length < maxExportEntries);
  return entries;
}
