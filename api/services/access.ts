import { schema } from '@alliance/db';
import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../context';
import { notFound, unauthorized } from '../errors';

export interface AccessOptions {
  /** Only the owner, not staff (managing staff). */
  ownerOnly?: boolean;
  /** Operators may read it too. */
  operatorMay?: boolean;
}

type Merchant = typeof schema.merchants.$inferSelect;
type Supplier = typeof schema.suppliers.$inferSelect;

const organisations = {
  merchant: {
    table: schema.merchants,
    staff: schema.merchantStaff,
    staffKey: schema.merchantStaff.merchantId,
  },
  supplier: {
    table: schema.suppliers,
    staff: schema.supplierStaff,
    staffKey: schema.supplierStaff.supplierId,
  },
};

/**
 * The organisation, if the caller acts for it. Anyone else gets 404, never 403: whether a merchant
 * or supplier exists is not revealed to those who do not belong to it (API.md).
 */
async function organisationForCaller(
  ctx: Ctx,
  kind: keyof typeof organisations,
  id: string,
  options: AccessOptions,
): Promise<Merchant | Supplier> {
  const user = ctx.user;
  if (!user) throw unauthorized();
  const { table, staff, staffKey } = organisations[kind];
  const [row] = await ctx.db
    .select({ organisation: table, role: staff.role })
    .from(table)
    .leftJoin(staff, and(eq(staffKey, table.id), eq(staff.userId, user.id)))
    .where(eq(table.id, id));
  const isOperator = options.operatorMay === true && user.roles.includes('operator');
  const allowed = row && (options.ownerOnly ? row.role === 'owner' : row.role !== null);
  if (!row || (!allowed && !isOperator)) throw notFound('not_found', `No such ${kind}`);
  return row.organisation;
}

export async function merchantForCaller(
  ctx: Ctx,
  merchantId: string,
  options: AccessOptions = {},
): Promise<Merchant> {
  return (await organisationForCaller(ctx, 'merchant', merchantId, options)) as Merchant;
}

export async function supplierForCaller(
  ctx: Ctx,
  supplierId: string,
  options: AccessOptions = {},
): Promise<Supplier> {
  return (await organisationForCaller(ctx, 'supplier', supplierId, options)) as Supplier;
}
