import {
  makeAmendment,
  makeExpenditure,
  makeGrant,
  makeGrantWithProgram,
  makePlannedSpend,
} from '../../test/helpers/factories';
import { freshContextPerTest, rows } from '../../test/helpers/test-app';
import { actualByMonthSql, BurndownService, grantScope, programScope } from './burndown.service';

describe(BurndownService.name, () => {
  const t = freshContextPerTest();
  const sut = () => t.app.get(BurndownService);

  /** SQLite's plan for a query, one line per step. */
  async function planOf(sql: string, params: unknown[]): Promise<string[]> {
    const plan = await rows<{ detail: string }>(t, `EXPLAIN QUERY PLAN ${sql}`, params);
    return plan.map((step) => step.detail);
  }

  /** The SQL with its `:scopeId`, `:asOf` and `:asOfEnd` turned into positional parameters. */
  const positional = (sql: string) =>
    sql
      .replace(/:scopeId/g, '?1')
      .replace(/:asOfEnd/g, '?3')
      .replace(/:asOf/g, '?2');

  it('should sum a grant’s actuals from the covering index alone, filtering recorded_on inside it', async () => {
    const plan = await planOf(positional(actualByMonthSql(grantScope(1))), [1, '2025-08-15']);
    const ledger = plan.filter((step) => /\be\b/.test(step) && /expenditures|USING/.test(step));
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatch(
      /^SEARCH e USING COVERING INDEX \w+ \(grant_id=\? AND incurred_on<\?\)$/,
    );
    // The per-day GROUP BY follows the index order: only the small per-month regrouping sorts.
    expect(plan.filter((step) => step.includes('TEMP B-TREE'))).toHaveLength(1);
  });

  it('should sum a program’s actuals through the same covering index, grant by grant', async () => {
    const plan = await planOf(positional(actualByMonthSql(programScope(1))), [
      1,
      '2025-08-15',
      '2025-08-16T04:00:00.000Z',
    ]);
    expect(
      plan.some((step) =>
        /^SEARCH e USING COVERING INDEX \w+ \(grant_id=\? AND incurred_on<\?\)$/.test(step),
      ),
    ).toBe(true);
    expect(plan.some((step) => step.startsWith('SCAN e'))).toBe(false);
  });

  it('should give the dashboard each grant’s figures exactly as its own burn-down headline, before and after its last entry', async () => {
    const { program, recipient, grant } = await makeGrantWithProgram(
      t,
      {},
      { startDate: '2025-01-01', endDate: '2025-12-31' },
    );
    const other = await makeGrant(t, {
      programId: program.id,
      recipientId: recipient.id,
      startDate: '2025-02-01',
      endDate: '2026-01-31',
    });
    for (const [g, obligated, planned, spent] of [
      [grant.id, 500_000_00, 41_666_67, [30_000_00, 45_000_01, 12_345_67]],
      [other.id, 300_000_00, 25_000_00, [10_000_00, 5_000_00, 50_000_00]],
    ] as const) {
      await makeAmendment(t, {
        grantId: g,
        federalChangeCents: obligated,
        effectiveDate: '2025-01-01',
      });
      await makePlannedSpend(
        t,
        g,
        ['2025-02', '2025-03', '2025-04', '2025-05'].map((month) => [
          1,
          'personnel',
          month,
          planned,
          0,
        ]),
      );
      for (const [i, amountCents] of spent.entries()) {
        await makeExpenditure(t, {
          grantId: g,
          amountCents,
          incurredOn: `2025-0${i + 2}-11`,
          recordedAt: `2025-0${i + 2}-12T10:00:00.000Z`,
          recordedOn: `2025-0${i + 2}-12`,
        });
      }
    }

    // Before the last entry was recorded the grants' spending is summed from the ledger; after it,
    // read from their running totals (ledger_totals). Both must give the headline's figures.
    for (const asOf of ['2025-03-05', '2025-04-17', '2025-06-30']) {
      const indicators = await sut().burnIndicators(asOf);
      expect(indicators.map((i) => i.grantId).sort()).toEqual([grant.id, other.id].sort());
      expect(indicators.map((i) => i.programId)).toEqual([program.id, program.id]);
      for (const indicator of indicators) {
        const headline = await sut().headlineFor(indicator.grantId, asOf);
        expect({ asOf, ...indicator }).toMatchObject({
          asOf,
          obligatedCents: headline.obligatedCents,
          spentCents: headline.spentCents,
          remainingCents: headline.remainingCents,
          plannedToDateCents: headline.plannedToDateCents,
          flag: headline.flag,
        });
      }
      const programReport = await sut().programReport(program.id, asOf);
      const sum = (pick: (i: (typeof indicators)[number]) => number) =>
        indicators.reduce((total, i) => total + pick(i), 0);
      expect(programReport.headline.spentCents).toBe(sum((i) => i.spentCents));
      expect(programReport.headline.plannedToDateCents).toBe(sum((i) => i.plannedToDateCents));
    }
  });

  it('should refuse an unknown grant or program with a 404', async () => {
    await expect(sut().grantReport(424242, '2025-01-01')).rejects.toThrow(
      'Grant 424242 does not exist.',
    );
    await expect(sut().programReport(undefined, '2025-01-01')).rejects.toThrow(
      'No program has been set up yet.',
    );
  });
});
