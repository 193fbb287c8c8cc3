import ical, { ICalEventBusyStatus, ICalEventTransparency } from 'ical-generator';
import { addDays } from '../common/dates';
import { DEADLINE_KIND_LABELS, Deadline } from '../deadlines/deadline.rules';

/** How far back the feed reaches: a recent miss stays visible for a while. */
export const FEED_DAYS_BEFORE = 60;
/** How far ahead: past the next year's SF-425s and budget-period ends. */
export const FEED_DAYS_AFTER = 400;
/** What the feed asks calendar apps to wait between refreshes (Google and Outlook may wait longer). */
export const FEED_REFRESH_SECONDS = 3600;

export const DEFAULT_PROGRAM_NAME = 'Critical minerals program';

/** The dates the feed covers, as of today (both ends included). */
export function feedWindow(today: string): { from: string; to: string } {
  return { from: addDays(today, -FEED_DAYS_BEFORE), to: addDays(today, FEED_DAYS_AFTER) };
}

/** The deadlines a feed lists: open ones due inside the window. */
export function feedDeadlines(deadlines: readonly Deadline[], today: string): Deadline[] {
  const { from, to } = feedWindow(today);
  return deadlines.filter((d) => !d.done && d.dueDate >= from && d.dueDate <= to);
}

export interface FeedOptions {
  deadlines: readonly Deadline[];
  today: string;
  /** Absolute base of every link (APP_URL); its host names the events' UIDs. */
  appUrl: string;
  programName: string;
  /** DTSTAMP of every event: when the feed was made. */
  now?: Date;
}

/**
 * The iCalendar text (RFC 5545) of the open deadlines: one all-day event per deadline whose UID is
 * the deadline's stable key, so a moved milestone replaces its event in the subscriber's calendar.
 * Dates go in as UTC midnights and no calendar time zone is set, so ical-generator writes them as
 * they are (`DTSTART;VALUE=DATE:YYYYMMDD`), whatever the server's or the reader's zone.
 */
export function deadlinesCalendar(options: FeedOptions): string {
  const base = options.appUrl.replace(/\/+$/, '');
  const host = new URL(base).hostname;
  const now = options.now ?? new Date();
  const calendar = ical({
    name: `Grant deadlines — ${options.programName}`,
    description:
      'Open deadlines of the program’s grants, from the Critical Minerals Grant Tracker.',
    prodId: { company: 'Critical Minerals Grant Tracker', product: 'Deadlines', language: 'EN' },
    ttl: FEED_REFRESH_SECONDS,
    url: `${base}/deadlines`,
  });
  for (const deadline of feedDeadlines(options.deadlines, options.today)) {
    const link = `${base}${deadline.href}`;
    calendar.createEvent({
      id: `${deadline.key}@${host}`,
      stamp: now,
      allDay: true,
      start: new Date(`${deadline.dueDate}T00:00:00Z`),
      end: new Date(`${addDays(deadline.dueDate, 1)}T00:00:00Z`),
      summary: `${deadline.awardNumber}: ${deadline.title}`,
      description: `${DEADLINE_KIND_LABELS[deadline.kind]}. ${deadline.basis}\n${link}`,
      url: link,
      // A deadline is a reminder, not a meeting: it never shows the day as busy.
      transparency: ICalEventTransparency.TRANSPARENT,
      busystatus: ICalEventBusyStatus.FREE,
    });
  }
  return calendar.toString();
}
