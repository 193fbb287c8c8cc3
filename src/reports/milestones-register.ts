import type { EntityManager } from 'typeorm';
import type { MilestoneKind, MilestoneStatus } from '../milestones/milestone.entity';
import { SHOWN_STATUS_SQL } from '../milestones/milestone-status';
import { namedQuery } from '../common/database/named-query';
import { asOfParams, recordedAsOf } from '../common/as-of';
import { Key, keyParams, register, Register } from './keyset';

export interface MilestoneRegisterRow {
  id: number;
  awardNumber: string;
  budgetPeriod: number;
  title: string;
  kind: MilestoneKind;
  dueDate: string;
  /** shownStatus(…, asOf).status, computed in SQL. */
  statusAsOf: MilestoneStatus;
  /** Null when completed after asOf (or not at all). */
  completedOn: string | null;
  /** As of asOf: `pending` when decided after it; null for milestones that are not go/no-go. */
  decision: string | null;
  decidedOn: string | null;
  rationale: string;
  notes: string;
}

export interface MilestoneRegisterParams {
  asOf: string;
  /** The office's time zone: what was recorded by the end of asOf there counts. */
  timeZone: string;
  grantId?: number;
  kind?: MilestoneKind;
}

type Raw = Omit<MilestoneRegisterRow, 'id' | 'budgetPeriod'> & {
  id: number | string;
  budgetPeriod: number | string;
};

/**
 * Milestones and go/no-go decisions as of a date, in award number, due date and id order: each
 * milestone as recorded at the end of asOf (recordedAsOf), of the grants that existed then under
 * their award numbers of then, so a milestone edited, completed or decided later reads as it did. A
 * completion or decision dated after asOf did not exist then either: the status is derived with the
 * milestone pages' rule (SHOWN_STATUS_SQL), and a later decision reads `pending` with no date or
 * rationale.
 */
export function milestonesRegister(
  manager: EntityManager,
  params: MilestoneRegisterParams,
): Register<MilestoneRegisterRow> {
  const fetch = async (after: Key | null, limit: number) => {
    const where: string[] = [];
    const values: Record<string, unknown> = {
      ...params,
      ...asOfParams(params.asOf, params.timeZone),
      limit,
    };
    if (params.grantId !== undefined) where.push('m.grant_id = :grantId');
    if (params.kind !== undefined) where.push('m.kind = :kind');
    if (after) {
      const { placeholders, params: keyValues } = keyParams(after);
      where.push(`(g.award_number, m.due_date, m.id) > ${placeholders}`);
      Object.assign(values, keyValues);
    }
    const decided = 'm.decided_on IS NOT NULL AND m.decided_on <= :asOf';
    const raw = await namedQuery<Raw>(
      manager,
      `SELECT m.id AS "id", g.award_number AS "awardNumber", m.budget_period AS "budgetPeriod",
              m.title AS "title", m.kind AS "kind", m.due_date AS "dueDate",
              ${SHOWN_STATUS_SQL} AS "statusAsOf",
              CASE WHEN m.completed_on <= :asOf THEN m.completed_on END AS "completedOn",
              CASE WHEN m.decision IS NULL THEN NULL
                   WHEN ${decided} THEN m.decision ELSE 'pending' END AS "decision",
              CASE WHEN ${decided} THEN m.decided_on END AS "decidedOn",
              CASE WHEN ${decided} THEN m.rationale ELSE '' END AS "rationale",
              m.notes AS "notes"
         FROM ${recordedAsOf('milestones')} m
         JOIN ${recordedAsOf('grants')} g ON g.id = m.grant_id
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY g.award_number, m.due_date, m.id
        LIMIT :limit`,
      values,
    );
    return raw.map((r) => ({ ...r, id: Number(r.id), budgetPeriod: Number(r.budgetPeriod) }));
  };
  return register(
    'milestones',
    [
      { name: 'award_number', kind: 'text', value: (r) => r.awardNumber },
      { name: 'milestone_id', kind: 'integer', value: (r) => r.id },
      { name: 'budget_period', kind: 'integer', value: (r) => r.budgetPeriod },
      { name: 'title', kind: 'text', value: (r) => r.title },
      { name: 'kind', kind: 'text', value: (r) => r.kind },
      { name: 'due_date', kind: 'date', value: (r) => r.dueDate },
      { name: 'status_as_of', kind: 'text', value: (r) => r.statusAsOf },
      { name: 'completed_on', kind: 'date', value: (r) => r.completedOn },
      { name: 'decision', kind: 'text', value: (r) => r.decision },
      { name: 'decided_on', kind: 'date', value: (r) => r.decidedOn },
      { name: 'rationale', kind: 'text', value: (r) => r.rationale },
      { name: 'notes', kind: 'text', value: (r) => r.notes },
    ],
    (r) => [r.awardNumber, r.dueDate, r.id],
    fetch,
  );
}

export const MILESTONE_KEY_SHAPE: ('string' | 'number')[] = ['string', 'string', 'number'];
