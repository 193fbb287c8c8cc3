import { placeholders } from '../../test/helpers/test-database';
import { makeBudget, makeBudgetPeriods, makeGrantWithProgram } from '../../test/helpers/factories';
import { freshContextPerTest, rows } from '../../test/helpers/test-app';
import { BudgetPeriod } from '../grants/budget-period.entity';
import { PlannedSpendService } from './planned-spend.service';

describe(PlannedSpendService.name, () => {
  const t = freshContextPerTest();
  const sut = () => t.app.get(PlannedSpendService);

  /** Rebuilds inside a write, as callers do: the caller's own audit event covers the transaction. */
  const rebuild = (grantId: number) =>
    t.writes.transaction(async (m) => {
      await sut().rebuild(m, grantId);
      await t.audit.record(m, { action: 'rebuild_test', entityType: 'budget', entityId: null });
    });

  const planned = (grantId: number) =>
    rows<{ budget_period: number; category: string; month: string; f: number; c: number }>(
      t,
      `SELECT budget_period, category, month, federal_cents AS f, cost_share_cents AS c
         FROM planned_spend WHERE grant_id = ? ORDER BY budget_period, category, month`,
      [grantId],
    );

  async function grantWithBudget() {
    const { grant } = await makeGrantWithProgram(t);
    await makeBudgetPeriods(t, grant.id, [
      { startDate: '2025-04-01', endDate: '2025-09-30' },
      { startDate: '2025-10-01', endDate: '2026-03-31' },
    ]);
    await makeBudget(t, grant.id, [
      [1, 'personnel', 6_000_00, 0],
      [2, 'travel', 1_000_00, 333],
      [3, 'supplies', 500_00, 0],
    ]);
    return grant;
  }

  it('should spread each line over its budget period by days, the cents going to the largest remainders', async () => {
    const grant = await grantWithBudget();
    await rebuild(grant.id);
    const bp1 = (await planned(grant.id)).filter((r) => r.budget_period === 1);
    // 183 days: 600000 × 30/183 = 98360 r120, × 31/183 = 101639 r63; the 3 leftover cents go to the
    // three 30-day months (remainder 120).
    expect(bp1.map((r) => [r.month, r.f, r.c])).toEqual([
      ['2025-04', 98361, 0],
      ['2025-05', 101639, 0],
      ['2025-06', 98361, 0],
      ['2025-07', 101639, 0],
      ['2025-08', 101639, 0],
      ['2025-09', 98361, 0],
    ]);
  });

  it('should make every line’s months add up to it, federal and cost share, and skip a line without its budget period', async () => {
    const grant = await grantWithBudget();
    await rebuild(grant.id);
    const sums = await rows(
      t,
      `SELECT budget_period, category, SUM(federal_cents) AS f, SUM(cost_share_cents) AS c,
              MIN(month) AS first, MAX(month) AS last
         FROM planned_spend WHERE grant_id = ? GROUP BY budget_period, category
        ORDER BY budget_period`,
      [grant.id],
    );
    expect(sums).toEqual([
      {
        budget_period: 1,
        category: 'personnel',
        f: 6_000_00,
        c: 0,
        first: '2025-04',
        last: '2025-09',
      },
      {
        budget_period: 2,
        category: 'travel',
        f: 1_000_00,
        c: 333,
        first: '2025-10',
        last: '2026-03',
      },
    ]);
  });

  it('should follow new budget period dates and drop the rows of removed lines', async () => {
    const grant = await grantWithBudget();
    await rebuild(grant.id);
    await t.writes.transaction(async (m) => {
      const bp2 = await m.findOneByOrFail(BudgetPeriod, { grantId: grant.id, number: 2 });
      await t.audit.update(m, BudgetPeriod, 'budget_period', bp2.id, { endDate: '2026-06-30' });
      await m.query(placeholders('DELETE FROM budget_lines WHERE grant_id = ? AND category = ?'), [
        grant.id,
        'personnel',
      ]);
      await sut().rebuild(m, grant.id);
    });
    const after = await planned(grant.id);
    expect(after.every((r) => r.budget_period === 2)).toBe(true);
    expect(after.map((r) => r.month)).toEqual([
      '2025-10',
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
    ]);
    expect(after.reduce((sum, r) => sum + r.f, 0)).toBe(1_000_00);
    expect(after.reduce((sum, r) => sum + r.c, 0)).toBe(333);
  });
});
