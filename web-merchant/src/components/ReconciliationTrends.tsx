import { formatFen, formatPoints } from '@alliance/web-shared';
import { For } from 'solid-js';
import type { TrendDay } from '../api';
import { t } from '../i18n';
import { type ChartSeries, LineChart } from './Chart';

/** The 30/90-day charts; days without a report are gaps, not zeros. */
export function ReconciliationTrends(props: { days: TrendDay[] }) {
  const dates = () => props.days.map((d) => d.businessDate);
  const pick = (k: keyof TrendDay) =>
    props.days.map((d) => (d.reported ? ((d[k] as number | undefined) ?? null) : null));
  const count = (v: number) => String(v);
  const charts = (): Array<{
    title: string;
    step?: number;
    format: (v: number) => string;
    series: ChartSeries[];
    id: string;
  }> => [
    {
      id: 'gmv',
      title: t('recon.chart.gmv'),
      format: formatFen,
      series: [
        { label: t('recon.gmvOnline'), values: pick('gmvOnline'), color: '#e8402a' },
        { label: t('recon.gmvInStore'), values: pick('gmvInStore'), color: '#2563eb' },
      ],
    },
    {
      id: 'ad-points',
      title: t('recon.chart.adPoints'),
      format: formatPoints,
      series: [
        { label: t('recon.adPointsBought'), values: pick('adPointsBought'), color: '#1f9d55' },
        { label: t('recon.adPointsConsumed'), values: pick('adPointsConsumed'), color: '#d97706' },
      ],
    },
    {
      id: 'vouchers',
      title: t('recon.chart.vouchers'),
      format: formatPoints,
      series: [
        { label: t('recon.vouchersIssued'), values: pick('vouchersIssued'), color: '#e8402a' },
        { label: t('recon.vouchersConverted'), values: pick('vouchersConverted'), color: '#7c3aed' },
      ],
    },
    {
      id: 'completions',
      title: t('recon.completions'),
      format: count,
      step: 1,
      series: [{ label: t('recon.completions'), values: pick('completions'), color: '#2563eb' }],
    },
    {
      id: 'liability',
      title: t('recon.ecoLiability'),
      format: formatFen,
      series: [{ label: t('recon.ecoLiability'), values: pick('ecoPointLiability'), color: '#d97706' }],
    },
    {
      id: 'suppliers',
      title: t('recon.chart.suppliers'),
      format: formatFen,
      series: [
        { label: t('recon.supplierPayable'), values: pick('supplierPayable'), color: '#e8402a' },
        { label: t('recon.supplierPaidOut'), values: pick('supplierPaidOut'), color: '#1f9d55' },
      ],
    },
  ];
  return (
    <div class="recon-charts">
      <For each={charts()}>
        {(c) => (
          <figure class="recon-chart">
            <figcaption>{c.title}</figcaption>
            <LineChart
              dates={dates()}
              series={c.series}
              format={c.format}
              step={c.step}
              testId={`recon-chart-${c.id}`}
            />
          </figure>
        )}
      </For>
    </div>
  );
}
