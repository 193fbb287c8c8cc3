/**
 * Calendar months as `YYYY-MM` strings, the burn-down's unit. Arithmetic is on (year × 12 + month)
 * integers, so no time zone or day-of-month clamping can move a month.
 */

const NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The whole number the digits text[from, to) spell, or -1 when one is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * `YYYY-MM` → year × 12 + month − 1. Read by character codes, not a RegExp: the reconciliation's
 * burn-downs of every grant call this some 10^5 times, and the RegExp was most of their time.
 */
function toIndex(month: string): number {
  const year = month.length === 7 && month.charCodeAt(4) === 45 ? digits(month, 0, 4) : -1;
  const number = year < 0 ? -1 : digits(month, 5, 7);
  if (number < 1 || number > 12) throw new Error(`Not a month: ${month}`);
  return year * 12 + number - 1;
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
