import type { Fulfillment } from '../api';

export const items = (f: Fulfillment) =>
  f.items.map((i) => `${i.title ?? i.supplierProductId} × ${i.quantity}`).join('，');
export const shipTo = (f: Fulfillment) =>
  f.shipTo ? (
    <span>
      {f.shipTo.name} {f.shipTo.phone}
      <br />
      <span class="muted">
        {f.shipTo.region} {f.shipTo.address}
      </span>
    </span>
  ) : (
    '—'
  );
