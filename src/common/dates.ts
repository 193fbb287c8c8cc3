/**
 * Calendar dates are `YYYY-MM-DD` strings end to end. Arithmetic happens on UTC midnights so that no
 * time zone can move a date; "today" is the program office's calendar day (APP_TIME_ZONE).
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function toUtcMs(date: string): number {
  if (!isIsoDate(date)) throw new Error(`Not a calendar date: ${String(date)}`);
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}

function fromUtcMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromUtcMs(toUtcMs(date) + days * DAY_MS);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

/** Same day-of-month `months` later, clamped to the month's last day (Jan 31 + 1 month = Feb 28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(
    Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0),
  ).getUTCDate();
  first.setUTCDate(Math.min(d, lastDay));
  return fromUtcMs(first.getTime());
}

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * A shared Intl.DateTimeFormat for these options: building one costs about 0.1 ms, and pages format
 * dates in every row.
 */
export function dateTimeFormat(
  locale: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    formats.set(key, format);
  }
  return format;
}

/** Per time zone, the last second asked about and its date (see todayIn). */
const todays = new Map<string, { second: number; date: string }>();

/**
 * Today's calendar date in the given IANA time zone. Every zone's offset is a whole number of
 * seconds, so a day starts on a whole second and one answer serves the whole second: a page asks
 * several times, and the Intl formatting adds up under load.
 */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const second = Math.floor(now.getTime() / 1000);
  const known = todays.get(timeZone);
  if (known?.second === second) return known.date;
  const date = dateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
  if (todays.size > 100) todays.clear();
  todays.set(timeZone, { second, date });
  return date;
}

/** Dates as formatDate shows them, kept: pages show the same few hundred dates in every row. */
const shownDates = new Map<string, string>();
const SHOWN_DATES = 20_000;

/** `March 27, 2025` for display; the stored value stays ISO. */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '';
  const known = shownDates.get(date);
  if (known !== undefined) return known;
  if (!isIsoDate(date)) return date;
  const shown = dateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'medium' }).format(
    new Date(toUtcMs(date)),
  );
  if (shownDates.size >= SHOWN_DATES) shownDates.clear();
  shownDates.set(date, shown);
  return shown;
}

/**
 * The office's time zone for showing timestamps (APP_TIME_ZONE, set once at start-up by
 * configureApp). Stored timestamps stay UTC; only what a person reads is in the office's zone.
 */
let displayTimeZone = 'America/New_York';

export function setDisplayTimeZone(timeZone: string): void {
  displayTimeZone = timeZone;
}

/**
 * A UTC ISO-8601 timestamp as every page and message shows it: in the office's time zone, labelled
 * with the zone, `Dec 1, 2026, 4:04:05 PM EST` (the same date style as formatDate's `Dec 1, 2026`).
 * Anything that is not a timestamp is shown as it is.
 */
export function formatTimestamp(iso: string, timeZone: string = displayTimeZone): string {
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso) || Number.isNaN(ms)) return iso;
  return dateTimeFormat('en-US', { timeZone, dateStyle: 'medium', timeStyle: 'long' }).format(
    new Date(ms),
  );
}
