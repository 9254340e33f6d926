import { rows } from '@alliance/web-shared';
import { createResource } from 'solid-js';
import { api } from '../../api';
import { items } from '../../components/fulfillment';
import { useSupplier } from '../../components/SupplierArea';
import { Badge, Card, formatDate, Loaded, PageHeader, Table } from '../../components/ui';
import { t } from '../../i18n';

export function Shipped() {
  const { id } = useSupplier();
  const [list] = createResource(
    () => id,
    (id) => api.fulfillments(id, 'shipped'),
  );
  return (
    <div class="page">
      <PageHeader title={t('supplier.shippedTitle')} subtitle={t('supplier.shippedSubtitle')} />
      <Card>
        <Loaded resource={list}>
          {(page) => (
            <Table
              rows={rows(page)}
              testId="shipped"
              columns={[
                { label: t('col.order'), render: (r) => <span class="mono">{r.orderId}</span> },
                { label: t('col.items'), render: items },
                { label: t('supplier.carrier'), render: (r) => r.carrier ?? '—' },
                {
                  label: t('supplier.tracking'),
                  render: (r) => <span class="mono">{r.trackingNumber ?? '—'}</span>,
                },
                { label: t('col.time'), render: (r) => formatDate(r.shippedAt) },
                { label: t('col.status'), render: (r) => <Badge status={r.status ?? 'shipped'} /> },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}
