import { formatFen, rows } from '@alliance/web-shared';
import { createResource } from 'solid-js';
import { api } from '../../api';
import { useMerchant } from '../../components/MerchantArea';
import { Badge, Card, formatDate, Loaded, PageHeader, Table } from '../../components/ui';
import { t } from '../../i18n';

export function Orders() {
  const { id } = useMerchant();
  const [orders] = createResource(() => id, api.merchantOrders);
  const [fulfillments] = createResource(() => id, api.merchantFulfillments);
  return (
    <div class="page">
      <PageHeader title={t('orders.title')} subtitle={t('orders.subtitle')} />
      <Card>
        <Loaded resource={orders}>
          {(page) => (
            <Table
              rows={rows(page)}
              testId="orders-table"
              columns={[
                { label: t('col.order'), render: (r) => <span class="mono">{r.id}</span> },
                { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
                {
                  label: t('col.items'),
                  render: (r) =>
                    (r.items ?? []).map((i) => `${i.title ?? i.listingId} × ${i.quantity}`).join('，') || '—',
                },
                {
                  label: t('col.amount'),
                  align: 'right',
                  render: (r) => <span class="num">{formatFen(r.amount)}</span>,
                },
                { label: t('col.status'), render: (r) => <Badge status={r.status} /> },
              ]}
            />
          )}
        </Loaded>
      </Card>
      <Card title={t('orders.dropShip')}>
        <Loaded resource={fulfillments}>
          {(page) => (
            <Table
              rows={rows(page)}
              testId="merchant-fulfillments"
              columns={[
                { label: t('col.order'), render: (r) => <span class="mono">{r.orderId}</span> },
                {
                  label: t('col.items'),
                  render: (r) => r.items.map((i) => `${i.title} × ${i.quantity}`).join('，'),
                },
                {
                  label: t('col.wholesale'),
                  align: 'right',
                  render: (r) => (
                    <span class="num">
                      {r.wholesaleCost === undefined ? '—' : formatFen(r.wholesaleCost)}
                    </span>
                  ),
                },
                {
                  label: t('col.tracking'),
                  render: (r) => (r.carrier ? `${r.carrier} ${r.trackingNumber ?? ''}` : '—'),
                },
                { label: t('col.status'), render: (r) => <Badge status={r.status ?? 'to_ship'} /> },
                {
                  label: t('col.settled'),
                  render: (r) =>
                    r.settled ? <span class="badge badge-ok">{t('orders.settled')}</span> : '—',
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}
