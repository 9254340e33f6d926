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

/**
 * The merchant, if the caller acts for it. Anyone else gets 404, never 403: whether a merchant
 * exists is not revealed to those who do not belong to it (API.md).
 */
export async function merchantForCaller(
  ctx: Ctx,
  merchantId: string,
  options: AccessOptions = {},
): Promise<Merchant> {
  const user = ctx.user;
  if (!user) throw unauthorized();
  const [row] = await ctx.db
    .select({ merchant: schema.merchants, role: schema.merchantStaff.role })
    .from(schema.merchants)
    .leftJoin(
      schema.merchantStaff,
      and(eq(schema.merchantStaff.merchantId, schema.merchants.id), eq(schema.merchantStaff.userId, user.id)),
    )
    .where(eq(schema.merchants.id, merchantId));
  if (!row) throw notFound('not_found', 'No such merchant');
  const isOperator = options.operatorMay === true && user.roles.includes('operator');
  const allowed = options.ownerOnly ? row.role === 'owner' : row.role !== null;
  if (!allowed && !isOperator) throw notFound('not_found', 'No such merchant');
  return row.merchant;
}

/** The supplier, if the caller acts for it; 404 otherwise (as for merchants). */
export async function supplierForCaller(
  ctx: Ctx,
  supplierId: string,
  options: AccessOptions = {},
): Promise<Supplier> {
  const user = ctx.user;
  if (!user) throw unauthorized();
  const [row] = await ctx.db
    .select({ supplier: schema.suppliers, role: schema.supplierStaff.role })
    .from(schema.suppliers)
    .leftJoin(
      schema.supplierStaff,
      and(eq(schema.supplierStaff.supplierId, schema.suppliers.id), eq(schema.supplierStaff.userId, user.id)),
    )
    .where(eq(schema.suppliers.id, supplierId));
  if (!row) throw notFound('not_found', 'No such supplier');
  const isOperator = options.operatorMay === true && user.roles.includes('operator');
  const allowed = options.ownerOnly ? row.role === 'owner' : row.role !== null;
  if (!allowed && !isOperator) throw notFound('not_found', 'No such supplier');
  return row.supplier;
}
