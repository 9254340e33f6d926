import type { schema } from '@alliance/db';
import type { Ctx } from '../context';
import { supplierForCaller } from './access';
import {
  type ApplicationInput,
  applyOrganisation,
  approveOrganisation,
  listOrganisations,
  type OrgStatus,
  rejectOrganisation,
} from './merchants';

type SupplierRow = typeof schema.suppliers.$inferSelect;

/** Suppliers join like merchants (services/merchants.ts); their catalog lives with the supply chain. */
function supplierView(row: SupplierRow) {
  return {
    id: row.id,
    name: row.name,
    status: row.status as OrgStatus,
    address: row.address,
    contact: row.contact,
    rejectionReason: row.rejectionReason,
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}
export type SupplierView = ReturnType<typeof supplierView>;

export async function applySupplier(ctx: Ctx, input: ApplicationInput): Promise<SupplierView> {
  return supplierView((await applyOrganisation(ctx, 'supplier', input)) as SupplierRow);
}

/** Its staff and operators. */
export async function getSupplier(ctx: Ctx, supplierId: string): Promise<SupplierView> {
  return supplierView(await supplierForCaller(ctx, supplierId, { operatorMay: true }));
}

export async function listSupplierApplications(ctx: Ctx, filter: { status?: OrgStatus; limit: number }) {
  return ((await listOrganisations(ctx, 'supplier', filter)) as SupplierRow[]).map(supplierView);
}

export async function approveSupplier(ctx: Ctx, supplierId: string): Promise<SupplierView> {
  return supplierView((await approveOrganisation(ctx, 'supplier', supplierId)) as SupplierRow);
}

export async function rejectSupplier(
  ctx: Ctx,
  supplierId: string,
  reason: string | undefined,
): Promise<SupplierView> {
  return supplierView((await rejectOrganisation(ctx, 'supplier', supplierId, reason)) as SupplierRow);
}
