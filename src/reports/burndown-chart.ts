import type * as Echarts from 'echarts';
import type { Response } from 'express';
import { formatDate } from '../common/dates';
import { formatMoney } from '../common/money';
import type { BurndownHeadline, BurndownReport } from './burndown.service';

/**
 * The burn-down chart, rendered to an SVG string on the server with Apache ECharts' SSR mode: no
 * client JavaScript, and the page embeds it as an image from its own route, so every template output
 * stays escaped. It plots exactly the table's cents (the y axis only labels them in dollars).
 */

/**
 * ECharts takes a quarter of a second to load: loaded on the first chart drawn, not at start-up (most
 * processes, and every test file, never draw one).
 */
let loaded: typeof Echarts | undefined;
function echarts(): typeof Echarts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('echarts') as typeof Echarts;
  return loaded;
}

/**
 * A narrower canvas with larger type than before (960 × 400, 12 px): the image scales down to a
 * phone's width (about 360 px), where 12 px text on 960 became 4.5 px and unreadable; 16–20 px text
 * on 720 stays 8–10 px there, and full size on a laptop.
 */
export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 440;
/** Type sizes on the canvas, in px: large enough to read when the image is scaled to a phone. */
const FONT = { title: 22, legend: 17, axis: 17 } as const;

export const SERIES = {
  planned: 'Planned (cumulative)',
  actual: 'Actual (cumulative)',
  remaining: 'Remaining balance',
  obligated: 'Obligated to date',
} as const;

export interface ChartSeries {
  labels: string[];
  planned: number[];
  actual: (number | null)[];
  remaining: (number | null)[];
  obligated: number[];
}

/** The plotted values, in cents, straight from the table's rows (null after asOf). */
export function chartSeries(report: BurndownReport): ChartSeries {
  return {
    labels: report.rows.map((r) => r.label),
    planned: report.rows.map((r) => r.plannedCumCents),
    actual: report.rows.map((r) => r.actualCumCents),
    remaining: report.rows.map((r) => r.remainingCents),
    obligated: report.rows.map((r) => r.obligatedCents),
  };
}

/** `$1.25M`, `$250K`, `$900`: axis labels from cents. */
export function axisDollars(cents: number): string {
  const abs = Math.abs(cents);
  const sign = cents < 0 ? '-' : '';
  // Integer arithmetic on cents, rounded to the label's last digit, trailing zeros dropped.
  const label = (units: number, decimals: number) => {
    const scale = 10 ** decimals;
    const whole = Math.floor(units / scale);
    const fraction = String(units % scale)
      .padStart(decimals, '0')
      .replace(/0+$/, '');
    return fraction ? `${whole}.${fraction}` : `${whole}`;
  };
  if (abs >= 100_000_000) return `${sign}$${label(Math.round(abs / 1_000_000), 2)}M`;
  if (abs >= 100_000) return `${sign}$${label(Math.round(abs / 10_000), 1)}K`;
  return `${sign}$${label(abs, 2)}`;
}

/** The chart's full title: its `<title>`, the page's caption and the image's alt text. */
export const chartTitle = (report: BurndownReport): string =>
  `Burn-down, ${report.name}, as of ${formatDate(report.asOf)}`;

/**
 * The title drawn on the chart: short, so it fits the canvas whatever the name's length (a long
 * program name ran off the chart's edge). The name is in the caption beside it and in `<title>`.
 */
export const chartHeading = (report: BurndownReport): string =>
  `Burn-down as of ${formatDate(report.asOf)}`;

/** What the chart shows, in words: its `<desc>`, the image's caption and alt text. */
export function chartDescription(
  headline: Pick<
    BurndownHeadline,
    'asOf' | 'spentCents' | 'plannedToDateCents' | 'remainingCents' | 'obligatedCents'
  >,
): string {
  return (
    `Cumulative actual federal spending ${formatMoney(headline.spentCents)} through ${formatDate(headline.asOf)}, ` +
    `against ${formatMoney(headline.plannedToDateCents)} planned to date; ` +
    `remaining balance ${formatMoney(headline.remainingCents)} of ${formatMoney(headline.obligatedCents)} obligated.`
  );
}

export function chartOption(report: BurndownReport): Echarts.EChartsOption {
  const data = chartSeries(report);
  const line = { type: 'line' as const, connectNulls: false, symbolSize: 5 };
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'Source Sans Pro, Helvetica Neue, Helvetica, Arial, sans-serif' },
    title: {
      text: chartHeading(report),
      left: 8,
      top: 4,
      textStyle: { fontSize: FONT.title, color: '#1b1b1b' },
    },
    // Four entries do not fit one line at this size: two lines, the plot below them.
    legend: {
      top: 38,
      left: 8,
      right: 8,
      itemGap: 16,
      textStyle: { color: '#1b1b1b', fontSize: FONT.legend },
    },
    grid: { left: 84, right: 28, top: 112, bottom: 44 },
    xAxis: {
      type: 'category',
      data: data.labels,
      boundaryGap: false,
      // ECharts drops overlapping month labels; the larger type leaves fewer of them.
      axisLabel: { color: '#1b1b1b', fontSize: FONT.axis, hideOverlap: true },
    },
    yAxis: {
      type: 'value',
      axisLabel: {
        color: '#1b1b1b',
        fontSize: FONT.axis,
        formatter: (value: number) => axisDollars(value),
      },
    },
    // Told apart by dash pattern and marker as well as colour.
    series: [
      {
        ...line,
        name: SERIES.planned,
        data: data.planned,
        symbol: 'none',
        color: '#005ea2',
        lineStyle: { type: 'dashed', width: 2 },
      },
      {
        ...line,
        name: SERIES.actual,
        data: data.actual,
        symbol: 'circle',
        color: '#d54309',
        lineStyle: { width: 3 },
      },
      {
        ...line,
        name: SERIES.remaining,
        data: data.remaining,
        symbol: 'triangle',
        color: '#538200',
        lineStyle: { type: 'dotted', width: 2 },
      },
      {
        ...line,
        name: SERIES.obligated,
        data: data.obligated,
        step: 'end',
        symbol: 'none',
        color: '#1b1b1b',
        lineStyle: { width: 1.5 },
      },
    ],
  };
}

const escapeXml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/**
 * XML 1.0 forbids C0 controls (but tab, line feed and carriage return), lone surrogates and U+FFFE/F,
 * even as character references: a title holding one made the whole SVG invalid. Each becomes U+FFFD.
 */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
export const xmlCharacters = (text: string): string => text.replace(NOT_XML, '\uFFFD');

/**
 * The chart's own Content-Security-Policy. ECharts writes its text styles as style attributes, which
 * the app's policy (no inline styles) blocked when a chart was opened on its own: its legend fell on
 * top of the plot. An SVG served with this policy renders the same standalone as inside a page, and
 * still runs no script and loads nothing.
 */
export const CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'";

/** Sends a chart: SVG, with its own policy (CHART_CSP). */
export function sendChart(res: Response, svg: string): void {
  res.set('Content-Security-Policy', CHART_CSP).type('image/svg+xml').send(svg);
}

/**
 * zrender names the classes, clip paths and gradients of an SVG after a process-wide instance counter
 * (`zr3-cls-18`), so the same chart would differ from one request to the next. Renamed in order of
 * first appearance (`chart-cls-0`, `chart-c0`), the same report is the same bytes whenever it is drawn.
 */
export function stableIds(svg: string): string {
  const names = new Map<string, string>();
  const counts = new Map<string, number>();
  return svg.replace(/\bzr\d+-([a-z]+-?)\d+\b/g, (name: string, kind: string) => {
    let stable = names.get(name);
    if (stable === undefined) {
      const n = counts.get(kind) ?? 0;
      counts.set(kind, n + 1);
      stable = `chart-${kind}${n}`;
      names.set(name, stable);
    }
    return stable;
  });
}

/** The chart as a standalone SVG document, with a title and a description for assistive technology. */
export function renderBurndownSvg(report: BurndownReport): string {
  const chart = echarts().init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
  });
  try {
    chart.setOption(chartOption(report));
    const svg = stableIds(chart.renderToSVGString());
    const accessible =
      `<title id="burndown-title">${escapeXml(chartTitle(report))}</title>` +
      `<desc id="burndown-desc">${escapeXml(chartDescription(report.headline))}</desc>`;
    // A function, not a replacement string: "$1,000.00" in the text must not read as a group.
    return xmlCharacters(
      svg.replace(
        /^<svg\b([^>]*)>/,
        (_tag, attributes: string) =>
          `<svg${attributes} role="img" aria-labelledby="burndown-title burndown-desc">${accessible}`,
      ),
    );
  } finally {
    chart.dispose();
  }
}
