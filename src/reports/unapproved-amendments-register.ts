import type { EntityManager } from 'typeorm';
import { asOfParams, createdAsOf, recordedAsOf } from '../common/as-of';
import { namedQuery } from '../common/database/named-query';
import { Key, keyParams, register, Register } from './keyset';

/** An amendment on the records with no approved request behind it. */
export interface UnapprovedAmendmentRow {
  amendmentId: number;
  /** As recorded at the end of asOf. */
  awardNumber: string | null;
  number: number;
  kind: string;
  effectiveDate: string;
  federalChangeCents: number;
  recordedAt: string;
  /** The e-mail on the amendment's audit event (`system` for scripts). */
  recordedBy: string | null;
  note: string;
}

export interface UnapprovedAmendmentParams {
  asOf: string;
  timeZone: string;
}

/**
 * No approved request made it. Approving a request writes its amendment and sets result_type and
 * result_id in one transaction, and an approval is final (trigger), so the link exists whenever the
 * amendment does and never appears later for an amendment recorded earlier: the current link answers
 * for any date.
 */
const NO_APPROVED_REQUEST = `NOT EXISTS (
           SELECT 1 FROM approval_requests r
            WHERE r.result_type = 'amendment' AND r.result_id = a.id AND r.status = 'approved')`;

type Raw = Record<string, string | number | null>;

const toRow = (r: Raw): UnapprovedAmendmentRow => ({
  amendmentId: Number(r.amendmentId),
  awardNumber: r.awardNumber === null ? null : String(r.awardNumber),
  number: Number(r.number),
  kind: String(r.kind),
  effectiveDate: String(r.effectiveDate),
  federalChangeCents: Number(r.federalChangeCents),
  recordedAt: String(r.recordedAt),
  recordedBy: r.recordedBy === null ? null : String(r.recordedBy),
  note: String(r.note ?? ''),
});

/**
 * Amendments recorded by the end of asOf (whatever their effective date) that no approved request
 * made — written straight through the amendments service (scripts, test fixtures, records from before approvals)
 * or past the app. They move money without a second person, so the segregation-of-duties report
 * lists them rather than hiding them. By amendment id (the order they were recorded in).
 */
export function unapprovedAmendmentsRegister(
  manager: EntityManager,
  params: UnapprovedAmendmentParams,
): Register<UnapprovedAmendmentRow> {
  const fetch = async (after: Key | null, limit: number) => {
    const where = [createdAsOf('a'), NO_APPROVED_REQUEST];
    const values: Record<string, unknown> = { ...asOfParams(params.asOf, params.timeZone), limit };
    if (after) {
      const { placeholders, params: keyValues } = keyParams(after);
      where.push(`(a.id) > ${placeholders}`);
      Object.assign(values, keyValues);
    }
    const raw = await namedQuery<Raw>(
      manager,
      `SELECT a.id AS "amendmentId", g.award_number AS "awardNumber", a.number AS "number",
              a.kind AS "kind", a.effective_date AS "effectiveDate",
              a.federal_change_cents AS "federalChangeCents", a.created_at AS "recordedAt",
              (SELECT e.actor_email FROM audit_events e
                WHERE e.entity_type = 'amendment' AND e.entity_id = a.id AND e.action = 'create'
                ORDER BY e.id LIMIT 1) AS "recordedBy",
              a.note AS "note"
         FROM amendments a
         LEFT JOIN ${recordedAsOf('grants')} g ON g.id = a.grant_id
        WHERE ${where.join(' AND ')}
        ORDER BY a.id
        LIMIT :limit`,
      values,
    );
    return raw.map(toRow);
  };
  return register<UnapprovedAmendmentRow>(
    'unapproved-amendments',
    [
      { name: 'amendment_id', kind: 'integer', value: (r) => r.amendmentId },
      { name: 'award_number', kind: 'text', value: (r) => r.awardNumber },
      { name: 'number', kind: 'integer', value: (r) => r.number },
      { name: 'kind', kind: 'text', value: (r) => r.kind },
      { name: 'effective_date', kind: 'date', value: (r) => r.effectiveDate },
      { name: 'federal_change', kind: 'money', value: (r) => r.federalChangeCents },
      { name: 'recorded_at', kind: 'timestamp', value: (r) => r.recordedAt },
      { name: 'recorded_by', kind: 'text', value: (r) => r.recordedBy },
      { name: 'note', kind: 'text', value: (r) => r.note },
    ],
    (r) => [r.amendmentId],
    fetch,
  );
}

export const UNAPPROVED_AMENDMENT_KEY_SHAPE: ('string' | 'number')[] = ['number'];

/** How many amendments recorded by the end of asOf have no approved request behind them. */
export async function unapprovedAmendmentCount(
  manager: EntityManager,
  params: UnapprovedAmendmentParams,
): Promise<number> {
  const [{ n }] = await namedQuery<{ n: number | string }>(
    manager,
    `SELECT COUNT(*) AS "n" FROM amendments a WHERE ${createdAsOf('a')} AND ${NO_APPROVED_REQUEST}`,
    asOfParams(params.asOf, params.timeZone),
  );
  return Number(n);
}
