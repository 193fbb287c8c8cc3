import { placeholders } from './helpers/test-database';
import { createHash, randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { BudgetsService } from '../src/budgets/budgets.service';
import { Clock } from '../src/common/clock';
import { recordingAt } from '../src/common/database/recording-time';
import { noteAuditEvent } from '../src/common/database/write-path';
import { Milestone } from '../src/milestones/milestone.entity';
import { GrantTechnology } from '../src/technologies/grant-technology.entity';
import { TrlAssessment } from '../src/technologies/trl-assessment.entity';
import { BurndownService } from '../src/reports/burndown.service';
import {
  makeAmendment,
  makeBudgetPeriods,
  makeExpenditure,
  makeGrant,
  makeGrantWithProgram,
  makeMilestone,
  makePlannedSpend,
  makeTechnology,
} from './helpers/factories';
import { pageText as plain } from './helpers/html';
import { Agent, freshAppPerTest, rows, TestApp } from './helpers/test-app';

type Record = { [column: string]: string };

const LONG_AGO = '2025-01-02T15:00:00.000Z';

/** A download as raw bytes (supertest would otherwise decode text/csv and drop a BOM). */
async function download(agent: Agent, path: string) {
  const res = await agent
    .get(path)
    .buffer(true)
    .parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    });
  return { res, bytes: res.body as Buffer };
}

/** Status, the CSV headers, and the records parsed with csv-parse (header row → keys). */
async function csvOf(agent: Agent, path: string, expectedName: string) {
  const { res, bytes } = await download(agent, path);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(res.headers['content-disposition']).toBe(`attachment; filename="${expectedName}"`);
  expect(res.headers['cache-control']).toBe('no-store');
  const text = bytes.toString('utf8');
  const header: string[][] = parse(text, { to_line: 1 });
  const records: Record[] = parse(text, { columns: true, record_delimiter: '\r\n' });
  return { bytes, text, header: header[0] ?? [], records };
}

/** The body rows of the register table, each a list of cell texts. */
function tableRows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => plain(cell[1])),
  );
}

/** Writes an audit event with a chosen time straight into the trail (the chain is not the point). */
function auditEventAt(t: TestApp, occurredAt: string, entityId: number) {
  return t.writes.transaction(async (m) => {
    // Chained to the head like any event (each predecessor has one successor); its own hash is made up.
    const [head] = await m.query<{ hash: string }[]>(
      'SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1',
    );
    await m.query(
      placeholders(`INSERT INTO audit_events (occurred_at, actor_id, actor_email, actor_role, action, entity_type,
         entity_id, changes, prev_hash, hash)
       VALUES (?, NULL, 'late@example.gov', 'program_manager', 'update', 'grant', ?, ?, ?, ?)`),
      [
        occurredAt,
        entityId,
        '{"title":{"before":"=A1","after":"B"}}',
        head?.hash ?? '0'.repeat(64),
        randomBytes(32).toString('hex'),
      ],
    );
    noteAuditEvent(t.dataSource);
  });
}

/** Handlebars escapes `=` in attributes as `&#x3D;`; `&amp;` stays as written in the href. */
const decoded = (html: string) => html.replace(/&#x3D;/g, '=');

describe('Milestones, technologies, cost share, burn-down and audit CSV reports (HTTP)', () => {
  const t = freshAppPerTest();

  describe('milestones', () => {
    it('should list milestones as the database holds them, with status and decision as of the date', async () => {
      const { grant } = await makeGrantWithProgram(t, {}, { createdAt: LONG_AGO });
      const early = await makeMilestone(t, {
        grantId: grant.id,
        title: 'Pilot column commissioned',
        dueDate: '2025-06-30',
        status: 'complete',
        completedOn: '2025-06-20',
        notes: 'On time, with photos',
        createdAt: LONG_AGO,
      });
      const completedLater = await makeMilestone(t, {
        grantId: grant.id,
        title: 'Separation factor above 2.5',
        dueDate: '2025-09-30',
        status: 'complete',
        completedOn: '2025-10-15',
        createdAt: LONG_AGO,
      });
      const decidedLater = await makeMilestone(t, {
        grantId: grant.id,
        kind: 'go_no_go',
        title: 'Go/no-go: budget period 1',
        dueDate: '2025-09-01',
        decision: 'go',
        decidedOn: '2025-09-05',
        rationale: 'Targets met',
        createdAt: LONG_AGO,
      });
      // Recorded after the date (today, not by the factory): absent from it.
      await t.writes.transaction((m) =>
        t.audit.insert(m, Milestone, 'milestone', {
          grantId: grant.id,
          budgetPeriod: 1,
          title: 'Added later',
          kind: 'deliverable',
          dueDate: '2025-07-01',
          status: 'planned',
          completedOn: null,
          notes: '',
          decision: null,
          decidedOn: null,
          rationale: '',
          decidedBy: null,
        }),
      );

      const { header, records } = await csvOf(
        t.http(),
        '/reports/milestones.csv?asOf=2025-08-31',
        'milestones-2025-08-31.csv',
      );
      expect(header).toEqual([
        'award_number',
        'milestone_id',
        'budget_period',
        'title',
        'kind',
        'due_date',
        'status_as_of',
        'completed_on',
        'decision',
        'decided_on',
        'rationale',
        'notes',
      ]);
      // Award number, due date, id.
      expect(records.map((r) => r.milestone_id)).toEqual(
        [early.id, decidedLater.id, completedLater.id].map(String),
      );
      const byId = new Map(records.map((r) => [Number(r.milestone_id), r]));
      expect(byId.get(early.id)).toMatchObject({
        award_number: grant.awardNumber,
        budget_period: '1',
        title: 'Pilot column commissioned',
        kind: 'deliverable',
        due_date: '2025-06-30',
        status_as_of: 'complete',
        completed_on: '2025-06-20',
        decision: '',
        notes: 'On time, with photos',
      });
      // Completed after the date: not complete then, and not yet due.
      expect(byId.get(completedLater.id)).toMatchObject({
        status_as_of: 'planned',
        completed_on: '',
      });
      // Decided after the date: still pending then, with no date or rationale.
      expect(byId.get(decidedLater.id)).toMatchObject({
        decision: 'pending',
        decided_on: '',
        rationale: '',
        status_as_of: 'planned',
      });

      // The same rows, as stored, once the date is past both events.
      const later = await csvOf(
        t.http(),
        '/reports/milestones.csv?asOf=2025-12-31',
        'milestones-2025-12-31.csv',
      );
      const stored = await rows<{ id: number; title: string; completed_on: string | null }>(
        t,
        'SELECT id, title, completed_on FROM milestones ORDER BY due_date, id',
      );
      expect(later.records.map((r) => [Number(r.milestone_id), r.title, r.completed_on])).toEqual(
        stored
          .filter((m) => m.title !== 'Added later')
          .map((m) => [m.id, m.title, m.completed_on ?? '']),
      );
      const decided = later.records.find((r) => Number(r.milestone_id) === decidedLater.id);
      expect(decided).toMatchObject({
        decision: 'go',
        decided_on: '2025-09-05',
        rationale: 'Targets met',
      });
      expect(later.records.find((r) => Number(r.milestone_id) === completedLater.id)).toMatchObject(
        { status_as_of: 'complete', completed_on: '2025-10-15' },
      );
    });

    it('should neutralise a title that a spreadsheet would run, and filter by grant and kind', async () => {
      const { program, recipient, grant } = await makeGrantWithProgram(t);
      const other = await makeGrant(t, { programId: program.id, recipientId: recipient.id });
      const formula = await makeMilestone(t, {
        grantId: grant.id,
        title: '=HYPERLINK("http://evil.example","click"), now',
        notes: '-2+3',
      });
      await makeMilestone(t, { grantId: grant.id, kind: 'go_no_go', title: '@gate' });
      await makeMilestone(t, { grantId: other.id, title: 'Other grant' });

      const today = t.app.get(Clock).today();
      const { text, records } = await csvOf(
        t.http(),
        `/reports/milestones.csv?grantId=${grant.id}&kind=deliverable`,
        `milestones-${today}.csv`,
      );
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        milestone_id: String(formula.id),
        title: `'=HYPERLINK("http://evil.example","click"), now`,
        notes: "'-2+3",
      });
      // Quoted per RFC 4180: the quotes inside are doubled.
      expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click""), now"`);
      expect(text.endsWith('\r\n')).toBe(true);

      const gates = await csvOf(
        t.http(),
        `/reports/milestones.csv?kind=go_no_go`,
        `milestones-${today}.csv`,
      );
      expect(gates.records.map((r) => r.title)).toEqual(["'@gate"]);
    });

    it('should refuse a bad date, kind or grant id with a 400 that says what it expects', async () => {
      for (const [query, message] of [
        ['asOf=2025-02-30', 'asOf must be a real date'],
        ['kind=everything', 'kind must be one of'],
        ['grantId=abc', 'grantId must be a grant id'],
        ['bom=yes', 'bom must be 1'],
      ]) {
        for (const suffix of ['', '.csv', '.manifest.json']) {
          const res = await t.http().get(`/reports/milestones${suffix}?${query}`);
          expect({ query, suffix, status: res.status }).toEqual({ query, suffix, status: 400 });
          expect(res.text).toContain(message);
        }
      }
    });

    it('should show the same rows on the page, with links to the CSV, the CSV for Excel and the manifest', async () => {
      const { grant } = await makeGrantWithProgram(t);
      await makeMilestone(t, { grantId: grant.id, title: '=cmd', dueDate: '2025-05-01' });
      await makeMilestone(t, { grantId: grant.id, title: 'Second', dueDate: '2025-06-01' });
      const page = await t.http().get('/reports/milestones?asOf=2026-06-30');
      expect(page.status).toBe(200);
      const { records } = await csvOf(
        t.http(),
        '/reports/milestones.csv?asOf=2026-06-30',
        'milestones-2026-06-30.csv',
      );
      // The page shows the stored title as it is (escaped HTML); the CSV neutralises it.
      expect(tableRows(page.text).map((cells) => cells[3])).toEqual(['=cmd', 'Second']);
      expect(records.map((r) => r.title)).toEqual(["'=cmd", 'Second']);
      expect(decoded(page.text)).toContain('href="/reports/milestones.csv?asOf=2026-06-30"');
      expect(decoded(page.text)).toContain(
        'href="/reports/milestones.csv?asOf=2026-06-30&amp;bom=1"',
      );
      expect(decoded(page.text)).toContain(
        'href="/reports/milestones.manifest.json?asOf=2026-06-30"',
      );
    });
  });

  describe('technologies', () => {
    it('should list one row per assessment made by the date, with elements and linked awards', async () => {
      const { grant } = await makeGrantWithProgram(t, {}, { createdAt: LONG_AGO });
      const technology = await makeTechnology(t, {
        name: 'Bioleaching of coal fly ash',
        elements: ['Dy', 'Nd', 'Sc'],
        currentTrl: 2,
        targetTrl: 6,
        createdAt: LONG_AGO,
      });
      const [initial] = await rows<{ id: number }>(
        t,
        'SELECT id FROM trl_assessments WHERE technology_id = ?',
        [technology.id],
      );
      // Linked on 2025-03-15, as the records say: the link is in the report for the date.
      await recordingAt('2025-03-15T12:00:00.000Z', () =>
        t.writes.transaction(async (m) => {
          await m.insert(GrantTechnology, { grantId: grant.id, technologyId: technology.id });
          await t.audit.record(m, { action: 'link', entityType: 'grant', entityId: grant.id });
        }),
      );
      await t.writes.transaction(async (m) => {
        await m.insert(TrlAssessment, [
          {
            technologyId: technology.id,
            assessedOn: '2025-03-01',
            trl: 3,
            evidence: '-bench test passed',
            recordedBy: 'manager@example.gov',
            createdAt: '2025-03-02T12:00:00.000Z',
          },
          {
            technologyId: technology.id,
            assessedOn: '2025-09-01',
            trl: 4,
            evidence: 'Pilot run',
            recordedBy: 'manager@example.gov',
            createdAt: '2025-09-02T12:00:00.000Z',
          },
          {
            // Backdated: made on a day before the date, recorded after it.
            technologyId: technology.id,
            assessedOn: '2025-05-01',
            trl: 3,
            evidence: 'Recorded late',
            recordedBy: 'manager@example.gov',
            createdAt: '2025-10-01T12:00:00.000Z',
          },
        ]);
        await t.audit.record(m, {
          action: 'assess',
          entityType: 'technology',
          entityId: technology.id,
        });
      });

      const { header, records } = await csvOf(
        t.http(),
        '/reports/technologies.csv?asOf=2025-06-30',
        'technologies-2025-06-30.csv',
      );
      expect(header).toEqual([
        'technology_id',
        'technology',
        'pathway',
        'feedstock',
        'elements',
        'target_trl',
        'assessed_on',
        'trl',
        'evidence',
        'recorded_by',
        'linked_awards',
      ]);
      // The March assessment and the initial one (April, recorded with the fixtures): September's
      // is after the date, the late one was recorded after it.
      const row = {
        technology_id: String(technology.id),
        technology: 'Bioleaching of coal fly ash',
        pathway: 'separation',
        feedstock: 'coal_fly_ash',
        elements: 'Sc Nd Dy',
        target_trl: '6',
        recorded_by: 'manager@example.gov',
        linked_awards: grant.awardNumber,
      };
      expect(records).toEqual([
        { ...row, assessed_on: '2025-03-01', trl: '3', evidence: "'-bench test passed" },
        { ...row, assessed_on: '2025-04-01', trl: '2', evidence: 'Initial assessment' },
      ]);
      // Before the link was recorded, the technology had no linked awards.
      const unlinked = await csvOf(
        t.http(),
        '/reports/technologies.csv?asOf=2025-03-10',
        'technologies-2025-03-10.csv',
      );
      expect(unlinked.records.map((r) => [r.assessed_on, r.linked_awards])).toEqual([
        ['2025-03-01', ''],
      ]);

      const now = await csvOf(
        t.http(),
        '/reports/technologies.csv',
        `technologies-${t.app.get(Clock).today()}.csv`,
      );
      const stored = await rows<{ id: number; assessed_on: string; trl: number }>(
        t,
        'SELECT id, assessed_on, trl FROM trl_assessments ORDER BY assessed_on, id',
      );
      expect(now.records.map((r) => [r.assessed_on, Number(r.trl)])).toEqual(
        stored.map((s) => [s.assessed_on, s.trl]),
      );
      expect(stored.map((s) => s.id)).toContain(initial.id);
    });
  });

  describe('cost share', () => {
    it('should give each grant the grant page’s cost-share figures, money never neutralised', async () => {
      const { program, recipient, grant } = await makeGrantWithProgram(
        t,
        { costSharePercent: 20 },
        { createdAt: LONG_AGO, costShareCommittedCents: 10_000_00 },
      );
      const other = await makeGrant(t, {
        programId: program.id,
        recipientId: recipient.id,
        createdAt: LONG_AGO,
        costShareCommittedCents: 50_000_00,
      });
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 90_000_00 });
      await makeAmendment(t, { grantId: other.id, federalChangeCents: 200_000_00 });
      await makeBudgetPeriods(t, grant.id, [{ startDate: '2025-04-01', endDate: '2028-03-31' }]);
      // More met than committed: remaining_committed is negative.
      await makeExpenditure(t, {
        grantId: grant.id,
        share: 'cost_share',
        amountCents: 12_500_00,
        incurredOn: '2025-05-01',
        recordedOn: '2025-05-02',
        recordedAt: '2025-05-02T12:00:00.000Z',
      });
      // Recorded after the date: not met yet then.
      await makeExpenditure(t, {
        grantId: grant.id,
        share: 'cost_share',
        amountCents: 1_000_00,
        incurredOn: '2025-05-10',
        recordedOn: '2025-07-01',
        recordedAt: '2025-07-01T12:00:00.000Z',
      });
      // A federal entry is not cost share.
      await makeExpenditure(t, {
        grantId: grant.id,
        amountCents: 3_000_00,
        incurredOn: '2025-05-10',
        recordedOn: '2025-05-10',
        recordedAt: '2025-05-10T12:00:00.000Z',
      });

      const asOf = '2025-06-30';
      const { header, records } = await csvOf(
        t.http(),
        `/reports/cost-share.csv?asOf=${asOf}`,
        `cost-share-${asOf}.csv`,
      );
      expect(header).toEqual([
        'award_number',
        'required_percent',
        'total_project_cost',
        'required',
        'committed',
        'met',
        'remaining_committed',
        'shortfall_vs_required',
      ]);
      expect(records[0]).toEqual({
        award_number: grant.awardNumber,
        required_percent: '20',
        total_project_cost: '100000.00',
        required: '20000.00',
        committed: '10000.00',
        met: '12500.00',
        remaining_committed: '-2500.00',
        shortfall_vs_required: '10000.00',
      });

      // The grant page's figures (all amendments here are effective before the date).
      const budgets = t.app.get(BudgetsService);
      for (const [id, record] of [
        [grant.id, records[0]],
        [other.id, records[1]],
      ] as const) {
        const { costShare } = await budgets.summaryFor(id, asOf);
        const dollars = (cents: number) => (cents / 100).toFixed(2);
        expect(record).toMatchObject({
          total_project_cost: dollars(costShare.totalProjectCents),
          required: dollars(costShare.requiredCents),
          committed: dollars(costShare.committedCents),
          met: dollars(costShare.metCents),
          remaining_committed: dollars(costShare.committedRemainingCents),
          shortfall_vs_required: dollars(costShare.committedShortfallCents),
        });
      }
      const [met] = await rows<{ cents: number }>(
        t,
        `SELECT SUM(amount_cents) AS cents FROM expenditures
          WHERE grant_id = ? AND share = 'cost_share' AND incurred_on <= ? AND recorded_on <= ?`,
        [grant.id, asOf, asOf],
      );
      expect(records[0].met).toBe((met.cents / 100).toFixed(2));

      // The manifest's control totals are the sums of the money columns.
      const manifest = await t.http().get(`/reports/cost-share.manifest.json?asOf=${asOf}`);
      expect(manifest.status).toBe(200);
      expect(manifest.body).toMatchObject({
        report: 'cost-share',
        as_of: asOf,
        row_count: 2,
        control_totals: { met: '12500.00', committed: '60000.00', remaining_committed: '47500.00' },
      });
    });
  });

  describe('burn-down CSVs', () => {
    it('should give the page’s table, blank where the page is blank, with a matching manifest', async () => {
      const { grant, program } = await makeGrantWithProgram(
        t,
        {},
        { startDate: '2025-04-01', endDate: '2025-09-30' },
      );
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 60_000_00 });
      await makeBudgetPeriods(t, grant.id, [{ startDate: '2025-04-01', endDate: '2025-09-30' }]);
      await makePlannedSpend(t, grant.id, [
        [1, 'personnel', '2025-04', 10_000_00, 0],
        [1, 'personnel', '2025-05', 10_000_00, 0],
        [1, 'personnel', '2025-06', 10_000_00, 0],
      ]);
      for (const [incurredOn, cents] of [
        ['2025-04-15', 4_000_00],
        ['2025-05-15', 1_250_00],
      ] as const) {
        await makeExpenditure(t, {
          grantId: grant.id,
          incurredOn,
          amountCents: cents,
          recordedOn: incurredOn,
          recordedAt: `${incurredOn}T12:00:00.000Z`,
        });
      }
      const asOf = '2025-05-31';
      const path = `/grants/${grant.id}/burndown.csv?asOf=${asOf}`;
      const name = `burndown-${grant.awardNumber}-${asOf}.csv`;
      const { bytes, header, records } = await csvOf(t.http(), path, name);
      expect(header).toEqual([
        'month',
        'obligated_to_date',
        'planned_month',
        'planned_cumulative',
        'actual_month',
        'actual_cumulative',
        'remaining',
        'variance',
        'variance_percent',
      ]);
      const report = await t.app.get(BurndownService).grantReport(grant.id, asOf);
      expect(records.map((r) => r.month)).toEqual(report.rows.map((r) => r.month));
      expect(records[0]).toEqual({
        month: '2025-04',
        obligated_to_date: '60000.00',
        planned_month: '10000.00',
        planned_cumulative: '10000.00',
        actual_month: '4000.00',
        actual_cumulative: '4000.00',
        remaining: '56000.00',
        variance: '-6000.00',
        variance_percent: '-60.0',
      });
      // After asOf's month: the plan only; nothing planned: no percent.
      expect(records[2]).toMatchObject({
        month: '2025-06',
        planned_month: '10000.00',
        actual_month: '',
        actual_cumulative: '',
        remaining: '',
        variance: '',
        variance_percent: '',
      });

      const manifest = await t
        .http()
        .get(`/grants/${grant.id}/burndown.manifest.json?asOf=${asOf}`);
      expect(manifest.status).toBe(200);
      expect(manifest.headers['cache-control']).toBe('no-store');
      expect(manifest.body).toMatchObject({
        as_of: asOf,
        row_count: report.rows.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes: bytes.length,
        control_totals: { actual_month: '5250.00', planned_month: '30000.00' },
      });

      // With a byte-order mark: the same text after it, and the manifest hashes those bytes.
      const bom = await download(t.http(), `${path}&bom=1`);
      expect([...bom.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(bom.bytes.subarray(3).equals(bytes)).toBe(true);
      const bomManifest = await t
        .http()
        .get(`/grants/${grant.id}/burndown.manifest.json?asOf=${asOf}&bom=1`);
      expect(bomManifest.body.sha256).toBe(createHash('sha256').update(bom.bytes).digest('hex'));

      // The program's CSV is the program page's table.
      const programCsv = await csvOf(
        t.http(),
        `/reports/burndown.csv?programId=${program.id}&asOf=${asOf}`,
        `burndown-${asOf}.csv`,
      );
      const programReport = await t.app.get(BurndownService).programReport(program.id, asOf);
      expect(programCsv.records.map((r) => r.actual_cumulative)).toEqual(
        programReport.rows.map((r) =>
          r.actualCumCents === null ? '' : (r.actualCumCents / 100).toFixed(2),
        ),
      );

      const page = await t.http().get(`/grants/${grant.id}/burndown?asOf=${asOf}`);
      expect(page.text).toContain(`href="/grants/${grant.id}/burndown.csv?asOf=${asOf}"`);
      expect(page.text).toContain(`href="/grants/${grant.id}/burndown.manifest.json?asOf=${asOf}"`);
    });
  });

  describe('audit trail', () => {
    it('should list the trail in id order as stored, up to the end of the date in the office’s zone', async () => {
      const { grant } = await makeGrantWithProgram(t);
      // 23:30 on March 9 in New York (EDT), and 00:30 on March 10.
      await auditEventAt(t, '2026-03-10T03:30:00.000Z', grant.id);
      await auditEventAt(t, '2026-03-10T04:30:00.000Z', grant.id);

      const stored = await rows<Record>(
        t,
        `SELECT id, occurred_at, actor_email, actor_role, action, entity_type, entity_id, changes,
                prev_hash, hash FROM audit_events ORDER BY id`,
      );
      const today = t.app.get(Clock).today();
      const all = await csvOf(t.http(), '/reports/audit.csv', `audit-${today}.csv`);
      // The sign-ins of this test's sessions write events too: compare with what was read before.
      expect(all.records.slice(0, stored.length)).toEqual(
        stored.map((e) => ({
          ...Object.fromEntries(
            Object.entries(e).map(([k, v]) => [k, v === null ? '' : String(v)]),
          ),
          changes: e.changes.startsWith('=') ? `'${e.changes}` : e.changes,
        })),
      );
      const late = all.records.find((r) => r.occurred_at === '2026-03-10T04:30:00.000Z');
      expect(late?.changes).toBe('{"title":{"before":"=A1","after":"B"}}');

      const march9 = await csvOf(
        t.http(),
        '/reports/audit.csv?asOf=2026-03-09',
        'audit-2026-03-09.csv',
      );
      expect(march9.records.map((r) => r.occurred_at)).toContain('2026-03-10T03:30:00.000Z');
      expect(march9.records.map((r) => r.occurred_at)).not.toContain('2026-03-10T04:30:00.000Z');

      const day = await csvOf(
        t.http(),
        `/reports/audit.csv?from=2026-03-10&to=2026-03-10&entityType=grant&entityId=${grant.id}&actor=LATE@example.gov`,
        `audit-${today}.csv`,
      );
      expect(day.records.map((r) => r.occurred_at)).toEqual(['2026-03-10T04:30:00.000Z']);

      const reversed = await t.http().get('/reports/audit.csv?from=2026-03-11&to=2026-03-10');
      expect(reversed.status).toBe(400);
      expect(reversed.text).toContain('from (2026-03-11) must be on or before to (2026-03-10)');
    });

    it('should page the HTML view by keyset, the pages together being the CSV', async () => {
      const { grant } = await makeGrantWithProgram(t);
      for (let i = 0; i < 120; i += 1) {
        await auditEventAt(t, `2025-06-01T12:00:${String(i % 60).padStart(2, '0')}.000Z`, grant.id);
      }
      const today = t.app.get(Clock).today();
      const query = `entityType=grant&entityId=${grant.id}&asOf=${today}`;
      const { records } = await csvOf(
        t.http(),
        `/reports/audit.csv?${query}`,
        `audit-${today}.csv`,
      );
      expect(records.length).toBeGreaterThan(120);

      const first = await t.http().get(`/reports/audit?${query}`);
      expect(first.status).toBe(200);
      const next = /href="([^"]+)" rel="next"/
        .exec(decoded(first.text))?.[1]
        .replace(/&amp;/g, '&');
      expect(next).toBeDefined();
      const second = await t.http().get(next as string);
      expect(second.status).toBe(200);
      expect(/rel="next"/.test(second.text)).toBe(false);
      const shown = [...tableRows(first.text), ...tableRows(second.text)].map((cells) => cells[0]);
      expect(shown).toEqual(records.map((r) => r.id));

      const bad = await t.http().get(`/reports/audit?${query}&after=bm90LWEta2V5`);
      expect(bad.status).toBe(400);
    });
  });

  it('should let an auditor download every report and its manifest, changing nothing', async () => {
    const { grant, program } = await makeGrantWithProgram(t);
    await makeMilestone(t, { grantId: grant.id });
    await makeTechnology(t);
    const auditor = await t.as('auditor');
    const [{ n: before }] = await rows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM milestones');
    for (const path of [
      '/reports/milestones',
      '/reports/technologies',
      '/reports/cost-share',
      '/reports/audit',
      '/reports/burndown',
      `/grants/${grant.id}/burndown`,
    ]) {
      const query = path === '/reports/burndown' ? `?programId=${program.id}` : '';
      const page = await auditor.get(`${path}${query}`);
      expect({ path, status: page.status }).toEqual({ path, status: 200 });
      const { res, bytes } = await download(auditor, `${path}.csv${query}`);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      const manifest = await auditor.get(`${path}.manifest.json${query}`);
      expect({ path, status: manifest.status }).toEqual({ path, status: 200 });
      // The audit trail grows with every sign-in, so its hash is checked with a fixed date above.
      if (path !== '/reports/audit') {
        expect(manifest.body.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      }
      expect(manifest.body).not.toHaveProperty('generated_by'); // the same file, the same manifest
    }
    const [{ n: after }] = await rows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM milestones');
    expect(after).toBe(before);
  });
});
