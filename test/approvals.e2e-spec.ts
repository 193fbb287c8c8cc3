import { makeAmendment, makeGrantWithProgram } from './helpers/factories';
import { decide, JUSTIFICATION, requestIdOf } from './helpers/approvals';
import { freshAppPerTest, rows, signIn, TestApp } from './helpers/test-app';
import { makeUser } from './helpers/users';

const obligated = async (t: TestApp) =>
  Number(
    (
      await rows<{ total: number }>(
        t,
        'SELECT COALESCE(SUM(federal_change_cents), 0) AS total FROM amendments',
      )
    )[0].total,
  );

const requestRow = async (t: TestApp, id: number) =>
  (
    await rows<{ status: string; revision: number; decided_by: number | null; version: number }>(
      t,
      'SELECT status, revision, decided_by, version FROM approval_requests WHERE id = ?',
      [id],
    )
  )[0];

/** A refusal by the database (CHECK constraint or trigger), on either engine. */
const REFUSED_BY_DATABASE =
  /CHECK constraint failed|violates check constraint|segregation|approval requests keep|never changed/;

describe('Approvals (HTTP)', () => {
  const t = freshAppPerTest();
  /** SQL straight to the database, past every service: only the schema's own rules stand. */
  const raw = (sql: string) => t.writes.transaction((m) => m.query(sql));

  async function fundedGrant(ceilingCents = 1_000_000_00, obligatedCents = 400_000_00) {
    const { grant, program } = await makeGrantWithProgram(t, { ceilingCents });
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: obligatedCents });
    const file = (federalChange: string, extra: Record<string, string> = {}) =>
      t
        .http()
        .post(`/grants/${grant.id}/amendments`)
        .type('form')
        .send({
          effectiveDate: '2026-04-01',
          kind: 'incremental_funding',
          federalChange,
          note: 'Year 2',
          justification: JUSTIFICATION,
          ...extra,
        });
    return { grant, program, file };
  }

  it('should file an amendment as a request that changes nothing until a second person approves it', async () => {
    const { grant, file } = await fundedGrant();

    const filed = await file('250,000.00');
    const id = requestIdOf(filed);
    expect(await obligated(t)).toBe(400_000_00);

    // The request shows its diff, the rules' verdict as of now and the justification.
    const page = await t.approver().get(`/approvals/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Incremental funding of $250,000.00');
    expect(page.text).toMatch(/\$400,000\.00<\/td><td><strong>\$650,000\.00/);
    expect(page.text).toContain('Every rule passes today');
    expect(page.text).toContain(JUSTIFICATION);
    expect(page.text).toContain('action="/approvals/' + id + '/approve"');
    // The grant page says what is pending; the requester cannot decide it.
    const grantPage = await t.http().get(`/grants/${grant.id}`);
    expect(grantPage.text).toContain(`Request #${id}`);
    expect(grantPage.text).toContain('Waiting for approval (1)');
    const own = await t.http().get(`/approvals/${id}`);
    expect(own.text).not.toContain(`/approvals/${id}/approve`);
    expect(own.text).toContain('Waiting for an approving official');

    const approved = await decide(t, id, 'approve', 'Within the award.');
    expect(approved.status).toBe(303);
    expect(await obligated(t)).toBe(650_000_00);
    const row = await requestRow(t, id);
    expect(row.status).toBe('approved');
    const [approver] = await rows<{ id: number }>(t, 'SELECT id FROM users WHERE email = ?', [
      'approver@example.gov',
    ]);
    expect(row.decided_by).toBe(approver.id);
    // Filing and deciding are both audit events in the chain.
    const events = await rows<{ action: string }>(
      t,
      "SELECT action FROM audit_events WHERE entity_type = 'approval_request' ORDER BY id",
    );
    expect(events.map((e) => e.action)).toEqual(['create', 'approve']);
    const after = await t.http().get(`/grants/${grant.id}`);
    expect(after.text).not.toContain('Waiting for approval');
    expect(after.text).toContain('$650,000.00');
  });

  it('should refuse self-approval in the service for a manager who also approves, changing nothing', async () => {
    const { file } = await fundedGrant();
    await makeUser(t, {
      role: 'program_manager',
      email: 'both@example.gov',
      alsoApproves: true,
    });
    const both = await signIn(t.app, 'both@example.gov');
    const filed = await both
      .post(`/grants/${(await rows<{ id: number }>(t, 'SELECT id FROM grants'))[0].id}/amendments`)
      .type('form')
      .send({
        effectiveDate: '2026-04-01',
        kind: 'incremental_funding',
        federalChange: '1,000.00',
        justification: JUSTIFICATION,
      });
    const id = requestIdOf(filed);
    const { version } = await requestRow(t, id);

    const self = await both
      .post(`/approvals/${id}/approve`)
      .type('form')
      .send({ note: '', version: String(version) });
    expect(self.status).toBe(422);
    expect(self.text).toContain('You made this request, so you cannot decide it');
    expect(await obligated(t)).toBe(400_000_00);
    expect((await requestRow(t, id)).status).toBe('pending');

    // The same person approves someone else's request.
    const other = requestIdOf(await file('2,000.00'));
    const { version: v2 } = await requestRow(t, other);
    const approved = await both
      .post(`/approvals/${other}/approve`)
      .type('form')
      .send({ note: '', version: String(v2) });
    expect(approved.status).toBe(303);
    expect(await obligated(t)).toBe(402_000_00);
    // A program manager without the approving role is refused the route itself.
    const mine = requestIdOf(await file('3,000.00'));
    const plain = await t
      .http()
      .post(`/approvals/${mine}/approve`)
      .type('form')
      .send({ note: '', version: '1' });
    expect(plain.status).toBe(403);
  });

  it('should refuse self-approval in the database, behind the app’s back', async () => {
    const { file } = await fundedGrant();
    const id = requestIdOf(await file('1,000.00'));
    await expect(
      raw(
        "UPDATE approval_requests SET status = 'approved', decided_by = requested_by, decided_at = '2026-12-01T00:00:00.000Z' WHERE id = " +
          id,
      ),
    ).rejects.toThrow(REFUSED_BY_DATABASE);
    await expect(
      raw(
        "UPDATE approval_revisions SET outcome = 'approved', decided_by = submitted_by WHERE request_id = " +
          id,
      ),
    ).rejects.toThrow(REFUSED_BY_DATABASE);
    await expect(raw(`DELETE FROM approval_requests WHERE id = ${id}`)).rejects.toThrow(
      REFUSED_BY_DATABASE,
    );
    expect((await requestRow(t, id)).status).toBe('pending');

    // Once approved, a decision stands.
    expect((await decide(t, id)).status).toBe(303);
    await expect(
      raw(`UPDATE approval_requests SET status = 'rejected' WHERE id = ${id}`),
    ).rejects.toThrow(REFUSED_BY_DATABASE);
  });

  it('should change nothing on a rejection, and keep every revision when it is revised and resubmitted', async () => {
    const { grant, file } = await fundedGrant();
    const id = requestIdOf(await file('250,000.00'));

    const noReason = await decide(t, id, 'reject', '');
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('Say why it is rejected');
    const rejected = await decide(t, id, 'reject', 'Show the year-2 work plan first.');
    expect(rejected.status).toBe(303);
    expect(await obligated(t)).toBe(400_000_00);
    expect((await requestRow(t, id)).status).toBe('rejected');
    // A rejected request cannot be approved.
    const late = await decide(t, id, 'approve');
    expect(late.status).toBe(422);
    expect(late.text).toContain('already rejected');

    // The requester's form, filled with the rejected request.
    const form = await t.http().get(`/grants/${grant.id}/amendments/new?revise=${id}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="250,000.00"');
    expect(form.text).toContain(`name="revises" value="${id}"`);
    // Someone else cannot revise it.
    const stranger = await t.approver().get(`/grants/${grant.id}/amendments/new?revise=${id}`);
    expect(stranger.status).toBe(403);

    const resubmitted = await file('200,000.00', {
      revises: String(id),
      justification: 'Work plan attached; reduced to what year 2 needs.',
    });
    expect(requestIdOf(resubmitted)).toBe(id);
    const row = await requestRow(t, id);
    expect(row).toMatchObject({ status: 'pending', revision: 2, decided_by: null });
    const revisions = await rows<{
      revision: number;
      amount_cents: number;
      outcome: string | null;
    }>(
      t,
      'SELECT revision, amount_cents, outcome FROM approval_revisions WHERE request_id = ? ORDER BY revision',
      [id],
    );
    expect(revisions.map((r) => [r.revision, Number(r.amount_cents), r.outcome])).toEqual([
      [1, 250_000_00, 'rejected'],
      [2, 200_000_00, null],
    ]);
    const page = await t.approver().get(`/approvals/${id}`);
    expect(page.text).toContain('Show the year-2 work plan first.');
    expect(page.text).toContain('reduced to what year 2 needs');

    expect((await decide(t, id)).status).toBe(303);
    expect(await obligated(t)).toBe(600_000_00);
  });

  it('should let the requester withdraw a request, which can then never be approved', async () => {
    const { file } = await fundedGrant();
    const id = requestIdOf(await file('1,000.00'));
    const { version } = await requestRow(t, id);
    const stranger = await makeUser(t, { role: 'program_manager', email: 'other@example.gov' });
    const other = await signIn(t.app, stranger.email);
    const refused = await other
      .post(`/approvals/${id}/withdraw`)
      .type('form')
      .send({ version: String(version) });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Only the person who made a request can withdraw it');

    const withdrawn = await t
      .http()
      .post(`/approvals/${id}/withdraw`)
      .type('form')
      .send({ version: String(version) });
    expect(withdrawn.status).toBe(303);
    expect((await requestRow(t, id)).status).toBe('withdrawn');
    const approve = await decide(t, id);
    expect(approve.status).toBe(422);
    expect(await obligated(t)).toBe(400_000_00);
  });

  it('should let two pending requests together exceed the ceiling, and refuse the second approval with the rule', async () => {
    const { file } = await fundedGrant(1_000_000_00, 400_000_00);
    const first = requestIdOf(await file('400,000.00'));
    const second = requestIdOf(await file('400,000.00'));
    const verdictBefore = await t.approver().get(`/approvals/${second}`);
    expect(verdictBefore.text).toContain('Every rule passes today');

    expect((await decide(t, first)).status).toBe(303);
    const page = await t.approver().get(`/approvals/${second}`);
    expect(page.text).toContain('Approving it now would be refused');
    expect(page.text).toContain('Headroom left: $200,000.00');
    const refused = await decide(t, second);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('It cannot be approved now');
    expect(refused.text).toContain('Nothing was changed');
    expect(await obligated(t)).toBe(800_000_00);
    expect((await requestRow(t, second)).status).toBe('pending');
  });

  it('should refuse a decision made on a stale page with 409', async () => {
    const { grant, file } = await fundedGrant();
    const id = requestIdOf(await file('1,000.00'));
    const { version } = await requestRow(t, id);
    expect((await decide(t, id, 'reject', 'Too vague.')).status).toBe(303);
    await file('1,500.00', { revises: String(id) });
    const stale = await t
      .approver()
      .post(`/approvals/${id}/approve`)
      .type('form')
      .send({ note: '', version: String(version) });
    expect(stale.status).toBe(409);
    expect(await obligated(t)).toBe(400_000_00);
    expect(grant.id).toBeGreaterThan(0);
  });

  it('should list what awaits the approver and what the manager asked for, with counts in the header', async () => {
    const { grant, file } = await fundedGrant();
    const a = requestIdOf(await file('1,000.00'));
    const b = requestIdOf(await file('2,000.00'));
    expect((await decide(t, b, 'reject', 'No.')).status).toBe(303);

    const queue = await t.approver().get('/approvals');
    expect(queue.status).toBe(200);
    expect(queue.text).toContain(`/approvals/${a}`);
    expect(queue.text).not.toContain(`href="/approvals/${b}"`);
    expect(queue.text).toMatch(
      /Approvals <span class="app-count">1<span class="usa-sr-only"> awaiting your decision/,
    );

    const mine = await t.http().get('/approvals');
    expect(mine.text).toContain(`/approvals/${a}`);
    expect(mine.text).toContain(`/approvals/${b}`);
    expect(mine.text).toMatch(/app-count app-count--mine">1</);

    const filtered = await t
      .approver()
      .get(`/approvals?view=all&kind=amendment&status=rejected&grantId=${grant.id}`);
    expect(filtered.text).toContain(`/approvals/${b}`);
    expect(filtered.text).not.toContain(`href="/approvals/${a}"`);
    const bad = await t.approver().get('/approvals?kind=bribe');
    expect(bad.status).toBe(400);
  });
});
