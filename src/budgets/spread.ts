import { daysBetween, isIsoDate } from '../common/dates';

export interface MonthShare {
  /** `YYYY-MM`. */
  month: string;
  cents: number;
}

/** The calendar months a period touches, with how many of its days fall in each. */
export function daysPerMonth(
  startDate: string,
  endDate: string,
): { month: string; days: number }[] {
  if (!isIsoDate(startDate) || !isIsoDate(endDate)) {
    throw new Error(`Not a period of calendar dates: ${startDate}..${endDate}`);
  }
  if (endDate < startDate)
    throw new Error(`The period ends before it starts: ${startDate}..${endDate}`);
  const months: { month: string; days: number }[] = [];
  let [year, month] = startDate.split('-').map(Number);
  let from = startDate;
  for (;;) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const monthEnd = `${key}-${String(lastDay).padStart(2, '0')}`;
    const to = endDate < monthEnd ? endDate : monthEnd;
    months.push({ month: key, days: daysBetween(from, to) + 1 });
    if (to === endDate) return months;
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
    from = `${year}-${String(month).padStart(2, '0')}-01`;
  }
}

/**
 * Spreads a budget line straight-line over the days (inclusive) of its period and sums it per month
 * (DESIGN.md §4). Each month's exact share is cents × its days / all days; every month gets the floor
 * of its share, and the cents left over go one each to the months with the largest remainders (ties to
 * the earlier month), so the months always add up to the line exactly and each is within a cent of
 * its share. BigInt keeps cents × days exact for any safe amount.
 */
export function spreadOverMonths(cents: number, startDate: string, endDate: string): MonthShare[] {
  if (!Number.isSafeInteger(cents) || cents < 0) {
    throw new Error(`A budget line is whole cents of zero or more, got ${cents}`);
  }
  const months = daysPerMonth(startDate, endDate);
  const totalDays = BigInt(months.reduce((sum, m) => sum + m.days, 0));
  const amount = BigInt(cents);
  const shares = months.map(({ month, days }, index) => {
    const exact = amount * BigInt(days);
    return { month, index, floor: exact / totalDays, remainder: exact % totalDays };
  });
  const floors = shares.reduce((sum, s) => sum + s.floor, 0n);
  const leftover = Number(amount - floors);
  const byRemainder = [...shares].sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  const extra = new Set(byRemainder.slice(0, leftover).map((s) => s.index));
  return shares.map((s) => ({
    month: s.month,
    cents: Number(s.floor) + (extra.has(s.index) ? 1 : 0),
  }));
}
