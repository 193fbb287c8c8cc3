import type { Response } from 'supertest';
import { submitPageForm } from './forms';
import { Agent, rows, TestApp } from './test-app';

/** A justification for request forms, which refuse to be sent without one. */
export const JUSTIFICATION = 'Needed to keep the work plan on schedule.';

/** The id of the request a form filed, from its redirect to /approvals/:id. */
export function requestIdOf(filed: Response): number {
  const match = /^\/approvals\/(\d+)$/.exec(String(filed.headers.location ?? ''));
  if (filed.status !== 303 || !match) {
    const errors = [...String(filed.text ?? '').matchAll(/usa-error-message[^>]*>([^<]*)</g)];
    throw new Error(
      `Expected a request to be filed (303 to /approvals/:id), got ${filed.status}: ${errors.map((m) => m[1]).join(' ')}`,
    );
  }
  return Number(match[1]);
}

/** Posts a decision on a request as the approving official, at the request's current version. */
export async function decide(
  t: TestApp,
  id: number,
  decision: 'approve' | 'reject' = 'approve',
  note = decision === 'reject' ? 'Not enough detail.' : '',
): Promise<Response> {
  const [{ version }] = await rows<{ version: number }>(
    t,
    'SELECT version FROM approval_requests WHERE id = ?',
    [id],
  );
  return t
    .approver()
    .post(`/approvals/${id}/${decision}`)
    .type('form')
    .send({ note, version: String(version) });
}

/**
 * Files a request form (fields, or an encoded body) as the program manager (with a justification) and, once filed, has the
 * approving official approve it: the two-person path that every amendment, budget revision and
 * go/no-go decision takes. Returns the filing when it was refused, else the approval.
 */
export async function requestApproved(
  t: TestApp,
  path: string,
  form: Record<string, string> | string,
): Promise<Response> {
  const filed = await t
    .http()
    .post(path)
    .type('form')
    .send(
      typeof form === 'string'
        ? `${form}&justification=${encodeURIComponent(JUSTIFICATION)}`
        : { justification: JUSTIFICATION, ...form },
    );
  if (filed.status !== 303) return filed;
  return decide(t, requestIdOf(filed));
}

/**
 * Approves the request a form filed, as `approver` does in the browser (the decision form on the
 * request's page). Returns the filing's status when it filed nothing, else the approval's.
 */
export async function approveFiled(approver: Agent, filed: Response): Promise<number> {
  if (filed.status !== 303) return filed.status;
  const id = requestIdOf(filed);
  const approved = await submitPageForm(approver, `/approvals/${id}`, `/approvals/${id}/approve`, {
    note: '',
  });
  return approved.status;
}
