import fc from 'fast-check';
import { addDays } from '../common/dates';
import { daysPerMonth, spreadOverMonths } from './spread';

describe(spreadOverMonths.name, () => {
  it('should spread $100.00 over 2025-01-15..2025-03-14 by days, largest remainders getting the cents', () => {
    // 17 + 28 + 14 = 59 days. Exact shares: 170000/59 = 2881 r21, 280000/59 = 4745 r45,
    // 140000/59 = 2372 r52; floors leave 2 cents, which go to March (52) and February (45).
    const sut = spreadOverMonths(100_00, '2025-01-15', '2025-03-14');
    expect(sut).toEqual([
      { month: '2025-01', cents: 2881 },
      { month: '2025-02', cents: 4746 },
      { month: '2025-03', cents: 2373 },
    ]);
  });

  it('should give a tied leftover cent to the earlier month', () => {
    // Two days in each month: 1.5 cents each; the leftover cent goes to January.
    expect(spreadOverMonths(3, '2025-01-30', '2025-02-02')).toEqual([
      { month: '2025-01', cents: 2 },
      { month: '2025-02', cents: 1 },
    ]);
  });

  it('should count February 29 in a leap year', () => {
    // 29 days of February and 31 of March: 6000 × 29/60 = 2900, 6000 × 31/60 = 3100.
    expect(spreadOverMonths(6000, '2024-02-01', '2024-03-31')).toEqual([
      { month: '2024-02', cents: 2900 },
      { month: '2024-03', cents: 3100 },
    ]);
  });

  it('should put a one-day period in its month, and cross a year boundary', () => {
    expect(spreadOverMonths(12345, '2025-07-04', '2025-07-04')).toEqual([
      { month: '2025-07', cents: 12345 },
    ]);
    // 1 day in December, 1 in January: 101 / 2 = 50 r1 each; the tie goes to December.
    expect(spreadOverMonths(101, '2025-12-31', '2026-01-01')).toEqual([
      { month: '2025-12', cents: 51 },
      { month: '2026-01', cents: 50 },
    ]);
  });

  it('should spread zero as zero in every month', () => {
    expect(spreadOverMonths(0, '2025-01-01', '2025-03-31').map((m) => m.cents)).toEqual([0, 0, 0]);
  });

  it('should refuse negative or fractional cents and a period that ends before it starts', () => {
    expect(() => spreadOverMonths(-1, '2025-01-01', '2025-01-31')).toThrow('zero or more');
    expect(() => spreadOverMonths(1.5, '2025-01-01', '2025-01-31')).toThrow('whole cents');
    expect(() => spreadOverMonths(1, '2025-02-01', '2025-01-31')).toThrow('ends before');
    expect(() => spreadOverMonths(1, '2025-02-30', '2025-03-31')).toThrow('calendar dates');
  });

  describe('for any line and period', () => {
    const day0 = '2020-01-01';
    // Starts from 2020 to 2031, lengths from 1 day to 6 years: crosses months, years and leap days.
    const period = fc
      .tuple(fc.integer({ min: 0, max: 4400 }), fc.integer({ min: 0, max: 6 * 366 }))
      .map(([offset, length]) => {
        const startDate = addDays(day0, offset);
        return { startDate, endDate: addDays(startDate, length) };
      });
    const cents = fc.integer({ min: 0, max: 100_000_000_000 });

    it('should add the months up to the line exactly', () => {
      fc.assert(
        fc.property(cents, period, (amount, { startDate, endDate }) => {
          const sut = spreadOverMonths(amount, startDate, endDate);
          expect(sut.reduce((sum, m) => sum + m.cents, 0)).toBe(amount);
        }),
      );
    });

    it('should keep every month within one cent of its exact share', () => {
      fc.assert(
        fc.property(cents, period, (amount, { startDate, endDate }) => {
          const months = daysPerMonth(startDate, endDate);
          const totalDays = BigInt(months.reduce((sum, m) => sum + m.days, 0));
          const sut = spreadOverMonths(amount, startDate, endDate);
          sut.forEach((m, i) => {
            // |m − amount × days / total| < 1, in integers: |m × total − amount × days| < total.
            const scaled = BigInt(m.cents) * totalDays - BigInt(amount) * BigInt(months[i].days);
            expect(scaled < totalDays && -scaled < totalDays).toBe(true);
          });
        }),
      );
    });

    it('should list the months from the first to the last, contiguous, each once', () => {
      fc.assert(
        fc.property(cents, period, (amount, { startDate, endDate }) => {
          const sut = spreadOverMonths(amount, startDate, endDate).map((m) => m.month);
          expect(sut[0]).toBe(startDate.slice(0, 7));
          expect(sut[sut.length - 1]).toBe(endDate.slice(0, 7));
          for (let i = 1; i < sut.length; i++) {
            const [y, m] = sut[i - 1].split('-').map(Number);
            const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
            expect(sut[i]).toBe(next);
          }
        }),
      );
    });

    it('should count every day of the period exactly once', () => {
      fc.assert(
        fc.property(period, ({ startDate, endDate }) => {
          const days = daysPerMonth(startDate, endDate).reduce((sum, m) => sum + m.days, 0);
          expect(addDays(startDate, days - 1)).toBe(endDate);
        }),
      );
    });
  });
});
