/**
 * Charts of the dashboard, drawn with Chart.js after hydration. The library is loaded
 * with a dynamic import, so it is not part of the page's first-load JavaScript; until
 * then (and without JavaScript) the figure shows a line pointing to the data table,
 * which every chart has right below it. Series differ by line style and point shape as
 * well as colour, and values are written in the axis labels: nothing relies on colour.
 *
 * Content Security Policy: the page allows no inline style (no 'unsafe-inline' in
 * style-src). Chart.js 4 sizes its canvas through the CSSOM (`canvas.style.x = …`), which
 * CSP does not govern, and injects no stylesheet; a `style="…"` attribute in the server's
 * HTML, however, is blocked. So the figure's height is set the same way, in `useChart`,
 * and the stylesheet gives the server-rendered figure a close default.
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

/** Narrower than this (CSS px of canvas), the funnel's labels wrap onto short lines. */
const NARROW = 520;

/**
 * Breaks a label into lines of at most `max` characters at spaces (a longer word keeps
 * its own line): Chart.js draws an array of strings as a multi-line tick label.
 */
export function wrapLabel(text: string, max: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= max) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.length ? lines : [text];
}

/**
 * Draws the chart once the library is loaded; redraws only when the data (`key`) changes.
 * `height` (CSS px) is set on the figure through the CSSOM, never as a style attribute.
 */
function useChart(key: string, height: number, build: Build) {
  const ref = useRef<HTMLCanvasElement>(null);
  const buildRef = useRef(build);
  buildRef.current = build;
  useEffect(() => {
    let chart: Chart | undefined;
    let cancelled = false;
    const figure = ref.current?.parentElement;
    if (figure) figure.style.height = `${height}px`;
    void loadChart().then((m) => {
      if (!cancelled && ref.current) chart = buildRef.current(m, ref.current);
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [key, height]);
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
  const texts = labels.map((l, i) => `${l} (${values[i].toLocaleString('vi-VN')})`);
  // Every bar keeps its label (no auto-skipping); on a narrow screen the labels wrap.
  const tickLabels = (width: number) => texts.map((l) => wrapLabel(l, width < NARROW ? 16 : 40));
  const ref = useChart(
    key,
    Math.max(220, labels.length * 40),
    (m, canvas) =>
      new m.Chart(canvas, {
        type: 'bar',
        data: {
          labels: tickLabels(canvas.parentElement?.clientWidth ?? NARROW),
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
          // Called before the resized chart is updated, so new labels are drawn with it.
          onResize: (chart, size) => {
            chart.data.labels = tickLabels(size.width);
          },
          plugins: { legend: { display: false } },
          scales: {
            x: { beginAtZero: true, ticks: { color: INK } },
            y: { ticks: { color: INK, autoSkip: false } },
          },
        },
      }),
  );
  return (
    <figure className="report-chart report-chart-funnel">
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
    280,
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
    <figure className="report-chart">
      <canvas ref={ref} role="img" aria-label={title}>
        {t('reports.chart.loading')}
      </canvas>
    </figure>
  );
}
