import {
  makeAmendment,
  makeBudget,
  makeBudgetPeriods,
  makeGrantWithProgram,
  makeMilestone,
  TWO_BUDGET_PERIODS,
} from './helpers/factories';
import { freshAppPerTest } from './helpers/test-app';

/** The set-up steps of the grant page as shown: key, done or not, and whether the step links on. */
function stepsOf(html: string): { key: string; done: boolean; href: string | null }[] {
  const list = /data-testid="setup-checklist"[\s\S]*?<\/section>/.exec(html)?.[0];
  if (!list) return [];
  return [
    ...list.matchAll(/<li [^>]*data-step="([^"]+)" data-done="(true|false)">([\s\S]*?)<\/li>/g),
  ].map(([, key, done, body]) => ({
    key,
    done: done === 'true',
    href: /<a href="([^"]+)"/.exec(body)?.[1] ?? null,
  }));
}

describe('Grant set-up checklist (HTTP)', () => {
  const t = freshAppPerTest();
  const page = async (id: number, query = '') => {
    const res = await t.http().get(`/grants/${id}${query}`);
    expect(res.status).toBe(200);
    return res.text;
  };

  it('should list the set-up steps in order, each done only when the records say so, and leave once the budget is saved', async () => {
    const { grant } = await makeGrantWithProgram(t);
    const base = `/grants/${grant.id}`;

    const fresh = await page(grant.id);
    expect(fresh).toContain('Set up this grant: 0 of 3 steps done');
    expect(stepsOf(fresh)).toEqual([
      { key: 'budget-periods', done: false, href: `${base}/budget-periods/edit` },
      { key: 'initial-amendment', done: false, href: `${base}/amendments/new` },
      { key: 'budget', done: false, href: `${base}/budget/edit` },
      { key: 'milestones', done: false, href: `${base}/milestones/new` },
    ]);
    expect(fresh).toContain('Milestones and go/no-go decisions</strong> (optional)');

    await makeBudgetPeriods(t, grant.id, TWO_BUDGET_PERIODS);
    const withPeriods = await page(grant.id);
    expect(withPeriods).toContain('Set up this grant: 1 of 3 steps done');
    expect(stepsOf(withPeriods).map((s) => [s.key, s.done])).toEqual([
      ['budget-periods', true],
      ['initial-amendment', false],
      ['budget', false],
      ['milestones', false],
    ]);

    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 500_000_00 });
    const withAmendment = await page(grant.id);
    expect(withAmendment).toContain('Set up this grant: 2 of 3 steps done');
    expect(stepsOf(withAmendment).map((s) => [s.key, s.done])).toEqual([
      ['budget-periods', true],
      ['initial-amendment', true],
      ['budget', false],
      ['milestones', false],
    ]);

    await makeBudget(t, grant.id, [
      [1, 'personnel', 300_000_00, 0],
      [2, 'personnel', 200_000_00, 0],
    ]);
    const setUp = await page(grant.id);
    expect(setUp).not.toContain('data-testid="setup-checklist"');
    expect(stepsOf(setUp)).toEqual([]);
  });

  it('should mark the optional milestone step done once each budget period followed by another has a go/no-go milestone', async () => {
    const { grant } = await makeGrantWithProgram(t);
    await makeBudgetPeriods(t, grant.id, TWO_BUDGET_PERIODS);
    await makeMilestone(t, { grantId: grant.id, budgetPeriod: 1, kind: 'deliverable' });
    const deliverableOnly = stepsOf(await page(grant.id)).find((s) => s.key === 'milestones');
    expect(deliverableOnly?.done).toBe(false);
    await makeMilestone(t, { grantId: grant.id, budgetPeriod: 1, kind: 'go_no_go' });
    const gated = stepsOf(await page(grant.id)).find((s) => s.key === 'milestones');
    expect(gated?.done).toBe(true);
    // Optional: the checklist stays for the required steps still open.
    expect(await page(grant.id)).toContain('Set up this grant: 1 of 3 steps done');
  });

  it('should not show the checklist on a past date’s page', async () => {
    const { grant } = await makeGrantWithProgram(t);
    expect(await page(grant.id)).toContain('data-testid="setup-checklist"');
    const past = await page(grant.id, '?asOf=2024-06-30');
    expect(past).toContain('data-testid="as-of-note"');
    expect(past).not.toContain('data-testid="setup-checklist"');
  });

  it('should not call the cost share met while no amendment exists, and say what is required once money is obligated', async () => {
    const { grant } = await makeGrantWithProgram(t);
    const html = await page(grant.id);
    const message = /data-testid="cost-share-message">([^<]*)</.exec(html)?.[1] ?? '';
    expect(message).not.toMatch(/\bmeets?\b|\bmet\b/);
    expect(message).toContain('No amendment has obligated money yet');
    expect(message).toMatch(/Once money is obligated, \d+ % of the total project cost/);
    expect(html).toContain('data-testid="cost-share-required">Set once money is obligated<');

    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 500_000_00 });
    const obligated = await page(grant.id);
    expect(obligated).not.toContain('Set once money is obligated');
    expect(obligated).not.toContain('No amendment has obligated money yet');
  });
});
