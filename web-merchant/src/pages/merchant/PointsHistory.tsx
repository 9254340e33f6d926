import { formatPoints, nextCursor, rows } from '@alliance/web-shared';
import { createSignal, Show } from 'solid-js';
import { api, type HistoryEntry } from '../../api';
import { useMerchant } from '../../components/MerchantArea';
import { Card, ErrorNote, formatDate, PageHeader, Stat, Table, useAction } from '../../components/ui';
import { i18n, type Key, t } from '../../i18n';

export function PointsHistory() {
  const { id, merchant } = useMerchant();
  const [entries, setEntries] = createSignal<HistoryEntry[]>([]);
  const [cursor, setCursor] = createSignal<string | null | undefined>(undefined);
  const load = useAction(async () => {
    const page = await api.adPointsHistory(id, cursor() ?? undefined);
    setEntries((r) => [...r, ...rows(page)]);
    setCursor(nextCursor(page));
  });
  load.run();
  const kindLabel = (kind: string) => (i18n.has(`kind.${kind}`) ? t(`kind.${kind}` as Key) : t('kind.other'));
  return (
    <div class="page">
      <PageHeader title={t('points.title')} subtitle={t('points.subtitle')} />
      <div class="stats">
        <Stat label={t('merchant.adPoints')} value={formatPoints(merchant()!.adPoints)} tone="red" />
      </div>
      <Card title={t('points.entries')}>
        <ErrorNote error={load.error()} />
        <Table
          rows={entries()}
          testId="points-table"
          columns={[
            { label: t('col.time'), render: (r) => formatDate(r.createdAt) },
            {
              label: t('col.kind'),
              // An eco-topup is a receipt-like entry: it names its receipt number.
              render: (r) =>
                typeof r.meta?.receiptNumber === 'string' && r.kind === 'eco_topup'
                  ? t('eco.kind.withReceipt', { what: kindLabel(r.kind), receipt: r.meta.receiptNumber })
                  : kindLabel(r.kind),
            },
            {
              label: t('col.change'),
              align: 'right',
              render: (r) => (
                <span class={r.amount < 0 ? 'neg num' : 'pos num'}>
                  {formatPoints(r.amount, { sign: true })}
                </span>
              ),
            },
            {
              label: t('col.balanceAfter'),
              align: 'right',
              render: (r) => <span class="num">{formatPoints(r.balanceAfter)}</span>,
            },
          ]}
        />
        <Show when={cursor()}>
          <div class="center">
            <button type="button" class="btn btn-ghost" disabled={load.busy()} onClick={() => load.run()}>
              {t('common.more')}
            </button>
          </div>
        </Show>
      </Card>
    </div>
  );
}
