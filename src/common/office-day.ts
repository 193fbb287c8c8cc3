import { addDays, dateTimeFormat } from './dates';

/** The zone's offset from UTC (ms) at an instant: local wall-clock time minus UTC. */
function offsetAt(timeZone: string, instant: number): number {
  const wallClock = dateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const parts = wallClock.formatToParts(new Date(instant));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The UTC instant (ISO-8601, as audit events store `occurred_at`) at which a calendar day begins in
 * the office's time zone. Two passes settle the offset across a daylight-saving change.
 */
export function startOfDayUtc(date: string, timeZone: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const midnight = Date.UTC(y, m - 1, d);
  let instant = midnight - offsetAt(timeZone, midnight);
  instant = midnight - offsetAt(timeZone, instant);
  return new Date(instant).toISOString();
}

/** The first instant after a calendar day in that zone: events strictly before it fall on or before the day. */
export function endOfDayUtc(date: string, timeZone: string): string {
  return startOfDayUtc(addDays(date, 1), timeZone);
}
