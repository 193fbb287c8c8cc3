import { Clock } from '../src/common/clock';
import type { Grant } from '../src/grants/grant.entity';
import {
  grantEditForm,
  makeAmendment,
  makeBudgetPeriods,
  makeGrantWithProgram,
  makeMilestone,
  TWO_BUDGET_PERIODS as PERIODS,
} from './helpers/factories';
import { pageText } from './helpers/html';
import { freshAppPerTest, rows } from './helpers/test-app';

const TODAY = '2026-06-15';

/** The History section of a record's page (it is the page's last section). */
const historyOf = (html: string): string => {
  const start = html.indexOf('<h2 id="history">');
  if (start < 0) throw new Error('No History on the page');
  return html.slice(start, html.indexOf('</table>', start));
};

const titleOf = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';

/** The error summary's links, and whether each points at an element of the page. */
const summaryLinks = (html: string) => {
  const summary = /<div[^>]*id="error-summary"[^>]*>[\s\S]*?<\/ul>/.exec(html)?.[0];
  if (!summary) throw new Error('No error summary on the page');
  return [...summary.matchAll(/<a[^>]*href="#([^"]+)"[^>]*>([^<]*)<\/a>/g)].map((m) => ({
    id: m[1],
    message: m[2],
    exists: html.includes(`id="${m[1]}"`),
  }));
};

describe('Readable history and accessible form errors (HTTP)', () => {
  const t = freshAppPerTest();

  beforeEach(() => {
    jest.spyOn(t.app.get(Clock), 'today').mockReturnValue(TODAY);
  });
  afterEach(() => jest.restoreAllMocks());

  /** An active grant with BP1/BP2, $100,000.00 obligated and BP1's go/no-go decided go. */
  async function fundedGrant(): Promise<Grant> {
    const { grant } = await makeGrantWithProgram(t, {}, { status: 'active' });
    await makeBudgetPeriods(t, grant.id, PERIODS);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
    await makeMilestone(t, {
      grantId: grant.id,
      budgetPeriod: 1,
      kind: 'go_no_go',
      title: 'Bench-scale yield',
      dueDate: '2026-03-31',
      decision: 'go',
      decidedOn: '2026-03-15',
      status: 'complete',
      completedOn: '2026-03-15',
    });
    return grant;
  }

  it('should show a grant’s cost-share edit as a labelled field in dollars, with no storage names', async () => {
    const { grant } = await makeGrantWithProgram(t);
    const edit = await t
      .http()
      .post(`/grants/${grant.id}`)
      .type('form')
      .send(grantEditForm(t, grant, { costShareCommitted: '13,564.54' }));
    expect(edit.status).toBe(303);

    const history = historyOf((await t.http().get(`/grants/${grant.id}`)).text);
    expect(history).toContain('<strong>Cost share committed</strong>: $0.00 → $13,564.54');
    expect(history).not.toMatch(/Cents|1356454/);
  });

  it('should link an expenditure’s history and its /audit record to the entry and its grant', async () => {
    const grant = await fundedGrant();
    const res = await t
      .http()
      .post('/ledger')
      .type('form')
      .send({
        grantId: String(grant.id),
        budgetPeriod: '1',
        category: 'fringe_benefits',
        incurredOn: '2025-09-30',
        amount: '$1,250.50',
        share: 'cost_share',
        reference: 'INV-1041',
        memo: 'Benefits',
      });
    expect(res.status).toBe(303);
    const [{ id }] = await rows<{ id: number }>(t, 'SELECT id FROM expenditures');

    const history = pageText(historyOf((await t.http().get(`/ledger/${id}`)).text)).replace(
      / :/g,
      ':',
    );
    expect(history).toContain('Amount: — → $1,250.50');
    expect(history).toContain('Category: — → Fringe benefits');
    expect(history).toContain('Share: — → Cost share');
    expect(history).toContain('Incurred on: — → Sep 30, 2025');
    expect(history).toContain(`Grant: — → Grant ${grant.awardNumber}`);

    const audit = (await t.http().get(`/audit?entityType=expenditure&entityId=${id}`)).text;
    expect(audit).toContain(`<a class="usa-link" href="/ledger/${id}">Expenditure #${id}</a>`);
    expect(audit).toContain(
      `<a class="usa-link" href="/grants/${grant.id}">Grant ${grant.awardNumber}</a>`,
    );
    expect(audit).not.toMatch(/amountCents|fringe_benefits|cost_share/);
  });

  it('should label the changes on /audit and on the audit report page, keeping the stored JSON', async () => {
    jest.restoreAllMocks(); // the report counts events up to the end of today, as the clock has it
    const { grant } = await makeGrantWithProgram(t);
    await t
      .http()
      .post(`/grants/${grant.id}`)
      .type('form')
      .send(grantEditForm(t, grant, { costShareCommitted: '250,000.00' }));

    const audit = (await t.http().get(`/audit?entityType=grant&entityId=${grant.id}`)).text;
    expect(audit).toContain('<strong>Cost share committed</strong>: $0.00 → $250,000.00');
    expect(audit).toContain(`href="/grants/${grant.id}">Grant ${grant.awardNumber}</a>`);
    expect(audit).not.toContain('costShareCommittedCents');

    const report = await t.http().get(`/reports/audit?entityType=grant&entityId=${grant.id}`);
    expect(report.status).toBe(200);
    expect(report.text).toContain('<strong>Cost share committed</strong>: $0.00 → $250,000.00');
    // The stored bytes stay readable too, as the CSV has them.
    expect(report.text).toContain('costShareCommittedCents');
  });

  it('should title a refused grant edit "Error: " and link each summary message to its field', async () => {
    const { grant } = await makeGrantWithProgram(t);
    const res = await t
      .http()
      .post(`/grants/${grant.id}`)
      .type('form')
      .send(grantEditForm(t, grant, { costShareCommitted: 'lots', startDate: '2025-02-30' }));
    expect(res.status).toBe(422);
    expect(titleOf(res.text)).toMatch(/^Error: /);
    expect(res.text).toMatch(/id="error-summary" role="alert" tabindex="-1"/);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toContain('<script src="/assets/error-summary.js" defer></script>');
    const links = summaryLinks(res.text);
    expect(links.map((l) => l.id).sort()).toEqual(['f-costShareCommitted', 'f-startDate']);
    expect(links.every((l) => l.exists)).toBe(true);
  });

  it('should name categories and shares by label in a refused expenditure, linking to the fields', async () => {
    const grant = await fundedGrant();
    const res = await t
      .http()
      .post('/ledger')
      .type('form')
      .send({
        grantId: String(grant.id),
        budgetPeriod: '1',
        category: 'catering',
        incurredOn: '2025-09-30',
        amount: '10.00',
        share: 'state',
        reference: 'INV-1',
        memo: '',
      });
    expect(res.status).toBe(422);
    expect(titleOf(res.text)).toMatch(/^Error: /);
    const links = summaryLinks(res.text);
    expect(links.map((l) => l.id).sort()).toEqual(['f-category', 'f-share']);
    expect(links.every((l) => l.exists)).toBe(true);
    const messages = links.map((l) => l.message).join(' ');
    expect(messages).toContain('Fringe benefits');
    expect(messages).toContain('Cost share');
    expect(messages).not.toMatch(/fringe_benefits|cost_share|indirect_charges/);
  });

  it('should serve the focusing script from /assets under the CSP', async () => {
    const res = await t.http().get('/assets/error-summary.js');
    expect(res.status).toBe(200);
    expect(res.text).toContain("getElementById('error-summary')");
  });
});
