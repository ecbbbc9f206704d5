/**
 * Charts of the dashboard, drawn with Chart.js after hydration. The library is loaded
 * with a dynamic import, so it is not part of the page's first-load JavaScript; until
 * then (and without JavaScript) the figure shows a line pointing to the data table,
 * which every chart has right below it. Series differ by line style and point shape as
 * well as colour, and values are written in the axis labels: nothing relies on colour.
 */
import type * as ChartJs from 'chart.js';
import type { Chart } from 'chart.js';
import { useEffect, useRef } from 'react';
import { useT } from '~/i18n/use-t';

type ChartModule = typeof ChartJs;
type Build = (m: ChartModule, canvas: HTMLCanvasElement) => Chart;
let chartModule: Promise<ChartModule> | null = null;
function loadChart(): Promise<ChartModule> {
  chartModule ??= import('chart.js').then((m) => {
    m.Chart.register(...m.registerables);
    return m;
  });
  return chartModule;
}

const INK = '#1d2330';
const SERIES = [
  { color: '#0b4fa3', dash: [] as number[], point: 'circle' as const },
  { color: '#b3141b', dash: [6, 4], point: 'rectRot' as const },
  { color: '#1b5e20', dash: [2, 3], point: 'triangle' as const },
];

/** Draws the chart once the library is loaded; redraws only when the data (`key`) changes. */
function useChart(key: string, build: Build) {
  const ref = useRef<HTMLCanvasElement>(null);
  const buildRef = useRef(build);
  buildRef.current = build;
  useEffect(() => {
    let chart: Chart | undefined;
    let cancelled = false;
    void loadChart().then((m) => {
      if (!cancelled && ref.current) chart = buildRef.current(m, ref.current);
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [key]);
  return ref;
}

/** Horizontal bars: records at each step or beyond, the value in the label. */
export function FunnelChart({
  labels,
  values,
  title,
}: {
  labels: string[];
  values: number[];
  title: string;
}) {
  const t = useT();
  const key = JSON.stringify([labels, values]);
  const ref = useChart(
    key,
    (m, canvas) =>
      new m.Chart(canvas, {
        type: 'bar',
        data: {
          labels: labels.map((l, i) => `${l} (${values[i].toLocaleString('vi-VN')})`),
          datasets: [
            {
              label: title,
              data: values,
              backgroundColor: SERIES[0].color,
              borderColor: INK,
              borderWidth: 1,
            },
          ],
        },
        options: {
          indexAxis: 'y',
          animation: false,
          maintainAspectRatio: false,
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { color: INK } }, y: { ticks: { color: INK } } },
        },
      }),
  );
  return (
    <figure className="report-chart" style={{ height: `${Math.max(220, labels.length * 34)}px` }}>
      <canvas ref={ref} role="img" aria-label={title}>
        {t('reports.chart.loading')}
      </canvas>
    </figure>
  );
}

/** Lines by year, one per series, each with its own dash pattern and point shape. */
export function TrendChart({
  years,
  series,
  title,
}: {
  years: string[];
  series: { label: string; values: number[] }[];
  title: string;
}) {
  const t = useT();
  const key = JSON.stringify([years, series]);
  const ref = useChart(
    key,
    (m, canvas) =>
      new m.Chart(canvas, {
        type: 'line',
        data: {
          labels: years,
          datasets: series.map((s, i) => ({
            label: s.label,
            data: s.values,
            borderColor: SERIES[i % SERIES.length].color,
            backgroundColor: SERIES[i % SERIES.length].color,
            borderDash: SERIES[i % SERIES.length].dash,
            pointStyle: SERIES[i % SERIES.length].point,
            pointRadius: 6,
            borderWidth: 2,
          })),
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          plugins: { legend: { labels: { usePointStyle: true, color: INK } } },
          scales: {
            y: { beginAtZero: true, ticks: { color: INK, precision: 0 } },
            x: { ticks: { color: INK } },
          },
        },
      }),
  );
  return (
    <figure className="report-chart" style={{ height: '280px' }}>
      <canvas ref={ref} role="img" aria-label={title}>
        {t('reports.chart.loading')}
      </canvas>
    </figure>
  );
}
