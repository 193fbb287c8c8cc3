import { addDays, addMonths, formatDate } from './dates';

/**
 * How long a dated span of the program may run. A federal award's period of performance is set in
 * its notice of award — DOE's research awards run up to 5 years, and 2 CFR 200.308 adds a one-time
 * extension of up to 12 months — so 10 years, extensions included, holds every real award with room
 * to spare. A program (its funding opportunity) runs at most 20. Every figure that is laid out by
 * month (planned spend, burn-down, SF-425 quarters) stays at most 120 or 240 rows long, however a
 * date is typed: an end date of 9999-12-31 once wrote 861,192 planned-spend rows inside the write lock.
 */
export const MAX_PERFORMANCE_YEARS = 10;
export const MAX_PROGRAM_YEARS = 20;

/** The last day a span starting on `start` may end on. */
export function latestEnd(start: string, years: number): string {
  return addDays(addMonths(start, years * 12), -1);
}

/** The message for an end date past the bound, or null. */
export function spanTooLong(
  what: 'period of performance' | 'program',
  start: string,
  end: string,
): string | null {
  const years = what === 'program' ? MAX_PROGRAM_YEARS : MAX_PERFORMANCE_YEARS;
  const latest = latestEnd(start, years);
  if (end <= latest) return null;
  const subject =
    what === 'program' ? 'A program' : 'A period of performance, extensions included,';
  return `${subject} may run at most ${years} years: from ${formatDate(start)} it may end on ${formatDate(latest)} at the latest.`;
}
