import { formatFen, rows } from '@alliance/web-shared';
import { createResource, createSignal, Show } from 'solid-js';
import { api } from '../../api';
import { PayoutAccountBadge } from '../../components/PayoutAccountCard';
import {
  Alert,
  Badge,
  Card,
  confirmDialog,
  ErrorNote,
  formatDate,
  Loaded,
  PageHeader,
  Stat,
  Table,
  useAction,
} from '../../components/ui';
import { t } from '../../i18n';

export function PlatformPayouts() {
  const [list, { refetch }] = createResource(api.platformPayouts);
  const [suppliers] = createResource(() => api.applications('suppliers', 'active'));
  const supplierName = (id: string) => rows(suppliers()).find((s) => s.id === id)?.name ?? '—';
  // Why a batch waits: its supplier's payout account (a transfer needs one Stripe can pay out to).
  const [accounts] = createResource(list, async (page) => {
    const waiting = [
      ...new Set(
        rows(page)
          .filter((p) => p.status === 'pending')
          .map((p) => p.supplierId),
      ),
    ];
    const found = await Promise.all(waiting.map((id) => api.payoutAccount('suppliers', id)));
    return new Map(waiting.map((id, n) => [id, found[n]!.status]));
  });
  const [notice, setNotice] = createSignal<string | null>(null);
  const [paying, setPaying] = createSignal<string | null>(null);
  const [reference, setReference] = createSignal('');
  const total = () =>
    rows(list())
      .filter((p) => p.status === 'paid')
      .reduce((a, p) => a + p.amount, 0);
  const pending = () =>
    rows(list())
      .filter((p) => p.status === 'pending')
      .reduce((a, p) => a + p.amount, 0);
  const run = useAction(async () => {
    if (!(await confirmDialog({ title: t('confirm.runPayouts'), body: t('confirm.runPayoutsBody') }))) return;
    const res = await api.runPayouts();
    setNotice(
      t('ops.payoutsRan', { created: res.created.length, paid: res.paid.length, failed: res.failed.length }),
    );
    refetch();
  });
  const markPaid = useAction(async (e: Event) => {
    e.preventDefault();
    const yes = await confirmDialog({
      title: t('confirm.markPaid', { reference: reference().trim() }),
      body: t('confirm.markPaidBody'),
    });
    if (!yes) return;
    await api.markPayoutPaid(paying()!, reference().trim());
    setPaying(null);
    setReference('');
    refetch();
  });
  return (
    <div class="page">
      <PageHeader
        title={t('ops.payoutsTitle')}
        subtitle={t('ops.payoutsSubtitle')}
        actions={
          <button
            type="button"
            class="btn btn-primary"
            data-testid="run-payouts"
            disabled={run.busy()}
            onClick={() => run.run()}
          >
            {t('ops.runPayouts')}
          </button>
        }
      />
      <ErrorNote error={run.error()} />
      <Show when={notice()}>
        <Alert tone="ok" testId="payouts-notice">
          {notice()}
        </Alert>
      </Show>
      <Show when={list()}>
        <div class="stats">
          <Stat label={t('ops.payoutsTotal')} value={formatFen(total())} tone="green" />
          <Stat label={t('ops.payoutsPending')} value={formatFen(pending())} tone="amber" />
          <Stat label={t('ops.payoutsCount')} value={String(rows(list()).length)} />
        </div>
      </Show>
      <Show when={paying()}>
        <Card title={t('ops.markPaidTitle')}>
          <form class="inline-form" onSubmit={(e) => markPaid.run(e)}>
            <input
              class="input grow"
              name="reference"
              placeholder={t('ops.referencePlaceholder')}
              value={reference()}
              onInput={(e) => setReference(e.currentTarget.value)}
            />
            <button
              type="submit"
              class="btn btn-primary"
              data-testid="confirm-paid"
              disabled={markPaid.busy() || !reference().trim()}
            >
              {t('ops.markPaid')}
            </button>
            <button type="button" class="btn btn-ghost" onClick={() => setPaying(null)}>
              {t('common.cancel')}
            </button>
          </form>
          <ErrorNote error={markPaid.error()} />
        </Card>
      </Show>
      <Card>
        <Loaded resource={list}>
          {(page) => (
            <Table
              rows={rows(page)}
              testId="payouts"
              columns={[
                { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
                { label: t('col.supplier'), render: (r) => supplierName(r.supplierId) },
                { label: t('col.periodEnd'), render: (r) => formatDate(r.periodEnd) },
                {
                  label: t('col.orders'),
                  align: 'right',
                  render: (r) => String(new Set(r.items.map((i) => i.orderId)).size),
                },
                {
                  label: t('col.amount'),
                  align: 'right',
                  render: (r) => <span class="num">{formatFen(r.amount)}</span>,
                },
                { label: t('col.reference'), render: (r) => <span class="mono">{r.reference ?? '—'}</span> },
                { label: t('col.status'), render: (r) => <Badge status={r.status} /> },
                {
                  label: t('payouts.account'),
                  render: (r) => (
                    <Show when={r.status === 'pending' && accounts()?.get(r.supplierId)}>
                      {(status) => <PayoutAccountBadge status={status()} />}
                    </Show>
                  ),
                },
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <Show when={r.status === 'pending'}>
                      <button
                        type="button"
                        class="btn btn-ghost btn-small"
                        data-testid={`mark-paid-${r.id}`}
                        onClick={() => setPaying(r.id)}
                      >
                        {t('ops.markPaid')}
                      </button>
                    </Show>
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
