import { endOfDayUtc, startOfDayUtc } from '../common/office-day';

/*
 * The demo is told as a story on its own dates (DESIGN.md §4, issue 14): each step is recorded on the
 * office day it happened, so a report as of any past day shows what the office's records said then.
 * History versions open and close at those times, so the times must be in the story's order, strictly
 * increasing (a record edited at t2 was created at t1 < t2), and never later than now.
 */

/** What happens first on a day that holds several kinds of step. */
export const STEP_ORDER = {
  /** The program, then each award: recipient, grant, budget periods, budget, milestones. */
  setup: 0,
  /** Technologies the awards develop, with their baseline assessment and links. */
  technology: 1,
  /** Milestones met, waived, missed or decided: a go decision precedes the money it releases. */
  milestone: 2,
  amendment: 3,
  budget: 4,
  assessment: 5,
  ledger: 6,
  /** Corrections entered after the fact. */
  correction: 7,
} as const;

export interface StoryStep {
  /** The office day (YYYY-MM-DD) it is recorded on. */
  day: string;
  order: (typeof STEP_ORDER)[keyof typeof STEP_ORDER];
  /** What the step records, for an error message. */
  what: string;
  run: () => Promise<void>;
}

export interface TimedStep extends StoryStep {
  /** When it is recorded: a UTC ISO timestamp. */
  at: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The steps in story order (day, then kind of step, then the order they were told in), each with its
 * recording time: around the middle of its office day, one millisecond apart within the day. Steps
 * recorded today are moved back so the last one is before `now`. A step dated after today is an error.
 */
export function scheduleStory(
  steps: StoryStep[],
  options: { today: string; now: string; timeZone: string },
): TimedStep[] {
  const { today, now, timeZone } = options;
  const sorted = steps
    .map((step, index) => ({ step, index }))
    .sort(
      (a, b) =>
        a.step.day.localeCompare(b.step.day) || a.step.order - b.step.order || a.index - b.index,
    )
    .map(({ step }) => step);
  const timed: TimedStep[] = [];
  for (let i = 0; i < sorted.length;) {
    const day = sorted[i].day;
    if (day > today) throw new Error(`Demo step dated after today (${today}): ${sorted[i].what}`);
    let n = 0;
    while (i + n < sorted.length && sorted[i + n].day === day) n += 1;
    const start = Date.parse(startOfDayUtc(day, timeZone));
    const end = Date.parse(endOfDayUtc(day, timeZone));
    let base = Math.floor((start + end) / 2);
    if (day === today) base = Math.max(start, Math.min(base, Date.parse(now) - n));
    if (base + n > (day === today ? Date.parse(now) : end)) {
      throw new Error(`Too many demo steps on ${day} to record them before now`);
    }
    for (let k = 0; k < n; k++) timed.push({ ...sorted[i + k], at: iso(base + k) });
    i += n;
  }
  return timed;
}
