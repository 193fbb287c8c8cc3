import { Clock } from '../src/common/clock';
import { ReadCache } from '../src/common/database/read-cache';
import {
  GRANT_PAGE_TABLES,
  GRANT_PAGE_UNLISTED,
  GrantPageService,
} from '../src/grant-page/grant-page.service';
import { GrantTechnology } from '../src/technologies/grant-technology.entity';
import {
  makeAmendment,
  makeBudget,
  makeBudgetPeriods,
  makeExpenditure,
  makeGrantWithProgram,
  makeMilestone,
  makeTechnology,
} from './helpers/factories';
import { freshAppPerTest } from './helpers/test-app';
import { TEST_ENGINE } from './helpers/test-database';

/** The tables a statement reads or writes: every name after FROM, JOIN, INTO or UPDATE. */
function tablesOf(sql: string): string[] {
  return [...sql.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+"?([a-z_]+)"?/gi)].map((m) =>
    m[1].toLowerCase(),
  );
}

describe("Today's grant page, kept between visits", () => {
  const t = freshAppPerTest();
  const service = () => t.app.get(GrantPageService);

  /** A grant with something in every part of its page: amendment, budget, entries, technology, milestone. */
  async function fullGrant() {
    const { grant } = await makeGrantWithProgram(t);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 500_000_00 });
    await makeBudgetPeriods(t, grant.id, [{ startDate: grant.startDate, endDate: grant.endDate }]);
    await makeBudget(t, grant.id, [[1, 'personnel', 500_000_00, 0]]);
    await makeExpenditure(t, { grantId: grant.id, amountCents: 1_234_56 });
    await makeMilestone(t, { grantId: grant.id });
    const technology = await makeTechnology(t);
    await t.writes.transaction(async (m) => {
      await m.insert(GrantTechnology, { grantId: grant.id, technologyId: technology.id });
      await t.audit.record(m, { action: 'link', entityType: 'grant', entityId: grant.id });
    });
    return { grant };
  }

  it('should read no table but those it lists, the ledger and the audit trail', async () => {
    const { grant } = await fullGrant();
    t.app.get(ReadCache).clear();
    const logQuery = jest.spyOn(t.dataSource.logger, 'logQuery');
    try {
      await service().figures(grant.id);
      const read = new Set(logQuery.mock.calls.flatMap(([sql]) => tablesOf(sql)));
      // The spy saw the page's queries: a page read from nowhere would pass the check below.
      for (const table of [
        'grants',
        'amendments',
        'budget_lines',
        'expenditures',
        'audit_events',
      ]) {
        expect(read.has(table)).toBe(true);
      }
      const allowed = new Set<string>([...GRANT_PAGE_TABLES, ...GRANT_PAGE_UNLISTED]);
      expect([...read].filter((table) => !allowed.has(table))).toEqual([]);
    } finally {
      logQuery.mockRestore();
    }
  });

  it('should keep the figures until an entry on the grant, and not for an entry on another', async () => {
    const { grant } = await fullGrant();
    const { grant: other } = await makeGrantWithProgram(t);
    const first = await service().figures(grant.id);
    const again = await service().figures(grant.id);
    // On PostgreSQL nothing is kept (other instances write the same database).
    if (TEST_ENGINE === 'sqlite') expect(again.grant).toBe(first.grant);

    await makeExpenditure(t, { grantId: other.id, amountCents: 99_00 });
    const afterOther = await service().figures(grant.id);
    if (TEST_ENGINE === 'sqlite') expect(afterOther.grant).toBe(first.grant);

    await makeExpenditure(t, { grantId: grant.id, amountCents: 10_00 });
    const afterOwn = await service().figures(grant.id);
    expect(afterOwn.spent.federalCents).toBe(first.spent.federalCents + 10_00);
    expect(afterOwn.recentEntries.map((e) => e.amountCents)).toContain(10_00);
    const page = await t.http().get(`/grants/${grant.id}`);
    expect(page.text).toContain('$1,244.56');
  });

  it('should show a change to any listed table, the history of each visit and the next day', async () => {
    const { grant } = await fullGrant();
    const before = await service().figures(grant.id);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 1_00 });
    const amended = await service().figures(grant.id);
    expect(amended.obligatedCents).toBe(before.obligatedCents + 1_00);
    expect(amended.amendments).toHaveLength(before.amendments.length + 1);

    await t.writes.transaction((m) =>
      t.audit.record(m, { action: 'update', entityType: 'grant', entityId: grant.id }),
    );
    expect((await service().figures(grant.id)).history).toHaveLength(amended.history.length + 1);

    const clock = t.app.get(Clock);
    jest.spyOn(clock, 'today').mockReturnValue('2099-01-01');
    const later = await service().figures(grant.id);
    // The milestone due in 2025 and still planned is overdue by more days on the later day's page.
    const daysOverdue = (figures: typeof later) =>
      figures.milestoneGroups.flatMap((g) => g.milestones).map((m) => m.shown.daysOverdue);
    expect(daysOverdue(later)).toHaveLength(1);
    expect(daysOverdue(later)[0]).toBeGreaterThan(daysOverdue(amended)[0]);
  });
});
