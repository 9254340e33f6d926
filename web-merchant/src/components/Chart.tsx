import { createEffect, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { dateSeconds, formatBusinessDate } from '../business-date';
import { t } from '../i18n';

export interface ChartSeries {
  label: string;
  /** One value per date, in the unit `format` reads (fen, hundredths, a count); null: no report that day. */
  values: Array<number | null>;
  color: string;
}

/**
 * A daily line chart drawn by uPlot on a canvas. x: business dates (UTC midnights of them, so the
 * axis shows the calendar date whatever the reader's zone); y and the legend in the series' unit
 * through `format`. Redrawn whole when the data or the language change, resized with its box.
 */
export function LineChart(props: {
  dates: string[];
  series: ChartSeries[];
  format: (value: number) => string;
  /** The smallest step the y axis may show, in the values' unit: 100 for yuan and points, 1 for counts. */
  step?: number;
  height?: number;
  testId?: string;
}) {
  let box!: HTMLDivElement;
  let plot: uPlot | undefined;

  const build = () => {
    plot?.destroy();
    const fmt = props.format;
    const step = props.step ?? 100;
    // Axis steps of 1, 2 and 5 times the unit and its powers of ten: never "0.01, 0.01, 0.01" for a flat line.
    const incrs = Array.from({ length: 13 }, (_, i) => [1, 2, 5].map((m) => m * step * 10 ** i)).flat();
    const halfDay = 43_200;
    const data: uPlot.AlignedData = [props.dates.map(dateSeconds), ...props.series.map((s) => s.values)];
    plot = new uPlot(
      {
        width: Math.max(box.clientWidth, 240),
        height: props.height ?? 220,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        cursor: { drag: { x: false, y: false } },
        scales: {
          // Half a day of margin, so that a point on the first or last day is not cut in half.
          x: { time: true, range: (_u, min, max) => [min - halfDay, max + halfDay] },
          y: { range: (_u, min, max) => [Math.min(0, min), Math.max(5 * step, max)] },
        },
        axes: [
          {
            stroke: '#86909c',
            grid: { show: false },
            // Whole days only: a few days' data would otherwise get hourly ticks that all read "11/29".
            incrs: [1, 2, 7, 14, 30, 91].map((days) => days * 2 * halfDay),
            values: (_u, splits) => splits.map((s) => formatBusinessDate(s, true)),
          },
          {
            stroke: '#86909c',
            size: 72,
            grid: { stroke: '#eceef2' },
            incrs,
            values: (_u, splits) => splits.map((v) => fmt(Math.round(v))),
          },
        ],
        series: [
          { label: t('chart.date'), value: (_u, ts) => (ts == null ? '—' : formatBusinessDate(ts)) },
          ...props.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            fill: `${s.color}14`,
            // Always drawn: a day between two days without a report has no line to show it.
            points: { show: true, size: 5 },
            value: (_u: uPlot, v: number | null) => (v == null ? '—' : fmt(v)),
          })),
        ],
      },
      data,
      box,
    );
  };

  onMount(() => {
    const resize = new ResizeObserver(() => {
      if (plot && Math.abs(plot.width - box.clientWidth) > 1) {
        plot.setSize({ width: Math.max(box.clientWidth, 240), height: props.height ?? 220 });
      }
    });
    resize.observe(box);
    onCleanup(() => {
      resize.disconnect();
      plot?.destroy();
    });
  });
  // Tracks dates, series and format (the language shows through labels and formats).
  createEffect(build);

  return <div class="line-chart" ref={box} data-testid={props.testId} />;
}
