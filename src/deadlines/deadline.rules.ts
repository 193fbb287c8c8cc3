import { addDays, daysBetween } from '../common/dates';

/** SF-425 is due 30 days after each calendar quarter (2 CFR 200.328, the award's terms). */
export const SF425_DAYS_AFTER_QUARTER = 30;
/** Final reports are due 120 days after the period of performance ends (2 CFR 200.344(b)). */
export const FINAL_REPORT_DAYS = 120;
/** A no-cost extension is notified at least 10 days before the end date (2 CFR 200.308(e)(2)). */
export const NCE_NOTICE_DAYS = 10;
/** The agency should complete close-out within one year of the end date (2 CFR 200.344(h)). */
export const CLOSEOUT_DAYS = 365;

export const DEADLINE_KINDS = [
  'milestone',
  'go_no_go_review',
  'sf425',
  'final_report',
  'nce_notice',
  'closeout',
  'request',
] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export const DEADLINE_KIND_LABELS: Record<DeadlineKind, string> = {
  milestone: 'Milestone',
  go_no_go_review: 'Go/no-go review',
  sf425: 'SF-425 report',
  final_report: 'Final reports',
  nce_notice: 'No-cost extension notice',
  closeout: 'Close-out',
  request: 'Request waiting',
};

/** One date the program office must meet. `key` is stable across days (calendar UIDs, inbox). */
export interface Deadline {
  key: string;
  kind: DeadlineKind;
  grantId: number;
  awardNumber: string;
  title: string;
  dueDate: string;
  /** Met (a milestone completed, a gate decided), as of the date read. */
  done: boolean;
  /** Where the user acts on it. */
  href: string;
  /** Why the date is what it is (the rule). */
  basis: string;
}

/** The facts the rules read, as recorded at the end of the date. */
export interface GrantFacts {
  id: number;
  awardNumber: string;
  status: string;
  startDate: string;
  endDate: string;
  periods: { number: number; endDate: string }[];
  milestones: {
    id: number;
    title: string;
    kind: string;
    budgetPeriod: number;
    dueDate: string;
    status: string;
    completedOn: string | null;
  }[];
}

export interface PendingRequestFacts {
  id: number;
  grantId: number;
  awardNumber: string;
  summary: string;
  requestedOn: string;
}

/** The last day of each calendar quarter from `from`'s quarter through `to`'s. */
export function quarterEnds(from: string, to: string): string[] {
  const ends: string[] = [];
  let year = Number(from.slice(0, 4));
  let quarter = Math.floor((Number(from.slice(5, 7)) - 1) / 3);
  for (;;) {
    const month = quarter * 3 + 3;
    const last = new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
    ends.push(last);
    if (last >= to) return ends;
    quarter += 1;
    if (quarter === 4) {
      quarter = 0;
      year += 1;
    }
  }
}

const quarterName = (end: string) =>
  `Q${Math.floor((Number(end.slice(5, 7)) - 1) / 3) + 1} ${end.slice(0, 4)}`;

/**
 * Every deadline of one grant from its records: each milestone's due date; a go/no-go review at the
 * end of each budget period followed by another; an SF-425 30 days after each quarter of the period
 * of performance (the last quarter's is the final report's); the final reports 120 days after the end
 * date; the last day to notify a no-cost extension (10 days before it); close-out within a year.
 */
export function grantDeadlines(grant: GrantFacts, asOf: string): Deadline[] {
  const base = { grantId: grant.id, awardNumber: grant.awardNumber };
  const at = (path: string) => `/grants/${grant.id}${path}`;
  const deadlines: Deadline[] = [];
  for (const m of grant.milestones) {
    if (m.status === 'waived') continue;
    deadlines.push({
      ...base,
      key: `milestone-${m.id}`,
      kind: m.kind === 'go_no_go' ? 'go_no_go_review' : 'milestone',
      title: m.title,
      dueDate: m.dueDate,
      done: m.completedOn !== null && m.completedOn <= asOf,
      href: `/milestones/${m.id}`,
      basis:
        m.kind === 'go_no_go'
          ? `The go/no-go decision that closes BP${m.budgetPeriod}.`
          : `Due in BP${m.budgetPeriod}.`,
    });
  }
  // A budget period followed by another ends with a go/no-go review; one without a gate milestone
  // still needs its decision recorded before the next period's money.
  const last = Math.max(0, ...grant.periods.map((p) => p.number));
  for (const period of grant.periods) {
    if (period.number === last) continue;
    const gate = grant.milestones.some(
      (m) => m.kind === 'go_no_go' && m.budgetPeriod === period.number,
    );
    if (gate) continue;
    deadlines.push({
      ...base,
      key: `review-${grant.id}-bp${period.number}`,
      kind: 'go_no_go_review',
      title: `Go/no-go review closing BP${period.number} (no gate milestone yet)`,
      dueDate: period.endDate,
      done: false,
      href: at('/milestones/new'),
      basis: `BP${period.number} ends on this day; BP${period.number + 1}'s money needs a go decision.`,
    });
  }
  // Reports and close-out run for awards under way: not drafts, nor awards closed or terminated.
  if (grant.status !== 'active' && grant.status !== 'suspended') return deadlines;
  for (const end of quarterEnds(grant.startDate, grant.endDate)) {
    if (end >= grant.endDate) break; // the final SF-425 is one of the final reports
    deadlines.push({
      ...base,
      key: `sf425-${grant.id}-${end.slice(0, 7)}`,
      kind: 'sf425',
      title: `SF-425 for ${quarterName(end)}`,
      dueDate: addDays(end, SF425_DAYS_AFTER_QUARTER),
      done: false,
      href: at(`/sf425?asOf=${end}`),
      basis: `${SF425_DAYS_AFTER_QUARTER} days after the quarter ending ${end}.`,
    });
  }
  deadlines.push(
    {
      ...base,
      key: `nce-${grant.id}`,
      kind: 'nce_notice',
      title: 'Last day to notify a no-cost extension',
      dueDate: addDays(grant.endDate, -NCE_NOTICE_DAYS),
      done: false,
      href: at('/amendments/new'),
      basis: `At least ${NCE_NOTICE_DAYS} days before the end date (2 CFR 200.308).`,
    },
    {
      ...base,
      key: `final-${grant.id}`,
      kind: 'final_report',
      title: 'Final reports (final SF-425, performance and invention reports)',
      dueDate: addDays(grant.endDate, FINAL_REPORT_DAYS),
      done: false,
      href: at(`/sf425?asOf=${grant.endDate}`),
      basis: `${FINAL_REPORT_DAYS} days after the end date (2 CFR 200.344).`,
    },
    {
      ...base,
      key: `closeout-${grant.id}`,
      kind: 'closeout',
      title: 'Close-out of the award',
      dueDate: addDays(grant.endDate, CLOSEOUT_DAYS),
      done: false,
      href: at(''),
      basis: `Within a year of the end date (2 CFR 200.344(h)).`,
    },
  );
  return deadlines;
}

/** A request that has waited `staleDays` is a deadline for its approver on that day. */
export function requestDeadline(request: PendingRequestFacts, staleDays: number): Deadline {
  return {
    key: `request-${request.id}`,
    kind: 'request',
    grantId: request.grantId,
    awardNumber: request.awardNumber,
    title: `Request #${request.id} waiting for a decision: ${request.summary}`,
    dueDate: addDays(request.requestedOn, staleDays),
    done: false,
    href: `/approvals/${request.id}`,
    basis: `Pending for ${staleDays} days or more after it was made.`,
  };
}

/**
 * Whether an open deadline is still worth showing on the date: any not yet due; past due, the work
 * the tracker sees done (milestones, reviews, requests) until it is done, and a report or notice it
 * does not see filed for the 30 days after it fell due.
 */
export function stillShown(deadline: Deadline, asOf: string): boolean {
  if (deadline.done) return false;
  if (deadline.dueDate >= asOf) return true;
  const tracked = ['milestone', 'go_no_go_review', 'request'].includes(deadline.kind);
  return tracked || deadline.dueDate >= addDays(asOf, -30);
}

export interface DeadlineBuckets<D extends Deadline = Deadline> {
  overdue: D[];
  next30: D[];
  next60: D[];
  next90: D[];
}

/**
 * Open deadlines as of the date: overdue (due before it and not met), then due within 30, 31–60 and
 * 61–90 days. An SF-425, a final report, an extension notice or a close-out the tracker does not see
 * filed is overdue only for the 30 days after it (then it is history, not a reminder).
 */
export function bucket<D extends Deadline>(deadlines: D[], asOf: string): DeadlineBuckets<D> {
  const buckets: DeadlineBuckets<D> = { overdue: [], next30: [], next60: [], next90: [] };
  const sorted = [...deadlines].sort(
    (a, b) => a.dueDate.localeCompare(b.dueDate) || a.key.localeCompare(b.key),
  );
  for (const deadline of sorted) {
    if (deadline.done) continue;
    const days = daysBetween(asOf, deadline.dueDate);
    if (days < 0) {
      if (stillShown(deadline, asOf)) buckets.overdue.push(deadline);
    } else if (days <= 30) buckets.next30.push(deadline);
    else if (days <= 60) buckets.next60.push(deadline);
    else if (days <= 90) buckets.next90.push(deadline);
  }
  return buckets;
}
