import { COST_CATEGORIES } from '../src/budgets/budget.constants';
import { Clock } from '../src/common/clock';
import { recordingAt } from '../src/common/database/recording-time';
import { addDays, formatDate } from '../src/common/dates';
import { GrantTechnology } from '../src/technologies/grant-technology.entity';
import {
  FIXTURES_RECORDED_AT,
  grantEditForm,
  makeAmendment,
  makeBudget,
  makeBudgetPeriods,
  makeExpenditure,
  makeGrant,
  makeGrantWithProgram,
  makeMilestone,
  makeTechnology,
} from './helpers/factories';
import { requestApproved } from './helpers/approvals';
import { Agent, freshAppPerTest, rows, TestApp } from './helpers/test-app';
import { download } from './helpers/downloads';

/*
 * As-of integrity (issue 14): a report for a past date shows what the records said at the end of
 * that day, byte for byte, whatever is entered or changed afterwards; today's report shows the
 * change. The fixtures are recorded long ago (FIXTURES_RECORDED_AT); the edits go through the app's
 * forms, so they are recorded now, after the end of yesterday.
 */

/** The registers and downloads of /reports that take nothing but asOf (and the ledger's filters). */
const REPORTS = [
  'ledger',
  'grants',
  'amendments',
  'budget-lines',
  'milestones',
  'technologies',
  'cost-share',
];

/** A CSV and its manifest, each exactly as served. */
async function snapshot(agent: Agent, name: string, query: string) {
  const csv = await download(agent, `/reports/${name}.csv?${query}`);
  const manifest = await agent.get(`/reports/${name}.manifest.json?${query}`);
  expect({ name, csv: csv.res.status, manifest: manifest.status }).toEqual({
    name,
    csv: 200,
    manifest: 200,
  });
  return { csv: csv.bytes.toString('utf8'), manifest: manifest.text };
}

/** The budget grid's body as a browser sends it: every cell of every period, then the version. */
function gridForm(periods: number, cells: Record<string, string>, version: number): string {
  const fields: string[] = [];
  for (let bp = 1; bp <= periods; bp++) {
    for (const category of COST_CATEGORIES) {
      for (const share of ['federal', 'costShare']) {
        const value = cells[`${bp}.${category}.${share}`] ?? '';
        fields.push(
          `${encodeURIComponent(`lines[${bp}][${category}][${share}]`)}=${encodeURIComponent(value)}`,
        );
      }
    }
  }
  fields.push(`version=${version}`);
  return fields.join('&');
}

/** A form body with repeated names for lists (checkboxes). */
const formBody = (fields: Record<string, string | string[]>) =>
  Object.entries(fields)
    .flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map(
        (v) => `${encodeURIComponent(name)}=${encodeURIComponent(v)}`,
      ),
    )
    .join('&');

/** One grant with everything the reports show, all recorded long before yesterday. */
async function fixture(t: TestApp) {
  const { program, recipient, grant } = await makeGrantWithProgram(
    t,
    { costSharePercent: 20 },
    { awardNumber: 'DE-SC0000301', costShareCommittedCents: 100_000_00 },
  );
  const other = await makeGrant(t, {
    programId: program.id,
    recipientId: recipient.id,
    awardNumber: 'DE-SC0000302',
  });
  await makeBudgetPeriods(t, grant.id, [
    { startDate: '2025-04-01', endDate: '2026-03-31' },
    { startDate: '2026-04-01', endDate: '2028-03-31' },
  ]);
  await makeAmendment(t, { grantId: grant.id, federalChangeCents: 500_000_00 });
  await makeAmendment(t, { grantId: other.id, federalChangeCents: 200_000_00 });
  await makeBudget(t, grant.id, [
    [1, 'personnel', 300_000_00, 50_000_00],
    [2, 'equipment', 200_000_00, 50_000_00],
  ]);
  await makeExpenditure(t, {
    grantId: grant.id,
    amountCents: 1_250_00,
    incurredOn: '2025-05-15',
    recordedAt: '2025-05-16T12:00:00.000Z',
  });
  const milestone = await makeMilestone(t, {
    grantId: grant.id,
    budgetPeriod: 2,
    title: 'Leach-test report',
    dueDate: '2027-06-30',
  });
  const gate = await makeMilestone(t, {
    grantId: grant.id,
    kind: 'go_no_go',
    title: 'Go/no-go: budget period 1',
    dueDate: '2026-03-15',
  });
  const linked = await makeTechnology(t, { name: 'Bioleaching of coal fly ash' });
  const unlinked = await makeTechnology(t, { name: 'Ionic-liquid extraction' });
  await recordingAt(FIXTURES_RECORDED_AT, () =>
    t.writes.transaction(async (m) => {
      await m.insert(GrantTechnology, { grantId: grant.id, technologyId: linked.id });
      await t.audit.record(m, { action: 'link', entityType: 'grant', entityId: grant.id });
    }),
  );
  return { program, recipient, grant, other, milestone, gate, linked, unlinked };
}

/** Ordinary edits, all typed today through the app's forms. */
async function editToday(t: TestApp, f: Awaited<ReturnType<typeof fixture>>, yesterday: string) {
  const http = t.http();
  const expectSaved = (what: string, res: { status: number; text: string }) =>
    expect({
      what,
      status: res.status,
      errors: [...res.text.matchAll(/usa-error-message[^>]*>([^<]*)</g)].map((m) => m[1]),
    }).toEqual({
      what,
      status: 303,
      errors: [],
    });

  // The award number renamed and the cost share commitment changed.
  expectSaved(
    'grant',
    await http
      .post(`/grants/${f.grant.id}`)
      .type('form')
      .send(
        grantEditForm(t, f.grant, {
          awardNumber: 'DE-SC0000399',
          costShareCommitted: '$120,000.00',
        }),
      ),
  );
  // The recipient renamed.
  expectSaved(
    'recipient',
    await http
      .post(`/recipients/${f.recipient.id}`)
      .type('form')
      .send({
        name: 'University of Wyoming, Laramie',
        type: f.recipient.type,
        state: f.recipient.state,
        uei: '',
        version: String(f.recipient.version),
      }),
  );
  // An amendment typed today, effective two weeks ago.
  expectSaved(
    'amendment',
    await requestApproved(t, `/grants/${f.grant.id}/amendments`, {
      effectiveDate: addDays(yesterday, -13),
      kind: 'deobligation',
      federalChange: '-10,000.00',
      newEndDate: '',
      note: 'Typed late',
    }),
  );
  // The budget edited.
  const [{ version }] = await rows<{ version: number }>(
    t,
    'SELECT version FROM budgets WHERE grant_id = ?',
    [f.grant.id],
  );
  expectSaved(
    'budget',
    await requestApproved(
      t,
      `/grants/${f.grant.id}/budget`,
      gridForm(
        2,
        {
          '1.personnel.federal': '310,000.00',
          '1.personnel.costShare': '50,000.00',
          '2.equipment.federal': '190,000.00',
          '2.equipment.costShare': '50,000.00',
        },
        version,
      ),
    ),
  );
  // A milestone edited, and completed on a date up to yesterday (typed today).
  expectSaved(
    'milestone',
    await http.post(`/milestones/${f.milestone.id}`).type('form').send({
      title: 'Leach-test report, three sources',
      kind: 'deliverable',
      budgetPeriod: '2',
      dueDate: '2027-06-30',
      status: 'complete',
      completedOn: yesterday,
      notes: 'Edited today',
      version: '1',
    }),
  );
  // A go/no-go decided today, dated yesterday.
  expectSaved(
    'decision',
    await requestApproved(t, `/milestones/${f.gate.id}/decision`, {
      decision: 'go',
      decidedOn: yesterday,
      rationale: 'Bench-scale yield above 80 %.',
      version: '1',
    }),
  );
  // A technology edited, and the grant's links changed.
  expectSaved(
    'technology',
    await http
      .post(`/technologies/${f.linked.id}`)
      .type('form')
      .send(
        formBody({
          name: 'Bioleaching of coal fly ash, second generation',
          pathway: 'separation',
          feedstock: 'coal_fly_ash',
          elements: ['Nd', 'Dy', 'Tb'],
          targetTrl: '7',
          description: '',
          version: '1',
        }),
      ),
  );
  const linksPage = await http.get(`/grants/${f.grant.id}/technologies/edit`);
  const linksVersion = /name="version" value="([0-9a-f]{16})"/.exec(linksPage.text)?.[1] ?? '';
  expectSaved(
    'links',
    await http
      .post(`/grants/${f.grant.id}/technologies`)
      .type('form')
      .send(formBody({ technologyIds: String(f.unlinked.id), version: linksVersion })),
  );
}

describe('Reports as of a date (HTTP)', () => {
  const t = freshAppPerTest();

  describe('what the records said at the end of the day', () => {
    it('should give yesterday’s files byte for byte however much is edited today, and today’s the edits', async () => {
      const f = await fixture(t);
      const today = t.app.get(Clock).today();
      const yesterday = addDays(today, -1);
      const auditor = await t.as('auditor');
      const before = new Map<string, { csv: string; manifest: string }>();
      const todayBefore = new Map<string, string>();
      for (const name of REPORTS) {
        before.set(name, await snapshot(auditor, name, `asOf=${yesterday}`));
        todayBefore.set(name, (await snapshot(auditor, name, `asOf=${today}`)).csv);
      }
      const ledgerOfGrant = `asOf=${yesterday}&grantId=${f.grant.id}&share=federal`;
      const filteredBefore = await snapshot(auditor, 'ledger', ledgerOfGrant);

      await editToday(t, f, yesterday);

      for (const name of REPORTS) {
        const after = await snapshot(auditor, name, `asOf=${yesterday}`);
        expect({ name, ...after }).toEqual({ name, ...before.get(name) });
        const now = (await snapshot(auditor, name, `asOf=${today}`)).csv;
        expect({ name, changedToday: now !== todayBefore.get(name) }).toEqual({
          name,
          changedToday: true,
        });
      }
      expect(await snapshot(auditor, 'ledger', ledgerOfGrant)).toEqual(filteredBefore);

      // What yesterday's files say, and what today's say instead.
      const csv = (name: string) => before.get(name)!.csv;
      expect(csv('grants')).toContain('DE-SC0000301,');
      expect(csv('grants')).not.toContain('DE-SC0000399');
      expect(csv('grants')).not.toContain('Laramie');
      expect(csv('ledger')).toContain(',DE-SC0000301,');
      expect(csv('amendments')).not.toContain('Typed late');
      expect(csv('budget-lines')).toContain('DE-SC0000301,1,personnel,300000.00,50000.00');
      expect(csv('cost-share')).toMatch(/^DE-SC0000301,20,600000\.00,120000\.00,100000\.00,/m);
      expect(csv('milestones')).toContain('Leach-test report,deliverable,2027-06-30,planned,');
      expect(csv('milestones')).toContain(
        'Go/no-go: budget period 1,go_no_go,2026-03-15,missed,,pending,',
      );
      expect(csv('technologies')).toContain('Bioleaching of coal fly ash,separation');
      const now = async (name: string) => (await snapshot(auditor, name, `asOf=${today}`)).csv;
      expect(await now('grants')).toContain('DE-SC0000399,');
      expect(await now('grants')).toContain('"University of Wyoming, Laramie"');
      expect(await now('ledger')).toContain(',DE-SC0000399,');
      expect(await now('amendments')).toContain('Typed late');
      expect(await now('budget-lines')).toContain('DE-SC0000399,1,personnel,310000.00,50000.00');
      expect(await now('cost-share')).toMatch(
        /^DE-SC0000399,20,610000\.00,122000\.00,120000\.00,/m,
      );
      expect(await now('milestones')).toContain(
        `Leach-test report, three sources",deliverable,2027-06-30,complete,${yesterday}`,
      );
      expect(await now('milestones')).toContain(`,go,${yesterday},`);
      const technologies = await now('technologies');
      expect(technologies).toContain('"Bioleaching of coal fly ash, second generation"');
      expect(technologies).toMatch(/Ionic-liquid extraction,.*,DE-SC0000399\r\n/);
    });

    it('should leave a record out of every report for a day before it was recorded', async () => {
      await fixture(t);
      const today = t.app.get(Clock).today();
      const yesterday = addDays(today, -1);
      const http = t.http();
      const before = await snapshot(http, 'grants', `asOf=${yesterday}`);
      const [{ id: recipientId }] = await rows<{ id: number }>(t, 'SELECT id FROM recipients');
      const [{ id: programId }] = await rows<{ id: number }>(t, 'SELECT id FROM programs');
      const created = await http
        .post('/grants')
        .type('form')
        .send({
          programId: String(programId),
          recipientId: String(recipientId),
          awardNumber: 'DE-SC0000100',
          title: 'Created today',
          piName: 'Dr. Grace Example',
          piEmail: 'grace@example.edu',
          status: 'draft',
          startDate: '2025-04-01',
          endDate: '2028-03-31',
          costShareCommitted: '$0.00',
        });
      expect(created.status).toBe(303);
      for (const name of ['grants', 'cost-share']) {
        const then = await snapshot(http, name, `asOf=${yesterday}`);
        expect(then.csv).not.toContain('DE-SC0000100');
        expect((await snapshot(http, name, `asOf=${today}`)).csv).toContain('DE-SC0000100');
      }
      expect((await snapshot(http, 'grants', `asOf=${yesterday}`)).csv).toBe(before.csv);
    });
  });

  describe('manifests', () => {
    it('should state asOf and every parameter, the same way for every report', async () => {
      const f = await fixture(t);
      const today = t.app.get(Clock).today();
      const http = t.http();
      for (const name of REPORTS) {
        const given = await http.get(`/reports/${name}.manifest.json?asOf=2026-01-31`);
        expect({ name, parameters: given.body.parameters, as_of: given.body.as_of }).toEqual({
          name,
          parameters: { asOf: '2026-01-31', bom: '0' },
          as_of: '2026-01-31',
        });
        // Today, when asOf is not given: the manifest names the date it stood for.
        const implicit = await http.get(`/reports/${name}.manifest.json?bom=1`);
        expect({ name, parameters: implicit.body.parameters }).toEqual({
          name,
          parameters: { asOf: today, bom: '1' },
        });
      }
      const ledger = await http.get(
        `/reports/ledger.manifest.json?asOf=2026-01-31&grantId=${f.grant.id}&share=federal`,
      );
      expect(ledger.body.parameters).toEqual({
        grantId: String(f.grant.id),
        share: 'federal',
        asOf: '2026-01-31',
        bom: '0',
      });
      const milestones = await http.get(
        `/reports/milestones.manifest.json?asOf=2026-01-31&kind=go_no_go`,
      );
      expect(milestones.body.parameters).toEqual({
        kind: 'go_no_go',
        asOf: '2026-01-31',
        bom: '0',
      });
    });
  });

  describe('a date after today', () => {
    it('should refuse it on the report’s own page with 400, the form kept and the message beside asOf', async () => {
      const f = await fixture(t);
      const today = t.app.get(Clock).today();
      const tomorrow = addDays(today, 1);
      const message = `asOf must not be after today (${formatDate(today)})`;
      for (const name of [...REPORTS, 'audit']) {
        const res = await t.http().get(`/reports/${name}?asOf=${tomorrow}`);
        expect({ name, status: res.status }).toEqual({ name, status: 400 });
        expect(res.text).toContain('usa-form-group--error" data-testid="as-of-field"');
        expect(res.text).toMatch(/<title>Error: /);
        expect(res.text).toContain('data-testid="as-of-error">' + message);
        expect(res.text).toContain(
          `name="asOf" type="date" value="${tomorrow}" aria-invalid="true"`,
        );
        expect(res.text).toContain('aria-label="Report parameters"');
        // No rows and no downloads for a date that has not come.
        expect(res.text).not.toContain('data-testid="report-table"');
        expect(res.text).not.toContain('data-testid="register-table"');
        expect(res.text).not.toContain('.csv?');
        for (const suffix of ['.csv', '.manifest.json']) {
          const twin = await t.http().get(`/reports/${name}${suffix}?asOf=${tomorrow}`);
          expect({ name, suffix, status: twin.status }).toEqual({ name, suffix, status: 400 });
          expect(twin.text).toContain(message);
          expect(twin.headers['content-type']).not.toMatch(/csv/);
        }
        expect((await t.http().get(`/reports/${name}?asOf=${today}`)).status).toBe(200);
      }
      // The ledger's other filters are kept too.
      const ledger = await t
        .http()
        .get(
          `/reports/ledger?asOf=${tomorrow}&grantId=${f.grant.id}&share=federal&from=2025-01-01`,
        );
      expect(ledger.status).toBe(400);
      expect(ledger.text).toContain(`<option value="${f.grant.id}" selected>`);
      expect(ledger.text).toContain('<option value="federal" selected>');
      expect(ledger.text).toContain('name="from" type="date" value="2025-01-01"');
      const milestones = await t.http().get(`/reports/milestones?asOf=${tomorrow}&kind=go_no_go`);
      expect(milestones.text).toContain('<option value="go_no_go" selected>');
    });

    it('should refuse it on the burn-down, SF-425 and reconciliation pages too, showing no figures', async () => {
      const f = await fixture(t);
      const today = t.app.get(Clock).today();
      const tomorrow = addDays(today, 1);
      for (const page of [
        `/reports/burndown?programId=${f.grant.programId}`,
        `/grants/${f.grant.id}/burndown`,
        `/grants/${f.grant.id}/sf425`,
        '/reports/reconciliation',
      ]) {
        const res = await t.http().get(`${page}${page.includes('?') ? '&' : '?'}asOf=${tomorrow}`);
        expect({ page, status: res.status }).toEqual({ page, status: 400 });
        expect(res.text).toContain(`asOf must not be after today (${formatDate(today)})`);
        expect(res.text).toContain(`value="${tomorrow}" aria-invalid="true"`);
        // Today's figures are not passed off as the refused date's.
        expect(res.text).not.toMatch(
          /data-testid="(burndown-headline|sf425-section|reconciliation-result)"/,
        );
        expect(res.text).not.toContain('.csv?');
      }
    });
  });
});
