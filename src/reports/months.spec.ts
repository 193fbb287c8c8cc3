import {
  addMonthsTo,
  daysInMonth,
  lastDayOf,
  monthLabel,
  monthOf,
  monthRange,
  monthsBetween,
} from './months';

describe('months', () => {
  it('should list every month across a year boundary, both ends included', () => {
    expect(monthRange('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthRange('2025-03', '2025-03')).toEqual(['2025-03']);
    expect(monthRange('2025-04', '2025-03')).toEqual([]);
  });

  it('should add and count months across year boundaries', () => {
    expect(addMonthsTo('2025-08', 11)).toBe('2026-07');
    expect(addMonthsTo('2025-12', 1)).toBe('2026-01');
    expect(addMonthsTo('2026-01', -1)).toBe('2025-12');
    expect(addMonthsTo('2024-02', -26)).toBe('2021-12');
    expect(monthsBetween('2025-11', '2027-02')).toBe(15);
    expect(monthsBetween('2026-07', '2025-12')).toBe(-7);
  });

  it('should know the length of each month, leap years included', () => {
    expect(daysInMonth('2024-02')).toBe(29);
    expect(daysInMonth('2025-02')).toBe(28);
    expect(daysInMonth('2100-02')).toBe(28);
    expect(daysInMonth('2025-12')).toBe(31);
    expect(lastDayOf('2025-04')).toBe('2025-04-30');
    expect(lastDayOf('2024-02')).toBe('2024-02-29');
  });

  it('should take the month of a date and label it', () => {
    expect(monthOf('2025-07-15')).toBe('2025-07');
    expect(monthLabel('2025-07')).toBe('Jul 2025');
    expect(monthLabel('2026-01')).toBe('Jan 2026');
  });

  it('should refuse a value that is not a month', () => {
    expect(() => monthRange('2025-13', '2026-01')).toThrow('Not a month');
    expect(() => addMonthsTo('2025-7', 1)).toThrow('Not a month');
  });
});
