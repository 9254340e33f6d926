import type { Fulfillment } from '../api';
import { t } from '../i18n';

export const items = (f: Fulfillment) =>
  f.items.map((i) => `${i.title ?? i.supplierProductId} × ${i.quantity}`).join(t('orders.itemSep'));
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
