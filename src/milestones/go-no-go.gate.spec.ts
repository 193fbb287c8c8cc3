import { Grant } from '../grants/grant.entity';
import {
  makeBudgetPeriods,
  makeGrantWithProgram,
  makeMilestone,
} from '../../test/helpers/factories';
import { createServiceContext, TestDatabase } from '../../test/helpers/test-app';
import { GoNoGoGate } from './go-no-go.gate';
import { Milestone } from './milestone.entity';

// BP1 2025-04-01 – 2026-03-31, BP2 2026-04-01 – 2027-03-31, BP3 2027-04-01 – 2028-03-31.
const PERIODS = [
  { startDate: '2025-04-01', endDate: '2026-03-31' },
  { startDate: '2026-04-01', endDate: '2027-03-31' },
  { startDate: '2027-04-01', endDate: '2028-03-31' },
];

describe(GoNoGoGate.name, () => {
  let t: TestDatabase;
  let sut: GoNoGoGate;

  beforeAll(async () => {
    t = await createServiceContext();
    sut = t.app.get(GoNoGoGate);
  });

  afterAll(() => t.close());

  const grantWithPeriods = async (): Promise<Grant> => {
    const { grant } = await makeGrantWithProgram(t);
    await makeBudgetPeriods(t, grant.id, PERIODS);
    return grant;
  };

  const gate = (grant: Grant, budgetPeriod: number, overrides: Partial<Milestone> = {}) =>
    makeMilestone(t, {
      grantId: grant.id,
      budgetPeriod,
      kind: 'go_no_go',
      title: `BP${budgetPeriod} pilot-scale go/no-go`,
      dueDate: PERIODS[budgetPeriod - 1].endDate,
      ...overrides,
    });

  const decided = (decision: 'go' | 'no_go', decidedOn: string): Partial<Milestone> => ({
    decision,
    decidedOn,
    rationale: 'Review panel',
    decidedBy: 'manager@example.gov',
    status: 'complete',
    completedOn: decidedOn,
  });

  const blockedBy = (grantId: number, date: string) =>
    t.writes.transaction((manager) => sut.blockedBy(manager, grantId, date));

  it('should leave budget period 1 open without any decision', async () => {
    const grant = await grantWithPeriods();
    await gate(grant, 1);
    await expect(blockedBy(grant.id, '2025-04-01')).resolves.toBeNull();
    await expect(blockedBy(grant.id, '2026-03-31')).resolves.toBeNull();
  });

  it('should leave dates outside every budget period to the other rules', async () => {
    const grant = await grantWithPeriods();
    await expect(blockedBy(grant.id, '2025-03-31')).resolves.toBeNull();
    await expect(blockedBy(grant.id, '2028-04-01')).resolves.toBeNull();
    const { grant: withoutPeriods } = await makeGrantWithProgram(t);
    await expect(blockedBy(withoutPeriods.id, '2026-06-01')).resolves.toBeNull();
  });

  it('should block budget period 2 when budget period 1 has no go/no-go milestone', async () => {
    const grant = await grantWithPeriods();
    await makeMilestone(t, { grantId: grant.id, budgetPeriod: 1, kind: 'deliverable' });
    await expect(blockedBy(grant.id, '2026-04-01')).resolves.toBe(
      'Budget period 2 starts after the go/no-go decision that closes budget period 1, and budget period 1 has no go/no-go milestone yet: add one and record a ‘go’ first.',
    );
  });

  it('should block budget period 2 while its gate is pending, naming the gate', async () => {
    const grant = await grantWithPeriods();
    await gate(grant, 1, { title: 'Bench-scale yield ≥ 80 %' });
    await expect(blockedBy(grant.id, '2026-05-15')).resolves.toBe(
      'Budget period 2 is gated by “Bench-scale yield ≥ 80 %” (due Mar 31, 2026), still pending: record a ‘go’ decision before anything is funded or charged in budget period 2.',
    );
  });

  it('should block budget period 2 for good after a no-go', async () => {
    const grant = await grantWithPeriods();
    await gate(grant, 1, { title: 'Bench-scale yield', ...decided('no_go', '2026-03-20') });
    await expect(blockedBy(grant.id, '2026-12-01')).resolves.toBe(
      'Budget period 2 is gated by “Bench-scale yield” (due Mar 31, 2026), which was decided no-go on Mar 20, 2026; budget period 2 cannot be funded or charged.',
    );
  });

  it('should block dates before a go decision and open the day of the decision', async () => {
    const grant = await grantWithPeriods();
    await gate(grant, 1, { title: 'Bench-scale yield', ...decided('go', '2026-04-10') });
    await expect(blockedBy(grant.id, '2026-04-09')).resolves.toBe(
      'Budget period 2 is gated by “Bench-scale yield” (due Mar 31, 2026), which was decided go on Apr 10, 2026, after Apr 9, 2026: nothing in budget period 2 can be dated before the decision.',
    );
    await expect(blockedBy(grant.id, '2026-04-10')).resolves.toBeNull();
    await expect(blockedBy(grant.id, '2027-03-31')).resolves.toBeNull();
  });

  it('should open budget period 2 after a go decided before it starts', async () => {
    const grant = await grantWithPeriods();
    await gate(grant, 1, decided('go', '2026-03-15'));
    await expect(blockedBy(grant.id, '2026-04-01')).resolves.toBeNull();
  });

  it('should check only the gate that closes the previous budget period', async () => {
    const grant = await grantWithPeriods();
    await gate(grant, 1, decided('go', '2026-03-15'));
    await gate(grant, 2, { title: 'Pilot plant' });
    await expect(blockedBy(grant.id, '2026-06-01')).resolves.toBeNull();
    await expect(blockedBy(grant.id, '2027-04-01')).resolves.toMatch(
      /^Budget period 3 is gated by “Pilot plant” \(due Mar 31, 2027\), still pending/,
    );
  });

  it('should ignore other grants’ gates', async () => {
    const open = await grantWithPeriods();
    await gate(open, 1, decided('go', '2026-03-15'));
    const closed = await grantWithPeriods();
    await gate(closed, 1, decided('no_go', '2026-03-15'));
    await expect(blockedBy(open.id, '2026-06-01')).resolves.toBeNull();
    await expect(blockedBy(closed.id, '2026-06-01')).resolves.toMatch(/decided no-go/);
  });

  it('should require every gate on the boundary to be a timely go', async () => {
    const grant = await grantWithPeriods();
    await gate(grant, 1, { title: 'First gate', ...decided('go', '2026-03-15') });
    await gate(grant, 1, { title: 'Second gate', dueDate: '2026-03-30' });
    await expect(blockedBy(grant.id, '2026-06-01')).resolves.toMatch(
      /^Budget period 2 is gated by “Second gate” \(due Mar 30, 2026\), still pending/,
    );
  });

  it('should see a decision written earlier in the caller’s own transaction', async () => {
    const grant = await grantWithPeriods();
    const pending = await gate(grant, 1);
    const result = await t.writes.transaction(async (manager) => {
      await t.audit.update(
        manager,
        Milestone,
        'milestone',
        pending.id,
        decided('go', '2026-03-15'),
        {
          action: 'decision',
        },
      );
      return sut.blockedBy(manager, grant.id, '2026-06-01');
    });
    expect(result).toBeNull();
  });
});
