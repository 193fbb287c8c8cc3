import fc from 'fast-check';
import { costShareFigures } from '../budgets/cost-share.rules';
import {
  nextQuarter,
  quarterEnd,
  quarterKey,
  quarterLabel,
  reportingPeriods,
  sf425Rows,
  Sf425Sums,
} from './sf425.rules';

const GRANT = { startDate: '2024-11-15', endDate: '2026-02-10' };

describe(quarterKey.name, () => {
  it('should put each month in its calendar quarter', () => {
    expect(
      ['01', '03', '04', '06', '07', '09', '10', '12'].map((m) => quarterKey(`2025-${m}-15`)),
    ).toEqual([
      '2025-Q1',
      '2025-Q1',
      '2025-Q2',
      '2025-Q2',
      '2025-Q3',
      '2025-Q3',
      '2025-Q4',
      '2025-Q4',
    ]);
  });

  it('should cross the year boundary after Q4 and end quarters on the 31st, 30th, 30th and 31st', () => {
    expect(nextQuarter('2025-Q4')).toBe('2026-Q1');
    expect(['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4'].map(quarterEnd)).toEqual([
      '2025-03-31',
      '2025-06-30',
      '2025-09-30',
      '2025-12-31',
    ]);
    expect(quarterLabel('2026-Q1')).toBe('Jan–Mar 2026');
  });
});

describe(reportingPeriods.name, () => {
  it('should list every quarter from the start to the final report, across year boundaries', () => {
    const sut = reportingPeriods(GRANT, '2026-12-31');
    expect(sut.map((p) => [p.quarter, p.periodEnd, p.dueDate, p.final])).toEqual([
      ['2024-Q4', '2024-12-31', '2025-01-30', false],
      ['2025-Q1', '2025-03-31', '2025-04-30', false],
      ['2025-Q2', '2025-06-30', '2025-07-30', false],
      ['2025-Q3', '2025-09-30', '2025-10-30', false],
      ['2025-Q4', '2025-12-31', '2026-01-30', false],
      // The final report: period ends on the end date, due 120 days later.
      ['2026-Q1', '2026-02-10', '2026-06-10', true],
    ]);
    expect(sut.every((p) => !p.partial)).toBe(true);
  });

  it('should stop at the quarter holding asOf, its period ending on asOf', () => {
    const sut = reportingPeriods(GRANT, '2025-05-20');
    expect(sut.map((p) => p.quarter)).toEqual(['2024-Q4', '2025-Q1', '2025-Q2']);
    expect(sut[2]).toMatchObject({
      quarterEnd: '2025-06-30',
      periodEnd: '2025-05-20',
      partial: true,
      dueDate: '2025-07-30',
    });
  });

  it('should show the final report as of asOf while the last quarter runs', () => {
    const [last] = reportingPeriods(GRANT, '2026-01-20').slice(-1);
    expect(last).toMatchObject({ final: true, periodEnd: '2026-01-20', partial: true });
  });

  it('should owe nothing before the grant starts', () => {
    expect(reportingPeriods(GRANT, '2024-11-14')).toEqual([]);
    expect(reportingPeriods(GRANT, '2024-11-15')).toHaveLength(1);
  });

  it('should make a grant that ends on a quarter end file its final report for that quarter', () => {
    const sut = reportingPeriods({ startDate: '2025-01-01', endDate: '2025-06-30' }, '2030-01-01');
    expect(sut.map((p) => [p.quarter, p.final, p.dueDate])).toEqual([
      ['2025-Q1', false, '2025-04-30'],
      ['2025-Q2', true, '2025-10-28'],
    ]);
  });
});

describe(sf425Rows.name, () => {
  const terms = { requiredPercent: 20, costShareCommittedCents: 250_000_00 };

  it('should run the quarterly sums into cumulative lines, counting earlier buckets in the first', () => {
    const sums: Sf425Sums = {
      // An amendment effective before the start counts from the first report on.
      authorized: new Map([
        ['2024-Q3', 600_000_00],
        ['2025-Q2', 400_000_00],
      ]),
      federal: new Map([
        ['2024-Q4', 10_000_00],
        ['2025-Q1', 25_000_50],
        ['2025-Q2', -5_000_00],
      ]),
      recipient: new Map([['2025-Q1', 3_000_00]]),
    };
    const sut = sf425Rows(reportingPeriods(GRANT, '2025-05-20'), sums, terms);
    expect(sut.map((r) => [r.line10d, r.line10e, r.line10j])).toEqual([
      [600_000_00, 10_000_00, 0],
      [600_000_00, 35_000_50, 3_000_00],
      [1_000_000_00, 30_000_50, 3_000_00],
    ]);
    // 20 % of ($1,000,000.00 + $250,000.00).
    expect(sut[2].line10i).toBe(250_000_00);
    expect(sut[2].line10h).toBe(1_000_000_00 - 30_000_50);
    expect(sut[2].line10k).toBe(250_000_00 - 3_000_00);
  });

  it('should hold the SF-425 identities on every row, for any sums', () => {
    const cents = fc.integer({ min: -5_000_000_00, max: 5_000_000_00 });
    const bucket = fc.tuple(
      fc
        .integer({ min: 2023, max: 2027 })
        .chain((y) => fc.integer({ min: 1, max: 4 }).map((q) => `${y}-Q${q}`)),
      cents,
    );
    const sums = fc.record({
      authorized: fc.array(bucket).map((b) => new Map(b)),
      federal: fc.array(bucket).map((b) => new Map(b)),
      recipient: fc.array(bucket).map((b) => new Map(b)),
    });
    const date = fc
      .date({ min: new Date('2024-01-01'), max: new Date('2027-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        sums,
        date,
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 1_000_000_00 }),
        (s, asOf, requiredPercent, costShareCommittedCents) => {
          const rows = sf425Rows(reportingPeriods(GRANT, asOf), s, {
            requiredPercent,
            costShareCommittedCents,
          });
          for (const row of rows) {
            expect(row.line10f).toBe(0);
            expect(row.line10g).toBe(row.line10e + row.line10f);
            expect(row.line10h).toBe(row.line10d - row.line10g);
            expect(row.line10k).toBe(row.line10i - row.line10j);
            expect(row.line10i).toBe(
              costShareFigures({
                asOf,
                requiredPercent,
                obligatedCents: row.line10d,
                committedCents: costShareCommittedCents,
                metCents: row.line10j,
              }).requiredCents,
            );
            expect(row.periodEnd <= asOf && row.periodEnd <= row.scheduledEnd).toBe(true);
          }
        },
      ),
    );
  });
});
