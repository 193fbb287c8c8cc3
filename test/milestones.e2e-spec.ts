import { Clock } from '../src/common/clock';
import type { Grant } from '../src/grants/grant.entity';
import type { Milestone } from '../src/milestones/milestone.entity';
import {
  makeBudgetPeriods,
  makeGrant,
  makeGrantWithProgram,
  makeMilestone,
  TWO_BUDGET_PERIODS as PERIODS,
} from './helpers/factories';
import { submitPageForm } from './helpers/forms';
import { decide, JUSTIFICATION, requestApproved, requestIdOf } from './helpers/approvals';
import { freshAppPerTest, rows, TestApp } from './helpers/test-app';

const milestoneForm = (overrides: Record<string, string> = {}) => ({
  title: 'Leach-test report',
  kind: 'deliverable',
  budgetPeriod: '1',
  dueDate: '2025-12-31',
  status: 'planned',
  completedOn: '',
  notes: 'Coal fly ash, three sources',
  ...overrides,
});

const decisionForm = (version: number, overrides: Record<string, string> = {}) => ({
  decision: 'go',
  decidedOn: '2026-03-20',
  rationale: 'Bench-scale yield above 80 %.',
  justification: JUSTIFICATION,
  version: String(version),
  ...overrides,
});

const milestoneRows = (t: TestApp) =>
  rows<Record<string, unknown>>(t, 'SELECT * FROM milestones ORDER BY id');
const auditCount = async (t: TestApp) =>
  Number((await rows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM audit_events'))[0].n);

/** The body rows of the table marked data-testid, as trimmed cell texts. */
function tableRows(html: string, testId: string): string[][] {
  const table = new RegExp(`<table[^>]*data-testid="${testId}"[\\s\\S]*?</table>`).exec(html);
  if (!table) throw new Error(`No table ${testId} on the page`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[0])?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) =>
      cell[1]
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    ),
  );
}

describe('Milestones (HTTP)', () => {
  const t = freshAppPerTest();

  async function grantWithPeriods(): Promise<Grant> {
    const { grant } = await makeGrantWithProgram(t);
    await makeBudgetPeriods(t, grant.id, PERIODS);
    return grant;
  }

  describe('adding a milestone to a grant', () => {
    it('should list the grant’s budget periods in the form', async () => {
      const grant = await grantWithPeriods();
      const res = await t.http().get(`/grants/${grant.id}/milestones/new`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('BP1 (Apr 1, 2025 – Mar 31, 2026)');
      expect(res.text).toContain('BP2 (Apr 1, 2026 – Mar 31, 2028)');
      expect(res.text).toContain('name="_csrf"');
    });

    it('should ask for budget periods first on a grant that has none', async () => {
      const { grant } = await makeGrantWithProgram(t);
      const page = await t.http().get(`/grants/${grant.id}/milestones/new`);
      expect(page.text).toContain('Set up the grant’s budget periods first');
      const res = await t
        .http()
        .post(`/grants/${grant.id}/milestones`)
        .type('form')
        .send(milestoneForm());
      expect(res.status).toBe(422);
      expect(res.text).toContain('Set up the grant’s budget periods first.');
      expect(await milestoneRows(t)).toHaveLength(0);
    });

    it('should create a milestone, redirect to it and record its audit event', async () => {
      const grant = await grantWithPeriods();
      const res = await t
        .http()
        .post(`/grants/${grant.id}/milestones`)
        .type('form')
        .send(milestoneForm({ status: 'complete', completedOn: '2025-12-20' }));

      expect(res.status).toBe(303);
      const [saved] = await milestoneRows(t);
      expect(res.headers.location).toBe(`/milestones/${saved.id as number}`);
      expect(saved).toMatchObject({
        grant_id: grant.id,
        budget_period: 1,
        title: 'Leach-test report',
        kind: 'deliverable',
        due_date: '2025-12-31',
        status: 'complete',
        completed_on: '2025-12-20',
        notes: 'Coal fly ash, three sources',
        decision: null,
        version: 1,
      });
      const events = await rows(
        t,
        "SELECT action, actor_email FROM audit_events WHERE entity_type = 'milestone'",
      );
      expect(events).toEqual([{ action: 'create', actor_email: 'manager@example.gov' }]);

      const page = await t.http().get(res.headers.location);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Milestone “Leach-test report” added.');
      expect(page.text).toContain('app-tag--complete');
    });

    it('should create a go/no-go milestone with a pending decision', async () => {
      const grant = await grantWithPeriods();
      const res = await t
        .http()
        .post(`/grants/${grant.id}/milestones`)
        .type('form')
        .send(milestoneForm({ kind: 'go_no_go', title: 'Bench gate', dueDate: '2026-03-15' }));
      expect(res.status).toBe(303);
      expect(await milestoneRows(t)).toMatchObject([
        { kind: 'go_no_go', decision: 'pending', decided_on: null, decided_by: null },
      ]);
    });

    it.each<[Record<string, string>, string]>([
      [{ title: '  ' }, 'Enter the milestone title.'],
      [{ kind: 'milestone' }, 'Choose the kind of milestone.'],
      [{ budgetPeriod: '' }, 'Choose the budget period.'],
      [
        { budgetPeriod: '3' },
        'Budget period 3 does not exist on this grant; choose one of BP1–BP2.',
      ],
      [{ dueDate: '2025-02-30' }, 'Enter a real date as YYYY-MM-DD.'],
      [
        { dueDate: '2026-04-01' },
        'BP1 runs Apr 1, 2025 to Mar 31, 2026; the due date must fall within it, or choose another budget period.',
      ],
      [
        { dueDate: '2028-04-01', budgetPeriod: '2' },
        'The due date must fall within the grant’s period of performance, Apr 1, 2025 to Mar 31, 2028.',
      ],
      [{ status: 'complete' }, 'A complete milestone needs its completed date.'],
      [
        { status: 'complete', completedOn: '2099-01-01' },
        'The completed date cannot be in the future',
      ],
      [
        { status: 'in_progress', completedOn: '2025-12-01' },
        'Only a complete milestone has a completed date',
      ],
      [
        { kind: 'go_no_go', status: 'complete', completedOn: '2025-12-01' },
        'Record the go/no-go decision to complete it.',
      ],
      [{ kind: 'go_no_go', status: 'waived' }, 'A go/no-go milestone stays planned or in progress'],
    ])('should refuse %j with 422, the message and nothing saved', async (overrides, message) => {
      const grant = await grantWithPeriods();
      const before = await auditCount(t);
      const res = await t
        .http()
        .post(`/grants/${grant.id}/milestones`)
        .type('form')
        .send(milestoneForm(overrides));
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      expect(res.text).toContain(`value="${overrides.title ?? 'Leach-test report'}"`); // as typed
      expect(await milestoneRows(t)).toHaveLength(0);
      expect(await auditCount(t)).toBe(before);
    });

    it('should refuse a second go/no-go milestone in the same budget period, naming the first', async () => {
      const grant = await grantWithPeriods();
      await makeMilestone(t, {
        grantId: grant.id,
        kind: 'go_no_go',
        title: 'Bench gate',
        dueDate: '2026-03-15',
      });
      const res = await t
        .http()
        .post(`/grants/${grant.id}/milestones`)
        .type('form')
        .send(milestoneForm({ kind: 'go_no_go' }));
      expect(res.status).toBe(422);
      expect(res.text).toContain(
        'BP1 already has a go/no-go milestone, “Bench gate” (due Mar 15, 2026)',
      );
      expect(await milestoneRows(t)).toHaveLength(1);
    });

    it('should answer 404 for a grant that does not exist', async () => {
      expect((await t.http().get('/grants/9999/milestones')).status).toBe(404);
      expect((await t.http().get('/grants/9999/milestones/new')).status).toBe(404);
      const res = await t.http().post('/grants/9999/milestones').type('form').send(milestoneForm());
      expect(res.status).toBe(404);
      expect(await milestoneRows(t)).toHaveLength(0);
    });
  });

  describe('a grant’s milestones', () => {
    it('should group them by budget period, show missed for past due, and link to each', async () => {
      const grant = await grantWithPeriods();
      const late = await makeMilestone(t, {
        grantId: grant.id,
        title: 'Feedstock survey',
        dueDate: '2025-06-30',
        status: 'in_progress',
      });
      await makeMilestone(t, {
        grantId: grant.id,
        budgetPeriod: 2,
        title: 'Pilot design',
        dueDate: '2027-12-31',
      });
      const res = await t.http().get(`/grants/${grant.id}/milestones`);
      expect(res.status).toBe(200);
      const bp1 = res.text.indexOf('BP1 (Apr 1, 2025 – Mar 31, 2026)');
      const bp2 = res.text.indexOf('BP2 (Apr 1, 2026 – Mar 31, 2028)');
      expect(bp1).toBeGreaterThan(-1);
      expect(bp2).toBeGreaterThan(bp1);
      expect(res.text.indexOf('Feedstock survey')).toBeGreaterThan(bp1);
      expect(res.text.indexOf('Pilot design')).toBeGreaterThan(bp2);
      expect(res.text).toContain(`href="/milestones/${late.id}"`);
      expect(res.text).toContain('app-tag--missed');
      expect(res.text).toContain('(recorded: In progress)');
      expect(res.text).toContain(`href="/grants/${grant.id}/milestones/new"`);

      const auditor = await (await t.as('auditor')).get(`/grants/${grant.id}/milestones`);
      expect(auditor.status).toBe(200);
      expect(auditor.text).toContain('Feedstock survey');
      expect(auditor.text).not.toContain(`/grants/${grant.id}/milestones/new`);
    });
  });

  describe('editing a milestone', () => {
    it('should save changes with the version, redirect and audit them', async () => {
      const grant = await grantWithPeriods();
      const m = await makeMilestone(t, { grantId: grant.id, dueDate: '2025-12-31' });
      const form = await t.http().get(`/milestones/${m.id}/edit`);
      expect(form.status).toBe(200);
      expect(form.text).toContain('name="version" value="1"');

      const res = await t
        .http()
        .post(`/milestones/${m.id}`)
        .type('form')
        .send(
          milestoneForm({
            title: 'Leach tests done',
            status: 'complete',
            completedOn: '2025-12-30',
            version: '1',
          }),
        );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/milestones/${m.id}`);
      expect(await milestoneRows(t)).toMatchObject([
        { title: 'Leach tests done', status: 'complete', completed_on: '2025-12-30', version: 2 },
      ]);
      const [event] = await rows<{ action: string; changes: string }>(
        t,
        "SELECT action, changes FROM audit_events WHERE entity_type = 'milestone' ORDER BY id DESC LIMIT 1",
      );
      expect(event.action).toBe('update');
      expect(JSON.parse(event.changes)).toMatchObject({
        status: { before: 'planned', after: 'complete' },
        completedOn: { before: null, after: '2025-12-30' },
      });
    });

    it('should refuse invalid changes with 422 and change nothing', async () => {
      const grant = await grantWithPeriods();
      const m = await makeMilestone(t, { grantId: grant.id });
      const before = await milestoneRows(t);
      const res = await t
        .http()
        .post(`/milestones/${m.id}`)
        .type('form')
        .send(milestoneForm({ status: 'complete', version: '1' }));
      expect(res.status).toBe(422);
      expect(res.text).toContain('A complete milestone needs its completed date.');
      expect(await milestoneRows(t)).toEqual(before);
    });

    it('should refuse a stale version with 409 naming who changed it, keeping what was typed', async () => {
      const grant = await grantWithPeriods();
      const m = await makeMilestone(t, { grantId: grant.id });
      const first = await t
        .http()
        .post(`/milestones/${m.id}`)
        .type('form')
        .send(milestoneForm({ title: 'First edit', version: '1' }));
      expect(first.status).toBe(303);

      const res = await t
        .http()
        .post(`/milestones/${m.id}`)
        .type('form')
        .send(milestoneForm({ title: 'Second edit', version: '1' }));
      expect(res.status).toBe(409);
      expect(res.text).toContain('was changed by manager@example.gov');
      expect(res.text).toContain('value="Second edit"');
      expect(res.text).toContain('Current value: First edit');
      expect(res.text).toContain('name="version" value="2"');
      expect(await milestoneRows(t)).toMatchObject([{ title: 'First edit', version: 2 }]);
    });

    it('should refuse to change the kind of a decided go/no-go milestone', async () => {
      const grant = await grantWithPeriods();
      const gate = await makeMilestone(t, {
        grantId: grant.id,
        kind: 'go_no_go',
        dueDate: '2026-03-15',
        decision: 'go',
        decidedOn: '2026-03-20',
        decidedBy: 'manager@example.gov',
        rationale: 'Yield',
        status: 'complete',
        completedOn: '2026-03-20',
      });
      const res = await t
        .http()
        .post(`/milestones/${gate.id}`)
        .type('form')
        .send(
          milestoneForm({
            kind: 'deliverable',
            dueDate: '2026-03-15',
            status: 'complete',
            completedOn: '2026-03-20',
            version: '1',
          }),
        );
      expect(res.status).toBe(422);
      expect(res.text).toContain(
        'This go/no-go milestone was decided go on Mar 20, 2026; its kind cannot change.',
      );
      expect(await milestoneRows(t)).toMatchObject([
        { kind: 'go_no_go', decision: 'go', version: 1 },
      ]);
    });

    it('should answer 400 without a version and 404 for an unknown milestone', async () => {
      const grant = await grantWithPeriods();
      const m = await makeMilestone(t, { grantId: grant.id });
      const missing = await t.http().post(`/milestones/${m.id}`).type('form').send(milestoneForm());
      expect(missing.status).toBe(400);
      expect((await t.http().get('/milestones/9999')).status).toBe(404);
      expect((await t.http().get('/milestones/abc')).status).toBe(404);
      expect((await t.http().get('/milestones/9999/edit')).status).toBe(404);
      expect(await milestoneRows(t)).toMatchObject([{ version: 1 }]);
    });
  });

  describe('go/no-go decisions', () => {
    async function pendingGate(): Promise<Milestone> {
      const grant = await grantWithPeriods();
      return makeMilestone(t, {
        grantId: grant.id,
        kind: 'go_no_go',
        title: 'Bench gate',
        dueDate: '2026-03-15',
      });
    }

    it('should show the decision form to managers only while the decision is pending', async () => {
      const gate = await pendingGate();
      const page = await t.http().get(`/milestones/${gate.id}`);
      expect(page.text).toContain(`action="/milestones/${gate.id}/decision"`);
      expect(page.text).toContain('name="version" value="1"');
      const auditor = await (await t.as('auditor')).get(`/milestones/${gate.id}`);
      expect(auditor.status).toBe(200);
      expect(auditor.text).toContain('Pending');
      expect(auditor.text).not.toContain('/decision"');
    });

    it('should record nothing when the decision is requested, then record it as its own audited action when approved', async () => {
      const gate = await pendingGate();
      const filed = await t
        .http()
        .post(`/milestones/${gate.id}/decision`)
        .type('form')
        .send(decisionForm(1, { decision: 'no_go' }));
      const id = requestIdOf(filed);
      expect(await milestoneRows(t)).toMatchObject([{ decision: 'pending', version: 1 }]);
      const pendingPage = await t.http().get(`/milestones/${gate.id}`);
      expect(pendingPage.text).toContain(`href="/approvals/${id}"`);
      expect(pendingPage.text).toContain('No-go on “Bench gate” (BP1), decided Mar 20, 2026');
      const request = await t.approver().get(`/approvals/${id}`);
      expect(request.text).toContain('Not funded (no-go)');

      const approved = await decide(t, id);
      expect(approved.status).toBe(303);
      expect(await milestoneRows(t)).toMatchObject([
        {
          decision: 'no_go',
          decided_on: '2026-03-20',
          decided_by: 'approver@example.gov',
          rationale: 'Bench-scale yield above 80 %.',
          status: 'complete',
          completed_on: '2026-03-20',
          version: 2,
        },
      ]);
      const [event] = await rows<{ action: string; actor_email: string; changes: string }>(
        t,
        "SELECT action, actor_email, changes FROM audit_events WHERE entity_type = 'milestone' ORDER BY id DESC LIMIT 1",
      );
      expect(event).toMatchObject({ action: 'decision', actor_email: 'approver@example.gov' });
      expect(JSON.parse(event.changes)).toMatchObject({
        decision: { before: 'pending', after: 'no_go' },
      });
      const [row] = await rows<{ requested_by: number; decided_by: number; result_id: number }>(
        t,
        'SELECT requested_by, decided_by, result_id FROM approval_requests WHERE id = ?',
        [id],
      );
      expect(row.result_id).toBe(gate.id);
      expect(row.decided_by).not.toBe(row.requested_by);

      const page = await t.http().get(`/milestones/${gate.id}`);
      expect(page.text).toContain('Bench-scale yield above 80 %.');
      expect(page.text).not.toContain('/decision"');
      expect(page.text).toMatch(
        /data-testid="decision"><span class="usa-tag app-tag app-tag--no_go">No-go</,
      );
    });

    it('should refuse a decision without a justification, filing nothing', async () => {
      const gate = await pendingGate();
      const res = await t
        .http()
        .post(`/milestones/${gate.id}/decision`)
        .type('form')
        .send(decisionForm(1, { justification: '' }));
      expect(res.status).toBe(422);
      expect(res.text).toContain('id="f-justification-error"');
      expect(res.text).toContain('Bench-scale yield above 80 %.');
      expect(await rows(t, 'SELECT id FROM approval_requests')).toEqual([]);
    });

    it('should let two decisions of one gate be pending, and refuse the second approval once one is recorded', async () => {
      const gate = await pendingGate();
      const post = (form: Record<string, string>) =>
        t.http().post(`/milestones/${gate.id}/decision`).type('form').send(form);
      const go = requestIdOf(await post(decisionForm(1)));
      const noGo = requestIdOf(await post(decisionForm(1, { decision: 'no_go' })));
      expect((await decide(t, noGo)).status).toBe(303);
      const refused = await decide(t, go);
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('This milestone was already decided no-go on Mar 20, 2026');
      expect(await milestoneRows(t)).toMatchObject([{ decision: 'no_go', version: 2 }]);
    });

    it('should change nothing when a decision is rejected, and fill the form with it to revise', async () => {
      const gate = await pendingGate();
      const id = requestIdOf(
        await t
          .http()
          .post(`/milestones/${gate.id}/decision`)
          .type('form')
          .send(decisionForm(1, { rationale: 'Yield 79 %.' })),
      );
      expect((await decide(t, id, 'reject', 'Attach the test report.')).status).toBe(303);
      expect(await milestoneRows(t)).toMatchObject([{ decision: 'pending', version: 1 }]);
      const form = await t.http().get(`/milestones/${gate.id}?revise=${id}`);
      expect(form.text).toContain('Yield 79 %.');
      expect(form.text).toContain(`name="revises" value="${id}"`);
    });

    it('should refuse a second decision, naming the first, its date and who recorded it', async () => {
      const gate = await pendingGate();
      await requestApproved(t, `/milestones/${gate.id}/decision`, decisionForm(1));
      const before = await milestoneRows(t);
      const res = await t
        .http()
        .post(`/milestones/${gate.id}/decision`)
        .type('form')
        .send(decisionForm(2, { decision: 'no_go', decidedOn: '2026-03-25' }));
      expect(res.status).toBe(422);
      expect(res.text).toContain(
        'This milestone was already decided go on Mar 20, 2026 by approver@example.gov. A recorded decision is final: correcting one is out of scope for this tracker',
      );
      expect(await milestoneRows(t)).toEqual(before);
    });

    it.each([
      [{ decision: 'maybe' }, 'Choose go or no-go.'],
      [{ decidedOn: '2026-13-01' }, 'Enter a real date as YYYY-MM-DD.'],
      [{ decidedOn: '2099-01-01' }, 'The decision date cannot be in the future'],
      [{ rationale: '   ' }, 'Give the rationale for the decision.'],
    ])(
      'should refuse %j with 422 on the milestone page, recording nothing',
      async (overrides, message) => {
        const gate = await pendingGate();
        const before = await auditCount(t);
        const res = await t
          .http()
          .post(`/milestones/${gate.id}/decision`)
          .type('form')
          .send(decisionForm(1, overrides));
        expect(res.status).toBe(422);
        expect(res.text).toContain(message);
        expect(res.text).toContain(`action="/milestones/${gate.id}/decision"`);
        expect(await milestoneRows(t)).toMatchObject([{ decision: 'pending', version: 1 }]);
        expect(await auditCount(t)).toBe(before);
      },
    );

    it('should refuse a decision on a milestone that is not a go/no-go', async () => {
      const grant = await grantWithPeriods();
      const m = await makeMilestone(t, { grantId: grant.id, kind: 'report' });
      const res = await t
        .http()
        .post(`/milestones/${m.id}/decision`)
        .type('form')
        .send(decisionForm(1));
      expect(res.status).toBe(422);
      expect(res.text).toContain(
        'Only a go/no-go milestone takes a decision; this one is a report.',
      );
      expect(await milestoneRows(t)).toMatchObject([{ decision: null, version: 1 }]);
    });

    it('should refuse a decision made on a stale page with 409', async () => {
      const gate = await pendingGate();
      await t
        .http()
        .post(`/milestones/${gate.id}`)
        .type('form')
        .send(
          milestoneForm({
            kind: 'go_no_go',
            title: 'Bench gate (renamed)',
            dueDate: '2026-03-15',
            version: '1',
          }),
        );
      const res = await t
        .http()
        .post(`/milestones/${gate.id}/decision`)
        .type('form')
        .send(decisionForm(1));
      expect(res.status).toBe(409);
      expect(res.text).toContain('was changed by manager@example.gov');
      expect(res.text).toContain('name="version" value="2"');
      expect(await milestoneRows(t)).toMatchObject([{ decision: 'pending', version: 2 }]);
    });
  });

  describe('marking a milestone complete', () => {
    const TODAY = '2026-06-15';
    const complete = (id: number, body: Record<string, string>) =>
      t.http().post(`/milestones/${id}/complete`).type('form').send(body);

    beforeEach(() => {
      jest.spyOn(t.app.get(Clock), 'today').mockReturnValue(TODAY);
    });

    it('should offer a one-click form dated today and complete the milestone, audited', async () => {
      const grant = await grantWithPeriods();
      const milestone = await makeMilestone(t, { grantId: grant.id, status: 'in_progress' });
      const page = await t.http().get(`/milestones/${milestone.id}`);
      expect(page.text).toContain(`action="/milestones/${milestone.id}/complete"`);
      expect(page.text).toContain(`name="completedOn" type="date" value="${TODAY}"`);
      expect(page.text).toContain('type="submit">Mark complete</button>');
      const events = await auditCount(t);

      const res = await submitPageForm(
        t.http(),
        `/milestones/${milestone.id}`,
        `/milestones/${milestone.id}/complete`,
        { completedOn: '2026-06-10' },
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/milestones/${milestone.id}`);
      expect(await milestoneRows(t)).toMatchObject([
        { status: 'complete', completed_on: '2026-06-10', version: 2 },
      ]);
      expect(await auditCount(t)).toBe(events + 1);
      const [event] = await rows<{ action: string }>(
        t,
        "SELECT action FROM audit_events WHERE entity_type = 'milestone' ORDER BY id DESC LIMIT 1",
      );
      expect(event.action).toBe('complete');
      const after = await t.http().get(`/milestones/${milestone.id}`);
      expect(after.text).not.toContain(`action="/milestones/${milestone.id}/complete"`);
    });

    it('should offer Mark complete from the grant page for open milestones only, to managers, today', async () => {
      const grant = await grantWithPeriods();
      const open = await makeMilestone(t, { grantId: grant.id, title: 'Open report' });
      const done = await makeMilestone(t, {
        grantId: grant.id,
        title: 'Done report',
        status: 'complete',
        completedOn: '2026-05-01',
      });
      const gate = await makeMilestone(t, {
        grantId: grant.id,
        kind: 'go_no_go',
        dueDate: '2026-03-15',
      });
      for (const path of [`/grants/${grant.id}`, `/grants/${grant.id}/milestones`]) {
        const page = await t.http().get(path);
        expect(page.text).toContain(
          `<a href="/milestones/${open.id}#complete" data-testid="complete-${open.id}">Mark complete<span class="usa-sr-only">: Open report</span></a>`,
        );
        expect(page.text).not.toContain(`data-testid="complete-${done.id}"`);
        expect(page.text).not.toContain(`data-testid="complete-${gate.id}"`);
        expect(page.text).toContain('May 1, 2026');
      }
      const auditor = await (await t.as('auditor')).get(`/grants/${grant.id}`);
      expect(auditor.text).not.toContain('Mark complete');
      const past = await t.http().get(`/grants/${grant.id}?asOf=2026-06-01`);
      expect(past.status).toBe(200);
      expect(past.text).not.toContain('Mark complete');
    });

    it('should refuse a future date, a second completion and a go/no-go milestone', async () => {
      const grant = await grantWithPeriods();
      const milestone = await makeMilestone(t, { grantId: grant.id });
      const future = await complete(milestone.id, { version: '1', completedOn: '2026-06-16' });
      expect(future.status).toBe(422);
      expect(future.text).toContain(
        'The completed date cannot be in the future (today is Jun 15, 2026).',
      );
      expect((await complete(milestone.id, { version: '1', completedOn: TODAY })).status).toBe(303);
      const again = await complete(milestone.id, { version: '2', completedOn: TODAY });
      expect(again.status).toBe(422);
      expect(again.text).toContain('already marked complete on Jun 15, 2026');

      const gate = await makeMilestone(t, {
        grantId: grant.id,
        kind: 'go_no_go',
        dueDate: '2026-03-15',
      });
      const page = await t.http().get(`/milestones/${gate.id}`);
      expect(page.text).not.toContain(`action="/milestones/${gate.id}/complete"`);
      const refused = await complete(gate.id, { version: '1', completedOn: TODAY });
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('A go/no-go milestone is completed by its decision');
      expect((await milestoneRows(t))[1]).toMatchObject({ status: 'planned', version: 1 });
    });

    it('should refuse a completion from a stale page with 409', async () => {
      const grant = await grantWithPeriods();
      const milestone = await makeMilestone(t, { grantId: grant.id, title: 'Report' });
      await t
        .http()
        .post(`/milestones/${milestone.id}`)
        .type('form')
        .send(milestoneForm({ title: 'Report (renamed)', version: '1' }));
      const res = await complete(milestone.id, { version: '1', completedOn: TODAY });
      expect(res.status).toBe(409);
      expect(res.text).toContain('was changed by manager@example.gov');
      expect(await milestoneRows(t)).toMatchObject([{ status: 'planned', version: 2 }]);
    });
  });

  describe('the program-wide list', () => {
    it('should filter by grant, kind, shown status, budget period and due dates, linking each row to its grant', async () => {
      const a = await grantWithPeriods();
      const b = await grantWithPeriods();
      await makeMilestone(t, { grantId: a.id, title: 'A overdue', dueDate: '2025-06-30' });
      await makeMilestone(t, {
        grantId: a.id,
        title: 'A waived',
        dueDate: '2025-07-30',
        status: 'waived',
      });
      await makeMilestone(t, {
        grantId: a.id,
        budgetPeriod: 2,
        title: 'A later',
        dueDate: '2027-06-30',
      });
      await makeMilestone(t, {
        grantId: b.id,
        kind: 'report',
        title: 'B report',
        dueDate: '2025-09-30',
      });

      const all = await t.http().get('/milestones');
      expect(all.status).toBe(200);
      expect(all.text).toContain('4 milestones');
      expect(all.text).toContain(`<a href="/grants/${b.id}">${b.awardNumber}</a>`);
      const order = ['A overdue', 'A waived', 'B report', 'A later'].map((title) =>
        all.text.indexOf(title),
      );
      expect(order).toEqual([...order].sort((x, y) => x - y));

      const titles = async (query: string) => {
        const res = await t.http().get(`/milestones?${query}`);
        expect(res.status).toBe(200);
        return ['A overdue', 'A waived', 'A later', 'B report'].filter((title) =>
          res.text.includes(title),
        );
      };
      expect(await titles(`grantId=${a.id}`)).toEqual(['A overdue', 'A waived', 'A later']);
      expect(await titles('kind=report')).toEqual(['B report']);
      expect(await titles('status=missed&asOf=2026-01-01')).toEqual(['A overdue', 'B report']);
      expect(await titles('status=overdue&asOf=2025-08-01')).toEqual(['A overdue']);
      expect(await titles('status=waived')).toEqual(['A waived']);
      expect(await titles('budgetPeriod=2')).toEqual(['A later']);
      expect(await titles('dueFrom=2025-07-01&dueTo=2025-12-31')).toEqual(['A waived', 'B report']);
      expect((await t.http().get('/milestones?status=late')).status).toBe(400);
    });

    it('should page through 25 at a time, keeping the filters', async () => {
      const grant = await grantWithPeriods();
      for (let day = 1; day <= 27; day += 1) {
        await makeMilestone(t, {
          grantId: grant.id,
          title: `Weekly sample ${day}`,
          dueDate: `2025-10-${String(day).padStart(2, '0')}`,
        });
      }
      const first = await t.http().get(`/milestones?grantId=${grant.id}`);
      expect(first.text).toContain('27 milestones, showing 1–25');
      expect(first.text).toContain(`href="/milestones?grantId&#x3D;${grant.id}&amp;page&#x3D;2"`);
      const second = await t.http().get(`/milestones?grantId=${grant.id}&page=2`);
      expect(second.text).toContain('showing 26–27');
      expect(second.text).toContain('Weekly sample 27');
      expect(second.text).not.toContain('Weekly sample 3<');
    });
  });

  describe('the dashboard', () => {
    /**
     * Hand-computed for asOf 2026-01-15 (asOf + 30 = 02-14, + 31 = 02-15, + 60 = 03-16, + 90 = 04-15).
     * A: 50.0 % (4 due: a1 on time, a2 late, a3 overdue, a5 due today; a4 waived).
     * B: 25.0 % (4 due: b1 late; b2 completed only 2026-02-01; b3 recorded missed; b4 decided after asOf).
     * C: 66.7 % (3 due: c1 on time, c2 late, c3 overdue).
     */
    async function fixture() {
      const {
        program,
        recipient,
        grant: a,
      } = await makeGrantWithProgram(t, {}, { awardNumber: 'DE-SC0031001' });
      const b = await makeGrant(t, {
        programId: program.id,
        recipientId: recipient.id,
        awardNumber: 'DE-SC0031002',
      });
      const c = await makeGrant(t, {
        programId: program.id,
        recipientId: recipient.id,
        awardNumber: 'DE-SC0031003',
      });
      const m = (grant: Grant, title: string, dueDate: string, more: Partial<Milestone> = {}) =>
        makeMilestone(t, { grantId: grant.id, title, dueDate, ...more });
      const done = (completedOn: string): Partial<Milestone> => ({
        status: 'complete',
        completedOn,
      });
      const decided = (
        decision: 'go' | 'no_go',
        on: string,
        rationale: string,
      ): Partial<Milestone> => ({
        kind: 'go_no_go',
        decision,
        decidedOn: on,
        decidedBy: 'manager@example.gov',
        rationale,
        ...done(on),
      });

      await m(a, 'a1 survey', '2025-10-01', done('2025-09-30'));
      await m(a, 'a2 report', '2025-12-01', { kind: 'report', ...done('2025-12-10') });
      await m(a, 'a3 leach tests', '2026-01-10', { status: 'in_progress' });
      await m(a, 'a4 site visit', '2026-01-05', { status: 'waived' });
      await m(a, 'a5 bench gate', '2026-01-15', { kind: 'go_no_go' });
      await m(a, 'a6 beyond 90', '2026-04-20', { budgetPeriod: 2 });
      await m(a, 'a7 day 30', '2026-02-14');
      await m(a, 'a8 day 31', '2026-02-15');
      await m(a, 'a9 day 90', '2026-04-15', { budgetPeriod: 2 });
      await m(a, 'a10 done early', '2026-03-01', done('2026-01-10'));
      await m(b, 'b1 gate', '2025-12-15', decided('go', '2025-12-20', 'Yield 85 %'));
      await m(b, 'b2 finished later', '2025-11-01', done('2026-02-01'));
      await m(b, 'b3 recorded missed', '2025-12-31', { status: 'missed' });
      await m(b, 'b4 gate decided later', '2026-01-10', {
        budgetPeriod: 2,
        ...decided('no_go', '2026-01-20', 'Costs'),
      });
      await m(c, 'c1 gate', '2025-11-30', decided('no_go', '2025-11-30', 'Purity below target'));
      await m(c, 'c2 late', '2025-10-01', done('2025-10-05'));
      await m(c, 'c3 never started', '2025-09-01');
      return { a, b, c };
    }

    it('should report overdue, coming due, completion rates and outcomes as of a fixed day', async () => {
      const { a, b, c } = await fixture();
      const res = await t.http().get('/milestones/dashboard?asOf=2026-01-15');
      expect(res.status).toBe(200);
      expect(res.text).toContain('data-testid="as-of">Jan 15, 2026<');

      expect(tableRows(res.text, 'overdue')).toEqual([
        ['c3 never started Overdue', 'DE-SC0031003', 'BP1', 'Sep 1, 2025', '136'],
        ['b2 finished later Overdue', 'DE-SC0031002', 'BP1', 'Nov 1, 2025', '75'],
        ['b3 recorded missed Overdue', 'DE-SC0031002', 'BP1', 'Dec 31, 2025', '15'],
        ['a3 leach tests Overdue', 'DE-SC0031001', 'BP1', 'Jan 10, 2026', '5'],
        ['b4 gate decided later Overdue', 'DE-SC0031002', 'BP2', 'Jan 10, 2026', '5'],
      ]);
      const titles = (testId: string) => tableRows(res.text, testId).map((row) => row[0]);
      expect(titles('band-0')).toEqual(['a5 bench gate', 'a7 day 30']);
      expect(titles('band-1')).toEqual(['a8 day 31']);
      expect(titles('band-2')).toEqual(['a9 day 90']);
      expect(res.text).toContain('Due in the next 30 days (0–30): Jan 15, 2026 – Feb 14, 2026 (2)');
      expect(res.text).toContain('Due in 31–60 days: Feb 15, 2026 – Mar 16, 2026 (1)');
      expect(res.text).toContain('Due in 61–90 days: Mar 17, 2026 – Apr 15, 2026 (1)');

      expect(
        tableRows(res.text, 'completion').map(([grant, ...counts]) => [
          grant.split(' ')[0],
          ...counts,
        ]),
      ).toEqual([
        ['DE-SC0031001', '4', '2', '1', '1', '50.0%'],
        ['DE-SC0031002', '4', '1', '0', '1', '25.0%'],
        ['DE-SC0031003', '3', '2', '1', '1', '66.7%'],
      ]);

      expect(tableRows(res.text, 'outcomes')).toEqual([
        ['c1 gate', 'DE-SC0031003', 'BP1', 'No-go', 'Nov 30, 2025', 'Purity below target'],
        ['b1 gate', 'DE-SC0031002', 'BP1', 'Go', 'Dec 20, 2025', 'Yield 85 %'],
      ]);
      expect(res.text).toContain('data-testid="go-count">1 go<');
      expect(res.text).toContain('data-testid="no-go-count">1 no-go<');
      expect(tableRows(res.text, 'pending-gates')).toEqual([
        ['b4 gate decided later Pending', 'DE-SC0031002', 'BP2', 'Jan 10, 2026', '5'],
      ]);
      for (const grant of [a, b, c]) expect(res.text).toContain(`href="/grants/${grant.id}"`);
    });

    it('should count a completion only from its date: before it the milestone was open', async () => {
      await fixture();
      const before = await t.http().get('/milestones/dashboard?asOf=2026-01-31');
      expect(tableRows(before.text, 'overdue').map((row) => row[0])).toContain(
        'b2 finished later Overdue',
      );
      const after = await t.http().get('/milestones/dashboard?asOf=2026-02-01');
      expect(tableRows(after.text, 'overdue').map((row) => row[0])).not.toContain(
        'b2 finished later Overdue',
      );
      const rateOfB = (html: string) =>
        tableRows(html, 'completion').find(([grant]) => grant.startsWith('DE-SC0031002'))?.[5];
      expect(rateOfB(before.text)).toBe('50.0%'); // b1 and b4 (decided 2026-01-20) of 4
      expect(rateOfB(after.text)).toBe('75.0%');
      expect(tableRows(after.text, 'outcomes').map((row) => row[0])).toEqual([
        'c1 gate',
        'b1 gate',
        'b4 gate decided later',
      ]);

      const list = await t.http().get('/milestones?status=missed&asOf=2026-01-31');
      expect(list.text).toContain('b2 finished later');
    });

    it('should default to today and refuse a malformed asOf with 400', async () => {
      const today = await t.http().get('/milestones/dashboard');
      expect(today.status).toBe(200);
      expect(today.text).toMatch(/data-testid="as-of">[A-Z][a-z]{2} \d{1,2}, \d{4}</);
      const bad = await t.http().get('/milestones/dashboard?asOf=2026-02-30');
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('asOf must be a real date as YYYY-MM-DD');
    });
  });

  describe('as an auditor', () => {
    it('should read every milestone page and be refused every change, with nothing written', async () => {
      const grant = await grantWithPeriods();
      const gate = await makeMilestone(t, {
        grantId: grant.id,
        kind: 'go_no_go',
        dueDate: '2026-03-15',
      });
      const auditor = await t.as('auditor');
      for (const path of [
        '/milestones',
        '/milestones/dashboard?asOf=2026-01-15',
        `/milestones/${gate.id}`,
        `/grants/${grant.id}/milestones`,
      ]) {
        expect({ path, status: (await auditor.get(path)).status }).toEqual({ path, status: 200 });
      }
      for (const path of [`/milestones/${gate.id}/edit`, `/grants/${grant.id}/milestones/new`]) {
        expect({ path, status: (await auditor.get(path)).status }).toEqual({ path, status: 403 });
      }
      const before = { audit: await auditCount(t), rows: await milestoneRows(t) };
      const posts: [string, object][] = [
        [`/grants/${grant.id}/milestones`, milestoneForm()],
        [
          `/milestones/${gate.id}`,
          milestoneForm({ kind: 'go_no_go', dueDate: '2026-03-15', version: '1' }),
        ],
        [`/milestones/${gate.id}/decision`, decisionForm(1)],
      ];
      for (const [path, body] of posts) {
        const res = await auditor.post(path).type('form').send(body);
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
      expect({ audit: await auditCount(t), rows: await milestoneRows(t) }).toEqual(before);
    });
  });
});
