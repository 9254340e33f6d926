import { formatFen, formatPoints } from '@alliance/web-shared';
import { Show } from 'solid-js';
import type { Sale } from '../api';
import { Badge, formatDate, Table } from '../components/ui';
import { i18n, type Key, t } from '../i18n';

export function SalesTable(props: { rows: Sale[]; onRefund?: (sale: Sale) => void }) {
  return (
    <Table
      rows={props.rows}
      testId="sales-table"
      columns={[
        { label: t('col.time'), render: (r) => formatDate(r.recordedAt) },
        {
          label: t('col.channel'),
          render: (r) => (r.channel === 'online' ? t('sales.online') : t('sales.inStore')),
        },
        {
          label: t('col.amount'),
          align: 'right',
          render: (r) => <span class="num">{formatFen(r.amount)}</span>,
        },
        {
          label: t('col.vouchers'),
          align: 'right',
          render: (r) => <span class="num">{formatPoints(r.vouchersIssued ?? 0)}</span>,
        },
        {
          label: t('col.adPointsCharged'),
          align: 'right',
          render: (r) => <span class="num">{formatPoints(r.adPointsCharged ?? 0)}</span>,
        },
        {
          label: t('col.status'),
          render: (r) => (
            <span class="row">
              <Badge status={r.status} />
              <Show when={r.reason}>
                <span class="muted">
                  {i18n.has(`reason.${r.reason}`) ? t(`reason.${r.reason}` as Key) : r.reason}
                </span>
              </Show>
            </span>
          ),
        },
        {
          label: t('col.refunded'),
          align: 'right',
          render: (r) => <span class="num">{r.refunded ? formatFen(r.refunded) : '—'}</span>,
        },
        ...(props.onRefund
          ? [
              {
                label: '',
                align: 'right' as const,
                // Online orders are refunded on the orders page (the money goes back through Stripe).
                render: (r: Sale) => (
                  <Show
                    when={r.status === 'completed' && r.channel !== 'online' && (r.refunded ?? 0) < r.amount}
                  >
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => props.onRefund!(r)}>
                      {t('sales.refund')}
                    </button>
                  </Show>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}
