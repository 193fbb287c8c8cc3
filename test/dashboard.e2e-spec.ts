import { Clock } from '../src/common/clock';
import { formatDate } from '../src/common/dates';
import {
  makeAmendment,
  makeExpenditure,
  makeGrant,
  makePlannedSpend,
  makeProgram,
  makeRecipient,
} from './helpers/factories';
import { pageText } from './helpers/html';
import { freshAppPerTest, TestApp } from './helpers/test-app';

/** Handlebars escapes `=` in attribute values. */
const decoded = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

/** The dashboard's section of one program. */
function programSection(html: string, programId: number): string {
  const start = html.indexOf(`aria-labelledby="program-${programId}"`);
  if (start < 0) throw new Error(`No section for program ${programId}`);
  return html.slice(start, html.indexOf('</section>', start));
}

/** The award numbers of the grants table, in its order. */
const awards = (html: string) =>
  [...html.matchAll(/<a class="app-nowrap" href="\/grants\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);

const byTestId = (html: string, id: string) =>
  pageText(
    new RegExp(`data-testid="${id}"[^>]*>([\\s\\S]*?)</(p|div|nav|figcaption)>`).exec(html)?.[1] ??
      '',
  );

/**
 * Program A: 12 grants of $100,000.00 obligated, each planned $10,000.00 in June 2025 and spent by
 * 15 May 2025 (recorded today), except A05 (nothing planned or spent):
 *   A11 spent $25,000.00 (ahead of plan by 150.0 %), A12 $1,000.00 (behind by 90.0 %),
 *   A01–A04, A06–A09 $10,500.00 (on plan, +5.0 %), A10 $10,000.00 (on plan, +0.0 %).
 * Needing attention first: A11, A12, then A01–A04, A06–A09, A10, then A05.
 * Program B: 11 grants with nothing obligated, planned or spent (B01–B11, by award number).
 */
async function portfolio(t: TestApp) {
  const recipient = await makeRecipient(t);
  const a = await makeProgram(t, { name: 'Program A' });
  const b = await makeProgram(t, { name: 'Program B' });
  const spentOf: Record<number, number> = { 11: 25_000_00, 12: 1_000_00, 10: 10_000_00 };
  for (let n = 1; n <= 12; n++) {
    const awardNumber = `DE-A${String(n).padStart(2, '0')}`;
    const grant = await makeGrant(t, { programId: a.id, recipientId: recipient.id, awardNumber });
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
    if (n === 5) continue;
    await makePlannedSpend(t, grant.id, [[1, 'personnel', '2025-06', 10_000_00, 0]]);
    await makeExpenditure(t, { grantId: grant.id, amountCents: spentOf[n] ?? 10_500_00 });
  }
  for (let n = 1; n <= 11; n++) {
    const awardNumber = `DE-B${String(n).padStart(2, '0')}`;
    await makeGrant(t, { programId: b.id, recipientId: recipient.id, awardNumber });
  }
  return { a, b };
}

describe('The dashboard at the scale of a department (HTTP)', () => {
  const t = freshAppPerTest();

  it('should show ten grants per program, needing attention first, and totals over all of them', async () => {
    const { a, b } = await portfolio(t);
    const today = t.app.get(Clock).today();
    const res = await t.http().get('/');
    expect(res.status).toBe(200);

    const first = programSection(res.text, a.id);
    expect(awards(first)).toEqual([
      'DE-A11',
      'DE-A12',
      'DE-A01',
      'DE-A02',
      'DE-A03',
      'DE-A04',
      'DE-A06',
      'DE-A07',
      'DE-A08',
      'DE-A09',
    ]);
    expect(pageText(first)).toContain(
      'Grants under this program, 1–10 of 12, furthest behind or ahead of plan first; burn as of',
    );
    // Every figure covers all twelve grants, not the page:
    // obligated 12 × 100,000.00; spent 25,000 + 1,000 + 10,000 + 8 × 10,500 = 120,000.00;
    // planned to date 11 × 10,000.00 (June 2025 is past).
    expect(byTestId(first, 'obligated')).toBe('$1,200,000.00');
    expect(byTestId(first, 'unobligated')).toBe('$28,800,000.00');
    expect(byTestId(first, 'spent')).toBe('$120,000.00');
    expect(byTestId(first, 'program-chart-caption')).toContain(
      `Cumulative actual federal spending $120,000.00 through ${formatDate(today)}, ` +
        'against $110,000.00 planned to date; remaining balance $1,080,000.00 of $1,200,000.00 obligated.',
    );
    expect(byTestId(first, `flag-counts-${a.id}`)).toBe(
      `12 grants, burn as of ${formatDate(today)}: 1 behind plan · 1 ahead of plan · 9 on plan · 1 nothing planned yet`,
    );

    expect(byTestId(first, `pager-${a.id}`)).toBe(
      'Page 1 of 2 · Next · All 12 grants of this program',
    );
    const pager = decoded(first.slice(first.indexOf(`data-testid="pager-${a.id}"`)));
    expect(pager).toContain(`<a href="/?p${a.id}=2#program-${a.id}" rel="next">Next</a>`);
    expect(pager).toContain(
      `<a href="/grants?programId=${a.id}">All 12 grants of this program</a>`,
    );

    const other = programSection(res.text, b.id);
    expect(awards(other)).toEqual(
      [...Array(10).keys()].map((i) => `DE-B${String(i + 1).padStart(2, '0')}`),
    );
    expect(byTestId(other, 'spent')).toBe('$0.00');
  });

  it('should page one program and keep every other program on its page', async () => {
    const { a, b } = await portfolio(t);
    const res = await t.http().get(`/?p${a.id}=2&p${b.id}=2`);
    expect(res.status).toBe(200);

    const second = programSection(res.text, a.id);
    expect(awards(second)).toEqual(['DE-A10', 'DE-A05']);
    expect(pageText(second)).toContain('Grants under this program, 11–12 of 12,');
    // The same totals on every page.
    expect(byTestId(second, 'spent')).toBe('$120,000.00');
    expect(byTestId(second, `flag-counts-${a.id}`)).toContain('1 behind plan · 1 ahead of plan');
    const links = decoded(second);
    expect(links).toContain(
      `<a href="/?p${b.id}=2&p${a.id}=1#program-${a.id}" rel="prev">Previous</a>`,
    );
    expect(links).not.toContain('rel="next"');

    const other = decoded(programSection(res.text, b.id));
    expect(awards(other)).toEqual(['DE-B11']);
    expect(other).toContain(
      `<a href="/?p${a.id}=2&p${b.id}=1#program-${b.id}" rel="prev">Previous</a>`,
    );

    // An entry recorded after the last visit is in the next one (the burn is cached until then).
    const [grantA10] = await t.writes.transaction((m) =>
      m.query<{ id: number }[]>("SELECT id FROM grants WHERE award_number = 'DE-A10'"),
    );
    await makeExpenditure(t, { grantId: grantA10.id, amountCents: 5_000_00 });
    const after = programSection((await t.http().get(`/?p${a.id}=2`)).text, a.id);
    expect(byTestId(after, 'spent')).toBe('$125,000.00');
    expect(awards(after)).toEqual(['DE-A09', 'DE-A05']);

    // A page past the end shows the last one; a program that does not exist is left alone.
    const past = await t.http().get(`/?p${a.id}=9&p424242=3`);
    expect(past.status).toBe(200);
    expect(awards(programSection(past.text, a.id))).toEqual(['DE-A09', 'DE-A05']);
  });

  it('should refuse a page that is not a whole number from 1 with a 400 and still show the dashboard', async () => {
    const { a, b } = await portfolio(t);
    for (const value of ['two', '0', '-1', '1.5']) {
      const res = await t.http().get(`/?p${a.id}=${value}&p${b.id}=2`);
      expect({ value, status: res.status }).toEqual({ value, status: 400 });
      const text = pageText(res.text);
      expect(text).toContain(
        `p${a.id} (the page of program ${a.id}’s grants) must be a whole number, 1 or more`,
      );
      // Built without the refused value: program A on its first page, B where it was asked.
      expect(awards(programSection(res.text, a.id))[0]).toBe('DE-A11');
      expect(awards(programSection(res.text, b.id))).toEqual(['DE-B11']);
    }
    const repeated = await t.http().get(`/?p${a.id}=1&p${a.id}=2`);
    expect(repeated.status).toBe(400);
    expect(pageText(repeated.text)).toContain('must be a whole number, 1 or more');
  });
});
