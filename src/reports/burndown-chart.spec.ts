import { buildRows, burnRate, planFlag, projectExhaustion } from './burndown.rules';
import {
  axisDollars,
  chartOption,
  chartSeries,
  renderBurndownSvg,
  SERIES,
  xmlCharacters,
} from './burndown-chart';
import type { BurndownReport } from './burndown.service';

/** A four-month grant report as the service would return it, named `name`. */
function report(name: string): BurndownReport {
  const asOf = '2025-02-14';
  const rows = buildRows(
    ['2025-01', '2025-02', '2025-03', '2025-04'],
    {
      obligated: new Map([['2025-01', 100_000_00]]),
      planned: new Map([
        ['2025-01', 20_000_00],
        ['2025-02', 25_000_00],
        ['2025-03', 25_000_00],
        ['2025-04', 30_000_00],
      ]),
      actual: new Map([
        ['2025-01', 18_500_25],
        ['2025-02', 4_000_00],
      ]),
    },
    asOf,
  );
  const rate = burnRate(rows, asOf);
  return {
    scope: 'grant',
    id: 7,
    name,
    asOf,
    startDate: '2025-01-01',
    endDate: '2025-04-30',
    rows,
    headline: {
      asOf,
      endDate: '2025-04-30',
      obligatedCents: 100_000_00,
      spentCents: 22_500_25,
      remainingCents: 77_499_75,
      plannedToDateCents: 32_500_00,
      burnRate: rate,
      projection: projectExhaustion(77_499_75, rate, asOf, '2025-04-30'),
      flag: planFlag(22_500_25, 32_500_00),
    },
  };
}

describe('burn-down chart', () => {
  it('should plot the table’s cents: planned, actual and remaining up to asOf, obligated as a step', () => {
    const sut = chartOption(report('DE-SC0000007 — Test')) as {
      animation: boolean;
      xAxis: { data: string[] };
      series: { name: string; data: (number | null)[]; step?: string }[];
    };
    expect(sut.animation).toBe(false);
    expect(sut.xAxis.data).toEqual(['Jan 2025', 'Feb 2025', 'Mar 2025', 'Apr 2025']);
    expect(sut.series.map((s) => [s.name, s.data])).toEqual([
      [SERIES.planned, [20_000_00, 45_000_00, 70_000_00, 100_000_00]],
      [SERIES.actual, [18_500_25, 22_500_25, null, null]],
      [SERIES.remaining, [81_499_75, 77_499_75, null, null]],
      [SERIES.obligated, [100_000_00, 100_000_00, 100_000_00, 100_000_00]],
    ]);
    expect(sut.series.find((s) => s.name === SERIES.obligated)?.step).toBe('end');
    expect(chartSeries(report('x')).actual).toEqual([18_500_25, 22_500_25, null, null]);
  });

  it('should label the axis in dollars from cents', () => {
    expect(axisDollars(0)).toBe('$0');
    expect(axisDollars(90_000)).toBe('$900');
    expect(axisDollars(25_000_000)).toBe('$250K');
    expect(axisDollars(125_000_000)).toBe('$1.25M');
    expect(axisDollars(-50_000_00)).toBe('-$50K');
  });

  it('should render an SVG document with an escaped title and description', () => {
    const svg = renderBurndownSvg(report('DE-SC0000007 — <Fe & "Co">'));
    expect(svg.startsWith('<svg ')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain(
      '<title id="burndown-title">Burn-down, DE-SC0000007 — &lt;Fe &amp; &quot;Co&quot;&gt;, as of Feb 14, 2025</title>',
    );
    expect(svg).toContain(
      '<desc id="burndown-desc">Cumulative actual federal spending $22,500.25 through Feb 14, 2025, against $32,500.00 planned to date; remaining balance $77,499.75 of $100,000.00 obligated.</desc>',
    );
    expect(svg).not.toContain('<Fe');
    // Drawn on the chart: a short title that fits; the name is in <title> and the page's caption.
    expect(svg).toContain('>Burn-down as of Feb 14, 2025</text>');
    expect(svg.match(/<text\b[^>]*>[^<]*<\/text>/g)?.join('')).not.toContain('DE-SC0000007');
    for (const name of Object.values(SERIES)) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain('>$100K</text>'); // the axis, in dollars from cents
  });

  it('should replace every character XML forbids, wherever the text comes from', () => {
    const forbidden = [
      ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter(
        (c) => !'\t\n\r'.includes(c),
      ),
      // Lone surrogates (low before high, so the two do not make a pair).
      '\uDFFF',
      '\uD800',
      '\uFFFE',
      '\uFFFF',
    ];
    const svg = renderBurndownSvg(report(`DE-SC0000007 ${forbidden.join('')} \u{1F600}`));
    // The XML 1.0 Char production: anything outside it makes the document unparsable.
    expect(svg).toMatch(/^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u);
    expect(svg).toContain(`DE-SC0000007 ${'\uFFFD'.repeat(forbidden.length)} \u{1F600}`);
    expect(xmlCharacters('a\u0001b\tc')).toBe('a\uFFFDb\tc');
  });
});
