import { COST_CATEGORIES } from '../src/budgets/budget.constants';
import {
  makeAmendment,
  makeBudget,
  makeBudgetPeriods,
  makeExpenditure,
  makeGrantWithProgram,
} from './helpers/factories';
import { decide, JUSTIFICATION, requestIdOf } from './helpers/approvals';
import { freshAppPerTest, rows, TestApp } from './helpers/test-app';

type Cells = Record<string, string>;

/**
 * The body exactly as a browser sends the grid: every cell of every budget period, in order, blank
 * unless given (`'1.personnel.federal': '1,000'`), then the hidden version.
 */
function gridForm(periods: number, cells: Cells, version?: number | string): string {
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
  if (version !== undefined) fields.push(`version=${encodeURIComponent(String(version))}`);
  return fields.join('&');
}

const linesOf = (t: TestApp, grantId: number) =>
  rows<{
    budget_period: number;
    category: string;
    federal_cents: number;
    cost_share_cents: number;
  }>(
    t,
    `SELECT budget_period, category, federal_cents, cost_share_cents FROM budget_lines
      WHERE grant_id = ? ORDER BY budget_period, category`,
    [grantId],
  );

const versionOf = async (t: TestApp, grantId: number) =>
  (
    await rows<{ version: number }>(t, 'SELECT version FROM budgets WHERE grant_id = ?', [grantId])
  )[0]?.version;

const count = async (t: TestApp, table: string) =>
  Number((await rows<{ n: number }>(t, `SELECT COUNT(*) AS n FROM ${table}`))[0].n);

describe('Budgets (HTTP)', () => {
  const t = freshAppPerTest();

  async function grantWithPeriods() {
    const { program, grant } = await makeGrantWithProgram(t);
    await makeBudgetPeriods(t, grant.id, [
      { startDate: '2025-04-01', endDate: '2026-03-31' },
      { startDate: '2026-04-01', endDate: '2028-03-31' },
    ]);
    return { program, grant };
  }

  /** Sends the grid for approval, as the program manager does. */
  const file = (grantId: number, body: string) =>
    t
      .http()
      .post(`/grants/${grantId}/budget`)
      .type('form')
      .send(`${body}&justification=${encodeURIComponent(JUSTIFICATION)}`);

  /** Files the grid and, once filed, has the approving official approve it (the refusal else). */
  const post = async (grantId: number, body: string) => {
    const filed = await file(grantId, body);
    return filed.status === 303 ? decide(t, requestIdOf(filed)) : filed;
  };

  const firstBudget: Cells = {
    '1.personnel.federal': '$120,000.00',
    '1.personnel.costShare': '30,000',
    '1.travel.federal': '5000.50',
    '1.indirect_charges.federal': '40,000.00',
    '2.personnel.federal': '125000',
    '2.equipment.costShare': '12,345.67',
  };

  describe('saving the grid', () => {
    it('should create the budget: 303, its lines, planned spend adding up to each line, and one audit event', async () => {
      const { grant } = await grantWithPeriods();
      const res = await post(grant.id, gridForm(2, firstBudget, 0));

      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/approvals\/\d+$/);
      expect(await linesOf(t, grant.id)).toEqual([
        {
          budget_period: 1,
          category: 'indirect_charges',
          federal_cents: 40_000_00,
          cost_share_cents: 0,
        },
        {
          budget_period: 1,
          category: 'personnel',
          federal_cents: 120_000_00,
          cost_share_cents: 30_000_00,
        },
        { budget_period: 1, category: 'travel', federal_cents: 5_000_50, cost_share_cents: 0 },
        { budget_period: 2, category: 'equipment', federal_cents: 0, cost_share_cents: 12_345_67 },
        { budget_period: 2, category: 'personnel', federal_cents: 125_000_00, cost_share_cents: 0 },
      ]);
      expect(await versionOf(t, grant.id)).toBe(1);

      const spread = await rows(
        t,
        `SELECT budget_period, category, SUM(federal_cents) AS federal_cents,
                SUM(cost_share_cents) AS cost_share_cents, COUNT(*) AS months
           FROM planned_spend WHERE grant_id = ? GROUP BY budget_period, category
          ORDER BY budget_period, category`,
        [grant.id],
      );
      expect(spread.map(({ months: _, ...line }) => line)).toEqual(await linesOf(t, grant.id));
      // BP1 is April 2025 to March 2026 (12 months), BP2 April 2026 to March 2028 (24).
      expect(spread.map((s) => s.months)).toEqual([12, 12, 12, 24, 24]);

      const [event] = await rows<{ action: string; entity_type: string; changes: string }>(
        t,
        "SELECT action, entity_type, changes FROM audit_events WHERE entity_type = 'budget'",
      );
      expect(event.action).toBe('create');
      const changes = JSON.parse(event.changes) as Record<string, unknown>;
      expect(changes['BP1 personnel federal']).toEqual({ before: '0.00', after: '120000.00' });
      expect(changes['BP2 equipment cost_share']).toEqual({ before: '0.00', after: '12345.67' });
      expect(Object.keys(changes).filter((k) => k.startsWith('BP'))).toHaveLength(6);

      const page = await t.http().get(res.headers.location);
      expect(page.text).toContain(
        'Budget revision: 6 amounts changed, federal total up $290,000.50',
      );
    });

    it('should show the grid with direct, indirect and grand totals per budget period and overall', async () => {
      const { grant } = await grantWithPeriods();
      await post(grant.id, gridForm(2, firstBudget, 0));
      const page = await t.http().get(`/grants/${grant.id}/budget`);
      expect(page.status).toBe(200);
      const rowOf = (key: string) => {
        const match = new RegExp(`<tr data-row="${key}">([\\s\\S]*?)</tr>`).exec(page.text);
        if (!match) throw new Error(`No row ${key}`);
        return [...match[1].matchAll(/<td class="app-money[^"]*">([^<]*)<\/td>/g)].map((m) => m[1]);
      };
      // Per BP: federal, cost share, total; then all BPs: federal, cost share, total.
      expect(rowOf('direct')).toEqual([
        '$125,000.50',
        '$30,000.00',
        '$155,000.50',
        '$125,000.00',
        '$12,345.67',
        '$137,345.67',
        '$250,000.50',
        '$42,345.67',
        '$292,346.17',
      ]);
      expect(rowOf('indirect')).toEqual([
        '$40,000.00',
        '$0.00',
        '$40,000.00',
        '$0.00',
        '$0.00',
        '$0.00',
        '$40,000.00',
        '$0.00',
        '$40,000.00',
      ]);
      expect(rowOf('total')).toEqual([
        '$165,000.50',
        '$30,000.00',
        '$195,000.50',
        '$125,000.00',
        '$12,345.67',
        '$137,345.67',
        '$290,000.50',
        '$42,345.67',
        '$332,346.17',
      ]);
      expect(rowOf('travel').slice(0, 3)).toEqual(['$5,000.50', '$0.00', '$5,000.50']);
    });

    it('should update changed cells, drop lines set to zero, bump the version and record only the changes', async () => {
      const { grant } = await grantWithPeriods();
      await post(grant.id, gridForm(2, firstBudget, 0));
      const edit = await t.http().get(`/grants/${grant.id}/budget/edit`);
      expect(edit.text).toContain('name="version" value="1"');
      expect(edit.text).toContain(
        'name="lines[1][personnel][federal]" type="text" inputmode="decimal" autocomplete="off" value="120000.00"',
      );

      const res = await post(
        grant.id,
        gridForm(
          2,
          { ...firstBudget, '1.travel.federal': '', '2.personnel.federal': '130,000' },
          1,
        ),
      );
      expect(res.status).toBe(303);
      expect(await versionOf(t, grant.id)).toBe(2);
      const lines = await linesOf(t, grant.id);
      expect(lines.find((l) => l.category === 'travel')).toBeUndefined();
      expect(
        lines.find((l) => l.budget_period === 2 && l.category === 'personnel')?.federal_cents,
      ).toBe(130_000_00);
      const [event] = await rows<{ action: string; changes: string }>(
        t,
        "SELECT action, changes FROM audit_events WHERE entity_type = 'budget' ORDER BY id DESC LIMIT 1",
      );
      expect(event.action).toBe('update');
      expect(JSON.parse(event.changes)).toEqual({
        'BP1 travel federal': { before: '5000.50', after: '0.00' },
        'BP2 personnel federal': { before: '125000.00', after: '130000.00' },
      });
      const travelPlanned = await rows(
        t,
        "SELECT * FROM planned_spend WHERE grant_id = ? AND category = 'travel'",
        [grant.id],
      );
      expect(travelPlanned).toEqual([]);
    });

    it('should bump the version even when no amount changed', async () => {
      const { grant } = await grantWithPeriods();
      await post(grant.id, gridForm(2, firstBudget, 0));
      const res = await post(grant.id, gridForm(2, firstBudget, 1));
      expect(res.status).toBe(303);
      expect(await versionOf(t, grant.id)).toBe(2);
    });
  });

  describe('refusing bad input', () => {
    it('should answer 422 naming each bad cell, keep what was typed and save nothing', async () => {
      const { grant } = await grantWithPeriods();
      await post(grant.id, gridForm(2, firstBudget, 0));
      const linesBefore = await linesOf(t, grant.id);
      const plannedBefore = await count(t, 'planned_spend');
      const eventsBefore = await count(t, 'audit_events');

      const res = await post(
        grant.id,
        gridForm(
          2,
          {
            ...firstBudget,
            '1.personnel.federal': '999,999.00',
            '2.travel.federal': '12.345',
            '1.fringe_benefits.costShare': '-5.00',
            '2.other.federal': 'ten',
          },
          1,
        ),
      );

      expect(res.status).toBe(422);
      expect(res.text).toContain(
        'BP2 Travel, federal: Use at most two decimal places (whole cents).',
      );
      expect(res.text).toContain(
        'BP1 Fringe benefits, cost share: enter an amount of zero or more; a budget line cannot be negative.',
      );
      expect(res.text).toContain('BP2 Other, federal: Enter dollars as digits');
      expect(res.text).toContain('id="f-lines-2-travel-federal-error"');
      expect(res.text).toContain('value="12.345"');
      expect(res.text).toContain('value="999,999.00"');
      expect(res.text).toContain('name="version" value="1"');
      expect(await linesOf(t, grant.id)).toEqual(linesBefore);
      expect(await versionOf(t, grant.id)).toBe(1);
      expect(await count(t, 'planned_spend')).toBe(plannedBefore);
      expect(await count(t, 'audit_events')).toBe(eventsBefore);
    });

    it('should refuse a stale version with 409, keep what was typed and save nothing', async () => {
      const { grant } = await grantWithPeriods();
      await post(grant.id, gridForm(2, firstBudget, 0));
      await post(grant.id, gridForm(2, { ...firstBudget, '1.travel.federal': '6,000' }, 1));
      const linesBefore = await linesOf(t, grant.id);

      const res = await post(
        grant.id,
        gridForm(2, { ...firstBudget, '1.supplies.federal': '777' }, 1),
      );

      expect(res.status).toBe(409);
      expect(res.text).toContain('This budget was changed by approver@example.gov');
      expect(res.text).toContain('(now version 2)');
      expect(res.text).toContain('value="777"');
      expect(res.text).toContain('name="version" value="2"');
      expect(await linesOf(t, grant.id)).toEqual(linesBefore);
      expect(await versionOf(t, grant.id)).toBe(2);
    });

    it('should mark after a 409 exactly the cells that differ from the budget saved now, with its amount', async () => {
      const { grant } = await grantWithPeriods();
      await post(grant.id, gridForm(2, firstBudget, 0));
      // Someone else saves version 2: BP1 travel changed, BP2 equipment cost share cleared.
      await post(
        grant.id,
        gridForm(
          2,
          { ...firstBudget, '1.travel.federal': '6,000', '2.equipment.costShare': '' },
          1,
        ),
      );

      // This user opened version 1, changed BP1 supplies and typed BP1 personnel the same as saved.
      const res = await post(
        grant.id,
        gridForm(
          2,
          { ...firstBudget, '1.supplies.federal': '777', '1.personnel.federal': '120000' },
          1,
        ),
      );

      expect(res.status).toBe(409);
      const marked = [
        ...res.text.matchAll(
          /<td class="app-budget-cell[^"]*app-budget-cell--differs"[^>]*>[\s\S]*?<\/td>/g,
        ),
      ].map(([cell]) => ({
        id: /<input[^>]* id="([^"]+)"/.exec(cell)?.[1],
        value: /<input[^>]* value="([^"]*)"/.exec(cell)?.[1],
        now: /data-testid="now-saved">([^<]*)</.exec(cell)?.[1],
        describedBy: /aria-describedby="([^"]+)"/.exec(cell)?.[1],
      }));
      // Row by row (categories in SF-424A order), then budget period and share.
      expect(marked).toEqual([
        {
          id: 'f-lines-1-travel-federal',
          value: '5000.50',
          now: 'Now $6,000.00',
          describedBy: 'f-lines-1-travel-federal-now',
        },
        {
          id: 'f-lines-2-equipment-costShare',
          value: '12,345.67',
          now: 'Now $0.00',
          describedBy: 'f-lines-2-equipment-costShare-now',
        },
        {
          id: 'f-lines-1-supplies-federal',
          value: '777',
          now: 'Now $0.00',
          describedBy: 'f-lines-1-supplies-federal-now',
        },
      ]);
      expect(res.text.match(/data-testid="now-saved"/g)).toHaveLength(3);
      expect(res.text).toContain('id="f-lines-1-travel-federal-now"');
      expect(res.text).toContain('data-testid="differs-hint"');
    });

    it('should not mark any cell on the edit form or a 422', async () => {
      const { grant } = await grantWithPeriods();
      await post(grant.id, gridForm(2, firstBudget, 0));
      const form = await t.http().get(`/grants/${grant.id}/budget/edit`);
      expect(form.text).not.toContain('app-budget-cell--differs');
      const refused = await post(grant.id, gridForm(2, { '1.travel.federal': '-1' }, 1));
      expect(refused.status).toBe(422);
      expect(refused.text).not.toContain('data-testid="now-saved"');
    });

    it('should show the amount obligated and how far the saved federal total is from it on the edit page', async () => {
      const { grant } = await grantWithPeriods();
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 300_000_00 });
      await post(grant.id, gridForm(2, { '1.personnel.federal': '250,000' }, 0));

      const form = await t.http().get(`/grants/${grant.id}/budget/edit`);
      expect(form.status).toBe(200);
      expect(form.text).toContain('data-testid="target-obligated">$300,000.00<');
      expect(form.text).toContain('data-testid="target-federal">$250,000.00<');
      expect(form.text).toContain(
        'data-testid="target-difference">-$50,000.00 ($50,000.00 below the amount obligated)<',
      );
      expect(form.text).toContain('should add up to $300,000.00');

      await post(grant.id, gridForm(2, { '1.personnel.federal': '300,000' }, 1));
      const even = await t.http().get(`/grants/${grant.id}/budget/edit`);
      expect(even.text).toContain(
        'data-testid="target-difference">$0.00 (equal to the amount obligated)<',
      );
    });

    it('should refuse a form opened before the budget existed once someone else created it', async () => {
      const { grant } = await grantWithPeriods();
      await post(grant.id, gridForm(2, firstBudget, 0));
      const res = await post(grant.id, gridForm(2, { '1.other.federal': '1' }));
      expect(res.status).toBe(409);
      expect(await versionOf(t, grant.id)).toBe(1);
      expect((await linesOf(t, grant.id)).find((l) => l.category === 'other')).toBeUndefined();
    });

    it('should refuse a grid for other budget periods than the grant has', async () => {
      const { grant } = await grantWithPeriods();
      const res = await post(grant.id, gridForm(1, { '1.personnel.federal': '10' }, 0));
      expect(res.status).toBe(422);
      expect(res.text).toContain('The grid does not match this grant’s budget periods (BP1–BP2)');
      expect(await count(t, 'budget_lines')).toBe(0);
      expect(await count(t, 'budgets')).toBe(0);
    });

    it('should answer 404 for an unknown grant and 400 for a bad version or asOf', async () => {
      expect((await t.http().get('/grants/9999/budget')).status).toBe(404);
      expect((await t.http().get('/grants/9999/budget/edit')).status).toBe(404);
      expect((await post(9999, gridForm(1, {}, 0))).status).toBe(404);
      const { grant } = await grantWithPeriods();
      expect((await post(grant.id, gridForm(2, {}, 'x'))).status).toBe(400);
      const bad = await t.http().get(`/grants/${grant.id}/budget`).query({ asOf: '2026-02-30' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('asOf must be a real date as YYYY-MM-DD');
      expect(await count(t, 'budgets')).toBe(0);
    });
  });

  describe('without budget periods', () => {
    it('should ask for budget periods first, on the page and the form, and refuse a save', async () => {
      const { grant } = await makeGrantWithProgram(t);
      for (const path of [`/grants/${grant.id}/budget`, `/grants/${grant.id}/budget/edit`]) {
        const page = await t.http().get(path);
        expect(page.status).toBe(200);
        expect(page.text).toContain('Set up the grant’s budget periods first');
        expect(page.text).toContain(`href="/grants/${grant.id}/budget-periods/edit"`);
      }
      const res = await post(grant.id, gridForm(1, { '1.personnel.federal': '10' }, 0));
      expect(res.status).toBe(422);
      expect(res.text).toContain('Set up the grant’s budget periods first');
      expect(await count(t, 'budgets')).toBe(0);
    });
  });

  describe('the budget page', () => {
    it('should warn by how much the federal budget differs from the obligated amount', async () => {
      const { grant } = await grantWithPeriods();
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 250_000_00 });
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
      await post(grant.id, gridForm(2, firstBudget, 0));
      const page = await t.http().get(`/grants/${grant.id}/budget`);
      // Federal budget $290,000.50 against $350,000.00 obligated.
      expect(page.text).toContain(
        'The federal budget ($290,000.50) is $59,999.50 below the obligated amount ($350,000.00).',
      );
      expect(page.text).toContain('data-testid="budget-difference">-$59,999.50<');
    });

    it('should show no warning when the budget equals the obligation, and the cost share figures', async () => {
      const { grant } = await makeGrantWithProgram(
        t,
        { costSharePercent: 20 },
        { costShareCommittedCents: 50_000_00 },
      );
      await makeBudgetPeriods(t, grant.id, [{ startDate: '2025-04-01', endDate: '2028-03-31' }]);
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 200_000_00 });
      await post(grant.id, gridForm(1, { '1.personnel.federal': '200,000' }, 0));
      await makeExpenditure(t, {
        grantId: grant.id,
        share: 'cost_share',
        amountCents: 12_500_00,
        recordedAt: '2025-06-01T12:00:00.000Z',
        recordedOn: '2025-06-01',
      });
      const page = await t.http().get(`/grants/${grant.id}/budget`);
      expect(page.text).not.toContain('data-testid="budget-warning"');
      // 20 % of ($200,000 + $50,000) = $50,000.00.
      expect(page.text).toContain('data-testid="cost-share-required">$50,000.00<');
      expect(page.text).toContain('data-testid="cost-share-met">$12,500.00');
      expect(page.text).toContain('(25 % of committed)');
      expect(page.text).toContain('The committed cost share ($50,000.00) meets the requirement');
    });

    it('should flag prior approval on the page and list the grant program-wide with its figures', async () => {
      const { grant } = await grantWithPeriods();
      await post(
        grant.id,
        gridForm(2, { '1.travel.federal': '1,000', '1.personnel.federal': '9,000' }, 0),
      );
      // $1,000.01 over on travel against a $10,000.00 budget: 10.0001 % moved.
      await makeExpenditure(t, {
        grantId: grant.id,
        category: 'travel',
        amountCents: 2_000_01,
        recordedAt: '2025-06-01T12:00:00.000Z',
        recordedOn: '2025-06-01',
      });
      const page = await t.http().get(`/grants/${grant.id}/budget`);
      expect(page.text).toContain('Prior approval required:');
      expect(page.text).toContain('data-testid="rebudget-moved">$1,000.01<');

      const list = await t.http().get('/budgets/rebudget');
      expect(list.status).toBe(200);
      const flagged =
        /data-testid="rebudget-flagged">([\s\S]*?)<\/table>/.exec(list.text)?.[1] ?? '';
      expect(flagged).toContain(`href="/grants/${grant.id}/budget">${grant.awardNumber}</a>`);
      expect(flagged).toContain('$1,000.01');
      expect(flagged).toContain('BP1 Travel: <span class="app-money">$1,000.01</span>');
      const before = await t.http().get('/budgets/rebudget').query({ asOf: '2025-05-31' });
      expect(before.text).toContain('No grant has moved more than 10 % of its budget.');
      expect((await t.http().get('/budgets/rebudget').query({ asOf: 'May 1' })).status).toBe(400);
    });
  });

  describe('the rebudget figures by budget period and category', () => {
    /** "$40,500.25" → 4050025: every figure the page prints has two decimals. */
    const cents = (money: string) => Number(money.replace(/[$,.]/g, ''));
    /** The money cells of the element marked data-cell="<bp>-<category>", in order. */
    const cellFigures = (html: string, key: string, tag = 'tr') => {
      const row = new RegExp(`<${tag} data-cell="${key}">([\\s\\S]*?)</${tag}>`).exec(html)?.[1];
      return [...(row ?? '').matchAll(/class="app-money">([^<]*)</g)].map((m) => m[1]);
    };
    const allCells = (html: string, tag = 'tr') =>
      [...html.matchAll(new RegExp(`<${tag} data-cell="([^"]+)">`, 'g'))].map((m) => m[1]);
    const table = (html: string, testId: string) =>
      new RegExp(`data-testid="${testId}">([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';

    /**
     * Total budget $105,000.00, so the threshold is $10,500.00. Travel is $10,000.00 under budget over
     * the whole grant and personnel $29,499.75 under, yet BP1 personnel is $500.25 over and BP2 travel
     * $9,000.00 over: $9,500.25 moved, 9.05 %.
     */
    async function grantOverInOnePeriod() {
      const { grant } = await grantWithPeriods();
      await makeBudget(t, grant.id, [
        [1, 'personnel', 40_000_00, 0],
        [1, 'travel', 20_000_00, 0],
        [2, 'personnel', 40_000_00, 0],
        [2, 'travel', 4_000_00, 1_000_00],
      ]);
      const bp1 = { grantId: grant.id, budgetPeriod: 1, incurredOn: '2025-06-15' };
      const bp2 = { grantId: grant.id, budgetPeriod: 2, incurredOn: '2026-06-15' };
      await makeExpenditure(t, { ...bp1, category: 'travel', amountCents: 1_000_00 });
      await makeExpenditure(t, { ...bp1, category: 'personnel', amountCents: 40_500_25 });
      await makeExpenditure(t, { ...bp2, category: 'travel', amountCents: 12_000_00 });
      await makeExpenditure(t, {
        ...bp2,
        category: 'travel',
        share: 'cost_share',
        amountCents: 2_000_00,
      });
      await makeExpenditure(t, { ...bp2, category: 'personnel', amountCents: 10_000_00 });
      return { grant, bp2 };
    }

    const expected: Record<string, string[]> = {
      '1-personnel': ['$40,000.00', '$40,500.25', '$500.25'],
      '1-travel': ['$20,000.00', '$1,000.00', '$0.00'],
      '2-personnel': ['$40,000.00', '$10,000.00', '$0.00'],
      '2-travel': ['$5,000.00', '$14,000.00', '$9,000.00'],
    };

    it('should show each budget period and category on the budget and grant pages, the moved sum adding up', async () => {
      const { grant } = await grantOverInOnePeriod();
      for (const path of [`/grants/${grant.id}/budget`, `/grants/${grant.id}`]) {
        const page = await t.http().get(path);
        expect(page.status).toBe(200);
        const cells = table(page.text, 'rebudget-cells');
        expect(allCells(cells)).toEqual(Object.keys(expected));
        for (const [key, figures] of Object.entries(expected)) {
          expect([key, cellFigures(cells, key)]).toEqual([key, figures]);
        }
        const shownAbove = allCells(cells).map((key) => cents(cellFigures(cells, key)[2]));
        const moved = /data-testid="rebudget-moved">([^<]*)</.exec(page.text)?.[1] ?? '';
        expect(moved).toBe('$9,500.25');
        expect(shownAbove.reduce((a, b) => a + b, 0)).toBe(cents(moved));
        expect(cells).toContain('BP2 direct categories');
        // The whole-grant totals, labelled as such: both categories under budget overall.
        const whole = table(page.text, 'rebudget-categories');
        expect(page.text).toContain('Whole grant, all budget periods');
        expect(whole).toMatch(
          /data-category="personnel"><th scope="row">Personnel<\/th><td class="app-money">\$80,000\.00<\/td><td class="app-money">\$50,500\.25<\/td><td class="app-money">\$500\.25</,
        );
        expect(whole).toMatch(
          /data-category="travel"><th scope="row">Travel<\/th><td class="app-money">\$25,000\.00<\/td><td class="app-money">\$15,000\.00<\/td><td class="app-money">\$9,000\.00</,
        );
        expect(page.text).toContain('9.05 % of the total budget of $105,000.00');
        expect(page.text).not.toContain('Prior approval required:');
      }
    });

    it('should list the cells spent above budget program-wide and flag the grant past 10 %, reachable from the reports', async () => {
      const { grant, bp2 } = await grantOverInOnePeriod();
      const reports = await t.http().get('/reports');
      expect(reports.text).toContain('<a href="/budgets/rebudget">');

      const near = table((await t.http().get('/budgets/rebudget')).text, 'rebudget-near');
      expect(near).toContain(`href="/grants/${grant.id}/budget">${grant.awardNumber}</a>`);
      expect(allCells(near, 'div')).toEqual(['1-personnel', '2-travel']);
      expect(cellFigures(near, '1-personnel', 'div')).toEqual(['$500.25']);
      expect(near).toContain('BP2 Travel: <span class="app-money">$9,000.00</span>');
      expect(near).toContain('(BP2 budget $5,000.00, actual $14,000.00)');

      // $1,000.00 more on BP2 travel: $10,500.25 moved against a $10,500.00 threshold.
      await makeExpenditure(t, { ...bp2, category: 'travel', amountCents: 1_000_00 });
      const list = await t.http().get('/budgets/rebudget');
      const flagged = table(list.text, 'rebudget-flagged');
      expect(flagged).toContain(`href="/grants/${grant.id}/budget">${grant.awardNumber}</a>`);
      expect(flagged).toContain('$10,500.25');
      expect(flagged).toContain('$10,500.00');
      const shown = allCells(flagged, 'div').map((key) =>
        cents(cellFigures(flagged, key, 'div')[0]),
      );
      expect(shown).toEqual([500_25, 10_000_00]);
      expect(shown.reduce((a, b) => a + b, 0)).toBe(10_500_25);
      const page = await t.http().get(`/grants/${grant.id}`);
      expect(page.text).toContain('data-testid="grant-rebudget-flag"');
      expect(cellFigures(table(page.text, 'rebudget-cells'), '2-travel')).toEqual([
        '$5,000.00',
        '$15,000.00',
        '$10,000.00',
      ]);
    });
  });

  describe('a budget revision is a request', () => {
    it('should change nothing until approved, show the cells it changes, then save them when approved', async () => {
      const { grant } = await grantWithPeriods();
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 300_000_00 });
      await makeBudget(t, grant.id, [[1, 'personnel', 100_000_00, 0]]);
      const events = await count(t, 'audit_events');

      const filed = await file(
        grant.id,
        gridForm(2, { '1.personnel.federal': '120,000', '2.travel.federal': '5,000' }, 1),
      );
      const id = requestIdOf(filed);
      expect(await linesOf(t, grant.id)).toEqual([
        { budget_period: 1, category: 'personnel', federal_cents: 100_000_00, cost_share_cents: 0 },
      ]);
      expect(await versionOf(t, grant.id)).toBe(1);
      // Only the request and its first revision were recorded.
      expect(await count(t, 'audit_events')).toBe(events + 2);

      const budgetPage = await t.http().get(`/grants/${grant.id}/budget`);
      expect(budgetPage.text).toContain(`href="/approvals/${id}"`);
      const request = await t.approver().get(`/approvals/${id}`);
      expect(request.text).toContain(
        'Budget revision: 2 amounts changed, federal total up $25,000.00',
      );
      expect(request.text).toContain('BP1 Personnel, federal');
      expect(request.text).toContain('$100,000.00');
      expect(request.text).toContain('$120,000.00');
      expect(request.text).toContain('BP2 Travel, federal');
      expect(request.text).toContain('$200,000.00 below');
      expect(request.text).toContain('$175,000.00 below');

      expect((await decide(t, id)).status).toBe(303);
      expect(await linesOf(t, grant.id)).toEqual([
        { budget_period: 1, category: 'personnel', federal_cents: 120_000_00, cost_share_cents: 0 },
        { budget_period: 2, category: 'travel', federal_cents: 5_000_00, cost_share_cents: 0 },
      ]);
      expect(await versionOf(t, grant.id)).toBe(2);
      const [row] = await rows<{ result_type: string; result_id: number }>(
        t,
        'SELECT result_type, result_id FROM approval_requests WHERE id = ?',
        [id],
      );
      expect(row.result_type).toBe('budget');
    });

    it('should refuse a revision without a justification next to its field, filing nothing', async () => {
      const { grant } = await grantWithPeriods();
      const res = await t
        .http()
        .post(`/grants/${grant.id}/budget`)
        .type('form')
        .send(gridForm(2, { '1.personnel.federal': '10' }, 0));
      expect(res.status).toBe(422);
      expect(res.text).toContain('id="f-justification-error"');
      expect(res.text).toContain('value="10"');
      expect(await count(t, 'approval_requests')).toBe(0);
    });

    it('should change nothing when rejected, and fill the form with the rejected grid to revise it', async () => {
      const { grant } = await grantWithPeriods();
      const id = requestIdOf(await file(grant.id, gridForm(2, { '1.travel.federal': '777' }, 0)));
      expect((await decide(t, id, 'reject', 'Travel needs a quote.')).status).toBe(303);
      expect(await linesOf(t, grant.id)).toEqual([]);
      expect(await versionOf(t, grant.id)).toBeUndefined();

      const form = await t.http().get(`/grants/${grant.id}/budget/edit?revise=${id}`);
      expect(form.status).toBe(200);
      expect(form.text).toContain('value="777"');
      expect(form.text).toContain(`name="revises" value="${id}"`);
      expect(form.text).toContain(JUSTIFICATION);
      const again = await file(
        grant.id,
        `${gridForm(2, { '1.travel.federal': '700' }, 0)}&revises=${id}`,
      );
      expect(requestIdOf(again)).toBe(id);
      expect((await decide(t, id)).status).toBe(303);
      expect(await linesOf(t, grant.id)).toEqual([
        { budget_period: 1, category: 'travel', federal_cents: 700_00, cost_share_cents: 0 },
      ]);
      const revisions = await rows<{ revision: number; outcome: string }>(
        t,
        'SELECT revision, outcome FROM approval_revisions WHERE request_id = ? ORDER BY revision',
        [id],
      );
      expect(revisions).toEqual([
        { revision: 1, outcome: 'rejected' },
        { revision: 2, outcome: 'approved' },
      ]);
    });

    it('should refuse to approve a revision made at a budget version another approval has since replaced', async () => {
      const { grant } = await grantWithPeriods();
      await makeBudget(t, grant.id, [[1, 'personnel', 1_000_00, 0]]);
      const first = requestIdOf(
        await file(grant.id, gridForm(2, { '1.personnel.federal': '2,000' }, 1)),
      );
      const second = requestIdOf(
        await file(grant.id, gridForm(2, { '1.travel.federal': '3,000' }, 1)),
      );
      expect((await decide(t, first)).status).toBe(303);

      const refused = await decide(t, second);
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('edited since the request was made');
      expect(await linesOf(t, grant.id)).toEqual([
        { budget_period: 1, category: 'personnel', federal_cents: 2_000_00, cost_share_cents: 0 },
      ]);
      const [row] = await rows<{ status: string }>(
        t,
        'SELECT status FROM approval_requests WHERE id = ?',
        [second],
      );
      expect(row.status).toBe('pending');
    });
  });

  describe('as an auditor', () => {
    it('should let an auditor read the budget but not open the form or save, writing nothing', async () => {
      const { grant } = await grantWithPeriods();
      await makeBudget(t, grant.id, [[1, 'personnel', 1_000_00, 0]]);
      const auditor = await t.as('auditor');
      const page = await auditor.get(`/grants/${grant.id}/budget`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('$1,000.00');
      expect(page.text).not.toContain(`href="/grants/${grant.id}/budget/edit"`);
      expect((await auditor.get(`/grants/${grant.id}/budget/edit`)).status).toBe(403);

      const events = await count(t, 'audit_events');
      const res = await auditor
        .post(`/grants/${grant.id}/budget`)
        .type('form')
        .send(gridForm(2, { '1.personnel.federal': '5' }, 1));
      expect(res.status).toBe(403);
      expect(await count(t, 'audit_events')).toBe(events);
      expect(await linesOf(t, grant.id)).toEqual([
        { budget_period: 1, category: 'personnel', federal_cents: 1_000_00, cost_share_cents: 0 },
      ]);
      expect(await versionOf(t, grant.id)).toBe(1);
    });
  });
});
