import { formatFen, formatMinor, formatPoints } from '@alliance/web-shared';
import { createResource, createSignal } from 'solid-js';
import { api } from '../../api';
import { LineChart } from '../../components/Chart';
import { DateField } from '../../components/DateField';
import { useMerchant } from '../../components/MerchantArea';
import { Bars, Card, Loaded, PageHeader, Stat } from '../../components/ui';
import { downloadCsv } from '../../csv';
import { t } from '../../i18n';

export function StatementPage() {
  const { id } = useMerchant();
  const [from, setFrom] = createSignal('');
  const [to, setTo] = createSignal('');
  const [range, setRange] = createSignal<{ from?: string; to?: string }>({});
  const [statement] = createResource(
    () => ({ id, ...range() }),
    (r) => api.statement(r.id, r.from, r.to),
  );
  return (
    <div class="page">
      <PageHeader
        title={t('statement.title')}
        subtitle={t('statement.subtitle')}
        actions={
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              setRange({ from: from() || undefined, to: to() || undefined });
            }}
          >
            <DateField
              value={from()}
              onChange={setFrom}
              label={t('statement.from')}
              optional
              testId="statement-from"
            />
            <span class="muted">—</span>
            <DateField
              value={to()}
              onChange={setTo}
              label={t('statement.to')}
              optional
              testId="statement-to"
            />
            <button type="submit" class="btn btn-outline">
              {t('statement.apply')}
            </button>
            <button
              type="button"
              class="btn btn-ghost"
              data-testid="statement-csv"
              disabled={!statement()}
              onClick={() => {
                const st = statement()!;
                // Money and points as decimal text from integer minor units, never through a float.
                downloadCsv(
                  `${t('statement.csvName')}-${st.from ?? ''}-${st.to ?? ''}.csv`,
                  [t('statement.item'), t('statement.value')],
                  [
                    [t('statement.from'), st.from ?? ''],
                    [t('statement.to'), st.to ?? ''],
                    [t('statement.proceedsYuan'), formatMinor(st.proceeds, { group: false })],
                    [t('statement.wholesaleYuan'), formatMinor(st.wholesaleSettled, { group: false })],
                    [t('statement.netYuan'), formatMinor(st.net, { group: false })],
                    [t('statement.adPoints'), formatMinor(st.adPointsCharged, { group: false })],
                    [t('statement.vouchers'), formatMinor(st.vouchersIssued, { group: false })],
                    [t('statement.topupsYuan'), formatMinor(st.topups, { group: false })],
                    [t('statement.inStoreSalesYuan'), formatMinor(st.inStoreSales, { group: false })],
                    [t('statement.ecoPointsReceived'), formatMinor(st.ecoPointsReceived, { group: false })],
                    [t('statement.adPointsBalance'), formatMinor(st.adPointsBalance, { group: false })],
                  ],
                );
              }}
            >
              {t('common.exportCsv')}
            </button>
          </form>
        }
      />
      <Loaded resource={statement}>
        {(s) => (
          <>
            <div class="stats stats-3" data-testid="statement">
              <Stat label={t('statement.proceeds')} value={formatFen(s.proceeds)} testId="st-proceeds" />
              <Stat
                label={t('statement.wholesale')}
                value={formatFen(s.wholesaleSettled)}
                testId="st-wholesale"
              />
              <Stat label={t('statement.net')} value={formatFen(s.net)} tone="green" testId="st-net" />
              <Stat
                label={t('statement.adPoints')}
                value={formatPoints(s.adPointsCharged)}
                testId="st-adpoints"
              />
              <Stat
                label={t('statement.vouchers')}
                value={formatPoints(s.vouchersIssued)}
                testId="st-vouchers"
              />
              <Stat label={t('statement.topups')} value={formatFen(s.topups)} testId="st-topups" />
              <Stat
                label={t('statement.inStoreSales')}
                value={formatFen(s.inStoreSales)}
                testId="st-instore"
              />
              <Stat
                label={t('statement.ecoPointsReceived')}
                value={formatPoints(s.ecoPointsReceived)}
                testId="st-eco-received"
              />
              <Stat
                label={t('statement.adPointsBalance')}
                value={formatPoints(s.adPointsBalance)}
                testId="st-adpoints-end"
              />
            </div>
            <Card title={t('statement.daily')}>
              <LineChart
                dates={s.daily.map((d) => d.date)}
                format={formatFen}
                testId="st-daily-chart"
                series={[
                  {
                    label: t('statement.proceeds'),
                    values: s.daily.map((d) => d.proceeds),
                    color: '#e8402a',
                  },
                  {
                    label: t('statement.inStoreSales'),
                    values: s.daily.map((d) => d.inStoreSales),
                    color: '#2563eb',
                  },
                  { label: t('statement.topups'), values: s.daily.map((d) => d.topups), color: '#1f9d55' },
                ]}
              />
            </Card>
            <Card title={t('statement.dailyPoints')}>
              <LineChart
                dates={s.daily.map((d) => d.date)}
                format={formatPoints}
                series={[
                  {
                    label: t('statement.adPoints'),
                    values: s.daily.map((d) => d.adPointsCharged),
                    color: '#d97706',
                  },
                  {
                    label: t('statement.vouchers'),
                    values: s.daily.map((d) => d.vouchersIssued),
                    color: '#7c3aed',
                  },
                ]}
              />
            </Card>
            <Card title={t('statement.chart')}>
              <Bars
                points={[
                  { label: t('statement.proceeds'), value: s.proceeds },
                  { label: t('statement.wholesale'), value: s.wholesaleSettled },
                  { label: t('statement.net'), value: s.net },
                  { label: t('statement.topups'), value: s.topups },
                ]}
                format={formatFen}
              />
            </Card>
          </>
        )}
      </Loaded>
    </div>
  );
}
