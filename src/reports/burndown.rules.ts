import { formatMoney } from '../common/money';
import { formatDate } from '../common/dates';
import {
  addMonthsTo,
  daysInMonth,
  lastDayOf,
  monthLabel,
  monthOf,
  monthRange,
  monthsBetween,
} from './months';

/**
 * The burn-down's rules (DESIGN.md §4), as pure functions of the monthly sums that SQL returns: the
 * rows of the table, the burn rate, the projected exhaustion month and the over/under-spend flag.
 * Everything is integer cents; nothing here reads the database.
 */

/** Spending more than this percent away from the plan (either way) raises the flag. */
export const PLAN_THRESHOLD_PERCENT = 10;
/** The burn rate averages this many complete months. */
export const BURN_RATE_MONTHS = 3;

/** Per-month sums as SQL returns them (month `YYYY-MM` → cents), before any running total. */
export interface MonthlySums {
  /** Amendments effective on or before asOf, by month of their effective date. */
  obligated: Map<string, number>;
  /** Planned federal spend by month. */
  planned: Map<string, number>;
  /** Federal ledger entries that count for asOf, by month incurred (reversals included). */
  actual: Map<string, number>;
}

export interface BurndownRow {
  month: string;
  label: string;
  /** Obligated as of the month's last day, or as of asOf when that is earlier. */
  obligatedCents: number;
  plannedCents: number;
  plannedCumCents: number;
  /** Null for months after asOf's month: nothing is known about them yet. */
  actualCents: number | null;
  actualCumCents: number | null;
  remainingCents: number | null;
  varianceCents: number | null;
  /** Variance as a percent of cumulative planned, one decimal (`+1.8%`); null when nothing is planned. */
  variancePercent: string | null;
  /** The month asOf falls in. */
  current: boolean;
}

/** The months of a period of performance, from its start month to its end month. */
export function periodMonths(startDate: string, endDate: string): string[] {
  return monthRange(monthOf(startDate), monthOf(endDate));
}

/**
 * Sums a per-month map into the months shown. A month before the first one counts in the first, and
 * (except for obligations, which are "as of the month's end") one after the last counts in the last,
 * so the table's totals always equal the headline's.
 */
function spread(sums: Map<string, number>, months: string[], foldLate: boolean): number[] {
  const values = months.map(() => 0);
  if (months.length === 0) return values;
  const first = months[0];
  const last = months[months.length - 1];
  for (const [month, cents] of sums) {
    if (month < first) values[0] += cents;
    else if (month > last) {
      if (foldLate) values[values.length - 1] += cents;
    } else values[monthsBetween(first, month)] += cents;
  }
  return values;
}

const runningTotal = (values: number[]): number[] => {
  let total = 0;
  return values.map((v) => (total += v));
};

export function buildRows(months: string[], sums: MonthlySums, asOf: string): BurndownRow[] {
  const asOfMonth = monthOf(asOf);
  const obligated = runningTotal(spread(sums.obligated, months, false));
  const planned = spread(sums.planned, months, true);
  const plannedCum = runningTotal(planned);
  const actual = spread(sums.actual, months, true);
  const actualCum = runningTotal(actual);
  return months.map((month, i) => {
    const known = month <= asOfMonth;
    const varianceCents = known ? actualCum[i] - plannedCum[i] : null;
    return {
      month,
      label: monthLabel(month),
      obligatedCents: obligated[i],
      plannedCents: planned[i],
      plannedCumCents: plannedCum[i],
      actualCents: known ? actual[i] : null,
      actualCumCents: known ? actualCum[i] : null,
      remainingCents: known ? obligated[i] - actualCum[i] : null,
      varianceCents,
      variancePercent: varianceCents === null ? null : formatPercent(varianceCents, plannedCum[i]),
      current: month === asOfMonth,
    };
  });
}

/**
 * `part` as a percent of `whole`, one decimal, rounded half away from zero, signed when not zero:
 * `+12.3%`, `-0.2%`, `0.0%`. Null when `whole` is zero (no percent of nothing).
 */
export function formatPercent(part: number, whole: number, signed = true): string | null {
  if (whole === 0) return null;
  const tenths = Math.round((Math.abs(part) * 1000) / Math.abs(whole));
  const negative = part < 0 !== whole < 0;
  const sign = tenths === 0 ? '' : negative ? '-' : signed ? '+' : '';
  return `${sign}${Math.floor(tenths / 10)}.${tenths % 10}%`;
}

export interface BurnRate {
  /** The average, rounded to the cent; null when no month is complete yet. */
  cents: number | null;
  /** The exact sum over `months`, so the projection does not inherit the rounding. */
  sumCents: number;
  /** The complete months averaged, oldest first (at most three). */
  months: string[];
  text: string;
}

/**
 * Average actual spend of the last three complete months: a month is complete when its last day is on
 * or before asOf. With fewer than three complete months, the average of those there are, said so.
 */
export function burnRate(rows: BurndownRow[], asOf: string): BurnRate {
  const complete = rows.filter((r) => lastDayOf(r.month) <= asOf).slice(-BURN_RATE_MONTHS);
  const months = complete.map((r) => r.month);
  const sumCents = complete.reduce((sum, r) => sum + (r.actualCents ?? 0), 0);
  if (complete.length === 0) {
    return {
      cents: null,
      sumCents: 0,
      months,
      text: `No complete month yet on ${formatDate(asOf)}.`,
    };
  }
  const cents = Math.round(sumCents / complete.length);
  const span =
    complete.length === 1
      ? monthLabel(months[0])
      : `${monthLabel(months[0])} – ${monthLabel(months[months.length - 1])}`;
  const text =
    complete.length < BURN_RATE_MONTHS
      ? `Average of only ${complete.length} complete month${complete.length === 1 ? '' : 's'} (${span}): fewer than ${BURN_RATE_MONTHS} months of history.`
      : `Average of the last ${BURN_RATE_MONTHS} complete months (${span}).`;
  return { cents, sumCents, months, text };
}

export type ProjectionKind =
  'ended' | 'spent' | 'no_history' | 'no_burn' | 'before_end' | 'at_end' | 'past_end';

/** How far a projection names a month: beyond it, only that the balance outlasts it. */
export const PROJECTION_HORIZON_MONTHS = 1200;

export interface Projection {
  kind: ProjectionKind;
  /** The month the remaining balance reaches zero at the burn rate, when there is one. */
  month: string | null;
  /** How many months before the end date's month it runs out (before_end only). */
  monthsBeforeEnd: number | null;
  text: string;
}

/**
 * The month the remaining balance reaches zero at the burn rate: ceil(remaining ÷ rate) months after
 * asOf's month, compared with the month of the end date.
 */
export function projectExhaustion(
  remainingCents: number,
  rate: BurnRate,
  asOf: string,
  endDate: string,
): Projection {
  const none = (kind: ProjectionKind, text: string): Projection => ({
    kind,
    month: null,
    monthsBeforeEnd: null,
    text,
  });
  const end = formatDate(endDate);
  if (asOf > endDate) {
    return none('ended', `The period of performance ended on ${formatDate(end)}.`);
  }
  if (remainingCents < 0) {
    return none('spent', `Spending exceeds the obligations by ${formatMoney(-remainingCents)}.`);
  }
  if (remainingCents === 0) {
    return none('spent', 'Nothing remains to spend.');
  }
  if (rate.months.length === 0) {
    return none('no_history', 'No projection until a month of spending is complete.');
  }
  if (rate.sumCents <= 0) {
    return none(
      'no_burn',
      `No net spending in ${rate.months.map(monthLabel).join(', ')}: at this rate the balance never runs out.`,
    );
  }
  // remaining ÷ (sum ÷ n), kept in integers until the one division.
  const months = Math.ceil((remainingCents * rate.months.length) / rate.sumCents);
  if (months > PROJECTION_HORIZON_MONTHS) {
    // A trickle of net spending (a reversal nearly cancelling a month) projects past any calendar.
    return none(
      'past_end',
      `Lasts past the end date (${formatDate(end)}): at this rate the balance would last more than ${PROJECTION_HORIZON_MONTHS / 12} years.`,
    );
  }
  const month = addMonthsTo(monthOf(asOf), months);
  const before = monthsBetween(month, monthOf(endDate));
  if (before > 0) {
    return {
      kind: 'before_end',
      month,
      monthsBeforeEnd: before,
      text: `Runs out in ${monthLabel(month)}, ${before} month${before === 1 ? '' : 's'} before the end date (${formatDate(end)}).`,
    };
  }
  if (before === 0) {
    return {
      kind: 'at_end',
      month,
      monthsBeforeEnd: null,
      text: `Runs out in ${monthLabel(month)}, the month the period of performance ends (${formatDate(end)}).`,
    };
  }
  return {
    kind: 'past_end',
    month,
    monthsBeforeEnd: null,
    text: `Lasts past the end date (${formatDate(end)}): at this rate it would run out in ${monthLabel(month)}.`,
  };
}

/**
 * The plan to date: every month before asOf's month, plus asOf's month prorated by the days elapsed
 * (day of month ÷ days in the month, rounded to the cent), since the plan itself is straight-line
 * over days.
 */
export function plannedToDate(beforeCents: number, monthCents: number, asOf: string): number {
  const day = Number(asOf.slice(8, 10));
  return beforeCents + Math.round((monthCents * day) / daysInMonth(monthOf(asOf)));
}

export type PlanFlagKind = 'over' | 'under' | 'on_plan' | 'none';

export interface PlanFlag {
  kind: PlanFlagKind;
  varianceCents: number;
  /** Variance as a percent of the plan to date (`+27.6%`); null when nothing is planned yet. */
  percent: string | null;
  text: string;
}

/** Over- or under-spending: actual differs from the plan to date by more than 10 % of the plan. */
export function planFlag(actualCents: number, plannedCents: number): PlanFlag {
  const varianceCents = actualCents - plannedCents;
  const percent = formatPercent(varianceCents, plannedCents);
  if (plannedCents === 0) {
    return varianceCents > 0
      ? {
          kind: 'over',
          varianceCents,
          percent,
          text: `Over-spending: ${formatMoney(varianceCents)} spent with nothing planned yet.`,
        }
      : { kind: 'none', varianceCents, percent, text: 'Nothing planned or spent yet.' };
  }
  // |variance| / planned > 10 %, in integers.
  const flagged = Math.abs(varianceCents) * 100 > PLAN_THRESHOLD_PERCENT * plannedCents;
  const away = formatPercent(Math.abs(varianceCents), plannedCents, false) as string;
  if (!flagged) {
    return {
      kind: 'on_plan',
      varianceCents,
      percent,
      text: `On plan: within ${PLAN_THRESHOLD_PERCENT} % (${percent}).`,
    };
  }
  return varianceCents > 0
    ? {
        kind: 'over',
        varianceCents,
        percent,
        text: `Over-spending: ahead of plan by ${away}.`,
      }
    : {
        kind: 'under',
        varianceCents,
        percent,
        text: `Under-spending: behind plan by ${away}.`,
      };
}

/** The flag in a few words, for a table cell: `Ahead of plan by 27.6%`, `On plan (+3.2%)`. */
export function planSummary(flag: PlanFlag): string {
  const away = flag.percent?.replace(/^[+-]/, '');
  switch (flag.kind) {
    case 'over':
      return away ? `Ahead of plan by ${away}` : 'Spending, nothing planned yet';
    case 'under':
      return `Behind plan by ${away}`;
    case 'on_plan':
      return `On plan (${flag.percent})`;
    default:
      return 'Nothing planned or spent yet';
  }
}
