import type { EntityManager } from 'typeorm';
import type { RequestKindName } from '../approvals/approval-request.entity';
import { asOfParams, recordedAsOf } from '../common/as-of';
import type { CsvColumn } from '../common/csv';
import { namedQuery } from '../common/database/named-query';
import { Key, keyParams, register, Register } from './keyset';

/** One submission of a request as the records stood at the end of asOf. */
export interface ApprovalRegisterRow {
  requestId: number;
  revision: number;
  kind: RequestKindName;
  /** As recorded at the end of asOf; null if the grant was not recorded by then. */
  awardNumber: string | null;
  summary: string;
  amountCents: number;
  effectiveDate: string | null;
  requesterName: string;
  requesterEmail: string;
  submittedAt: string;
  /** As of asOf: `pending` when it was decided later, or not at all. */
  outcome: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  /** Null while pending as of asOf, and for a withdrawal (the requester takes it back). */
  deciderName: string | null;
  deciderEmail: string | null;
  decidedAt: string | null;
  note: string;
}

/** An approved revision, with whether its approval broke segregation of duties. */
export interface ApprovedChangeRow extends ApprovalRegisterRow {
  /** The decider is missing, or is the requester: the database refuses both. */
  breaksRule: boolean;
  /** What approving it created or changed (`amendment` 12, …). */
  resultType: string | null;
  resultId: number | null;
}

export interface ApprovalRegisterParams {
  asOf: string;
  /** The office's time zone: what was recorded by the end of asOf there counts. */
  timeZone: string;
}

/** Decided by the end of asOf: before then the revision was pending. */
const DECIDED = 'v.outcome IS NOT NULL AND v.decided_at < :asOfEnd';

/** Approved by the end of asOf. */
const APPROVED = `v.outcome = 'approved' AND v.decided_at < :asOfEnd`;

/**
 * Segregation of duties broken: no decider, or the decider is the one who submitted it (or who made
 * the request, which the revision trigger keeps the same person). The CHECK constraints refuse it.
 */
const BREAKS_RULE =
  'v.decided_by IS NULL OR v.decided_by = v.submitted_by OR v.decided_by = r.requested_by';

/**
 * The revisions of approval requests as of asOf, read from approval_revisions (append-only, one row
 * per submission, each decided once): a revision counts when submitted by the end of asOf, and its
 * outcome, decider and note only when decided by then. Kind and grant come from approval_requests,
 * whose triggers keep them fixed; the award number is the grant's as recorded then. People are
 * read from users, whose name and e-mail the app never changes (only role and active).
 */
const FROM = `FROM approval_revisions v
         JOIN approval_requests r ON r.id = v.request_id
         JOIN users s ON s.id = v.submitted_by
         LEFT JOIN users d ON d.id = v.decided_by
         LEFT JOIN ${recordedAsOf('grants')} g ON g.id = r.grant_id`;

const SELECT = `SELECT v.request_id AS "requestId", v.revision AS "revision", r.kind AS "kind",
              g.award_number AS "awardNumber", v.summary AS "summary",
              v.amount_cents AS "amountCents", v.effective_date AS "effectiveDate",
              s.name AS "requesterName", s.email AS "requesterEmail",
              v.submitted_at AS "submittedAt",
              CASE WHEN ${DECIDED} THEN v.outcome ELSE 'pending' END AS "outcome",
              CASE WHEN ${DECIDED} THEN d.name END AS "deciderName",
              CASE WHEN ${DECIDED} THEN d.email END AS "deciderEmail",
              CASE WHEN ${DECIDED} THEN v.decided_at END AS "decidedAt",
              CASE WHEN ${DECIDED} THEN v.note ELSE '' END AS "note"`;

type Raw = Record<string, string | number | null>;

/** PostgreSQL returns bigint (and counts) as strings: every row is converted here. */
function toRow(r: Raw): ApprovalRegisterRow {
  const text = (value: string | number | null) => (value === null ? null : String(value));
  return {
    requestId: Number(r.requestId),
    revision: Number(r.revision),
    kind: String(r.kind) as RequestKindName,
    awardNumber: text(r.awardNumber),
    summary: String(r.summary),
    amountCents: Number(r.amountCents),
    effectiveDate: text(r.effectiveDate),
    requesterName: String(r.requesterName),
    requesterEmail: String(r.requesterEmail),
    submittedAt: String(r.submittedAt),
    outcome: String(r.outcome) as ApprovalRegisterRow['outcome'],
    deciderName: text(r.deciderName),
    deciderEmail: text(r.deciderEmail),
    decidedAt: text(r.decidedAt),
    note: String(r.note ?? ''),
  };
}

/** The revisions submitted by the end of asOf that match `where`, after a key, in request order. */
function fetchRevisions(
  manager: EntityManager,
  params: ApprovalRegisterParams,
  where: string[],
  extraColumns = '',
) {
  return async (after: Key | null, limit: number): Promise<Raw[]> => {
    const conditions = ['v.submitted_at < :asOfEnd', ...where];
    const values: Record<string, unknown> = { ...asOfParams(params.asOf, params.timeZone), limit };
    if (after) {
      const { placeholders, params: keyValues } = keyParams(after);
      conditions.push(`(v.request_id, v.revision) > ${placeholders}`);
      Object.assign(values, keyValues);
    }
    return namedQuery<Raw>(
      manager,
      `${SELECT}${extraColumns}
         ${FROM}
        WHERE ${conditions.join(' AND ')}
        ORDER BY v.request_id, v.revision
        LIMIT :limit`,
      values,
    );
  };
}

/** The register's columns, shared by the approvals register and the segregation-of-duties report. */
const requestColumns: CsvColumn<ApprovalRegisterRow>[] = [
  { name: 'request_id', kind: 'integer', value: (r) => r.requestId },
  { name: 'revision', kind: 'integer', value: (r) => r.revision },
  { name: 'kind', kind: 'text', value: (r) => r.kind },
  { name: 'award_number', kind: 'text', value: (r) => r.awardNumber },
  { name: 'summary', kind: 'text', value: (r) => r.summary },
  { name: 'amount', kind: 'money', value: (r) => r.amountCents },
  { name: 'effective_date', kind: 'date', value: (r) => r.effectiveDate },
  { name: 'requester_name', kind: 'text', value: (r) => r.requesterName },
  { name: 'requester_email', kind: 'text', value: (r) => r.requesterEmail },
  { name: 'submitted_at', kind: 'timestamp', value: (r) => r.submittedAt },
];

const revisionKey = (r: ApprovalRegisterRow): Key => [r.requestId, r.revision];

export const APPROVAL_KEY_SHAPE: ('string' | 'number')[] = ['number', 'number'];

/**
 * The approvals register as of a date: one row per revision submitted by the end of asOf, by
 * request number and revision, with its outcome as of then (a later decision reads `pending`), so
 * a past date's register never changes.
 */
export function approvalsRegister(
  manager: EntityManager,
  params: ApprovalRegisterParams,
): Register<ApprovalRegisterRow> {
  const fetch = fetchRevisions(manager, params, []);
  return register<ApprovalRegisterRow>(
    'approvals',
    [
      ...requestColumns,
      { name: 'outcome', kind: 'text', value: (r) => r.outcome },
      { name: 'decided_by_name', kind: 'text', value: (r) => r.deciderName },
      { name: 'decided_by_email', kind: 'text', value: (r) => r.deciderEmail },
      { name: 'decided_at', kind: 'timestamp', value: (r) => r.decidedAt },
      { name: 'decision_note', kind: 'text', value: (r) => r.note },
    ],
    revisionKey,
    async (after, limit) => (await fetch(after, limit)).map(toRow),
  );
}

/**
 * Segregation of duties as of a date: every revision approved by the end of asOf, with its
 * requester and approver and `breaks_rule` = yes when they are the same person (or no approver is
 * recorded) — which the database refuses, so a `yes` means a row written past its constraints.
 */
export function approvedChangesRegister(
  manager: EntityManager,
  params: ApprovalRegisterParams,
): Register<ApprovedChangeRow> {
  const fetch = fetchRevisions(
    manager,
    params,
    [APPROVED],
    `, CASE WHEN ${BREAKS_RULE} THEN 1 ELSE 0 END AS "breaksRule",
              r.result_type AS "resultType", r.result_id AS "resultId"`,
  );
  return register<ApprovedChangeRow>(
    'segregation-of-duties',
    [
      ...requestColumns,
      { name: 'approved_by_name', kind: 'text', value: (r) => r.deciderName },
      { name: 'approved_by_email', kind: 'text', value: (r) => r.deciderEmail },
      { name: 'approved_at', kind: 'timestamp', value: (r) => r.decidedAt },
      { name: 'breaks_rule', kind: 'text', value: (r) => (r.breaksRule ? 'yes' : 'no') },
      { name: 'result_type', kind: 'text', value: (r) => r.resultType },
      { name: 'result_id', kind: 'integer', value: (r) => r.resultId },
    ],
    revisionKey,
    async (after, limit) =>
      (await fetch(after, limit)).map((r) => ({
        ...toRow(r),
        breaksRule: Number(r.breaksRule) === 1,
        resultType: r.resultType === null ? null : String(r.resultType),
        resultId: r.resultId === null ? null : Number(r.resultId),
      })),
  );
}

/** How many revisions were approved by the end of asOf, and how many of those break the rule. */
export async function approvedChangeCounts(
  manager: EntityManager,
  params: ApprovalRegisterParams,
): Promise<{ approved: number; breaking: number }> {
  const [counts] = await namedQuery<{ approved: number | string; breaking: number | string }>(
    manager,
    `SELECT COUNT(*) AS "approved",
            COALESCE(SUM(CASE WHEN ${BREAKS_RULE} THEN 1 ELSE 0 END), 0) AS "breaking"
       FROM approval_revisions v JOIN approval_requests r ON r.id = v.request_id
      WHERE v.submitted_at < :asOfEnd AND ${APPROVED}`,
    asOfParams(params.asOf, params.timeZone),
  );
  return { approved: Number(counts.approved), breaking: Number(counts.breaking) };
}
