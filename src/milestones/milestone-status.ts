import { daysBetween } from '../common/dates';
import type { Milestone, MilestoneStatus } from './milestone.entity';

/** What a milestone is shown as on a given day, derived from what is stored (never written back). */
export interface ShownStatus {
  status: MilestoneStatus;
  /** Completed on or before asOf, but after its due date. */
  late: boolean;
  /** Due before asOf and neither complete nor waived as of asOf. */
  overdue: boolean;
  /** Days past the due date when overdue, else 0. */
  daysOverdue: number;
}

export type StatusFacts = Pick<Milestone, 'status' | 'dueDate' | 'completedOn'>;

/**
 * The status a milestone had as of `asOf`. A completion dated after asOf did not exist yet, so a report
 * for a past day shows the milestone open then. Waived and recorded-missed are taken as stored: the row
 * does not say since when, and the audit trail has the exact day. An open milestone that is recorded
 * complete only later is shown `planned` for that past day (not `in_progress`, which nothing records).
 * SHOWN_STATUS_SQL below is the same rule in SQL; a spec keeps the two in step.
 */
export function shownStatus(milestone: StatusFacts, asOf: string): ShownStatus {
  const { status, dueDate, completedOn } = milestone;
  if (completedOn !== null && completedOn <= asOf) {
    return { status: 'complete', late: completedOn > dueDate, overdue: false, daysOverdue: 0 };
  }
  if (status === 'waived') return { status, late: false, overdue: false, daysOverdue: 0 };
  const overdue = dueDate < asOf;
  const daysOverdue = overdue ? daysBetween(dueDate, asOf) : 0;
  if (status === 'missed' || overdue)
    return { status: 'missed', late: false, overdue, daysOverdue };
  return { status: status === 'complete' ? 'planned' : status, late: false, overdue, daysOverdue };
}

/** True when a milestone counts as complete as of `asOf` (SQL, alias `m`, parameter `:asOf`). */
export const COMPLETE_AS_OF_SQL = `(m.completed_on IS NOT NULL AND m.completed_on <= :asOf)`;

/** Due before asOf and neither complete nor waived then (SQL, alias `m`, parameter `:asOf`). */
export const OVERDUE_SQL = `(m.due_date < :asOf AND NOT ${COMPLETE_AS_OF_SQL} AND m.status <> 'waived')`;

/** shownStatus(…).status as a SQL expression (alias `m`, parameter `:asOf`), for filters and counts. */
export const SHOWN_STATUS_SQL = `(CASE
  WHEN ${COMPLETE_AS_OF_SQL} THEN 'complete'
  WHEN m.status = 'waived' THEN 'waived'
  WHEN m.status = 'missed' OR m.due_date < :asOf THEN 'missed'
  WHEN m.status = 'complete' THEN 'planned'
  ELSE m.status END)`;
