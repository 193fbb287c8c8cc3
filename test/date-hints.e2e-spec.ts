import {
  makeBudgetPeriods,
  makeGrantWithProgram,
  makeMilestone,
  makeTechnology,
  TWO_BUDGET_PERIODS,
} from './helpers/factories';
import { freshAppPerTest } from './helpers/test-app';

/**
 * A date control shows the browser's own format (mm/dd/yyyy in the US), so a hint beside it must not
 * ask for YYYY-MM-DD (issue 15, item 10): the hints say what the date must be, not how to type it.
 */
describe('Date hints (HTTP)', () => {
  const t = freshAppPerTest();

  it('should never ask for YYYY-MM-DD beside a date control, on any form or filter', async () => {
    const { program, grant } = await makeGrantWithProgram(t);
    await makeBudgetPeriods(t, grant.id, TWO_BUDGET_PERIODS);
    const milestone = await makeMilestone(t, { grantId: grant.id });
    const technology = await makeTechnology(t);
    const pages = [
      '/programs/new',
      `/programs/${program.id}/edit`,
      '/grants/new',
      `/grants/${grant.id}/edit`,
      `/grants/${grant.id}/amendments/new`,
      `/grants/${grant.id}/budget-periods/edit`,
      `/grants/${grant.id}/milestones/new`,
      `/milestones/${milestone.id}`,
      `/milestones/${milestone.id}/edit`,
      `/ledger/new?grantId=${grant.id}`,
      `/technologies/${technology.id}`,
      '/technologies/portfolio',
      '/milestones/dashboard',
      '/budgets/rebudget',
      `/grants/${grant.id}/budget`,
      '/reports/grants',
      '/reports/burndown',
    ];
    for (const page of pages) {
      const res = await t.http().get(page);
      expect({ page, status: res.status }).toEqual({ page, status: 200 });
      const hints = [...res.text.matchAll(/<div class="usa-hint[^"]*"[^>]*>([^<]*)</g)].map(
        (m) => m[1],
      );
      const headers = [...res.text.matchAll(/<th[^>]*>([^<]*)</g)].map((m) => m[1]);
      expect({
        page,
        format: [...hints, ...headers].filter((h) => h.includes('YYYY-MM-DD')),
      }).toEqual({
        page,
        format: [],
      });
    }
  });
});
