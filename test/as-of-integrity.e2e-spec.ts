import { COST_CATEGORIES } from '../src/budgets/budget.constants';
import { PlannedSpendService } from '../src/budgets/planned-spend.service';
import { Clock } from '../src/common/clock';
import { recordingAt } from '../src/common/database/recording-time';
import { addDays } from '../src/common/dates';
import { GrantsService } from '../src/grants/grants.service';
import {
  FIXTURES_RECORDED_AT,
  grantEditForm,
  makeAmendment,
  makeBudget,
  makeBudgetPeriods,
  makeGrantWithProgram,
  spend,
} from './helpers/factories';
import { requestApproved } from './helpers/approvals';
import { freshAppPerTest, TestApp } from './helpers/test-app';

/**
 * Issue 14, "As-of integrity": a report or page as of a past date D shows what the records said at
 * the end of D and never changes afterwards (DESIGN.md §4). Each test takes yesterday's output, does
 * later work through the app today, and expects yesterday's bytes unchanged and today's changed.
 */

/** The first day of the month `months` after (or before) the month of `date`. */
function monthStart(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/** The body of the budget grid as a browser sends it (see budgets.e2e-spec.ts). */
function gridForm(periods: number, cells: Record<string, string>, version: number): string {
  const fields: string[] = [];
  for (let bp = 1; bp <= periods; bp++) {
    for (const category of COST_CATEGORIES) {
      for (const share of ['federal', 'costShare']) {
        const value = cells[`${bp}.${category}.${share}`] ?? '';
        fields.push(
          `${encodeURIComponent(`lines[${bp}][${category}][${share}]`)}=${encodeURIComponent(value)}`,
        );
      }
    }
  }
  fields.push(`version=${version}`);
  return fields.join('&');
}

/** The main content of a page: what it shows, without per-request tokens in the layout. */
function mainOf(html: string): string {
  const start = html.indexOf('<main');
  const end = html.indexOf('</main>');
  if (start < 0 || end < 0) throw new Error('No <main> on the page');
  return html.slice(start, end).replace(/name="_csrf" value="[^"]*"/g, '');
}

const asText = (res: { body: unknown; text?: string }) =>
  Buffer.isBuffer(res.body) ? res.body.toString('utf8') : (res.text ?? String(res.body));

/** Text with tags removed and white space collapsed. */
const plain = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

describe('As-of integrity (HTTP)', () => {
  const t = freshAppPerTest();

  /**
   * A grant running from the start of the month a year ago to a year from now, in two budget periods
   * (BP2 from this month), fully budgeted and planned, funded and spent: all recorded on the
   * fixtures' date, so everything exists for yesterday.
   */
  async function fixture(app: TestApp) {
    const today = app.app.get(Clock).today();
    const yesterday = addDays(today, -1);
    const start = monthStart(today, -12);
    const bp2 = monthStart(today, 0);
    const end = addDays(monthStart(today, 12), -1);
    const { program, recipient, grant } = await makeGrantWithProgram(
      app,
      { startDate: monthStart(today, -24), endDate: addDays(monthStart(today, 60), -1) },
      { startDate: start, endDate: end, costShareCommittedCents: 250_000_00 },
    );
    await makeBudgetPeriods(app, grant.id, [
      { startDate: start, endDate: addDays(bp2, -1) },
      { startDate: bp2, endDate: end },
    ]);
    await makeAmendment(app, {
      grantId: grant.id,
      federalChangeCents: 1_000_000_00,
      effectiveDate: start,
    });
    await makeBudget(app, grant.id, [
      [1, 'personnel', 600_000_00, 100_000_00],
      [2, 'personnel', 400_000_00, 150_000_00],
    ]);
    await recordingAt(FIXTURES_RECORDED_AT, () =>
      app.writes.transaction(async (m) => {
        await app.app.get(PlannedSpendService).rebuild(m, grant.id);
        await app.audit.record(m, { action: 'plan', entityType: 'budget', entityId: grant.id });
      }),
    );
    for (let i = 0; i < 10; i++) {
      await spend(app, grant.id, addDays(monthStart(start, i), 9), 41_234_56 + i);
    }
    await spend(app, grant.id, addDays(start, 20), 12_000_00, { share: 'cost_share' });
    return { program, recipient, grant, today, yesterday, start, bp2, end };
  }

  /** Every piece of later work the issue names, done through the app today. */
  async function laterWork(app: TestApp, f: Awaited<ReturnType<typeof fixture>>) {
    const http = () => app.http();
    const post = async (path: string, body: string | Record<string, string>) => {
      const res = await http().post(path).type('form').send(body);
      expect({ path, status: res.status, text: res.status === 303 ? '' : res.text }).toEqual({
        path,
        status: 303,
        text: '',
      });
    };
    const filedAndApproved = async (path: string, body: Record<string, string> | string) => {
      const res = await requestApproved(app, path, body);
      expect({ path, status: res.status, text: res.status === 303 ? '' : res.text }).toEqual({
        path,
        status: 303,
        text: '',
      });
    };
    const id = f.grant.id;
    // A deobligation typed today, effective two weeks ago.
    await filedAndApproved(`/grants/${id}/amendments`, {
      effectiveDate: addDays(f.today, -14),
      kind: 'deobligation',
      federalChange: '-50,000.00',
    });
    // A budget edit keeping the total: 10,000 moved from BP1 to BP2.
    await filedAndApproved(
      `/grants/${id}/budget`,
      gridForm(
        2,
        {
          '1.personnel.federal': '590,000.00',
          '1.personnel.costShare': '100,000.00',
          '2.personnel.federal': '410,000.00',
          '2.personnel.costShare': '150,000.00',
        },
        1,
      ),
    );
    // A budget-period edit: BP2 starts a month earlier.
    const form = await http().get(`/grants/${id}/budget-periods/edit`);
    const version = /name="version" value="([0-9a-f]{16})"/.exec(form.text)?.[1];
    const bp2 = monthStart(f.today, -1);
    await post(
      `/grants/${id}/budget-periods`,
      [
        ['0', f.start, addDays(bp2, -1)],
        ['1', bp2, f.end],
      ]
        .flatMap(([i, s, e]) => [
          `${encodeURIComponent(`periods[${i}][startDate]`)}=${s}`,
          `${encodeURIComponent(`periods[${i}][endDate]`)}=${e}`,
        ])
        .join('&') + `&version=${version}`,
    );
    // A back-dated expenditure, incurred in the grant's first month.
    await post('/ledger', {
      grantId: String(id),
      budgetPeriod: '1',
      category: 'personnel',
      incurredOn: addDays(f.start, 3),
      amount: '$7,777.77',
      share: 'federal',
      reference: 'INV-LATE',
      memo: 'Found in a drawer',
    });
    // A no-cost extension of six months.
    await filedAndApproved(`/grants/${id}/amendments`, {
      effectiveDate: f.today,
      kind: 'no_cost_extension',
      federalChange: '0',
      newEndDate: addDays(monthStart(f.today, 18), -1),
    });
    // The committed cost share changed, and the award number corrected.
    const grant = await app.app.get(GrantsService).findOne(id);
    await post(
      `/grants/${id}`,
      grantEditForm(app, grant, {
        costShareCommitted: '$400,000.00',
        awardNumber: 'DE-SC9999999',
      }),
    );
    // Read the last save's flash message, which the next page would show.
    await http().get('/');
  }

  /** GET a path as text, expecting 200. */
  async function get(app: TestApp, path: string): Promise<string> {
    const res = await app
      .http()
      .get(path)
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (chunk: string) => (text += chunk));
        r.on('end', () => done(null, text));
      });
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return asText(res);
  }

  /** Yesterday's output of every path, then the later work, then yesterday's and today's again. */
  async function beforeAndAfter(paths: (f: Awaited<ReturnType<typeof fixture>>) => string[]) {
    const f = await fixture(t);
    const list = paths(f);
    const at = (asOf: string) => (path: string) =>
      `${path}${path.includes('?') ? '&' : '?'}asOf=${asOf}`;
    const read = (asOf: string) => Promise.all(list.map(at(asOf)).map((p) => get(t, p)));
    const yesterdayBefore = await read(f.yesterday);
    const todayBefore = await read(f.today);
    // The same request twice gives the same bytes (so a difference below is the later work's).
    expect(await read(f.yesterday)).toEqual(yesterdayBefore);
    await laterWork(t, f);
    return {
      f,
      list,
      yesterdayBefore,
      todayBefore,
      yesterdayAfter: await read(f.yesterday),
      todayAfter: await read(f.today),
    };
  }

  it('should keep yesterday’s grant burn-down page, CSV and chart byte for byte, and change today’s', async () => {
    const r = await beforeAndAfter((f) => [
      `/grants/${f.grant.id}/burndown.csv`,
      `/grants/${f.grant.id}/burndown.svg`,
      `/grants/${f.grant.id}/burndown`,
    ]);
    const [csv, svg, page] = [0, 1, 2];
    expect(r.yesterdayAfter[csv]).toBe(r.yesterdayBefore[csv]);
    expect(r.yesterdayAfter[svg]).toBe(r.yesterdayBefore[svg]);
    expect(mainOf(r.yesterdayAfter[page])).toBe(mainOf(r.yesterdayBefore[page]));
    for (const i of [csv, svg, page]) {
      expect({ path: r.list[i], changed: r.todayAfter[i] !== r.todayBefore[i] }).toEqual({
        path: r.list[i],
        changed: true,
      });
    }
    // Yesterday's months end with the end date of yesterday; today's run six months further.
    const lastMonth = (csvText: string) => csvText.trim().split('\r\n').pop()!.split(',')[0];
    expect(lastMonth(r.yesterdayAfter[csv])).toBe(r.f.end.slice(0, 7));
    expect(lastMonth(r.todayAfter[csv])).toBe(addDays(monthStart(r.f.today, 18), -1).slice(0, 7));
    // The deobligation of two weeks ago counts today, not yesterday.
    expect(plain(r.yesterdayAfter[page])).toContain('$1,000,000.00');
    expect(plain(r.todayAfter[page])).toContain('$950,000.00');
  });

  it('should keep yesterday’s program burn-down page, CSV and chart byte for byte, and change today’s', async () => {
    const r = await beforeAndAfter((f) => [
      `/reports/burndown.csv?programId=${f.program.id}`,
      `/reports/burndown.svg?programId=${f.program.id}`,
      `/reports/burndown?programId=${f.program.id}`,
    ]);
    for (const i of [0, 1]) expect(r.yesterdayAfter[i]).toBe(r.yesterdayBefore[i]);
    expect(mainOf(r.yesterdayAfter[2])).toBe(mainOf(r.yesterdayBefore[2]));
    for (const i of [0, 1, 2]) expect(r.todayAfter[i]).not.toBe(r.todayBefore[i]);
    // The corrected award number is today's; yesterday's page links the grant by its old one.
    expect(r.yesterdayAfter[2]).toContain(r.f.grant.awardNumber);
    expect(r.yesterdayAfter[2]).not.toContain('DE-SC9999999');
    expect(r.todayAfter[2]).toContain('DE-SC9999999');
  });

  it('should keep yesterday’s SF-425 page and CSV byte for byte, and change today’s 10d, 10i and final report', async () => {
    const r = await beforeAndAfter((f) => [
      `/grants/${f.grant.id}/sf425.csv`,
      `/grants/${f.grant.id}/sf425`,
    ]);
    expect(r.yesterdayAfter[0]).toBe(r.yesterdayBefore[0]);
    expect(mainOf(r.yesterdayAfter[1])).toBe(mainOf(r.yesterdayBefore[1]));
    expect(r.todayAfter[0]).not.toBe(r.todayBefore[0]);
    expect(mainOf(r.todayAfter[1])).not.toBe(mainOf(r.todayBefore[1]));
    const lastRow = (csvText: string) => csvText.trim().split('\r\n').pop()!.split(',');
    const column = (name: string) =>
      r.todayAfter[0]
        .split('\r\n')[0]
        .replace(/^\uFEFF/, '')
        .split(',')
        .indexOf(name);
    const yesterday = lastRow(r.yesterdayAfter[0]);
    const today = lastRow(r.todayAfter[0]);
    expect(yesterday[column('federal_authorized_10d')]).toBe('1000000.00');
    expect(today[column('federal_authorized_10d')]).toBe('950000.00');
    // 20 % of (obligated + committed): 1,000,000 + 250,000 then; 950,000 + 400,000 today. 12,000 met.
    expect(yesterday[column('recipient_share_required_10i')]).toBe('250000.00');
    expect(today[column('recipient_share_required_10i')]).toBe('270000.00');
    expect(yesterday[column('recipient_share_remaining_10k')]).toBe('238000.00');
    expect(today[column('recipient_share_remaining_10k')]).toBe('258000.00');
    // The award number in the CSV is the one of its date.
    expect(yesterday[column('award_number')]).toBe(r.f.grant.awardNumber);
    expect(today[column('award_number')]).toBe('DE-SC9999999');
  });

  it('should show the grant page as of yesterday with the old award number, saying today’s', async () => {
    const f = await fixture(t);
    const path = `/grants/${f.grant.id}?asOf=${f.yesterday}`;
    const before = await get(t, path);
    await laterWork(t, f);
    const after = await get(t, path);
    expect(after).toContain(`<h1 class="margin-top-4">${f.grant.awardNumber}</h1>`);
    const note = plain(after.slice(after.indexOf('data-testid="as-of-note"')));
    expect(note).toContain('Award number today: DE-SC9999999.');
    expect(note).toContain('Cost share committed today: $400,000.00.');
    // Yesterday's figures: obligated before the deobligation, spent before the late entry.
    expect(plain(after)).toContain('Federal amount obligated $1,000,000.00');
    expect(plain(before)).not.toContain('Award number today');
    // Apart from the note of what changed since, the page is the same as yesterday's.
    const withoutNote = (html: string) =>
      mainOf(html).replace(
        /<ul class="usa-list margin-top-1" data-testid="changed-since">.*?<\/ul>/s,
        '',
      );
    expect(withoutNote(after)).toBe(withoutNote(before));
    // Without asOf the page is the grant today.
    const now = await get(t, `/grants/${f.grant.id}`);
    expect(now).toContain('<h1 class="margin-top-4">DE-SC9999999</h1>');
    expect(now).not.toContain('data-testid="as-of-note"');
  });
});
