import { costShareFigures } from '../budgets/cost-share.rules';
import { addDays } from '../common/dates';

/**
 * The SF-425 (Federal Financial Report) rules as pure functions: which reports a grant owes up to a
 * date, when each is due, and lines 10d–10k from the per-quarter sums that SQL returns. Integer cents
 * throughout; nothing here reads the database.
 *
 * Reporting periods are calendar quarters (ending Mar 31, Jun 30, Sep 30, Dec 31), from the quarter
 * the grant starts in. The quarter that holds the end date is the final report instead of a quarterly
 * one: its period ends on the end date and it is due 120 days later (2 CFR 200.344); a quarterly report
 * is due 30 days after its quarter ends (2 CFR 200.328). A period not yet over on asOf is shown as of
 * asOf: every report's end date E is the earlier of its period's end and asOf.
 */

export const QUARTERLY_DUE_DAYS = 30;
export const FINAL_DUE_DAYS = 120;

const QUARTER_MONTHS = ['Jan–Mar', 'Apr–Jun', 'Jul–Sep', 'Oct–Dec'];
const QUARTER_KEY = /^(\d{4})-Q([1-4])$/;

/** `2025-08-15` → `2025-Q3`: the key SQL groups by (sf425.service.ts quarterKeySql builds it). */
export function quarterKey(date: string): string {
  const month = Number(date.slice(5, 7));
  return `${date.slice(0, 4)}-Q${Math.floor((month + 2) / 3)}`;
}

function parseKey(key: string): { year: number; quarter: number } {
  const match = QUARTER_KEY.exec(key);
  if (!match) throw new Error(`Not a quarter: ${key}`);
  return { year: Number(match[1]), quarter: Number(match[2]) };
}

export function nextQuarter(key: string): string {
  const { year, quarter } = parseKey(key);
  return quarter === 4 ? `${year + 1}-Q1` : `${year}-Q${quarter + 1}`;
}

export function quarterStart(key: string): string {
  const { year, quarter } = parseKey(key);
  return `${year}-${String(quarter * 3 - 2).padStart(2, '0')}-01`;
}

export function quarterEnd(key: string): string {
  const { year, quarter } = parseKey(key);
  return `${year}-${['03-31', '06-30', '09-30', '12-31'][quarter - 1]}`;
}

/** `2025-Q3` → `Jul–Sep 2025`. */
export function quarterLabel(key: string): string {
  const { year, quarter } = parseKey(key);
  return `${QUARTER_MONTHS[quarter - 1]} ${year}`;
}

export interface ReportingPeriod {
  /** The calendar quarter, `2025-Q3`. */
  quarter: string;
  label: string;
  quarterStart: string;
  quarterEnd: string;
  /** The quarter's end, or the grant's end date for the final report. */
  scheduledEnd: string;
  /** E: the reporting period end date the figures are computed for, min(scheduledEnd, asOf). */
  periodEnd: string;
  /** True when asOf falls before the period is over (figures to date, not the report as filed). */
  partial: boolean;
  final: boolean;
  dueDate: string;
}

/**
 * Every report the grant owes from its start to the quarter holding asOf (never past its end date,
 * whose quarter is the final report). Nothing before the grant starts.
 */
export function reportingPeriods(
  grant: { startDate: string; endDate: string },
  asOf: string,
): ReportingPeriod[] {
  if (asOf < grant.startDate || grant.endDate < grant.startDate) return [];
  const finalQuarter = quarterKey(grant.endDate);
  const lastQuarter = quarterKey(asOf < grant.endDate ? asOf : grant.endDate);
  const periods: ReportingPeriod[] = [];
  for (let key = quarterKey(grant.startDate); key <= lastQuarter; key = nextQuarter(key)) {
    const final = key === finalQuarter;
    const scheduledEnd = final ? grant.endDate : quarterEnd(key);
    const periodEnd = asOf < scheduledEnd ? asOf : scheduledEnd;
    periods.push({
      quarter: key,
      label: quarterLabel(key),
      quarterStart: quarterStart(key),
      quarterEnd: quarterEnd(key),
      scheduledEnd,
      periodEnd,
      partial: periodEnd < scheduledEnd,
      final,
      dueDate: final
        ? addDays(grant.endDate, FINAL_DUE_DAYS)
        : addDays(quarterEnd(key), QUARTERLY_DUE_DAYS),
    });
  }
  return periods;
}

/**
 * Per-quarter sums as SQL returns them (quarter key → cents), not yet cumulative. Only what counts for
 * asOf, and nothing dated after the grant's end date (SQL leaves those out).
 */
export interface Sf425Sums {
  /** Amendments by quarter of their effective date. */
  authorized: Map<string, number>;
  /** Federal ledger entries by quarter incurred (reversals included). */
  federal: Map<string, number>;
  /** Cost-share ledger entries by quarter incurred. */
  recipient: Map<string, number>;
}

export interface Sf425Terms {
  /** The program's required cost share, percent. */
  requiredPercent: number;
  /** The grant's committed cost share. */
  costShareCommittedCents: number;
}

export interface Sf425Row extends ReportingPeriod {
  /** 10d Total federal funds authorized: amendments effective on or before E. */
  line10d: number;
  /** 10e Federal share of expenditures: federal entries incurred on or before E (recorded by asOf). */
  line10e: number;
  /** 10f Federal share of unliquidated obligations: not tracked, always zero. */
  line10f: number;
  /** 10g Total federal share = 10e + 10f. */
  line10g: number;
  /** 10h Unobligated balance of federal funds = 10d − 10g. */
  line10h: number;
  /** 10i Total recipient share required: the grant page's required cost share, on 10d. */
  line10i: number;
  /** 10j Recipient share of expenditures: cost-share entries incurred on or before E. */
  line10j: number;
  /** 10k Remaining recipient share to be provided = 10i − 10j. */
  line10k: number;
}

/** The sum of every bucket up to and including the quarter (keys sort as text: `2025-Q3`). */
function cumulative(sums: Map<string, number>, key: string): number {
  let total = 0;
  for (const [bucket, cents] of sums) if (bucket <= key) total += cents;
  return total;
}

export function sf425Rows(
  periods: ReportingPeriod[],
  sums: Sf425Sums,
  terms: Sf425Terms,
): Sf425Row[] {
  return periods.map((period) => {
    const line10d = cumulative(sums.authorized, period.quarter);
    const line10e = cumulative(sums.federal, period.quarter);
    const line10f = 0;
    const line10g = line10e + line10f;
    const line10j = cumulative(sums.recipient, period.quarter);
    // The same definition as the grant page's required cost share, so the two always agree.
    const line10i = costShareFigures({
      asOf: period.periodEnd,
      requiredPercent: terms.requiredPercent,
      obligatedCents: line10d,
      committedCents: terms.costShareCommittedCents,
      metCents: line10j,
    }).requiredCents;
    return {
      ...period,
      line10d,
      line10e,
      line10f,
      line10g,
      line10h: line10d - line10g,
      line10i,
      line10j,
      line10k: line10i - line10j,
    };
  });
}
