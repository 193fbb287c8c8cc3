import { checkSchedule, readPeriodRows } from './budget-periods.service';

const grant = { startDate: '2025-04-01', endDate: '2028-03-31' };
const periods = (...rows: [string, string][]) =>
  rows.map(([startDate, endDate]) => ({ startDate, endDate }));

describe(checkSchedule.name, () => {
  it('should accept contiguous periods that start with the period of performance', () => {
    expect(
      checkSchedule(grant, periods(['2025-04-01', '2026-09-30'], ['2026-10-01', '2028-03-31'])),
    ).toEqual({});
  });

  it('should accept a schedule that does not yet reach the end of the period of performance', () => {
    expect(checkSchedule(grant, periods(['2025-04-01', '2026-03-31']))).toEqual({});
  });

  it('should name the overlap in days, across a leap day', () => {
    const sut = checkSchedule(
      { startDate: '2024-01-01', endDate: '2026-12-31' },
      periods(['2024-01-01', '2024-03-01'], ['2024-02-28', '2026-12-31']),
    );
    expect(sut['periods.1.startDate']).toBe(
      'BP2 overlaps BP1 by 3 days: it must start on Mar 2, 2024, the day after BP1 ends.',
    );
  });

  it('should name a one-day gap in the singular', () => {
    const sut = checkSchedule(
      grant,
      periods(['2025-04-01', '2026-09-30'], ['2026-10-02', '2028-03-31']),
    );
    expect(sut['periods.1.startDate']).toMatch(/^There is a gap of 1 day between BP1 and BP2/);
  });

  it('should refuse periods outside the period of performance', () => {
    const sut = checkSchedule(grant, periods(['2025-03-31', '2028-04-01']));
    expect(Object.keys(sut).sort()).toEqual(['periods.0.endDate', 'periods.0.startDate']);
  });
});

describe(readPeriodRows.name, () => {
  it('should skip blank rows and flag malformed dates with the row label', () => {
    const sut = readPeriodRows([
      { startDate: '2025-04-01', endDate: '2026-02-30' },
      { startDate: ' ', endDate: '' },
      'not a row',
    ]);
    expect(sut.periods).toHaveLength(1);
    expect(sut.errors).toEqual({ 'periods.0.endDate': 'BP1: enter the end date as YYYY-MM-DD.' });
  });
});
