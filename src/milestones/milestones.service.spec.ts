import { FormError } from '../common/forms';
import { runAs } from '../common/request-context';
import { Grant } from '../grants/grant.entity';
import {
  makeBudgetPeriods,
  makeGrantWithProgram,
  makeMilestone,
  TWO_BUDGET_PERIODS as PERIODS,
} from '../../test/helpers/factories';
import { createServiceContext, rows, TestDatabase } from '../../test/helpers/test-app';
import { DecisionFormDto } from './dto/decision-form.dto';
import { MilestoneFormDto } from './dto/milestone-form.dto';
import { SHOWN_STATUS_FILTERS } from './dto/milestone-list-query.dto';
import { Milestone } from './milestone.entity';
import { shownStatus } from './milestone-status';
import { decisionErrors, MilestonesService } from './milestones.service';

const MANAGER = { id: 1, email: 'pm@example.gov', name: 'PM', role: 'program_manager' };

const form = (overrides: Partial<MilestoneFormDto> = {}): MilestoneFormDto => ({
  title: 'Leach-test report',
  kind: 'deliverable',
  budgetPeriod: 1,
  dueDate: '2025-12-31',
  status: 'planned',
  completedOn: null,
  notes: '',
  ...overrides,
});

const decision = (overrides: Partial<DecisionFormDto> = {}): DecisionFormDto => ({
  decision: 'go',
  decidedOn: '2026-03-20',
  rationale: 'Yield above 80 % at bench scale.',
  ...overrides,
});

/** The field errors a refused call carries. */
async function refusal(promise: Promise<unknown>): Promise<Record<string, string>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof FormError)) throw new Error(`Expected a FormError, got ${String(error)}`);
  return error.errors;
}

describe(MilestonesService.name, () => {
  let t: TestDatabase;
  let sut: MilestonesService;

  beforeAll(async () => {
    t = await createServiceContext();
    sut = t.app.get(MilestonesService);
  });

  afterAll(() => t.close());

  const grantWithPeriods = async (): Promise<Grant> => {
    const { grant } = await makeGrantWithProgram(t);
    await makeBudgetPeriods(t, grant.id, PERIODS);
    return grant;
  };
  const countFor = async (grantId: number) =>
    Number(
      (
        await rows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM milestones WHERE grant_id = ?', [
          grantId,
        ])
      )[0].n,
    );

  describe('completion', () => {
    it('should refuse a complete milestone without its completed date', async () => {
      const grant = await grantWithPeriods();
      await expect(refusal(sut.create(grant.id, form({ status: 'complete' })))).resolves.toEqual({
        completedOn: 'A complete milestone needs its completed date.',
      });
      expect(await countFor(grant.id)).toBe(0);
    });

    it('should save a complete milestone with its completed date', async () => {
      const grant = await grantWithPeriods();
      const saved = await sut.create(
        grant.id,
        form({ status: 'complete', completedOn: '2025-12-20' }),
      );
      expect(saved).toMatchObject({
        status: 'complete',
        completedOn: '2025-12-20',
        decision: null,
      });
    });

    it('should refuse a completed date in the future, or on a milestone that is not complete', async () => {
      const grant = await grantWithPeriods();
      const future = await refusal(
        sut.create(grant.id, form({ status: 'complete', completedOn: '2099-01-01' })),
      );
      expect(future.completedOn).toMatch(
        /^The completed date cannot be in the future \(today is [A-Z][a-z]{2} \d{1,2}, \d{4}\)\.$/,
      );
      const open = await refusal(
        sut.create(grant.id, form({ status: 'in_progress', completedOn: '2025-12-20' })),
      );
      expect(open.completedOn).toBe(
        'Only a complete milestone has a completed date: set the status to Complete, or clear the date.',
      );
      expect(await countFor(grant.id)).toBe(0);
    });

    it('should refuse to complete a go/no-go milestone through the form', async () => {
      const grant = await grantWithPeriods();
      const errors = await refusal(
        sut.create(
          grant.id,
          form({ kind: 'go_no_go', status: 'complete', completedOn: '2026-01-05' }),
        ),
      );
      expect(errors.status).toBe('Record the go/no-go decision to complete it.');
    });
  });

  describe('schedule', () => {
    it('should ask for budget periods first on a grant that has none', async () => {
      const { grant } = await makeGrantWithProgram(t);
      await expect(refusal(sut.create(grant.id, form()))).resolves.toEqual({
        budgetPeriod: 'Set up the grant’s budget periods first.',
      });
    });

    it('should refuse a budget period the grant does not have, and a due date outside the chosen one', async () => {
      const grant = await grantWithPeriods();
      expect((await refusal(sut.create(grant.id, form({ budgetPeriod: 3 })))).budgetPeriod).toBe(
        'Budget period 3 does not exist on this grant; choose one of BP1–BP2.',
      );
      expect((await refusal(sut.create(grant.id, form({ dueDate: '2026-04-01' })))).dueDate).toBe(
        'BP1 runs Apr 1, 2025 to Mar 31, 2026; the due date must fall within it, or choose another budget period.',
      );
      expect(
        (await refusal(sut.create(grant.id, form({ dueDate: '2028-04-01', budgetPeriod: 2 }))))
          .dueDate,
      ).toBe(
        'The due date must fall within the grant’s period of performance, Apr 1, 2025 to Mar 31, 2028.',
      );
    });

    it('should allow one go/no-go milestone per budget period, naming the existing one', async () => {
      const grant = await grantWithPeriods();
      const first = await sut.create(
        grant.id,
        form({ kind: 'go_no_go', title: 'Bench gate', dueDate: '2026-03-15' }),
      );
      expect(first).toMatchObject({ decision: 'pending', decidedOn: null, decidedBy: null });
      const errors = await refusal(
        sut.create(grant.id, form({ kind: 'go_no_go', title: 'Another' })),
      );
      expect(errors.kind).toBe(
        'BP1 already has a go/no-go milestone, “Bench gate” (due Mar 15, 2026); a budget period is closed by one go/no-go decision.',
      );
      await expect(
        sut.create(grant.id, form({ kind: 'go_no_go', budgetPeriod: 2, dueDate: '2027-03-31' })),
      ).resolves.toMatchObject({ decision: 'pending' });
      // Editing the gate itself is not a second gate.
      await expect(
        sut.update(
          first.id,
          first.version,
          form({ kind: 'go_no_go', title: 'Bench gate (revised)', dueDate: '2026-03-15' }),
        ),
      ).resolves.toMatchObject({ title: 'Bench gate (revised)', decision: 'pending' });
    });
  });

  describe('edits', () => {
    it('should keep decision in step with a kind change of an undecided milestone', async () => {
      const grant = await grantWithPeriods();
      const m = await sut.create(grant.id, form());
      const gate = await sut.update(m.id, m.version, form({ kind: 'go_no_go' }));
      expect(gate).toMatchObject({ kind: 'go_no_go', decision: 'pending' });
      const back = await sut.update(m.id, gate.version, form({ kind: 'report' }));
      expect(back).toMatchObject({ kind: 'report', decision: null });
    });

    it('should refuse to change the kind, period or status of a decided go/no-go milestone, but allow its title', async () => {
      const grant = await grantWithPeriods();
      const gate = await sut.create(grant.id, form({ kind: 'go_no_go', dueDate: '2026-03-15' }));
      const done = await runAs(MANAGER, () => sut.decide(gate.id, gate.version, decision()));
      const asDecided = form({
        kind: 'go_no_go',
        dueDate: '2026-03-15',
        status: 'complete',
        completedOn: '2026-03-20',
      });

      const errors = await refusal(
        sut.update(gate.id, done.version, {
          ...asDecided,
          kind: 'deliverable',
          budgetPeriod: 2,
          status: 'in_progress',
          completedOn: null,
        }),
      );
      expect(Object.keys(errors).sort()).toEqual(['budgetPeriod', 'dueDate', 'kind', 'status']);
      expect(errors.kind).toBe(
        'This go/no-go milestone was decided go on Mar 20, 2026; its kind cannot change.',
      );

      const renamed = await sut.update(gate.id, done.version, {
        ...asDecided,
        title: 'Bench gate',
      });
      expect(renamed).toMatchObject({
        title: 'Bench gate',
        decision: 'go',
        decidedOn: '2026-03-20',
        rationale: decision().rationale,
      });
    });

    it('should refuse a stale version without changing the row', async () => {
      const grant = await grantWithPeriods();
      const m = await sut.create(grant.id, form());
      await sut.update(m.id, m.version, form({ title: 'First edit' }));
      await expect(sut.update(m.id, m.version, form({ title: 'Second edit' }))).rejects.toThrow(
        /was changed by system/,
      );
      expect((await sut.findOne(m.id)).title).toBe('First edit');
    });
  });

  describe('decisions', () => {
    it('should accept a decision only on a go/no-go milestone', () => {
      const deliverable = {
        kind: 'deliverable',
        decision: null,
        decidedOn: null,
        decidedBy: null,
      } as const;
      expect(decisionErrors(deliverable, decision(), '2026-11-27')).toEqual({
        decision: 'Only a go/no-go milestone takes a decision; this one is a deliverable.',
      });
    });

    it('should refuse a decision dated after today', () => {
      const pending = {
        kind: 'go_no_go',
        decision: 'pending',
        decidedOn: null,
        decidedBy: null,
      } as const;
      expect(decisionErrors(pending, decision({ decidedOn: '2026-11-28' }), '2026-11-27')).toEqual({
        decidedOn: 'The decision date cannot be in the future (today is Nov 27, 2026).',
      });
      expect(decisionErrors(pending, decision({ decidedOn: '2026-11-27' }), '2026-11-27')).toEqual(
        {},
      );
    });

    it('should record a decision with who made it, complete the milestone, and audit it as a decision', async () => {
      const grant = await grantWithPeriods();
      const gate = await sut.create(grant.id, form({ kind: 'go_no_go', dueDate: '2026-03-15' }));
      const saved = await runAs(MANAGER, () =>
        sut.decide(gate.id, gate.version, decision({ decision: 'no_go' })),
      );
      expect(saved).toMatchObject({
        decision: 'no_go',
        decidedOn: '2026-03-20',
        decidedBy: 'pm@example.gov',
        rationale: 'Yield above 80 % at bench scale.',
        status: 'complete',
        completedOn: '2026-03-20',
        version: gate.version + 1,
      });
      const [event] = await t.audit.history('milestone', gate.id);
      expect(event).toMatchObject({ action: 'decision', actorEmail: 'pm@example.gov' });
      expect(JSON.parse(event.changes)).toMatchObject({
        decision: { before: 'pending', after: 'no_go' },
        status: { before: 'planned', after: 'complete' },
      });
    });

    it('should make a decision final, naming the decision, its date and who made it', async () => {
      const grant = await grantWithPeriods();
      const gate = await sut.create(grant.id, form({ kind: 'go_no_go', dueDate: '2026-03-15' }));
      const first = await runAs(MANAGER, () => sut.decide(gate.id, gate.version, decision()));
      const errors = await refusal(
        sut.decide(
          gate.id,
          first.version,
          decision({ decision: 'no_go', decidedOn: '2026-03-25' }),
        ),
      );
      expect(errors.decision).toBe(
        'This milestone was already decided go on Mar 20, 2026 by pm@example.gov. A recorded decision is final: correcting one is out of scope for this tracker, so nothing was changed.',
      );
      expect(await sut.findOne(gate.id)).toMatchObject({ decision: 'go', version: first.version });
    });

    it('should refuse a decision on a deliverable, writing nothing', async () => {
      const grant = await grantWithPeriods();
      const m = await sut.create(grant.id, form());
      await expect(refusal(sut.decide(m.id, m.version, decision()))).resolves.toHaveProperty(
        'decision',
      );
      expect(await sut.findOne(m.id)).toMatchObject({ decision: null, version: m.version });
    });
  });

  describe('reads', () => {
    it('should group a grant’s milestones by budget period, by due date, with the status as of asOf', async () => {
      const grant = await grantWithPeriods();
      await makeMilestone(t, {
        grantId: grant.id,
        budgetPeriod: 2,
        title: 'C',
        dueDate: '2026-06-01',
      });
      await makeMilestone(t, {
        grantId: grant.id,
        budgetPeriod: 1,
        title: 'B',
        dueDate: '2025-12-01',
      });
      await makeMilestone(t, {
        grantId: grant.id,
        budgetPeriod: 1,
        title: 'A',
        dueDate: '2025-06-01',
        status: 'complete',
        completedOn: '2025-06-10',
      });
      const groups = await sut.forGrant(grant.id, '2025-11-01');
      expect(
        groups.map((g) => [
          g.number,
          g.period?.startDate,
          g.milestones.map((m) => [m.title, m.shown.status]),
        ]),
      ).toEqual([
        [
          1,
          '2025-04-01',
          [
            ['A', 'complete'],
            ['B', 'planned'],
          ],
        ],
        [2, '2026-04-01', [['C', 'planned']]],
      ]);
      expect(groups[0].milestones[0].shown.late).toBe(true);
    });

    it('should filter the list by shown status in SQL exactly as shownStatus derives it', async () => {
      const { grant } = await makeGrantWithProgram(t);
      const asOf = '2026-01-15';
      const cases: Partial<Milestone>[] = [
        { status: 'planned', dueDate: '2026-02-01' },
        { status: 'in_progress', dueDate: '2026-01-15' },
        { status: 'in_progress', dueDate: '2026-01-14' },
        { status: 'complete', dueDate: '2026-01-01', completedOn: '2025-12-31' },
        { status: 'complete', dueDate: '2026-01-01', completedOn: '2026-01-10' },
        { status: 'complete', dueDate: '2026-01-01', completedOn: '2026-01-20' },
        { status: 'complete', dueDate: '2026-03-01', completedOn: '2026-02-01' },
        { status: 'missed', dueDate: '2026-03-01' },
        { status: 'missed', dueDate: '2025-12-01' },
        { status: 'waived', dueDate: '2025-12-01' },
      ];
      const made = [];
      for (const overrides of cases)
        made.push(await makeMilestone(t, { grantId: grant.id, ...overrides }));

      for (const status of SHOWN_STATUS_FILTERS) {
        const page = await sut.list({ grantId: grant.id, status }, asOf, 100);
        const expected = made
          .filter((m) => {
            const shown = shownStatus(m, asOf);
            return status === 'overdue' ? shown.overdue : shown.status === status;
          })
          .map((m) => m.id);
        expect({ status, ids: page.items.map((row) => row.id).sort((a, b) => a - b) }).toEqual({
          status,
          ids: expected.sort((a, b) => a - b),
        });
      }
      const all = await sut.list({ grantId: grant.id }, asOf, 100);
      expect(all.total).toBe(cases.length);
      expect(all.items.map((row) => row.dueDate)).toEqual(
        [...all.items.map((row) => row.dueDate)].sort(),
      );
    });
  });
});
