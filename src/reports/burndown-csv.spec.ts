import { csvChunks } from '../common/csv';
import { burndownCsv, percentNumber } from './burndown-csv';
import { buildRows } from './burndown.rules';
import type { BurndownReport } from './burndown.service';

async function textOf(report: BurndownReport): Promise<string> {
  let text = '';
  for await (const chunk of csvChunks(burndownCsv(report), false)) text += chunk.toString();
  return text;
}

function reportWith(scope: 'grant' | 'program'): BurndownReport {
  const rows = buildRows(
    ['2025-04', '2025-05', '2025-06'],
    {
      obligated: new Map([['2025-04', 100_000_00]]),
      planned: new Map([
        ['2025-05', 10_000_00],
        ['2025-06', 10_000_00],
      ]),
      actual: new Map([['2025-04', 1_250_00]]),
    },
    '2025-05-20',
  );
  return {
    scope,
    id: 3,
    name: 'x',
    grant: { id: 3, awardNumber: 'DE-SC0031987', title: 't', programId: 1 },
    asOf: '2025-05-20',
    startDate: '2025-04-01',
    endDate: '2025-06-30',
    rows,
  } as unknown as BurndownReport;
}

describe(percentNumber.name, () => {
  it('should write the page’s percent as a plain number, blank when there is none', () => {
    expect(percentNumber('+12.3%')).toBe('12.3');
    expect(percentNumber('-0.2%')).toBe('-0.2');
    expect(percentNumber('0.0%')).toBe('0.0');
    expect(percentNumber(null)).toBe('');
  });
});

describe(burndownCsv.name, () => {
  it('should write the table row for row, numbers never neutralised, blanks after asOf’s month', async () => {
    const sut = await textOf(reportWith('grant'));
    expect(sut.split('\r\n')).toEqual([
      'month,obligated_to_date,planned_month,planned_cumulative,actual_month,actual_cumulative,remaining,variance,variance_percent',
      // Nothing planned in April: no percent of nothing.
      '2025-04,100000.00,0.00,0.00,1250.00,1250.00,98750.00,1250.00,',
      '2025-05,100000.00,10000.00,10000.00,0.00,1250.00,98750.00,-8750.00,-87.5',
      '2025-06,100000.00,10000.00,20000.00,,,,,',
      '',
    ]);
  });

  it('should name the file after the grant, or plain burndown for the program', () => {
    expect(burndownCsv(reportWith('grant')).name).toBe('burndown-DE-SC0031987');
    expect(burndownCsv(reportWith('program')).name).toBe('burndown');
  });
});
