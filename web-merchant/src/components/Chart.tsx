import { createEffect, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { dateSeconds, formatBusinessDate } from '../business-date';

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
  height?: number;
  testId?: string;
}) {
  let box!: HTMLDivElement;
  let plot: uPlot | undefined;

  const build = () => {
    plot?.destroy();
    const fmt = props.format;
    const data: uPlot.AlignedData = [props.dates.map(dateSeconds), ...props.series.map((s) => s.values)];
    plot = new uPlot(
      {
        width: Math.max(box.clientWidth, 240),
        height: props.height ?? 220,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
        axes: [
          {
            stroke: '#86909c',
            grid: { show: false },
            values: (_u, splits) => splits.map((s) => formatBusinessDate(s, true)),
          },
          {
            stroke: '#86909c',
            size: 72,
            grid: { stroke: '#eceef2' },
            values: (_u, splits) => splits.map((v) => fmt(Math.round(v))),
          },
        ],
        series: [
          { value: (_u, ts) => (ts == null ? '—' : formatBusinessDate(ts)) },
          ...props.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            fill: `${s.color}14`,
            points: { size: 5 },
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
