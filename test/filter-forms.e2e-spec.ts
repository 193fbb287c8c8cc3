import { makeExpenditure, makeGrantWithProgram } from './helpers/factories';
import { expectFieldRefused } from './helpers/filter-forms';
import { pageText } from './helpers/html';
import { freshAppPerTest } from './helpers/test-app';

/*
 * Issue 15: a refused GET filter is no dead end. Every filter form answers 400 with the form again,
 * the values as typed and one message beside the field refused.
 */
describe('GET filter forms', () => {
  const t = freshAppPerTest();

  it.each([
    {
      page: '/ledger?reference=INV-7&from=2026-03-02&to=2026-03-01',
      action: '/ledger',
      name: 'from',
      typed: '2026-03-02',
      message: 'from (2026-03-02) must be on or before to (2026-03-01)',
      kept: ['value="INV-7"', 'value="2026-03-01"'],
    },
    {
      page: '/ledger?from=2026-02-30',
      action: '/ledger',
      name: 'from',
      typed: '2026-02-30',
      message: 'from must be a real date as YYYY-MM-DD',
      kept: [],
    },
    {
      page: '/grants?q=solar&programId=abc',
      action: '/grants',
      name: 'programId',
      message: 'programId must be a program id',
      kept: ['value="solar"'],
    },
    {
      page: '/technologies?q=magnet&trl=12',
      action: '/technologies',
      name: 'trl',
      message: 'trl must be a whole number from 1 to 9',
      kept: ['value="magnet"'],
    },
    {
      page: '/technologies/portfolio?asOf=2026-02-30',
      action: '/technologies/portfolio',
      name: 'asOf',
      typed: '2026-02-30',
      message: 'asOf must be a real date as YYYY-MM-DD',
      kept: [],
    },
    {
      page: '/milestones?dueFrom=2026-01-01&budgetPeriod=first',
      action: '/milestones',
      name: 'budgetPeriod',
      typed: 'first',
      message: 'budgetPeriod must be a budget period number',
      kept: ['value="2026-01-01"'],
    },
    {
      page: '/milestones/dashboard?asOf=soon',
      action: '/milestones/dashboard',
      name: 'asOf',
      typed: 'soon',
      message: 'asOf must be a real date as YYYY-MM-DD',
      kept: [],
    },
    {
      page: '/audit?actor=ann%40example.org&entityId=abc',
      action: '/audit',
      name: 'entityId',
      typed: 'abc',
      message: 'entityId must be a record id',
      kept: ['value="ann@example.org"'],
    },
    {
      page: '/budgets/rebudget?asOf=2026-13-01',
      action: '/budgets/rebudget',
      name: 'asOf',
      typed: '2026-13-01',
      message: 'asOf must be a real date as YYYY-MM-DD',
      kept: [],
    },
    {
      page: '/reports/ledger?to=2026-01-01&from=2026-02-01',
      action: '/reports/ledger',
      name: 'from',
      typed: '2026-02-01',
      message: 'from (2026-02-01) must be on or before to (2026-01-01)',
      kept: ['value="2026-01-01"'],
    },
    {
      page: '/reports/milestones?kind=big',
      action: '/reports/milestones',
      name: 'kind',
      message: 'kind must be one of',
      kept: [],
    },
    {
      page: '/reports/audit?actor=ann%40example.org&entityId=abc',
      action: '/reports/audit',
      name: 'entityId',
      typed: 'abc',
      message: 'entityId must be a record id, a whole number.',
      kept: ['value="ann@example.org"'],
    },
    {
      page: '/reports/burndown?asOf=2026-02-30',
      action: '/reports/burndown',
      name: 'asOf',
      typed: '2026-02-30',
      message: 'asOf must be a real date as YYYY-MM-DD',
      kept: [],
    },
    {
      page: '/reports/reconciliation?asOf=someday',
      action: '/reports/reconciliation',
      name: 'asOf',
      typed: 'someday',
      message: 'asOf must be a real date as YYYY-MM-DD',
      kept: [],
    },
  ])(
    'should show the form again with 400 and the message once beside $name for $page',
    async ({ page, action, name, typed, message, kept }) => {
      await makeGrantWithProgram(t);
      const res = await t.http().get(page);
      expect(res.status).toBe(400);
      expectFieldRefused(res.text, { action, name, message, typed });
      for (const value of kept) expect(res.text).toContain(value);
    },
  );

  it('should show the grant pages’ forms again for a bad asOf (budget, burn-down, SF-425)', async () => {
    const { grant } = await makeGrantWithProgram(t);
    for (const path of [
      `/grants/${grant.id}/budget`,
      `/grants/${grant.id}/burndown`,
      `/grants/${grant.id}/sf425`,
    ]) {
      const res = await t.http().get(`${path}?asOf=2026-02-30`);
      expect(res.status).toBe(400);
      expectFieldRefused(res.text, {
        action: path,
        name: 'asOf',
        typed: '2026-02-30',
        message: 'asOf must be a real date as YYYY-MM-DD',
      });
    }
  });

  it('should keep the filters and say once why a sort or pager parameter was refused', async () => {
    const res = await t.http().get('/grants?q=solar&sort=password');
    expect(res.status).toBe(400);
    expect(res.text).toContain('value="solar"');
    expect(res.text.match(/data-testid="filter-note">sort must be one of/g)).toHaveLength(1);
    expect(pageText(res.text).split('sort must be one of')).toHaveLength(2);
  });

  it('should keep the plain 400 for a CSV, with each message once', async () => {
    const res = await t.http().get('/reports/audit.csv?entityId=abc');
    expect(res.status).toBe(400);
    expect(pageText(res.text).split('entityId must be a record id')).toHaveLength(2);
  });
});

describe('The reports index', () => {
  const t = freshAppPerTest();

  it('should offer choices by name and show its figures formatted for people', async () => {
    const { grant, program } = await makeGrantWithProgram(t, {
      name: 'Critical Minerals Recovery',
    });
    await makeExpenditure(t, { grantId: grant.id, amountCents: 123_456_78 });
    const res = await t.http().get('/reports');
    expect(res.status).toBe(200);
    const text = pageText(res.text);
    expect(res.text).toMatch(
      new RegExp(
        `<select[^>]*name="programId"[^>]*>[\\s\\S]*?<option value="${program.id}">Critical Minerals Recovery</option>`,
      ),
    );
    for (const name of ['kind', 'entityType', 'actor']) {
      expect(res.text).toMatch(new RegExp(`<select[^>]*name="${name}"`));
      expect(res.text).not.toMatch(new RegExp(`<input[^>]*name="${name}"`));
    }
    expect(res.text).toMatch(/<option value="admin@[^"]*">/);
    expect(text).toContain('From (date)');
    expect(text).not.toContain('Incurred from');
    expect(text).not.toContain('bom=1');
    expect(text).toContain('CSV for Excel');
    expect(text).not.toMatch(/\/reports\/\w+\.manifest\.json/);
    // The manifest, with its control total, is a download of its own (issue 15): the index
    // computes none and shows no ledger figure.
    expect(text).not.toContain('$123,456.78');
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });
});
