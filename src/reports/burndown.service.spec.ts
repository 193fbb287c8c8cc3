import { itSqlite } from '../../test/helpers/test-database';
import {
  makeAmendment,
  makeExpenditure,
  makeGrant,
  makeGrantWithProgram,
  makePlannedSpend,
  makeProgram,
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

  itSqlite(
    'should sum a grant’s actuals from the covering index alone, filtering recorded_on inside it',
    async () => {
      const plan = await planOf(positional(actualByMonthSql(grantScope(1))), [1, '2025-08-15']);
      const ledger = plan.filter((step) => /\be\b/.test(step) && /expenditures|USING/.test(step));
      expect(ledger).toHaveLength(1);
      expect(ledger[0]).toMatch(
        /^SEARCH e USING COVERING INDEX \w+ \(grant_id=\? AND incurred_on<\?\)$/,
      );
      // Only the per-month grouping sorts: no temporary b-tree over the ledger rows themselves.
      expect(plan.filter((step) => step.includes('TEMP B-TREE'))).toHaveLength(1);
    },
  );

  itSqlite(
    'should sum a program’s actuals through the same covering index, grant by grant',
    async () => {
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
    },
  );

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

  it('should give the reconciliation every grant’s and program’s burn-down exactly as its own page', async () => {
    const { program, recipient, grant } = await makeGrantWithProgram(
      t,
      {},
      { startDate: '2025-03-01', endDate: '2025-10-31' },
    );
    const second = await makeGrant(t, {
      programId: program.id,
      recipientId: recipient.id,
      startDate: '2025-01-01',
      endDate: '2026-06-30',
    });
    const idle = await makeGrant(t, {
      programId: program.id,
      recipientId: recipient.id,
      startDate: '2025-06-01',
      endDate: '2027-05-31',
    });
    const { program: otherProgram, grant: other } = await makeGrantWithProgram(
      t,
      {},
      { startDate: '2024-10-01', endDate: '2025-09-30' },
    );
    await makeProgram(t, { name: 'No grants yet' });
    for (const [g, effectiveDate, federalChangeCents] of [
      [grant.id, '2025-03-01', 400_000_00],
      [grant.id, '2025-07-15', 50_000_00],
      [grant.id, '2025-11-20', -1], // after the last month: the burn-down leaves it out
      [second.id, '2024-12-15', 250_000_00], // before the first month: counted in it
      [other.id, '2024-10-01', 900_000_00],
    ] as const) {
      await makeAmendment(t, { grantId: g, effectiveDate, federalChangeCents });
    }
    await makePlannedSpend(t, grant.id, [
      [1, 'personnel', '2025-04', 30_000_00, 0],
      [1, 'travel', '2025-05', 12_345_67, 0],
    ]);
    await makePlannedSpend(t, other.id, [[1, 'equipment', '2025-02', 80_000_00, 0]]);
    const entries: [number, string, number, string?][] = [
      [grant.id, '2025-02-20', 1_000_00], // before the start: folded into the first month
      [grant.id, '2025-04-03', 45_000_01],
      [grant.id, '2025-04-03', 5_000_00],
      [grant.id, '2025-11-05', 7_777_77], // after the end: folded into the last month
      [grant.id, '2025-05-30', 3_000_00, '2025-08-01'], // recorded late
      [second.id, '2025-06-10', 20_000_00],
      [other.id, '2024-12-31', 333_000_00],
      [other.id, '2025-03-15', 1_234_56, 'cost_share'],
    ];
    for (const [grantId, incurredOn, amountCents, extra] of entries) {
      await makeExpenditure(t, {
        grantId,
        incurredOn,
        amountCents,
        recordedOn: extra?.startsWith('20') ? extra : incurredOn,
        recordedAt: `${extra?.startsWith('20') ? extra : incurredOn}T12:00:00.000Z`,
        share: extra === 'cost_share' ? 'cost_share' : 'federal',
      });
    }

    const [mistake] = await rows<{ id: number }>(
      t,
      'SELECT id FROM expenditures WHERE grant_id = ? AND amount_cents = 500000',
      [grant.id],
    );
    await makeExpenditure(t, {
      grantId: grant.id,
      incurredOn: '2025-04-03',
      amountCents: -5_000_00,
      reversalOf: mistake.id,
      recordedOn: '2025-04-09',
      recordedAt: '2025-04-09T12:00:00.000Z',
    });

    for (const asOf of ['2024-11-30', '2025-04-17', '2025-07-31', '2025-12-15', '2026-08-01']) {
      const batch = await sut().allReports(asOf);
      expect([...batch.grants.keys()].sort()).toEqual(
        [grant.id, second.id, idle.id, other.id].sort(),
      );
      for (const [id, report] of batch.grants) {
        expect({ asOf, report }).toEqual({ asOf, report: await sut().grantReport(id, asOf) });
      }
      expect(batch.programs.size).toBe(3);
      for (const [id, report] of batch.programs) {
        expect({ asOf, report }).toEqual({ asOf, report: await sut().programReport(id, asOf) });
      }
    }
    // What the reconciliation reads from them: the row of asOf's month.
    const row = (await sut().allReports('2025-12-15')).grants
      .get(grant.id)!
      .rows.find((r) => r.month === '2025-10')!;
    expect(row).toMatchObject({
      obligatedCents: 450_000_00,
      actualCumCents: 1_000_00 + 45_000_01 + 5_000_00 - 5_000_00 + 7_777_77 + 3_000_00,
    });
    expect(otherProgram.id).not.toBe(program.id);
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
