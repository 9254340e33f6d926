import { rows } from '@alliance/web-shared';
import { createResource } from 'solid-js';
import { api } from '../../api';
import { items } from '../../components/fulfillment';
import { useSupplier } from '../../components/SupplierArea';
import {
  Badge,
  Card,
  ErrorNote,
  formatDate,
  Loaded,
  PageHeader,
  reasonDialog,
  Table,
  useAction,
} from '../../components/ui';
import { t } from '../../i18n';
import { orderRef } from '../merchant/Orders';

export function Shipped() {
  const { id } = useSupplier();
  const [list, { refetch }] = createResource(
    () => id,
    (id) => api.fulfillments(id, 'shipped'),
  );
  const markReturned = useAction(async (fid: string) => {
    const reason = await reasonDialog({
      title: t('fulfil.returnTitle'),
      body: t('fulfil.returnBody'),
      input: t('col.reason'),
      confirm: t('fulfil.return'),
    });
    if (reason === null) return;
    await api.returnFulfillment(fid, reason);
    refetch();
  });
  return (
    <div class="page">
      <ErrorNote error={markReturned.error()} />
      <PageHeader title={t('supplier.shippedTitle')} subtitle={t('supplier.shippedSubtitle')} />
      <Card>
        <Loaded resource={list}>
          {(page) => (
            <Table
              rows={rows(page)}
              testId="shipped"
              columns={[
                { label: t('col.order'), render: (r) => <span class="mono">{orderRef(r.orderId)}</span> },
                { label: t('col.items'), render: items },
                { label: t('supplier.carrier'), render: (r) => r.carrier ?? '—' },
                {
                  label: t('supplier.tracking'),
                  render: (r) => <span class="mono">{r.trackingNumber ?? '—'}</span>,
                },
                { label: t('col.time'), render: (r) => formatDate(r.shippedAt) },
                { label: t('col.status'), render: (r) => <Badge status={r.status ?? 'shipped'} /> },
                {
                  label: '',
                  align: 'right',
                  render: (r) =>
                    r.status === 'shipped' || r.status === 'delivered' ? (
                      <button
                        type="button"
                        class="btn btn-ghost btn-small"
                        data-testid={`return-${r.id}`}
                        disabled={markReturned.busy()}
                        onClick={() => markReturned.run(r.id)}
                      >
                        {t('fulfil.return')}
                      </button>
                    ) : (
                      ''
                    ),
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}
