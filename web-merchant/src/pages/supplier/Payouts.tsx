import { formatFen, rows } from '@alliance/web-shared';
import { createResource } from 'solid-js';
import { api } from '../../api';
import { useSupplier } from '../../components/SupplierArea';
import { Badge, Card, formatDate, Loaded, PageHeader, Stat, Table } from '../../components/ui';
import { t } from '../../i18n';

export function Payouts() {
  const { id } = useSupplier();
  const [payable] = createResource(() => id, api.payable);
  const [payouts] = createResource(() => id, api.supplierPayouts);
  return (
    <div class="page">
      <PageHeader title={t('supplier.payoutsTitle')} subtitle={t('supplier.payoutsSubtitle')} />
      <Loaded resource={payable}>
        {(p) => (
          <div class="stats">
            <Stat
              label={t('supplier.payable')}
              value={formatFen(p.payable)}
              tone="red"
              testId="payable"
              hint={t('supplier.payableHint')}
            />
            <Stat label={t('supplier.paidOut')} value={formatFen(p.paidOut)} tone="green" testId="paid-out" />
          </div>
        )}
      </Loaded>
      <Card title={t('supplier.payoutList')}>
        <Loaded resource={payouts}>
          {(page) => (
            <Table
              rows={rows(page)}
              columns={[
                { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
                {
                  label: t('col.amount'),
                  align: 'right',
                  render: (r) => <span class="num">{formatFen(r.amount)}</span>,
                },
                { label: t('col.reference'), render: (r) => <span class="mono">{r.reference ?? '—'}</span> },
                {
                  label: t('col.orders'),
                  align: 'right',
                  render: (r) => String(new Set(r.items.map((i) => i.orderId)).size),
                },
                { label: t('col.periodEnd'), render: (r) => formatDate(r.periodEnd) },
                { label: t('col.status'), render: (r) => <Badge status={r.status} /> },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}
