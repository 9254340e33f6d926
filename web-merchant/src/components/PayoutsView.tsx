import { formatFen, rows } from '@alliance/web-shared';
import { createResource } from 'solid-js';
import { api } from '../api';
import { t } from '../i18n';
import { PayoutAccountCard } from './PayoutAccountCard';
import { Badge, Card, formatDate, Loaded, PageHeader, Stat, Table } from './ui';

/**
 * What the platform owes this merchant or supplier, its payout batches, and the Stripe Connect
 * account payouts go to (set up through Stripe's hosted onboarding). One page for both kinds, as the API declares one set of routes for both.
 */
export function PayoutsView(props: { kind: 'merchants' | 'suppliers'; id: string }) {
  const merchants = props.kind === 'merchants';
  const [payable] = createResource(
    () => props.id,
    (id) => (merchants ? api.merchantPayable(id) : api.payable(id)),
  );
  const [payouts] = createResource(
    () => props.id,
    async (id) => {
      const batches = merchants ? rows(await api.merchantPayouts(id)) : rows(await api.supplierPayouts(id));
      return batches.map((b) => ({
        id: b.id,
        amount: b.amount,
        status: b.status,
        reference: b.reference,
        periodEnd: b.periodEnd,
        createdAt: b.createdAt,
        orders: new Set(b.items.map((i: { orderId: string }) => i.orderId)).size,
      }));
    },
  );
  return (
    <div class="page">
      <PageHeader
        title={t('supplier.payoutsTitle')}
        subtitle={merchants ? t('payouts.merchantSubtitle') : t('supplier.payoutsSubtitle')}
      />
      <Loaded resource={payable}>
        {(p) => (
          <div class="stats">
            <Stat
              label={t('supplier.payable')}
              value={formatFen(p.payable)}
              tone="red"
              testId="payable"
              hint={merchants ? t('payouts.merchantPayableHint') : t('supplier.payableHint')}
            />
            <Stat
              label={t('payouts.inPayout')}
              value={formatFen(p.inPayout)}
              tone="amber"
              testId="in-payout"
            />
            <Stat label={t('supplier.paidOut')} value={formatFen(p.paidOut)} tone="green" testId="paid-out" />
          </div>
        )}
      </Loaded>
      <PayoutAccountCard kind={props.kind} id={props.id} />
      <Card title={t('supplier.payoutList')}>
        <Loaded resource={payouts}>
          {(list) => (
            <Table
              rows={list}
              testId="payouts"
              empty={t('payouts.none')}
              columns={[
                { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
                {
                  label: t('col.amount'),
                  align: 'right',
                  render: (r) => <span class="num">{formatFen(r.amount)}</span>,
                },
                { label: t('col.reference'), render: (r) => <span class="mono">{r.reference ?? '—'}</span> },
                { label: t('col.orders'), align: 'right', render: (r) => String(r.orders) },
                { label: t('col.periodEnd'), render: (r) => formatDate(r.periodEnd) },
                {
                  label: t('col.status'),
                  render: (r) => <Badge status={r.status === 'pending' ? 'payout_pending' : 'payout_paid'} />,
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}
