import {
  buildRows,
  BurndownRow,
  burnRate,
  formatPercent,
  MonthlySums,
  periodMonths,
  planFlag,
  plannedToDate,
  projectExhaustion,
} from './burndown.rules';

const sums = (
  obligated: [string, number][] = [],
  planned: [string, number][] = [],
  actual: [string, number][] = [],
): MonthlySums => ({
  obligated: new Map(obligated),
  planned: new Map(planned),
  actual: new Map(actual),
});

/** Rows whose actual spend per month is given, oldest first, starting in `first`. */
function rowsWithActuals(first: string, actuals: number[], asOf: string): BurndownRow[] {
  const months = periodMonths(`${first}-01`, '2030-12-31').slice(0, actuals.length);
  return buildRows(
    months,
    sums(
      [],
      [],
      months.map((m, i) => [m, actuals[i]]),
    ),
    asOf,
  );
}

describe('burn-down rules', () => {
  describe(buildRows.name, () => {
    const months = periodMonths('2025-11-10', '2026-03-31');

    it('should run one row per calendar month of the period, across the year boundary', () => {
      expect(months).toEqual(['2025-11', '2025-12', '2026-01', '2026-02', '2026-03']);
      const sut = buildRows(months, sums(), '2026-01-15');
      expect(sut.map((r) => r.label)).toEqual([
        'Nov 2025',
        'Dec 2025',
        'Jan 2026',
        'Feb 2026',
        'Mar 2026',
      ]);
      expect(sut.map((r) => r.current)).toEqual([false, false, true, false, false]);
    });

    it('should accumulate obligations, planned and actual, and blank what lies after asOf', () => {
      const sut = buildRows(
        months,
        sums(
          [
            ['2025-10', 100_000_00], // before the first month: already obligated in it
            ['2026-01', 50_000_00],
          ],
          [
            ['2025-11', 20_000_00],
            ['2025-12', 30_000_00],
            ['2026-01', 40_000_00],
            ['2026-02', 40_000_00],
          ],
          [
            ['2025-11', 25_000_00],
            ['2025-12', 27_500_25],
            ['2026-01', -2_500_25], // a reversal larger than the month's entries
          ],
        ),
        '2026-01-15',
      );
      expect(sut.map((r) => r.obligatedCents)).toEqual([
        100_000_00, 100_000_00, 150_000_00, 150_000_00, 150_000_00,
      ]);
      expect(sut.map((r) => r.plannedCumCents)).toEqual([
        20_000_00, 50_000_00, 90_000_00, 130_000_00, 130_000_00,
      ]);
      expect(sut.map((r) => r.actualCents)).toEqual([25_000_00, 27_500_25, -2_500_25, null, null]);
      expect(sut.map((r) => r.actualCumCents)).toEqual([
        25_000_00,
        52_500_25,
        50_000_00,
        null,
        null,
      ]);
      expect(sut.map((r) => r.remainingCents)).toEqual([
        75_000_00,
        47_499_75,
        100_000_00,
        null,
        null,
      ]);
      expect(sut.map((r) => r.varianceCents)).toEqual([5_000_00, 2_500_25, -40_000_00, null, null]);
      expect(sut.map((r) => r.variancePercent)).toEqual(['+25.0%', '+5.0%', '-44.4%', null, null]);
    });

    it('should count planned and actual sums outside the period in its first or last month', () => {
      const sut = buildRows(
        ['2025-01', '2025-02'],
        sums(
          [['2025-03', 9_00]],
          [
            ['2024-12', 1_00],
            ['2025-03', 2_00],
          ],
          [
            ['2024-12', 3_00],
            ['2025-03', 4_00],
          ],
        ),
        '2025-06-30',
      );
      expect(sut.map((r) => [r.plannedCents, r.actualCents, r.obligatedCents])).toEqual([
        [1_00, 3_00, 0],
        [2_00, 4_00, 0],
      ]);
    });

    it('should leave the variance percent blank while nothing is planned', () => {
      const [sut] = buildRows(['2025-01'], sums([], [], [['2025-01', 5_00]]), '2025-01-31');
      expect(sut.varianceCents).toBe(5_00);
      expect(sut.variancePercent).toBeNull();
    });
  });

  describe(formatPercent.name, () => {
    it('should round to one decimal, half away from zero, with a sign only when not zero', () => {
      expect(formatPercent(1, 8)).toBe('+12.5%');
      expect(formatPercent(-1, 8)).toBe('-12.5%');
      expect(formatPercent(1, 2000)).toBe('+0.1%'); // 0.05 % rounds up
      expect(formatPercent(-1, 2001)).toBe('0.0%');
      expect(formatPercent(3, 2, false)).toBe('150.0%');
      expect(formatPercent(1, 0)).toBeNull();
    });
  });

  describe(burnRate.name, () => {
    it('should average the last three complete months before asOf’s month', () => {
      const rows = rowsWithActuals(
        '2025-01',
        [10_00, 20_00, 30_00, 40_00, 55_00, 99_00],
        '2025-06-10',
      );
      const sut = burnRate(rows, '2025-06-10');
      expect(sut.months).toEqual(['2025-03', '2025-04', '2025-05']);
      expect(sut.sumCents).toBe(125_00);
      expect(sut.cents).toBe(41_67);
      expect(sut.text).toBe('Average of the last 3 complete months (Mar 2025 – May 2025).');
    });

    it('should count asOf’s month as complete when asOf is its last day', () => {
      const rows = rowsWithActuals('2025-01', [10_00, 20_00, 30_00, 40_00], '2025-04-30');
      expect(burnRate(rows, '2025-04-30').months).toEqual(['2025-02', '2025-03', '2025-04']);
      expect(burnRate(rows, '2025-04-29').months).toEqual(['2025-01', '2025-02', '2025-03']);
    });

    it('should average fewer than three months when that is all the history, and say so', () => {
      const rows = rowsWithActuals('2025-11', [30_00, 45_01, 99_00], '2026-01-20');
      const sut = burnRate(rows, '2026-01-20');
      expect(sut.months).toEqual(['2025-11', '2025-12']);
      expect(sut.cents).toBe(37_51); // 37.505 rounds up
      expect(sut.text).toContain('only 2 complete months (Nov 2025 – Dec 2025)');
      expect(sut.text).toContain('fewer than 3 months of history');

      const one = burnRate(rows, '2025-12-15');
      expect(one.months).toEqual(['2025-11']);
      expect(one.text).toContain('only 1 complete month (Nov 2025)');
    });

    it('should have no rate before any month is complete', () => {
      const rows = rowsWithActuals('2025-11', [30_00], '2025-11-29');
      expect(burnRate(rows, '2025-11-29')).toEqual({
        cents: null,
        sumCents: 0,
        months: [],
        text: 'No complete month yet on Nov 29, 2025.',
      });
    });

    it('should report a zero burn rate when nothing was spent', () => {
      const rows = rowsWithActuals('2025-01', [10_00, 0, 0, 0], '2025-04-30');
      const sut = burnRate(rows, '2025-04-30');
      expect(sut.cents).toBe(0);
      expect(sut.sumCents).toBe(0);
    });
  });

  describe(projectExhaustion.name, () => {
    const rate = (months: string[], sumCents: number) => ({
      cents: Math.round(sumCents / months.length),
      sumCents,
      months,
      text: '',
    });
    const threeMonths = rate(['2025-05', '2025-06', '2025-07'], 300_00); // 100.00 a month

    it('should count ceil(remaining ÷ rate) months from asOf’s month, across a year boundary', () => {
      const sut = projectExhaustion(1_000_01, threeMonths, '2025-08-15', '2026-12-31');
      // 1,000.01 at 100.00 a month: 10.0001 → 11 months after Aug 2025.
      expect(sut).toEqual({
        kind: 'before_end',
        month: '2026-07',
        monthsBeforeEnd: 5,
        text: 'Runs out in Jul 2026, 5 months before the end date (Dec 31, 2026).',
      });
      expect(projectExhaustion(1_000_00, threeMonths, '2025-08-15', '2026-12-31').month).toBe(
        '2026-06',
      );
    });

    it('should tell when the money lasts to the end month or past the end date', () => {
      const atEnd = projectExhaustion(400_00, threeMonths, '2025-08-01', '2025-12-31');
      expect(atEnd.kind).toBe('at_end');
      expect(atEnd.month).toBe('2025-12');
      const past = projectExhaustion(400_01, threeMonths, '2025-08-01', '2025-12-31');
      expect(past.kind).toBe('past_end');
      expect(past.month).toBe('2026-01');
      expect(past.text).toBe(
        'Lasts past the end date (Dec 31, 2025): at this rate it would run out in Jan 2026.',
      );
      const oneBefore = projectExhaustion(300_00, threeMonths, '2025-08-01', '2025-12-31');
      expect(oneBefore.text).toBe(
        'Runs out in Nov 2025, 1 month before the end date (Dec 31, 2025).',
      );
    });

    it('should not name a month past its horizon when a trickle of spending would last for ages', () => {
      // $2,000,000.00 left at one cent over three months: 600 million months, no calendar month.
      const trickle = rate(['2026-09', '2026-10', '2026-11'], 1);
      const sut = projectExhaustion(2_000_000_00, trickle, '2026-12-01', '2028-03-31');
      expect(sut).toEqual({
        kind: 'past_end',
        month: null,
        monthsBeforeEnd: null,
        text: 'Lasts past the end date (Mar 31, 2028): at this rate the balance would last more than 100 years.',
      });
      // At the horizon itself the month is still named.
      const edge = projectExhaustion(1200, rate(['2026-09'], 1), '2026-12-01', '2028-03-31');
      expect(edge.month).toBe('2126-12');
    });

    it('should use the exact average, not the rounded one', () => {
      // 100.00 over 3 months is 33.333…, rounded 33.33: 100.00 remaining lasts exactly 3 months,
      // where the rounded rate would make it 3.0003, so 4.
      const sut = projectExhaustion(
        100_00,
        rate(['2025-01', '2025-02', '2025-03'], 100_00),
        '2025-04-10',
        '2026-12-31',
      );
      expect(sut.month).toBe('2025-07');
    });

    it('should make no projection without spending, history, balance or time left', () => {
      expect(projectExhaustion(500_00, rate(['2025-06'], 0), '2025-07-10', '2026-12-31').kind).toBe(
        'no_burn',
      );
      expect(
        projectExhaustion(500_00, rate(['2025-06', '2025-07'], -10_00), '2025-08-10', '2026-12-31')
          .kind,
      ).toBe('no_burn');
      expect(
        projectExhaustion(
          500_00,
          { cents: null, sumCents: 0, months: [], text: '' },
          '2025-07-10',
          '2026-12-31',
        ).kind,
      ).toBe('no_history');
      expect(projectExhaustion(0, threeMonths, '2025-08-10', '2026-12-31').kind).toBe('spent');
      expect(projectExhaustion(-5_00, threeMonths, '2025-08-10', '2026-12-31').text).toBe(
        'Spending exceeds the obligations by $5.00.',
      );
      expect(projectExhaustion(500_00, threeMonths, '2027-01-01', '2026-12-31').kind).toBe('ended');
    });
  });

  describe(plannedToDate.name, () => {
    it('should prorate asOf’s month by the days elapsed, rounded to the cent', () => {
      expect(plannedToDate(382_000_00, 70_000_00, '2025-08-15')).toBe(415_870_97); // 15/31
      expect(plannedToDate(0, 28_00, '2025-02-14')).toBe(14_00);
      expect(plannedToDate(0, 29_00, '2024-02-29')).toBe(29_00);
      expect(plannedToDate(10_00, 1_00, '2025-04-01')).toBe(10_03); // 100 × 1/30 = 3.33
    });
  });

  describe(planFlag.name, () => {
    it('should flag over-spending only beyond 10 % of the plan', () => {
      expect(planFlag(110_00, 100_00).kind).toBe('on_plan'); // exactly 10 % is not beyond it
      const sut = planFlag(110_01, 100_00);
      expect(sut).toEqual({
        kind: 'over',
        varianceCents: 10_01,
        percent: '+10.0%',
        text: 'Over-spending: ahead of plan by 10.0%.',
      });
    });

    it('should flag under-spending beyond 10 % the other way', () => {
      expect(planFlag(90_00, 100_00).kind).toBe('on_plan');
      expect(planFlag(89_99, 100_00)).toEqual({
        kind: 'under',
        varianceCents: -10_01,
        percent: '-10.0%',
        text: 'Under-spending: behind plan by 10.0%.',
      });
    });

    it('should say when the plan is met within the threshold', () => {
      expect(planFlag(415_750_50, 415_870_97)).toEqual({
        kind: 'on_plan',
        varianceCents: -120_47,
        percent: '0.0%',
        text: 'On plan: within 10 % (0.0%).',
      });
    });

    it('should flag spending when nothing is planned yet, and nothing when neither happened', () => {
      expect(planFlag(5_00, 0).kind).toBe('over');
      expect(planFlag(5_00, 0).percent).toBeNull();
      expect(planFlag(0, 0).kind).toBe('none');
    });
  });
});
