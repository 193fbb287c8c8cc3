import { Clock } from '../src/common/clock';
import { addDays, formatDate } from '../src/common/dates';
import { formatMoney } from '../src/common/money';
import { chartOption, SERIES } from '../src/reports/burndown-chart';
import { BurndownService } from '../src/reports/burndown.service';
import {
  makeAmendment,
  makeBudgetPeriods,
  makeExpenditure,
  makeGrant,
  makeGrantWithProgram,
  makePlannedSpend,
  spend,
} from './helpers/factories';
import { freshAppPerTest, TestApp } from './helpers/test-app';

/** Text with tags removed, entities decoded and white space collapsed. */
const plain = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#x3D;/g, '=')
    .replace(/\s+/g, ' ')
    .trim();

/** Entities decoded, markup kept (Handlebars escapes `=` in attribute values as `&#x3D;`). */
const decoded = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

/** The cells of one month's row of the burn-down table, `sr-only` placeholders read as blank. */
function monthRow(html: string, month: string): string[] {
  const match = new RegExp(`<tr data-month="${month}"[^>]*>([\\s\\S]*?)</tr>`).exec(html);
  if (!match) throw new Error(`No row for ${month}`);
  return [...match[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) =>
    plain(cell[1].replace(/<span class="usa-sr-only">[^<]*<\/span>/g, '')),
  );
}

/** The text of the element with that data-testid. */
function byTestId(html: string, id: string): string {
  const match = new RegExp(`data-testid="${id}"[^>]*>([\\s\\S]*?)</(dd|div|span|figcaption)>`).exec(
    html,
  );
  if (!match) throw new Error(`Nothing with data-testid="${id}"`);
  return plain(match[1]);
}

/** The HTML of a whole element opened with that data-testid (sections do not nest here). */
function section(html: string, id: string): string {
  const start = html.indexOf(`data-testid="${id}"`);
  if (start < 0) throw new Error(`No section ${id}`);
  return html.slice(start, html.indexOf('</section>', start));
}

/** Tags open and close in order, one root `<svg>`: enough to know a browser will parse it. */
function assertWellFormedSvg(svg: string): void {
  const body = svg.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  expect(body.trimStart().startsWith('<svg')).toBe(true);
  expect(body.trimEnd().endsWith('</svg>')).toBe(true);
  const stack: string[] = [];
  let roots = 0;
  for (const [tag, closing, name, selfClosing] of body.matchAll(
    /<(\/?)([A-Za-z][\w:.-]*)(?:\s+[\w:.-]+="[^"<]*")*\s*(\/?)>/g,
  )) {
    if (closing) {
      expect({ tag, open: stack.pop() }).toEqual({ tag, open: name });
    } else if (!selfClosing) {
      if (stack.length === 0) roots += 1;
      stack.push(name);
    }
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
  // No stray markup characters outside tags (text is escaped).
  expect(body.replace(/<[^>]*>/g, '')).not.toMatch(/[<>]/);
}

const AS_OF = '2025-08-15';

/**
 * Two grants of one program, and a grant of another program that must never count. Every figure the
 * tests expect is worked out by hand in the comments from these rows.
 */
async function fixture(t: TestApp) {
  const { program, recipient, grant } = await makeGrantWithProgram(
    t,
    { name: 'Burn-down Program', startDate: '2025-01-01', endDate: '2027-12-31' },
    {
      awardNumber: 'DE-SC0000101',
      title: 'Fly ash leaching',
      startDate: '2025-01-01',
      endDate: '2025-12-31',
    },
  );
  await makeBudgetPeriods(t, grant.id, [
    { startDate: '2025-01-01', endDate: '2025-06-30' },
    { startDate: '2025-07-01', endDate: '2025-12-31' },
  ]);
  await makeAmendment(t, {
    grantId: grant.id,
    federalChangeCents: 600_000_00,
    effectiveDate: '2025-01-01',
  });
  await makeAmendment(t, {
    grantId: grant.id,
    federalChangeCents: 400_000_00,
    effectiveDate: '2025-07-15', // mid-way: obligated from July on
  });
  await makeAmendment(t, {
    grantId: grant.id,
    federalChangeCents: 100_000_00,
    effectiveDate: '2025-09-01', // after AS_OF: never counts for it
  });
  const months = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => `2025-${String(from + i).padStart(2, '0')}`);
  await makePlannedSpend(t, grant.id, [
    // Federal: Jan–Jun 50,000 a month, Mar +12,000 supplies, Jul–Dec 70,000 a month.
    ...months(1, 6).map((m) => [1, 'personnel', m, 50_000_00, 12_500_00] as const),
    [1, 'supplies', '2025-03', 12_000_00, 0],
    ...months(7, 12).map((m) => [2, 'personnel', m, 70_000_00, 10_000_00] as const),
  ] as [number, 'personnel' | 'supplies', string, number, number][]);

  await spend(t, grant.id, '2025-01-15', 45_000_00);
  await spend(t, grant.id, '2025-02-10', 52_000_00);
  await spend(t, grant.id, '2025-02-20', 3_000_00, { category: 'supplies' });
  await spend(t, grant.id, '2025-03-05', 48_000_00);
  await spend(t, grant.id, '2025-03-25', 14_000_00, { category: 'supplies' });
  const mistake = await spend(t, grant.id, '2025-04-12', 50_000_00);
  await spend(t, grant.id, '2025-04-12', -50_000_00, {
    reversalOf: mistake.id,
    recordedOn: '2025-04-20',
  });
  await spend(t, grant.id, '2025-04-14', 49_500_00, { recordedOn: '2025-04-20' });
  await spend(t, grant.id, '2025-05-20', 51_000_00);
  await spend(t, grant.id, '2025-05-05', 20_000_00, { share: 'cost_share' }); // never federal
  await spend(t, grant.id, '2025-06-10', 55_250_50);
  await spend(t, grant.id, '2025-07-22', 68_000_00, { budgetPeriod: 2 });
  await spend(t, grant.id, '2025-08-10', 30_000_00, { budgetPeriod: 2, recordedOn: '2025-08-12' });
  // Recorded the day after AS_OF, incurred before it: not known on AS_OF.
  await spend(t, grant.id, '2025-08-05', 9_999_00, { budgetPeriod: 2, recordedOn: '2025-08-16' });
  // Incurred after AS_OF.
  await spend(t, grant.id, '2025-08-20', 7_777_00, { budgetPeriod: 2, recordedOn: '2025-08-21' });

  const second = await makeGrant(t, {
    programId: program.id,
    recipientId: recipient.id,
    awardNumber: 'DE-SC0000102',
    title: 'Magnet recycling',
    startDate: '2025-03-01',
    endDate: '2026-02-28',
  });
  await makeBudgetPeriods(t, second.id, [{ startDate: '2025-03-01', endDate: '2026-02-28' }]);
  await makeAmendment(t, {
    grantId: second.id,
    federalChangeCents: 200_000_00,
    effectiveDate: '2025-03-01',
  });
  await makePlannedSpend(t, second.id, [
    // 10,000 a month Mar–Aug 2025, 15,000 a month Sep 2025 – Feb 2026.
    ...months(3, 8).map((m) => [1, 'equipment', m, 10_000_00, 0] as const),
    ...[...months(9, 12), '2026-01', '2026-02'].map(
      (m) => [1, 'equipment', m, 15_000_00, 0] as const,
    ),
  ] as [number, 'equipment', string, number, number][]);
  await spend(t, second.id, '2025-03-10', 20_000_00, { category: 'equipment' });
  await spend(t, second.id, '2025-04-01', 9_000_00, { share: 'cost_share' });
  await spend(t, second.id, '2025-04-10', 20_000_00, { category: 'equipment' });
  await spend(t, second.id, '2025-06-01', 25_000_00, { category: 'equipment' });
  await spend(t, second.id, '2025-08-01', 5_000_00, { category: 'equipment' });

  const { grant: elsewhere } = await makeGrantWithProgram(
    t,
    { name: 'Another Program' },
    { startDate: '2025-01-01', endDate: '2025-12-31' },
  );
  await makeAmendment(t, {
    grantId: elsewhere.id,
    federalChangeCents: 900_000_00,
    effectiveDate: '2025-01-01',
  });
  await makePlannedSpend(t, elsewhere.id, [[1, 'personnel', '2025-05', 77_000_00, 0]]);
  await spend(t, elsewhere.id, '2025-05-02', 333_000_00);

  return { program, grant, second, elsewhere };
}

describe('Burn-down reports (HTTP)', () => {
  const t = freshAppPerTest();

  describe('a grant', () => {
    it('should show every figure of the months to the cent, and blank actuals after asOf', async () => {
      const { grant } = await fixture(t);
      const res = await t.http().get(`/grants/${grant.id}/burndown?asOf=${AS_OF}`);
      expect(res.status).toBe(200);
      const html = res.text;
      // Month | obligated | planned | planned cum. | actual | actual cum. | remaining | variance | %
      expect(monthRow(html, '2025-01')).toEqual([
        'Jan 2025',
        '$600,000.00',
        '$50,000.00',
        '$50,000.00',
        '$45,000.00',
        '$45,000.00',
        '$555,000.00',
        '-$5,000.00',
        '-10.0%',
      ]);
      // 50,000 + 12,000 planned; 48,000 + 14,000 spent: exactly on plan.
      expect(monthRow(html, '2025-03')).toEqual([
        'Mar 2025',
        '$600,000.00',
        '$62,000.00',
        '$162,000.00',
        '$62,000.00',
        '$162,000.00',
        '$438,000.00',
        '$0.00',
        '0.0%',
      ]);
      // 50,000 reversed, 49,500 instead: -500 / 212,000 = -0.24 %.
      expect(monthRow(html, '2025-04')).toEqual([
        'Apr 2025',
        '$600,000.00',
        '$50,000.00',
        '$212,000.00',
        '$49,500.00',
        '$211,500.00',
        '$388,500.00',
        '-$500.00',
        '-0.2%',
      ]);
      // The cost-share entry of May does not count; 262,500 - 262,000 = 500 → +0.19 %.
      expect(monthRow(html, '2025-05')).toEqual([
        'May 2025',
        '$600,000.00',
        '$50,000.00',
        '$262,000.00',
        '$51,000.00',
        '$262,500.00',
        '$337,500.00',
        '$500.00',
        '+0.2%',
      ]);
      // The 400,000 amendment of July 15 counts from July.
      expect(monthRow(html, '2025-07')).toEqual([
        'Jul 2025',
        '$1,000,000.00',
        '$70,000.00',
        '$382,000.00',
        '$68,000.00',
        '$385,750.50',
        '$614,249.50',
        '$3,750.50',
        '+1.0%',
      ]);
      // Only the 30,000 entry: the one recorded Aug 16 and the one incurred Aug 20 are after asOf.
      expect(monthRow(html, '2025-08')).toEqual([
        'Aug 2025',
        '$1,000,000.00',
        '$70,000.00',
        '$452,000.00',
        '$30,000.00',
        '$415,750.50',
        '$584,249.50',
        '-$36,249.50',
        '-8.0%',
      ]);
      // After asOf: the asOf obligation (not the September amendment), the plan, blank actuals.
      expect(monthRow(html, '2025-09')).toEqual([
        'Sep 2025',
        '$1,000,000.00',
        '$70,000.00',
        '$522,000.00',
        '',
        '',
        '',
        '',
        '',
      ]);
      expect(monthRow(html, '2025-12')[3]).toBe('$732,000.00');
      expect(html).not.toContain('data-month="2024-12"');
      expect(html).not.toContain('data-month="2026-01"');
    });

    it('should show the headline as of the date: spent, remaining, burn rate, projection, flag', async () => {
      const { grant } = await fixture(t);
      const html = (await t.http().get(`/grants/${grant.id}/burndown?asOf=${AS_OF}`)).text;
      expect(byTestId(html, 'obligated')).toBe('$1,000,000.00');
      expect(byTestId(html, 'spent')).toBe('$415,750.50');
      expect(byTestId(html, 'remaining')).toBe('$584,249.50');
      // 382,000 through July + 70,000 × 15/31 = 33,870.97.
      expect(byTestId(html, 'planned-to-date')).toBe('$415,870.97');
      // (51,000 + 55,250.50 + 68,000) / 3.
      expect(byTestId(html, 'burn-rate')).toBe('$58,083.50 a month');
      expect(byTestId(html, 'burn-rate-note')).toBe(
        'Average of the last 3 complete months (May 2025 – Jul 2025).',
      );
      // ceil(584,249.50 / 58,083.50) = 11 months after August 2025.
      expect(byTestId(html, 'projection')).toBe(
        'Lasts past the end date (Dec 31, 2025): at this rate it would run out in Jul 2026.',
      );
      expect(byTestId(html, 'flag')).toBe('On plan');
      expect(byTestId(html, 'flag-text')).toBe('On plan: within 10 % (0.0%).');
      expect(byTestId(html, 'variance-to-date')).toBe('-$120.47');
      expect(html).toContain('How these figures are computed');
      expect(html).toContain('more than 10 % above the plan to date');
    });

    it('should count an entry from the end of the day it was recorded', async () => {
      const { grant } = await fixture(t);
      const html = (await t.http().get(`/grants/${grant.id}/burndown?asOf=2025-08-31`)).text;
      // + 9,999 (recorded Aug 16) + 7,777 (incurred Aug 20); the September amendment still not.
      expect(monthRow(html, '2025-08').slice(1, 7)).toEqual([
        '$1,000,000.00',
        '$70,000.00',
        '$452,000.00',
        '$47,776.00',
        '$433,526.50',
        '$566,473.50',
      ]);
      expect(byTestId(html, 'burn-rate-note')).toBe(
        'Average of the last 3 complete months (Jun 2025 – Aug 2025).',
      );
    });

    it('should flag a grant that spends more than 10 % ahead of its plan', async () => {
      const { second } = await fixture(t);
      const html = (await t.http().get(`/grants/${second.id}/burndown?asOf=${AS_OF}`)).text;
      // Spent 70,000; planned 50,000 (Mar–Jul) + 10,000 × 15/31 = 54,838.71; +15,161.29 = +27.6 %.
      expect(byTestId(html, 'spent')).toBe('$70,000.00');
      expect(byTestId(html, 'planned-to-date')).toBe('$54,838.71');
      expect(byTestId(html, 'flag')).toBe('Over-spending');
      expect(byTestId(html, 'flag-text')).toBe('Over-spending: ahead of plan by 27.6%.');
      // May 0, June 25,000, July 0.
      expect(byTestId(html, 'burn-rate')).toBe('$8,333.33 a month');
    });

    it('should say so when fewer than three months of history exist', async () => {
      const { second } = await fixture(t);
      const html = (await t.http().get(`/grants/${second.id}/burndown?asOf=2025-05-20`)).text;
      // March and April are complete: (20,000 + 20,000) / 2; the cost-share entry does not count.
      expect(byTestId(html, 'burn-rate')).toBe('$20,000.00 a month');
      expect(byTestId(html, 'burn-rate-note')).toBe(
        'Average of only 2 complete months (Mar 2025 – Apr 2025): fewer than 3 months of history.',
      );
      // ceil(160,000 / 20,000) = 8 months after May 2025 = January 2026, a month before the end.
      expect(byTestId(html, 'projection')).toBe(
        'Runs out in Jan 2026, 1 month before the end date (Feb 28, 2026).',
      );
    });

    it('should serve the chart as well-formed SVG with the series, a title and the page’s description', async () => {
      const { grant } = await fixture(t);
      const page = await t.http().get(`/grants/${grant.id}/burndown?asOf=${AS_OF}`);
      const res = await t
        .http()
        .get(`/grants/${grant.id}/burndown.svg?asOf=${AS_OF}`)
        .buffer(true)
        .parse((r, done) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (chunk: string) => (text += chunk));
          r.on('end', () => done(null, text));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
      // Opened on its own, the chart may use the style attributes ECharts writes, and nothing else.
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'",
      );
      expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
      const svg = res.body as string;
      assertWellFormedSvg(svg);
      for (const name of Object.values(SERIES)) expect(svg).toContain(`>${name}</text>`);
      expect(svg).toContain(
        '<title id="burndown-title">Burn-down, DE-SC0000101 — Fly ash leaching, as of Aug 15, 2025</title>',
      );
      const description =
        'Cumulative actual federal spending $415,750.50 through Aug 15, 2025, against $415,870.97 planned to date; remaining balance $584,249.50 of $1,000,000.00 obligated.';
      expect(svg).toContain(`<desc id="burndown-desc">${description}</desc>`);
      expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="burndown-title burndown-desc"/);
      expect(byTestId(page.text, 'chart-caption')).toContain(description);
      expect(decoded(page.text)).toContain(
        `<img src="/grants/${grant.id}/burndown.svg?asOf=${AS_OF}"`,
      );
    });

    it('should plot exactly the numbers of the table', async () => {
      const { grant } = await fixture(t);
      const html = (await t.http().get(`/grants/${grant.id}/burndown?asOf=${AS_OF}`)).text;
      const report = await t.app.get(BurndownService).grantReport(grant.id, AS_OF);
      const option = chartOption(report) as {
        xAxis: { data: string[] };
        series: { name: string; data: (number | null)[] }[];
      };
      const series = Object.fromEntries(option.series.map((s) => [s.name, s.data]));
      const months = [...html.matchAll(/<tr data-month="(\d{4}-\d{2})"/g)].map((m) => m[1]);
      expect(months).toHaveLength(12);
      expect(option.xAxis.data).toEqual(months.map((m) => monthRow(html, m)[0]));
      const shown = (cents: number | null) => (cents === null ? '' : formatMoney(cents));
      months.forEach((month, i) => {
        const cells = monthRow(html, month);
        expect({
          month,
          obligated: shown(series[SERIES.obligated][i]),
          planned: shown(series[SERIES.planned][i]),
          actual: shown(series[SERIES.actual][i]),
          remaining: shown(series[SERIES.remaining][i]),
        }).toEqual({
          month,
          obligated: cells[1],
          planned: cells[3],
          actual: cells[5],
          remaining: cells[6],
        });
      });
      expect(series[SERIES.actual].slice(7)).toEqual([415_750_50, null, null, null, null]);
    });

    it('should refuse a malformed asOf with 400 and answer 404 for an unknown grant', async () => {
      const { grant } = await fixture(t);
      for (const path of [`/grants/${grant.id}/burndown`, `/grants/${grant.id}/burndown.svg`]) {
        for (const asOf of ['2025-02-30', '15/08/2025', 'yesterday']) {
          const bad = await t.http().get(`${path}?asOf=${encodeURIComponent(asOf)}`);
          expect({ path, asOf, status: bad.status }).toEqual({ path, asOf, status: 400 });
          expect(bad.text).toContain('asOf must be a real date as YYYY-MM-DD');
        }
      }
      for (const path of ['/grants/999999/burndown', '/grants/999999/burndown.svg']) {
        const missing = await t.http().get(path);
        expect(missing.status).toBe(404);
        expect(missing.text).toContain('Grant 999999 does not exist.');
      }
      expect((await t.http().get('/grants/abc/burndown')).status).toBe(404);
    });
  });

  describe('the program', () => {
    it('should add up the program’s grants by month, and no other program’s', async () => {
      await fixture(t);
      const res = await t.http().get(`/reports/burndown?asOf=${AS_OF}`); // the first program
      expect(res.status).toBe(200);
      const html = res.text;
      expect(html).toContain('Burn-down Program');
      // From the first grant's start (Jan 2025) to the second's end (Feb 2026), across the year.
      const months = [...html.matchAll(/<tr data-month="(\d{4}-\d{2})"/g)].map((m) => m[1]);
      expect(months[0]).toBe('2025-01');
      expect(months[months.length - 1]).toBe('2026-02');
      expect(months).toHaveLength(14);
      expect(monthRow(html, '2025-01')).toEqual([
        'Jan 2025',
        '$600,000.00',
        '$50,000.00',
        '$50,000.00',
        '$45,000.00',
        '$45,000.00',
        '$555,000.00',
        '-$5,000.00',
        '-10.0%',
      ]);
      // + the second grant's 200,000, 10,000 planned, 20,000 spent: 10,000 / 172,000 = 5.81 %.
      expect(monthRow(html, '2025-03')).toEqual([
        'Mar 2025',
        '$800,000.00',
        '$72,000.00',
        '$172,000.00',
        '$82,000.00',
        '$182,000.00',
        '$618,000.00',
        '$10,000.00',
        '+5.8%',
      ]);
      expect(monthRow(html, '2025-07')).toEqual([
        'Jul 2025',
        '$1,200,000.00',
        '$80,000.00',
        '$432,000.00',
        '$68,000.00',
        '$450,750.50',
        '$749,249.50',
        '$18,750.50',
        '+4.3%',
      ]);
      expect(monthRow(html, '2025-08')).toEqual([
        'Aug 2025',
        '$1,200,000.00',
        '$80,000.00',
        '$512,000.00',
        '$35,000.00',
        '$485,750.50',
        '$714,249.50',
        '-$26,249.50',
        '-5.1%',
      ]);
      // 732,000 for the first grant; 6 × 10,000 + 6 × 15,000 for the second.
      expect(monthRow(html, '2026-02')).toEqual([
        'Feb 2026',
        '$1,200,000.00',
        '$15,000.00',
        '$882,000.00',
        '',
        '',
        '',
        '',
        '',
      ]);

      expect(byTestId(html, 'obligated')).toBe('$1,200,000.00');
      expect(byTestId(html, 'spent')).toBe('$485,750.50');
      expect(byTestId(html, 'remaining')).toBe('$714,249.50');
      // 415,870.97 + 54,838.71, each grant prorated on its own.
      expect(byTestId(html, 'planned-to-date')).toBe('$470,709.68');
      // (51,000 + 80,250.50 + 68,000) / 3 = 66,416.8333…
      expect(byTestId(html, 'burn-rate')).toBe('$66,416.83 a month');
      // ceil(714,249.50 × 3 / 199,250.50) = ceil(10.75) = 11 months after August 2025.
      expect(byTestId(html, 'projection')).toBe(
        'Lasts past the end date (Feb 28, 2026): at this rate it would run out in Jul 2026.',
      );
      expect(byTestId(html, 'flag-text')).toBe('On plan: within 10 % (+3.2%).');
      expect(byTestId(html, 'variance-to-date')).toBe('$15,040.82');
      expect(html).toContain('DE-SC0000101</a></span> — Fly ash leaching');
    });

    it('should choose the program by programId and serve its chart', async () => {
      const { elsewhere } = await fixture(t);
      const html = (
        await t.http().get(`/reports/burndown?programId=${elsewhere.programId}&asOf=${AS_OF}`)
      ).text;
      expect(html).toContain('Another Program');
      expect(byTestId(html, 'spent')).toBe('$333,000.00');
      expect(monthRow(html, '2025-05').slice(2, 6)).toEqual([
        '$77,000.00',
        '$77,000.00',
        '$333,000.00',
        '$333,000.00',
      ]);
      expect(decoded(html)).toContain(
        `<img src="/reports/burndown.svg?asOf=${AS_OF}&programId=${elsewhere.programId}"`,
      );
      const svg = await t
        .http()
        .get(`/reports/burndown.svg?asOf=${AS_OF}&programId=${elsewhere.programId}`)
        .buffer(true)
        .parse((r, done) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (chunk: string) => (text += chunk));
          r.on('end', () => done(null, text));
        });
      expect(svg.status).toBe(200);
      assertWellFormedSvg(svg.body as string);
      expect(svg.body as string).toContain('Cumulative actual federal spending $333,000.00');
    });

    it('should answer 400 for a malformed asOf or programId and 404 for an unknown program', async () => {
      await fixture(t);
      const bad = await t.http().get('/reports/burndown?asOf=2025-13-01');
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('asOf must be a real date as YYYY-MM-DD');
      expect((await t.http().get('/reports/burndown.svg?asOf=2025-1-1')).status).toBe(400);
      expect((await t.http().get('/reports/burndown?programId=first')).status).toBe(400);
      const missing = await t.http().get('/reports/burndown?programId=999999');
      expect(missing.status).toBe(404);
      expect(missing.text).toContain('Program 999999 does not exist.');
    });

    it('should let an auditor read both reports and charts', async () => {
      const { grant } = await fixture(t);
      const auditor = await t.as('auditor');
      for (const path of [
        '/reports/burndown',
        '/reports/burndown.svg',
        `/grants/${grant.id}/burndown`,
        `/grants/${grant.id}/burndown.svg`,
      ]) {
        expect({ path, status: (await auditor.get(path)).status }).toEqual({ path, status: 200 });
      }
      const page = await auditor.get(`/grants/${grant.id}/burndown?asOf=${AS_OF}`);
      expect(byTestId(page.text, 'spent')).toBe('$415,750.50');
    });
  });

  describe('the dashboard', () => {
    it('should show the program chart and each grant’s burn, agreeing with the reports to the cent', async () => {
      const { program, grant, second } = await fixture(t);
      const today = t.app.get(Clock).today();
      const res = await t.http().get('/');
      expect(res.status).toBe(200);
      const html = res.text;
      // As of today every fixture entry counts and every plan month is past:
      // first grant 433,526.50 of 1,100,000.00 spent (39.4 %), 732,000.00 planned (-40.8 %);
      // second 70,000.00 of 200,000.00 (35.0 %), 150,000.00 planned (-53.3 %).
      expect(plain(section(html, `burn-${grant.id}`).split('</td>')[0])).toContain(
        '39.4% of obligated spent Behind plan by 40.8%',
      );
      expect(html).toContain(`<meter min="0" max="100" value="39"`);
      expect(plain(section(html, `burn-${second.id}`).split('</td>')[0])).toContain(
        '35.0% of obligated spent Behind plan by 53.3%',
      );
      expect(html).toContain(`<a href="/grants/${grant.id}/burndown"`);
      expect(decoded(html)).toContain(
        `<img src="/reports/burndown.svg?programId=${program.id}&asOf=${today}"`,
      );
      const caption = byTestId(html, 'program-chart-caption');
      expect(caption).toContain(
        'Cumulative actual federal spending $503,526.50 through ' +
          `${formatDate(today)}, against $882,000.00 planned to date; ` +
          'remaining balance $796,473.50 of $1,300,000.00 obligated.',
      );

      const report = (await t.http().get(`/reports/burndown?programId=${program.id}`)).text;
      expect(byTestId(report, 'spent')).toBe('$503,526.50');
      expect(byTestId(report, 'planned-to-date')).toBe('$882,000.00');
      expect(byTestId(report, 'remaining')).toBe('$796,473.50');
    });
  });

  describe('bitemporal asOf', () => {
    it('should leave yesterday’s report unchanged when an entry back-dated to last month is recorded today', async () => {
      const today = t.app.get(Clock).today();
      const yesterday = addDays(today, -1);
      const lastMonth = `${addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7)}-01`;
      const start = `${addDays(lastMonth, -150).slice(0, 7)}-01`;
      const { grant } = await makeGrantWithProgram(
        t,
        {},
        { startDate: start, endDate: addDays(today, 400) },
      );
      await makeAmendment(t, {
        grantId: grant.id,
        federalChangeCents: 500_000_00,
        effectiveDate: start,
      });
      await spend(t, grant.id, start, 12_345_67);
      await spend(t, grant.id, lastMonth, 1_000_00, { recordedOn: lastMonth });

      const report = async (asOf: string) => {
        const res = await t.http().get(`/grants/${grant.id}/burndown?asOf=${asOf}`);
        expect(res.status).toBe(200);
        return res.text;
      };
      const yesterdayBefore = await report(yesterday);
      const todayBefore = await report(today);

      await makeExpenditure(t, {
        grantId: grant.id,
        incurredOn: lastMonth,
        amountCents: 4_321_00,
        recordedAt: new Date().toISOString(),
        recordedOn: today,
      });

      const yesterdayAfter = await report(yesterday);
      expect(section(yesterdayAfter, 'burndown-section')).toBe(
        section(yesterdayBefore, 'burndown-section'),
      );
      expect(section(yesterdayAfter, 'burndown-headline')).toBe(
        section(yesterdayBefore, 'burndown-headline'),
      );
      expect(byTestId(yesterdayAfter, 'spent')).toBe('$13,345.67');

      const todayAfter = await report(today);
      expect(section(todayAfter, 'burndown-section')).not.toBe(
        section(todayBefore, 'burndown-section'),
      );
      expect(byTestId(todayAfter, 'spent')).toBe('$17,666.67');
      expect(monthRow(todayAfter, lastMonth.slice(0, 7))[4]).toBe('$5,321.00');
      expect(monthRow(yesterdayAfter, lastMonth.slice(0, 7))[4]).toBe('$1,000.00');
    });
  });
});
