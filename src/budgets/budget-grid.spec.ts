import { COST_CATEGORIES } from './budget.constants';
import { readGrid, rowsByPeriod, savedValues, typedValues } from './budget-grid';

/** A grid as the body parser hands it over: `lines[1]…lines[N]` arrive as an array. */
const row = (cells: Record<string, { federal?: unknown; costShare?: unknown }> = {}) => cells;

describe(readGrid.name, () => {
  it('should read dollar text into cents, blank and missing cells as zero', () => {
    const sut = readGrid(
      [
        row({
          personnel: { federal: '$120,000.50', costShare: '' },
          travel: { federal: ' 7500 ' },
        }),
        row({ indirect_charges: { costShare: '1,000' } }),
      ],
      [1, 2],
    );
    expect(sut.errors).toEqual({});
    expect(sut.cents.get(1)?.get('personnel')).toEqual({
      federalCents: 12_000_050,
      costShareCents: 0,
    });
    expect(sut.cents.get(1)?.get('travel')).toEqual({ federalCents: 750_000, costShareCents: 0 });
    expect(sut.cents.get(2)?.get('indirect_charges')).toEqual({
      federalCents: 0,
      costShareCents: 100_000,
    });
    expect(sut.cents.get(2)?.get('equipment')).toEqual({ federalCents: 0, costShareCents: 0 });
    expect([...(sut.cents.get(2)?.keys() ?? [])]).toEqual([...COST_CATEGORIES]);
  });

  it('should refuse a negative amount, more than two decimals and letters, naming each cell', () => {
    const sut = readGrid(
      [
        row({ fringe_benefits: { costShare: '-5.00' } }),
        row({ travel: { federal: '12.345' }, other: { costShare: 'ten dollars' } }),
      ],
      [1, 2],
    );
    expect(sut.errors).toEqual({
      'lines.1.fringe_benefits.costShare':
        'BP1 Fringe benefits, cost share: enter an amount of zero or more; a budget line cannot be negative.',
      'lines.2.travel.federal':
        'BP2 Travel, federal: Use at most two decimal places (whole cents).',
      'lines.2.other.costShare':
        'BP2 Other, cost share: Enter dollars as digits, for example 1234567.89, 1,234,567.89 or $1,234,567.89.',
    });
  });

  it('should refuse an amount above the largest a line may hold', () => {
    const sut = readGrid([row({ equipment: { federal: '10,000,000,000.01' } })], [1]);
    expect(sut.errors['lines.1.equipment.federal']).toBe(
      'BP1 Equipment, federal: enter at most $10,000,000,000.00.',
    );
  });

  it('should refuse a cell sent twice', () => {
    const sut = readGrid([row({ supplies: { federal: ['1', '2'] } })], [1]);
    expect(sut.errors['lines.1.supplies.federal']).toBe(
      'BP1 Supplies, federal: enter one amount in dollars.',
    );
  });

  it('should refuse a grid whose rows do not match the budget periods, and a missing grid', () => {
    const mismatch = readGrid([row({ personnel: { federal: '1' } })], [1, 2]);
    expect(mismatch.errors).toEqual({
      lines:
        'The grid does not match this grant’s budget periods (BP1–BP2); reload the page and enter the amounts again.',
    });
    const unknownPeriod = readGrid({ 150: row() }, [1]);
    expect(Object.keys(unknownPeriod.errors)).toEqual(['lines']);
    expect(readGrid(undefined, [1]).errors).toEqual({
      lines: 'The form sent no budget grid; reload the page and try again.',
    });
  });
});

describe(rowsByPeriod.name, () => {
  it('should number an array from BP1 and an object by its keys', () => {
    expect([...rowsByPeriod(['a', 'b']).rows.entries()]).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect([...rowsByPeriod({ 101: 'x', junk: 'y' }).rows.entries()]).toEqual([[101, 'x']]);
  });
});

describe(typedValues.name, () => {
  it('should keep the text as typed, and blank where nothing usable came', () => {
    const sut = typedValues([row({ travel: { federal: '12.345', costShare: ['a'] } })], [1, 2]);
    expect(sut[1].travel).toEqual({ federal: '12.345', costShare: '' });
    expect(sut[2].personnel).toEqual({ federal: '', costShare: '' });
  });
});

describe(savedValues.name, () => {
  it('should show saved cents as decimal dollars and zero as blank', () => {
    const sut = savedValues(
      [{ budgetPeriod: 2, category: 'travel', federalCents: 123_456, costShareCents: 0 }],
      [1, 2],
    );
    expect(sut[2].travel).toEqual({ federal: '1234.56', costShare: '' });
    expect(sut[1].travel).toEqual({ federal: '', costShare: '' });
  });
});
