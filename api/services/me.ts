import { schema } from '@alliance/db';
import { eq } from 'drizzle-orm';
import type { Ctx, SessionUser } from '../context';
import { unauthorized } from '../errors';
import { balanceOf } from '../ledger';
import { accounts } from './accounts';
import { consentState } from './privacy';

export async function getMe(ctx: Ctx, user: SessionUser) {
  const [row] = await ctx.db.select().from(schema.users).where(eq(schema.users.id, user.id));
  if (!row) throw unauthorized('invalid_token', 'The account no longer exists');
  const m = schema.merchants;
  const s = schema.suppliers;
  const [vouchers, ecoPoints, merchants, suppliers] = await Promise.all([
    balanceOf(ctx.db, accounts.consumerVouchers(user.id)),
    balanceOf(ctx.db, accounts.consumerEcoPoints(user.id)),
    ctx.db
      .select({ id: m.id, name: m.name, status: m.status, role: schema.merchantStaff.role })
      .from(schema.merchantStaff)
      .innerJoin(m, eq(m.id, schema.merchantStaff.merchantId))
      .where(eq(schema.merchantStaff.userId, user.id)),
    ctx.db
      .select({ id: s.id, name: s.name, status: s.status, role: schema.supplierStaff.role })
      .from(schema.supplierStaff)
      .innerJoin(s, eq(s.id, schema.supplierStaff.supplierId))
      .where(eq(schema.supplierStaff.userId, user.id)),
  ]);
  return {
    user: { id: user.id, phone: user.phone, roles: user.roles },
    memberCode: row.memberCode,
    consent: consentState(row),
    wallet: { vouchers: vouchers.available, ecoPoints: ecoPoints.available },
    merchants,
    suppliers,
  };
}
