import {
  makeAmendment,
  makeBudget,
  makeBudgetPeriods,
  makeExpenditure,
  makeGrantWithProgram,
  makeMilestone,
} from './helpers/factories';
import { decide, JUSTIFICATION, requestApproved, requestIdOf } from './helpers/approvals';
import { freshAppPerTest, rows, TestApp } from './helpers/test-app';

const sumObligated = async (t: TestApp) =>
  Number(
    (
      await rows<{ total: number }>(
        t,
        'SELECT COALESCE(SUM(federal_change_cents), 0) AS total FROM amendments',
      )
    )[0].total,
  );

describe('Amendments (HTTP)', () => {
  const t = freshAppPerTest();

  it('should obligate money through amendments numbered from 0', async () => {
    const { grant } = await makeGrantWithProgram(t);
    const post = (form: Record<string, string>) =>
      requestApproved(t, `/grants/${grant.id}/amendments`, form);

    const initial = await post({
      effectiveDate: '2025-04-01',
      kind: 'initial',
      federalChange: '$1,000,000.00',
      note: 'Award',
    });
    expect(initial.status).toBe(303);
    expect(initial.headers.location).toMatch(/^\/approvals\/\d+$/);
    const increment = await post({
      effectiveDate: '2026-04-01',
      kind: 'incremental_funding',
      federalChange: '500,000.50',
    });
    expect(increment.status).toBe(303);

    const saved = await rows<{ number: number; federal_change_cents: number }>(
      t,
      'SELECT number, federal_change_cents FROM amendments ORDER BY number',
    );
    expect(saved).toEqual([
      { number: 0, federal_change_cents: 100_000_000 },
      { number: 1, federal_change_cents: 50_000_050 },
    ]);
    const page = await t.http().get(`/grants/${grant.id}`);
    expect(page.text).toContain('$1,500,000.50');
  });

  it('should refuse an amendment above the ceiling with 422 naming the headroom', async () => {
    const { grant } = await makeGrantWithProgram(t, { ceilingCents: 1_000_000_00 });
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 990_000_00 });

    const res = await t.http().post(`/grants/${grant.id}/amendments`).type('form').send({
      justification: JUSTIFICATION,
      effectiveDate: '2026-04-01',
      kind: 'incremental_funding',
      federalChange: '10,000.01',
    });

    expect(res.status).toBe(422);
    expect(res.text).toContain(
      'above the program ceiling of $1,000,000.00. Headroom left: $10,000.00.',
    );
    expect(res.text).toContain('value="10,000.01"');
    expect(await sumObligated(t)).toBe(990_000_00);
  });

  it('should obligate exactly up to the ceiling when approvals arrive at the same moment', async () => {
    const { grant } = await makeGrantWithProgram(t, { ceilingCents: 1_000_000_00 });
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });

    // 12 × $100,000 requested against $900,000 of headroom. A pending request holds nothing, so
    // all 12 are filed; approved at the same moment, exactly 9 may go through.
    const filed = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.http().post(`/grants/${grant.id}/amendments`).type('form').send({
          effectiveDate: '2026-04-01',
          kind: 'incremental_funding',
          federalChange: '100000',
          justification: JUSTIFICATION,
        }),
      ),
    );
    expect(filed.map((r) => r.status)).toEqual(Array(12).fill(303));
    expect(await sumObligated(t)).toBe(100_000_00);

    const decisions = await Promise.all(filed.map((r) => decide(t, requestIdOf(r))));
    const statuses = decisions.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 303)).toHaveLength(9);
    expect(statuses.filter((s) => s === 422)).toHaveLength(3);
    const refused = decisions.find((r) => r.status === 422);
    expect(refused?.text).toContain('It cannot be approved now');
    expect(refused?.text).toContain('Headroom left: $0.00');
    expect(await sumObligated(t)).toBe(1_000_000_00);
    const numbers = await rows<{ number: number }>(
      t,
      'SELECT number FROM amendments ORDER BY number',
    );
    expect(numbers.map((a) => a.number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const outcomes = await rows<{ status: string; n: number }>(
      t,
      'SELECT status, COUNT(*) AS n FROM approval_requests GROUP BY status ORDER BY status',
    );
    expect(outcomes.map((o) => [o.status, Number(o.n)])).toEqual([
      ['approved', 9],
      ['pending', 3],
    ]);
  });

  it.each([
    [{ kind: 'incremental_funding', federalChange: '10' }, 'kind', 'original award'],
    [{ kind: 'initial', federalChange: '-10' }, 'federalChange', 'enter an amount above zero'],
    [{ kind: 'initial', federalChange: '10.001' }, 'federalChange', 'two decimal places'],
    [{ kind: 'initial', federalChange: '' }, 'federalChange', 'Enter an amount in dollars'],
    [{ kind: 'initial', federalChange: '1e5' }, 'federalChange', 'Enter dollars as digits'],
    [{ kind: 'bonus', federalChange: '10' }, 'kind', 'Choose the kind'],
  ])('should refuse a bad first amendment %p', async (form, _field, message) => {
    const { grant } = await makeGrantWithProgram(t);
    const res = await t
      .http()
      .post(`/grants/${grant.id}/amendments`)
      .type('form')
      .send({ effectiveDate: '2025-04-01', justification: JUSTIFICATION, ...form });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(await rows(t, 'SELECT * FROM amendments')).toHaveLength(0);
  });

  it.each([
    [
      { effectiveDate: '2028-04-01', kind: 'incremental_funding', federalChange: '1000' },
      'The period of performance ended Mar 31, 2028',
    ],
    [
      { effectiveDate: '2025-06-01', kind: 'deobligation', federalChange: '-50,000.01' },
      'cannot deobligate more than that',
    ],
  ])('should refuse %j on a funded grant, leaving its obligations alone', async (form, message) => {
    const { grant } = await makeGrantWithProgram(t);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 50_000_00 });
    const res = await t
      .http()
      .post(`/grants/${grant.id}/amendments`)
      .type('form')
      .send({ justification: JUSTIFICATION, ...form });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(await sumObligated(t)).toBe(50_000_00);
  });

  it('should refuse a deobligation that would leave less obligated than already spent (rule 2)', async () => {
    const { grant } = await makeGrantWithProgram(t);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
    await makeExpenditure(t, { grantId: grant.id, amountCents: 60_000_00 });
    await makeExpenditure(t, { grantId: grant.id, amountCents: 5_000_00, share: 'cost_share' });
    const deobligate = (federalChange: string) =>
      requestApproved(t, `/grants/${grant.id}/amendments`, {
        effectiveDate: '2025-09-01',
        kind: 'deobligation',
        federalChange,
      });

    const refused = await deobligate('-40,000.01');
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('already spent $60,000.00');
    expect(refused.text).toContain('at most $40,000.00');
    expect(await sumObligated(t)).toBe(100_000_00);

    expect((await deobligate('-40,000.00')).status).toBe(303);
    expect(await sumObligated(t)).toBe(60_000_00);
  });

  describe('go/no-go gating (rule 7)', () => {
    async function gatedGrant() {
      const { grant } = await makeGrantWithProgram(t);
      await makeBudgetPeriods(t, grant.id, [
        { startDate: '2025-04-01', endDate: '2026-09-30' },
        { startDate: '2026-10-01', endDate: '2028-03-31' },
      ]);
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 500_000_00 });
      const fund = (effectiveDate: string) =>
        requestApproved(t, `/grants/${grant.id}/amendments`, {
          effectiveDate,
          kind: 'incremental_funding',
          federalChange: '250,000.00',
        });
      return { grant, fund };
    }
    const amendmentCount = async () =>
      Number((await rows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM amendments'))[0].n);

    it('should refuse funding for budget period 2 until the go/no-go that closes budget period 1 is a go', async () => {
      const { grant, fund } = await gatedGrant();

      const noGate = await fund('2026-10-15');
      expect(noGate.status).toBe(422);
      expect(noGate.text).toContain('budget period 1 has no go/no-go milestone yet');

      const gate = await makeMilestone(t, {
        grantId: grant.id,
        kind: 'go_no_go',
        title: 'BP1 go/no-go: 80 % Dy recovery at bench scale',
        dueDate: '2026-09-30',
      });
      const pending = await fund('2026-10-15');
      expect(pending.status).toBe(422);
      expect(pending.text).toContain('BP1 go/no-go: 80 % Dy recovery at bench scale');
      expect(pending.text).toContain('still pending');
      expect(await amendmentCount()).toBe(1);

      // Budget period 1 money is not gated.
      expect((await fund('2026-06-01')).status).toBe(303);

      const decided = await requestApproved(t, `/milestones/${gate.id}/decision`, {
        decision: 'go',
        decidedOn: '2026-10-05',
        rationale: 'Recovery of 83 % shown in three bench runs.',
        version: String(gate.version),
      });
      expect(decided.status).toBe(303);

      const beforeDecision = await fund('2026-10-01');
      expect(beforeDecision.status).toBe(422);
      expect(beforeDecision.text).toContain('decided go on Oct 5, 2026, after Oct 1, 2026');

      expect((await fund('2026-10-15')).status).toBe(303);
      expect(await amendmentCount()).toBe(3);
    });

    it('should refuse funding for budget period 2 after a no-go, and leave deobligations alone', async () => {
      const { grant, fund } = await gatedGrant();
      const gate = await makeMilestone(t, {
        grantId: grant.id,
        kind: 'go_no_go',
        title: 'BP1 go/no-go review',
        dueDate: '2026-09-30',
      });
      await requestApproved(t, `/milestones/${gate.id}/decision`, {
        decision: 'no_go',
        decidedOn: '2026-09-30',
        rationale: 'Recovery stalled at 40 %.',
        version: String(gate.version),
      });

      const res = await fund('2026-10-15');
      expect(res.status).toBe(422);
      expect(res.text).toContain('decided no-go on Sep 30, 2026');

      const deobligate = await requestApproved(t, `/grants/${grant.id}/amendments`, {
        effectiveDate: '2026-10-15',
        kind: 'deobligation',
        federalChange: '-100,000.00',
        note: 'Closing out after the no-go decision.',
      });
      expect(deobligate.status).toBe(303);
      expect(await sumObligated(t)).toBe(400_000_00);
    });
  });

  it('should move the end date and the last budget period with a no-cost extension', async () => {
    const { grant } = await makeGrantWithProgram(t);
    await makeBudgetPeriods(t, grant.id, [
      { startDate: '2025-04-01', endDate: '2026-09-30' },
      { startDate: '2026-10-01', endDate: '2028-03-31' },
    ]);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 50_000_00 });
    await makeBudget(t, grant.id, [[2, 'personnel', 18_000_00, 0]]);

    const early = await t.http().post(`/grants/${grant.id}/amendments`).type('form').send({
      justification: JUSTIFICATION,
      effectiveDate: '2027-12-01',
      kind: 'no_cost_extension',
      federalChange: '0',
      newEndDate: '2028-01-31',
    });
    expect(early.status).toBe(422);
    expect(early.text).toContain('must be after the current end date, Mar 31, 2028');

    const endless = await t.http().post(`/grants/${grant.id}/amendments`).type('form').send({
      justification: JUSTIFICATION,
      effectiveDate: '2027-12-01',
      kind: 'no_cost_extension',
      federalChange: '0',
      newEndDate: '9999-12-31',
    });
    expect(endless.status).toBe(422);
    expect(endless.text).toContain('may run at most 10 years');
    expect(endless.text).toContain('Mar 31, 2035 at the latest');

    const res = await requestApproved(t, `/grants/${grant.id}/amendments`, {
      effectiveDate: '2027-12-01',
      kind: 'no_cost_extension',
      federalChange: '0',
      newEndDate: '2028-09-30',
    });
    expect(res.status).toBe(303);
    const [saved] = await rows<{ end_date: string; version: number }>(
      t,
      'SELECT end_date, version FROM grants',
    );
    expect(saved).toEqual({ end_date: '2028-09-30', version: 2 });
    const periods = await rows<{ end_date: string }>(
      t,
      'SELECT end_date FROM budget_periods ORDER BY number',
    );
    expect(periods.map((p) => p.end_date)).toEqual(['2026-09-30', '2028-09-30']);
    // The budget period 2 plan now runs to the new end date, still adding up to the line.
    const [plan] = await rows<{ last: string; total: number }>(
      t,
      'SELECT MAX(month) AS last, SUM(federal_cents) AS total FROM planned_spend',
    );
    expect(plan).toEqual({ last: '2028-09', total: 18_000_00 });
  });

  it('should have no route that edits or deletes an amendment', async () => {
    const { grant } = await makeGrantWithProgram(t);
    const amendment = await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100 });
    for (const path of [
      `/grants/${grant.id}/amendments/${amendment.id}`,
      `/grants/${grant.id}/amendments/${amendment.id}/delete`,
    ]) {
      expect((await t.http().post(path).type('form').send({ federalChange: '5' })).status).toBe(
        404,
      );
    }
    expect(await sumObligated(t)).toBe(100);
  });
});
