import { schema } from '@alliance/db';
import { eq } from 'drizzle-orm';
import type { Ctx, SessionUser } from '../context';
import { unauthorized } from '../errors';
import { balanceOf } from '../ledger';
import { membershipsOf } from './access';
import { accounts } from './accounts';
import { consentState } from './privacy';

export async function getMe(ctx: Ctx, user: SessionUser) {
  const [row] = await ctx.db.select().from(schema.users).where(eq(schema.users.id, user.id));
  if (!row) throw unauthorized('invalid_token', 'The account no longer exists');
  const [vouchers, ecoPoints, merchants, suppliers] = await Promise.all([
    balanceOf(ctx.db, accounts.consumerVouchers(user.id)),
    balanceOf(ctx.db, accounts.consumerEcoPoints(user.id)),
    membershipsOf(ctx, user.id, 'merchant'),
    membershipsOf(ctx, user.id, 'supplier'),
  ]);
  return {
    user: { id: user.id, phone: user.phone, roles: user.roles },
    memberCode: row.memberCode,
    consent: consentState(row),
    wallet: {
      vouchers: vouchers.available,
      ecoPoints: ecoPoints.available,
      ecoPointsHeld: ecoPoints.debitsPending,
    },
    merchants,
    suppliers,
  };
}
