import { addDays, todayIn } from '../src/common/dates';
import { AppConfig } from '../src/common/config';
import { recordingAt } from '../src/common/database/recording-time';
import { makeBudgetPeriods, makeGrantWithProgram, makeMilestone } from './helpers/factories';
import { freshAppPerTest } from './helpers/test-app';

const keysIn = (html: string, section: string) => {
  const table = new RegExp(`data-testid="deadlines-${section}">([\\s\\S]*?)</table>`).exec(html);
  if (!table) throw new Error(`No ${section} table`);
  return [...table[1].matchAll(/data-key="([^"]+)"/g)].map((m) => m[1]);
};

describe('Deadlines (HTTP)', () => {
  const t = freshAppPerTest();
  const today = () => todayIn(t.app.get(AppConfig).APP_TIME_ZONE);

  /** A grant ending in 45 days with a milestone due in 10, all recorded a week ago. */
  async function fixture() {
    const day = today();
    return recordingAt(`${addDays(day, -7)}T17:00:00.000Z`, async () => {
      const { grant } = await makeGrantWithProgram(
        t,
        {},
        { startDate: '2025-04-01', endDate: addDays(day, 45), status: 'active' },
      );
      await makeBudgetPeriods(t, grant.id, [
        { startDate: '2025-04-01', endDate: '2026-03-31' },
        { startDate: '2026-04-01', endDate: addDays(day, 45) },
      ]);
      const milestone = await makeMilestone(t, {
        grantId: grant.id,
        budgetPeriod: 2,
        title: 'Pilot report',
        dueDate: addDays(day, 10),
      });
      return { grant, milestone };
    });
  }

  it('should list overdue deadlines and those due in the next 30, 60 and 90 days, for every role', async () => {
    const { grant, milestone } = await fixture();
    const page = await (await t.as('auditor')).get('/deadlines');
    expect(page.status).toBe(200);
    expect(keysIn(page.text, 'next30')).toContain(`milestone-${milestone.id}`);
    // The extension notice is 10 days before the end date (35 days on); the final reports 120 after.
    expect(keysIn(page.text, 'next60')).toContain(`nce-${grant.id}`);
    expect(page.text).toContain('At least 10 days before the end date');
    // BP1 ended with no gate milestone: its review is overdue.
    expect(keysIn(page.text, 'overdue')).toContain(`review-${grant.id}-bp1`);

    const grantPage = await t.http().get(`/grants/${grant.id}`);
    expect(grantPage.text).toContain('data-testid="grant-deadlines"');
    expect(grantPage.text).toContain(`data-key="milestone-${milestone.id}"`);
  });

  it('should keep a past date’s deadlines when a milestone is moved today', async () => {
    const { milestone } = await fixture();
    const asOf = addDays(today(), -1);
    const before = (await t.http().get(`/deadlines?asOf=${asOf}`)).text;
    const moved = await t
      .http()
      .post(`/milestones/${milestone.id}`)
      .type('form')
      .send({
        title: 'Pilot report',
        kind: 'deliverable',
        budgetPeriod: '2',
        dueDate: addDays(today(), 40),
        status: 'planned',
        completedOn: '',
        notes: '',
        version: String(milestone.version),
      });
    expect(moved.status).toBe(303);
    await t.http().get(moved.headers.location); // shows (and clears) the edit's flash
    const after = (await t.http().get(`/deadlines?asOf=${asOf}`)).text;
    expect(keysIn(after, 'next30')).toContain(`milestone-${milestone.id}`);
    expect(after.replace(/<input type="hidden" name="_csrf"[^>]*>/g, '')).toBe(
      before.replace(/<input type="hidden" name="_csrf"[^>]*>/g, ''),
    );
    const now = (await t.http().get('/deadlines')).text;
    expect(keysIn(now, 'next60')).toContain(`milestone-${milestone.id}`);
  });

  it('should refuse a date after today and a grant id that is not one', async () => {
    expect((await t.http().get(`/deadlines?asOf=${addDays(today(), 1)}`)).status).toBe(400);
    expect((await t.http().get('/deadlines?grantId=abc')).status).toBe(400);
  });
});
