import { DemoSeedService } from '../src/demo/demo-seed.service';
import { pageText } from './helpers/html';
import { freshAppPerTest, rows } from './helpers/test-app';

/** A calendar date or a timestamp as stored (ISO 8601), which no page should show a person. */
const STORED_DATE = /\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?\b/g;

/**
 * Issue 15, item 14: one display style for dates (`Apr 1, 2025`) and one for timestamps (the office's
 * time zone, labelled: `Dec 1, 2026, 4:04:05 PM EST`) on every page a manager reads, never the stored
 * ISO form. Form fields keep ISO values (that is what a date control takes), which pageText leaves out.
 */
describe('Dates and timestamps on the pages (HTTP)', () => {
  const t = freshAppPerTest({ DEMO_PASSWORD: 'ledger cobalt harbour violin' });

  it('should show no stored date or UTC timestamp in the text of the demo’s pages', async () => {
    await t.app.get(DemoSeedService).seedIfEmpty();
    const [grant] = await rows<{ id: number }>(t, 'SELECT id FROM grants ORDER BY id LIMIT 1');
    const [entry] = await rows<{ id: number }>(
      t,
      'SELECT id FROM expenditures WHERE reversal_of IS NOT NULL LIMIT 1',
    );
    const [milestone] = await rows<{ id: number }>(
      t,
      "SELECT id FROM milestones WHERE kind = 'go_no_go' LIMIT 1",
    );
    const [technology] = await rows<{ id: number }>(t, 'SELECT id FROM technologies LIMIT 1');
    const pages = [
      `/grants/${grant.id}`,
      `/grants/${grant.id}/budget`,
      `/grants/${grant.id}/burndown`,
      `/grants/${grant.id}/sf425`,
      `/grants/${grant.id}/milestones`,
      `/grants/${grant.id}/budget-periods/edit`,
      `/ledger/${entry.id}`,
      `/milestones/${milestone.id}`,
      '/milestones/dashboard',
      `/technologies/${technology.id}`,
      '/technologies/portfolio',
      '/budgets/rebudget',
      '/reports/burndown',
      '/',
      '/ledger',
      '/reports',
      '/reports/reconciliation',
    ];
    const shown: string[] = [];
    for (const path of pages) {
      const res = await t.http().get(path);
      expect(res.status).toBe(200);
      const text = pageText(res.text);
      for (const match of text.matchAll(STORED_DATE))
        shown.push(`${path}: ${text.slice(Math.max(0, match.index - 60), match.index + 12)}`);
      if (/\bUTC\b/.test(text)) shown.push(`${path}: UTC`);
    }
    expect(shown).toEqual([]);
    // The entry's own page says when it was recorded, in the office's zone and labelled.
    const page = pageText((await t.http().get(`/ledger/${entry.id}`)).text);
    expect(page).toMatch(
      /Recorded at [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M E[SD]T/,
    );
  }, 180_000);
});
