/**
 * Calendar months as `YYYY-MM` strings, the burn-down's unit. Arithmetic is on (year × 12 + month)
 * integers, so no time zone or day-of-month clamping can move a month.
 */

const MONTH = /^(\d{4})-(\d{2})$/;
const NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function toIndex(month: string): number {
  const match = MONTH.exec(month);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) {
    throw new Error(`Not a month: ${month}`);
  }
  return Number(match[1]) * 12 + Number(match[2]) - 1;
}

function fromIndex(index: number): string {
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The month a `YYYY-MM-DD` date falls in. */
export const monthOf = (date: string): string => date.slice(0, 7);

export const addMonthsTo = (month: string, count: number): string =>
  fromIndex(toIndex(month) + count);

/** Whole months from `from` to `to` (positive when `to` is later). */
export const monthsBetween = (from: string, to: string): number => toIndex(to) - toIndex(from);

/** Every month from `first` to `last`, both included; empty when `last` is before `first`. */
export function monthRange(first: string, last: string): string[] {
  const months: string[] = [];
  for (let i = toIndex(first); i <= toIndex(last); i++) months.push(fromIndex(i));
  return months;
}

export function daysInMonth(month: string): number {
  const index = toIndex(month);
  return new Date(Date.UTC(Math.floor(index / 12), (index % 12) + 1, 0)).getUTCDate();
}

/** `2025-02` → `2025-02-28`. */
export const lastDayOf = (month: string): string =>
  `${month}-${String(daysInMonth(month)).padStart(2, '0')}`;

/** `2025-02` → `Feb 2025`. */
export function monthLabel(month: string): string {
  const index = toIndex(month);
  return `${NAMES[index % 12]} ${Math.floor(index / 12)}`;
}
