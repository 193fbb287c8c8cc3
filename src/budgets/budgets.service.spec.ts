import {
  makeAmendment,
  makeBudget,
  makeBudgetPeriods,
  makeExpenditure,
  makeGrantWithProgram,
} from '../../test/helpers/factories';
import { freshContextPerTest, rows, TestDatabase } from '../../test/helpers/test-app';
import { itSqlite } from '../../test/helpers/test-database';
import { Expenditure } from '../ledger/expenditure.entity';
import { BudgetsService, budgetWarning } from './budgets.service';
import { rebudgetSql, RebudgetService } from './rebudget.service';

/** A ledger entry recorded on a given day (UTC noon), so the as-of filters are deterministic. */
const spend = (
  t: TestDatabase,
  grantId: number,
  entry: Partial<Expenditure> & { amountCents: number; recordedOn?: string },
) => {
  const recordedOn = entry.recordedOn ?? '2025-12-01';
  return makeExpenditure(t, {
    grantId,
    incurredOn: '2025-11-15',
    ...entry,
    recordedAt: `${recordedOn}T12:00:00.000Z`,
    recordedOn,
  });
};

describe(BudgetsService.name, () => {
  const t = freshContextPerTest();
  const sut = () => t.app.get(BudgetsService);

  describe('rebudget flag (rule 6)', () => {
    const sut = () => t.app.get(RebudgetService);

    /**
     * Total budget $100,000.00 (federal and cost share, both BPs), so the threshold is $10,000.00.
     * BP1 travel is $3,000.00 under budget, which does not offset BP2's overspending.
     */
    async function grantAtTheThreshold() {
      const { grant } = await makeGrantWithProgram(t);
      await makeBudgetPeriods(t, grant.id, [
        { startDate: '2025-04-01', endDate: '2025-09-30' },
        { startDate: '2025-10-01', endDate: '2026-03-31' },
      ]);
      await makeBudget(t, grant.id, [
        [1, 'personnel', 40_000_00, 0],
        [1, 'travel', 5_000_00, 0],
        [2, 'personnel', 40_000_00, 0],
        [2, 'travel', 5_000_00, 0],
        [2, 'supplies', 5_000_00, 5_000_00],
      ]);
      const bp1 = { budgetPeriod: 1, incurredOn: '2025-06-15' };
      await spend(t, grant.id, { ...bp1, category: 'travel', amountCents: 2_000_00 });
      const bp2 = { budgetPeriod: 2 };
      // BP2 travel: $9,000 federal + $3,000 cost share against $5,000 → $7,000.00 over.
      await spend(t, grant.id, { ...bp2, category: 'travel', amountCents: 9_000_00 });
      await spend(t, grant.id, {
        ...bp2,
        category: 'travel',
        amountCents: 3_000_00,
        share: 'cost_share',
      });
      // BP2 supplies: $6,000 + $7,000 against $10,000 → $3,000.00 over.
      await spend(t, grant.id, { ...bp2, category: 'supplies', amountCents: 6_000_00 });
      await spend(t, grant.id, {
        ...bp2,
        category: 'supplies',
        amountCents: 7_000_00,
        share: 'cost_share',
      });
      // Indirect charges are not a direct category: never counted as moved.
      await spend(t, grant.id, { ...bp2, category: 'indirect_charges', amountCents: 4_000_00 });
      // An entry and its reversal: nothing spent on equipment.
      const mistake = await spend(t, grant.id, {
        ...bp2,
        category: 'equipment',
        amountCents: 2_500_00,
      });
      await spend(t, grant.id, {
        ...bp2,
        category: 'equipment',
        amountCents: -2_500_00,
        reversalOf: mistake.id,
      });
      // One cent more on travel, recorded only on 2026-02-05.
      await spend(t, grant.id, {
        ...bp2,
        category: 'travel',
        incurredOn: '2026-01-15',
        amountCents: 1,
        recordedOn: '2026-02-05',
      });
      return grant;
    }

    it('should not flag a grant that moved exactly 10 % of its budget, but list it as near', async () => {
      const grant = await grantAtTheThreshold();
      const figures = await sut().rebudgetFor(grant.id, '2026-01-31');
      expect(figures).toMatchObject({
        totalBudgetCents: 100_000_00,
        movedCents: 10_000_00,
        thresholdCents: 10_000_00,
        percent: 10,
        flagged: false,
        nearThreshold: true,
      });
      expect(
        figures.overspent.map((c) => [
          c.category,
          c.budgetedCents,
          c.actualCents,
          c.overspentCents,
        ]),
      ).toEqual([
        ['travel', 10_000_00, 14_000_00, 7_000_00],
        ['supplies', 10_000_00, 13_000_00, 3_000_00],
      ]);
      // The cells the flag is computed from: BP1 travel under budget offsets nothing; equipment,
      // reversed to nothing, and indirect charges are not shown.
      expect(
        figures.periods.map((p) => [
          p.budgetPeriod,
          p.cells.map((c) => [c.category, c.budgetedCents, c.actualCents, c.overspentCents]),
        ]),
      ).toEqual([
        [
          1,
          [
            ['personnel', 40_000_00, 0, 0],
            ['travel', 5_000_00, 2_000_00, 0],
          ],
        ],
        [
          2,
          [
            ['personnel', 40_000_00, 0, 0],
            ['travel', 5_000_00, 12_000_00, 7_000_00],
            ['supplies', 10_000_00, 13_000_00, 3_000_00],
          ],
        ],
      ]);
      expect(figures.overspentCells.map((c) => [c.budgetPeriod, c.category])).toEqual([
        [2, 'travel'],
        [2, 'supplies'],
      ]);
      expect(figures.categories.find((c) => c.category === 'equipment')?.actualCents).toBe(0);
      expect(figures.categories.map((c) => c.category)).not.toContain('indirect_charges');
    });

    it('should flag "prior approval required" once one more cent has moved', async () => {
      const grant = await grantAtTheThreshold();
      const figures = await sut().rebudgetFor(grant.id, '2026-02-28');
      expect(figures).toMatchObject({
        movedCents: 10_000_01,
        thresholdCents: 10_000_00,
        flagged: true,
        nearThreshold: false,
      });
      expect(figures.overspent.find((c) => c.category === 'travel')?.overspentCents).toBe(7_000_01);
    });

    it('should count an entry only once it is both incurred and recorded by the date', async () => {
      const grant = await grantAtTheThreshold();
      // On 2026-02-04 the cent was incurred (2026-01-15) but not yet recorded.
      expect((await sut().rebudgetFor(grant.id, '2026-02-04')).movedCents).toBe(10_000_00);
      // Before BP2's spending was recorded (2025-12-01) nothing had moved.
      expect((await sut().rebudgetFor(grant.id, '2025-11-30')).movedCents).toBe(0);
    });

    it('should list flagged grants first, then the ones nearing the threshold, in one pass over all grants', async () => {
      const near = await grantAtTheThreshold();
      const flagged = await grantAtTheThreshold();
      await spend(t, flagged.id, { budgetPeriod: 2, category: 'other', amountCents: 50_000_00 });
      const { grant: quiet } = await makeGrantWithProgram(t);
      await makeBudgetPeriods(t, quiet.id, [{ startDate: '2025-04-01', endDate: '2028-03-31' }]);
      await makeBudget(t, quiet.id, [[1, 'personnel', 100_00, 0]]);

      const flags = await sut().rebudgetFlags('2026-01-31');
      expect(flags.map((f) => [f.grantId, f.flagged, f.movedCents])).toEqual([
        [flagged.id, true, 60_000_00],
        [near.id, false, 10_000_00],
      ]);
      expect(flags[0].percent).toBe(60);
      const all = await sut().rebudgetAll('2026-01-31');
      expect(all.find((f) => f.grantId === quiet.id)).toMatchObject({
        totalBudgetCents: 100_00,
        movedCents: 0,
        flagged: false,
      });
    });
  });

  describe('summaryFor', () => {
    async function grantWithBudget(federalBudgetCents: number, committedCents: number) {
      const { grant } = await makeGrantWithProgram(
        t,
        { costSharePercent: 20 },
        { costShareCommittedCents: committedCents },
      );
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 500_000_00 });
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 300_000_00 });
      await makeBudgetPeriods(t, grant.id, [{ startDate: '2025-04-01', endDate: '2028-03-31' }]);
      await makeBudget(t, grant.id, [
        [1, 'personnel', federalBudgetCents - 100_000_00, 150_000_00],
        [1, 'indirect_charges', 100_000_00, 50_000_00],
      ]);
      return grant;
    }

    it('should warn by how much the federal budget is above the obligated amount', async () => {
      const grant = await grantWithBudget(900_000_00, 200_000_00);
      const summary = await sut().summaryFor(grant.id);
      expect(summary).toMatchObject({
        federalBudgetCents: 900_000_00,
        costShareBudgetCents: 200_000_00,
        obligatedCents: 800_000_00,
        differenceCents: 100_000_00,
        warning:
          'The federal budget ($900,000.00) is $100,000.00 above the obligated amount ($800,000.00).',
        version: 1,
      });
    });

    it('should say below when the budget is short, and give no warning when they are equal', async () => {
      const short = await grantWithBudget(750_000_00, 200_000_00);
      expect((await sut().summaryFor(short.id)).warning).toBe(
        'The federal budget ($750,000.00) is $50,000.00 below the obligated amount ($800,000.00).',
      );
      const equal = await grantWithBudget(800_000_00, 200_000_00);
      const summary = await sut().summaryFor(equal.id);
      expect(summary.warning).toBeNull();
      expect(summary.differenceCents).toBe(0);
    });

    it('should require the program percent of federal obligated plus committed, and meet it from the ledger', async () => {
      const grant = await grantWithBudget(800_000_00, 200_000_00);
      const cs = { share: 'cost_share' as const, recordedOn: '2025-06-01' };
      await spend(t, grant.id, { ...cs, amountCents: 30_000_00, incurredOn: '2025-05-20' });
      const wrong = await spend(t, grant.id, {
        ...cs,
        amountCents: 5_000_00,
        incurredOn: '2025-05-21',
      });
      await spend(t, grant.id, {
        ...cs,
        amountCents: -5_000_00,
        incurredOn: '2025-05-21',
        reversalOf: wrong.id,
      });
      // Federal spending is not cost share.
      await spend(t, grant.id, { amountCents: 70_000_00, incurredOn: '2025-05-22' });

      const { costShare } = await sut().summaryFor(grant.id);
      // Total project cost $800,000 + $200,000 = $1,000,000; 20 % of it is $200,000.00.
      expect(costShare).toMatchObject({
        requiredPercent: 20,
        totalProjectCents: 1_000_000_00,
        requiredCents: 200_000_00,
        committedCents: 200_000_00,
        metCents: 30_000_00,
        committedMeetsRequired: true,
        committedShortfallCents: 0,
        committedRemainingCents: 170_000_00,
        metPercentOfCommitted: 15,
      });
      // Before the entries were recorded nothing was met.
      expect((await sut().summaryFor(grant.id, '2025-05-31')).costShare.metCents).toBe(0);
    });

    it('should say how far a commitment falls short of the requirement', async () => {
      const grant = await grantWithBudget(800_000_00, 100_000_00);
      const { costShare } = await sut().summaryFor(grant.id);
      // $800,000 + $100,000 = $900,000; 20 % = $180,000.00; $80,000.00 short.
      expect(costShare.requiredCents).toBe(180_000_00);
      expect(costShare.committedMeetsRequired).toBe(false);
      expect(costShare.message).toBe(
        'The committed cost share ($100,000.00) is $80,000.00 short of the requirement: 20 % of the total project cost ($900,000.00) is $180,000.00.',
      );
    });

    it('should report a grant with no budget at version 0, warning that $0.00 is below the obligation', async () => {
      const { grant } = await makeGrantWithProgram(t);
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 1_000_00 });
      const summary = await sut().summaryFor(grant.id);
      expect(summary.version).toBe(0);
      expect(summary.warning).toBe(
        'The federal budget ($0.00) is $1,000.00 below the obligated amount ($1,000.00).',
      );
      expect(summary.rebudget).toMatchObject({
        totalBudgetCents: 0,
        percent: null,
        flagged: false,
      });
    });
  });

  itSqlite(
    'should read one grant’s spending per budget period and category from the index alone',
    async () => {
      // A cold grant page read each of the grant's entries from the table for these two columns:
      // a page each, scattered over the file (issue 13, the grant page under load).
      const sql = rebudgetSql(true, false)
        .replace(/:grantId/g, '?1')
        .replace(/:asOf/g, '?2');
      const plan = await rows<{ detail: string }>(t, `EXPLAIN QUERY PLAN ${sql}`, [
        1,
        '2026-12-03',
      ]);
      const ledger = plan.map((step) => step.detail).filter((d) => /^SEARCH e\b/.test(d));
      expect(ledger).toEqual([
        'SEARCH e USING COVERING INDEX IDX_expenditures_grant_dates_cells (grant_id=? AND incurred_on<?)',
      ]);
    },
  );
});

describe(budgetWarning.name, () => {
  it('should name both amounts and the difference, or nothing when equal', () => {
    expect(budgetWarning(1, 0)).toBe(
      'The federal budget ($0.01) is $0.01 above the obligated amount ($0.00).',
    );
    expect(budgetWarning(5_00, 5_00)).toBeNull();
  });
});
