import type { Ctx } from '../context';
import { type Organisation, supplierForCaller } from './access';
import {
  type ApplicationInput,
  applyOrganisation,
  approveOrganisation,
  listOrganisations,
  type OrgStatus,
  reinstateOrganisation,
  rejectOrganisation,
  suspendOrganisation,
} from './organisations';

/** Suppliers join like merchants (services/organisations.ts); their catalog lives with the supply chain. */
function supplierView(row: Organisation) {
  return {
    id: row.id,
    name: row.name,
    status: row.status as OrgStatus,
    address: row.address,
    contact: row.contact,
    rejectionReason: row.rejectionReason,
    suspensionReason: row.suspensionReason,
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}
export type SupplierView = ReturnType<typeof supplierView>;

export async function applySupplier(ctx: Ctx, input: ApplicationInput): Promise<SupplierView> {
  return supplierView(await applyOrganisation(ctx, 'supplier', input));
}

/** Its staff and operators. */
export async function getSupplier(ctx: Ctx, supplierId: string): Promise<SupplierView> {
  return supplierView(await supplierForCaller(ctx, supplierId, { operatorMay: true }));
}

export async function listSupplierApplications(ctx: Ctx, filter: { status?: OrgStatus; limit: number }) {
  return (await listOrganisations(ctx, 'supplier', filter)).map(supplierView);
}

export async function approveSupplier(ctx: Ctx, supplierId: string): Promise<SupplierView> {
  return supplierView(await approveOrganisation(ctx, 'supplier', supplierId));
}

export async function rejectSupplier(
  ctx: Ctx,
  supplierId: string,
  reason: string | undefined,
): Promise<SupplierView> {
  return supplierView(await rejectOrganisation(ctx, 'supplier', supplierId, reason));
}

export async function suspendSupplier(ctx: Ctx, supplierId: string, reason: string | undefined) {
  return supplierView(await suspendOrganisation(ctx, 'supplier', supplierId, reason));
}

export async function reinstateSupplier(ctx: Ctx, supplierId: string, reason: string | undefined) {
  return supplierView(await reinstateOrganisation(ctx, 'supplier', supplierId, reason));
}
