import { DemoSeedService } from '../src/demo/demo-seed.service';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { Clock } from '../src/common/clock';
import { recordingAt } from '../src/common/database/recording-time';
import { addDays } from '../src/common/dates';
import { runAs } from '../src/common/request-context';
import { AmendmentRequests } from '../src/grants/amendment-requests';
import { AmendmentFormDto } from '../src/grants/dto/amendment-form.dto';
import { decide, JUSTIFICATION, requestApproved, requestIdOf } from './helpers/approvals';
import { download } from './helpers/downloads';
import { makeAmendment, makeGrantWithProgram } from './helpers/factories';
import { Agent, freshAppPerTest, rows, TEST_EMAILS, TestApp } from './helpers/test-app';
import { behindTheAppsBack, itSqlite } from './helpers/test-database';

/** The CSV columns of the approvals register, in order (the download's contract). */
const APPROVALS_HEADER = [
  'request_id',
  'revision',
  'kind',
  'award_number',
  'summary',
  'amount',
  'effective_date',
  'requester_name',
  'requester_email',
  'submitted_at',
  'outcome',
  'decided_by_name',
  'decided_by_email',
  'decided_at',
  'decision_note',
];

const SOD_HEADER = [
  ...APPROVALS_HEADER.slice(0, 10),
  'approved_by_name',
  'approved_by_email',
  'approved_at',
  'breaks_rule',
  'result_type',
  'result_id',
];

/** A day the office's records are asked about: long after the fixtures, long before today. */
const PAST_AT = '2026-01-15T15:00:00.000Z';
const PAST_DAY = '2026-01-15';

/** A refusal by the database (CHECK constraint), on either engine. */
const REFUSED_BY_DATABASE = /CHECK constraint failed|violates check constraint/;

type Rec = Record<string, string>;

async function csvOf(agent: Agent, path: string): Promise<{ bytes: Buffer; records: Rec[] }> {
  const { res, bytes } = await download(agent, path);
  expect({ path, status: res.status }).toEqual({ path, status: 200 });
  return { bytes, records: parse<Rec>(bytes, { columns: true }) };
}

const headerOf = (bytes: Buffer) => bytes.toString('utf8').split('\r\n')[0].split(',');

/** The revisions of the database, as the test reads them itself. */
const revisionRows = (t: TestApp, requestId: number) =>
  rows<{ revision: number; submitted_at: string; decided_at: string | null }>(
    t,
    'SELECT revision, submitted_at, decided_at FROM approval_revisions WHERE request_id = ? ORDER BY revision',
    [requestId],
  );

describe('Approvals register and segregation of duties (HTTP)', () => {
  const t = freshAppPerTest();

  /** A grant with an initial amendment written straight through the factory (no request). */
  async function fundedGrant() {
    const { grant } = await makeGrantWithProgram(t, { ceilingCents: 5_000_000_00 });
    const fixture = await makeAmendment(t, { grantId: grant.id, federalChangeCents: 400_000_00 });
    const path = `/grants/${grant.id}/amendments`;
    const form = (federalChange: string, extra: Record<string, string> = {}) => ({
      effectiveDate: '2025-06-01',
      kind: 'incremental_funding',
      federalChange,
      note: 'Year 2',
      ...extra,
    });
    return { grant, fixture, path, form };
  }

  const today = () => t.app.get(Clock).today();
  const lastRequestId = async () =>
    Number((await rows<{ id: number }>(t, 'SELECT MAX(id) AS id FROM approval_requests'))[0].id);

  it('should show an approved request with its requester and a different approver in both reports', async () => {
    const { grant, fixture, path, form } = await fundedGrant();
    expect((await requestApproved(t, path, form('250,000.00'))).status).toBe(303);
    const id = await lastRequestId();
    const [{ amendment }] = await rows<{ amendment: number }>(
      t,
      "SELECT result_id AS amendment FROM approval_requests WHERE id = ? AND result_type = 'amendment'",
      [id],
    );
    const [revision] = await revisionRows(t, id);
    const auditor = await t.as('auditor');
    const asOf = today();

    const register = await csvOf(auditor, `/reports/approvals.csv?asOf=${asOf}`);
    expect(headerOf(register.bytes)).toEqual(APPROVALS_HEADER);
    expect(register.records).toEqual([
      {
        request_id: String(id),
        revision: '1',
        kind: 'amendment',
        award_number: grant.awardNumber,
        summary: expect.stringContaining('$250,000.00') as string,
        amount: '250000.00',
        effective_date: '2025-06-01',
        requester_name: TEST_EMAILS.program_manager,
        requester_email: TEST_EMAILS.program_manager,
        submitted_at: revision.submitted_at,
        outcome: 'approved',
        decided_by_name: TEST_EMAILS.approving_official,
        decided_by_email: TEST_EMAILS.approving_official,
        decided_at: revision.decided_at!,
        decision_note: '',
      },
    ]);

    const sod = await csvOf(auditor, `/reports/segregation-of-duties.csv?asOf=${asOf}`);
    expect(headerOf(sod.bytes)).toEqual(SOD_HEADER);
    expect(sod.records).toHaveLength(1);
    expect(sod.records[0]).toMatchObject({
      request_id: String(id),
      requester_email: TEST_EMAILS.program_manager,
      approved_by_email: TEST_EMAILS.approving_official,
      approved_at: revision.decided_at!,
      breaks_rule: 'no',
      result_type: 'amendment',
      result_id: String(amendment),
    });
    expect(sod.records[0].requester_email).not.toBe(sod.records[0].approved_by_email);

    const page = await auditor.get(`/reports/segregation-of-duties?asOf=${asOf}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('1 approved change; 0 break the rule');
    expect(page.text).toContain('No approved change was approved by its own requester.');
    expect(page.text).toContain(`href="/approvals/${id}"`);

    // The factory's amendment moved money with no request; the approved one had a second person.
    const unapproved = await csvOf(auditor, `/reports/unapproved-amendments.csv?asOf=${asOf}`);
    expect(unapproved.records.map((r) => Number(r.amendment_id))).toEqual([fixture.id]);
    expect(unapproved.records[0]).toMatchObject({
      award_number: grant.awardNumber,
      number: '0',
      federal_change: '400000.00',
      recorded_by: 'system',
    });
    expect(page.text).toContain('1 amendment recorded by the end of');

    const html = await auditor.get(`/reports/approvals?asOf=${asOf}`);
    expect(html.status).toBe(200);
    expect(html.text).toContain('<td>Amendment</td>');
    expect(html.text).toContain(TEST_EMAILS.approving_official);
  });

  it('should keep both revisions of a request rejected and then resubmitted', async () => {
    const { path, form } = await fundedGrant();
    const id = requestIdOf(
      await t
        .http()
        .post(path)
        .type('form')
        .send({ ...form('250,000.00'), justification: JUSTIFICATION }),
    );
    expect((await decide(t, id, 'reject', 'Show the year-2 work plan first.')).status).toBe(303);
    const resubmitted = await t
      .http()
      .post(path)
      .type('form')
      .send({ ...form('200,000.00'), revises: String(id), justification: 'Work plan attached.' });
    expect(requestIdOf(resubmitted)).toBe(id);
    expect((await decide(t, id)).status).toBe(303);

    const asOf = today();
    const { records } = await csvOf(t.http(), `/reports/approvals.csv?asOf=${asOf}`);
    expect(
      records.map((r) => [r.request_id, r.revision, r.amount, r.outcome, r.decision_note]),
    ).toEqual([
      [String(id), '1', '250000.00', 'rejected', 'Show the year-2 work plan first.'],
      [String(id), '2', '200000.00', 'approved', ''],
    ]);
    expect(records.every((r) => r.decided_by_email === TEST_EMAILS.approving_official)).toBe(true);

    // Only the approved revision is an approved change.
    const sod = await csvOf(t.http(), `/reports/segregation-of-duties.csv?asOf=${asOf}`);
    expect(sod.records.map((r) => [r.request_id, r.revision, r.breaks_rule])).toEqual([
      [String(id), '2', 'no'],
    ]);
  });

  it('should show a request pending on a past date, and that date’s files never change after the decision', async () => {
    const { grant } = await fundedGrant();
    const [manager] = await rows<{ id: number; email: string; name: string; role: string }>(
      t,
      'SELECT id, email, name, role FROM users WHERE email = ?',
      [TEST_EMAILS.program_manager],
    );
    // Filed on PAST_DAY, as the manager: the form the amendment page sends, through its service.
    const filed = await recordingAt(PAST_AT, () =>
      runAs({ ...manager, id: Number(manager.id) }, () =>
        t.app.get(AmendmentRequests).submit(
          grant.id,
          Object.assign(new AmendmentFormDto(), {
            effectiveDate: '2025-06-01',
            kind: 'incremental_funding' as const,
            federalChange: '75,000.00',
            newEndDate: null,
            note: '',
            justification: JUSTIFICATION,
          }),
        ),
      ),
    );
    const auditor = await t.as('auditor');
    const files = async (asOf: string) => ({
      register: (await download(auditor, `/reports/approvals.csv?asOf=${asOf}`)).bytes,
      registerXlsx: (await download(auditor, `/reports/approvals.xlsx?asOf=${asOf}`)).bytes,
      sod: (await download(auditor, `/reports/segregation-of-duties.csv?asOf=${asOf}`)).bytes,
      manifest: (await auditor.get(`/reports/approvals.manifest.json?asOf=${asOf}`)).text,
    });

    const before = await files(PAST_DAY);
    const pending = parse<Rec>(before.register, { columns: true });
    expect(pending.map((r) => [r.request_id, r.outcome, r.decided_by_email, r.decided_at])).toEqual(
      [[String(filed.id), 'pending', '', '']],
    );
    expect(parse<Rec>(before.sod, { columns: true })).toEqual([]);
    const dayBefore = await csvOf(auditor, `/reports/approvals.csv?asOf=${addDays(PAST_DAY, -1)}`);
    expect(dayBefore.records).toEqual([]);
    const pastPage = await auditor.get(`/reports/approvals?asOf=${PAST_DAY}`);
    expect(pastPage.text).toContain('<td>pending</td>');

    expect((await decide(t, filed.id, 'approve', 'Fine.')).status).toBe(303);

    // The past date's files are the same bytes; today's show the decision.
    const after = await files(PAST_DAY);
    expect(after.register.equals(before.register)).toBe(true);
    expect(after.registerXlsx.equals(before.registerXlsx)).toBe(true);
    expect(after.sod.equals(before.sod)).toBe(true);
    expect(after.manifest).toBe(before.manifest);
    const now = await csvOf(auditor, `/reports/approvals.csv?asOf=${today()}`);
    expect(now.records.map((r) => [r.request_id, r.outcome, r.decision_note])).toEqual([
      [String(filed.id), 'approved', 'Fine.'],
    ]);
    const sodPast = await auditor.get(`/reports/segregation-of-duties?asOf=${PAST_DAY}`);
    expect(sodPast.text).toContain('0 approved changes; 0 break the rule');
    const sodNow = await auditor.get(`/reports/segregation-of-duties?asOf=${today()}`);
    expect(sodNow.text).toContain('1 approved change; 0 break the rule');
  });

  it('should give the same rows in the workbook as in the CSV, typed', async () => {
    const { path, form } = await fundedGrant();
    expect((await requestApproved(t, path, form('1,234.56'))).status).toBe(303);
    const other = requestIdOf(
      await t
        .http()
        .post(path)
        .type('form')
        .send({ ...form('-10.00', { kind: 'deobligation' }), justification: JUSTIFICATION }),
    );
    expect(other).toBeGreaterThan(0);
    const auditor = await t.as('auditor');
    const asOf = today();

    for (const name of ['approvals', 'segregation-of-duties']) {
      const { records } = await csvOf(auditor, `/reports/${name}.csv?asOf=${asOf}`);
      const { res, bytes } = await download(auditor, `/reports/${name}.xlsx?asOf=${asOf}`);
      expect({ name, status: res.status }).toEqual({ name, status: 200 });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0];
      const headers = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
      expect(headers).toEqual(name === 'approvals' ? APPROVALS_HEADER : SOD_HEADER);
      expect({ name, rows: sheet.rowCount - 1 }).toEqual({ name, rows: records.length });
      records.forEach((record, i) => {
        const row = sheet.getRow(i + 2);
        const cell = (column: string) => row.getCell(headers.indexOf(column) + 1);
        expect(cell('request_id').value).toBe(Number(record.request_id));
        expect(cell('amount').value).toBe(Number(record.amount));
        expect(cell('requester_email').value).toBe(record.requester_email);
        expect(cell('submitted_at').value).toEqual(new Date(record.submitted_at));
      });
    }
    const { records } = await csvOf(auditor, `/reports/approvals.csv?asOf=${asOf}`);
    expect(records.map((r) => [r.amount, r.outcome])).toEqual([
      ['1234.56', 'approved'],
      ['-10.00', 'pending'],
    ]);
  });

  it('should refuse, in the database, an approval by its own requester written behind the app’s back', async () => {
    const { path, form } = await fundedGrant();
    const id = requestIdOf(
      await t
        .http()
        .post(path)
        .type('form')
        .send({ ...form('10.00'), justification: JUSTIFICATION }),
    );
    const [{ requester }] = await rows<{ requester: number }>(
      t,
      'SELECT requested_by AS requester FROM approval_requests WHERE id = ?',
      [id],
    );
    const at = new Date().toISOString();
    await expect(
      behindTheAppsBack(
        t.databasePath,
        `INSERT INTO approval_revisions (request_id, revision, summary, amount_cents, payload,
           justification, submitted_by, submitted_at, outcome, decided_by, decided_at, note)
         VALUES (${id}, 2, 'Self-approved', 1000, '{}', 'x', ${requester}, '${at}', 'approved',
           ${requester}, '${at}', '')`,
      ),
    ).rejects.toThrow(REFUSED_BY_DATABASE);
    await expect(
      behindTheAppsBack(
        t.databasePath,
        `INSERT INTO approval_requests (version, created_at, updated_at, kind, grant_id, revision,
           status, summary, amount_cents, payload, justification, requested_by, requested_at,
           decided_by, decided_at, decision_note)
         SELECT 1, '${at}', '${at}', 'amendment', grant_id, 1, 'approved', 'Self-approved', 1000,
           '{}', 'x', requested_by, '${at}', requested_by, '${at}', '' FROM approval_requests
          WHERE id = ${id}`,
      ),
    ).rejects.toThrow(REFUSED_BY_DATABASE);
    const sod = await csvOf(t.http(), `/reports/segregation-of-duties.csv?asOf=${today()}`);
    expect(sod.records).toEqual([]);
  });

  itSqlite(
    'should mark an approval by its own requester as breaking the rule when one gets past the constraints',
    async () => {
      const { path, form } = await fundedGrant();
      const id = requestIdOf(
        await t
          .http()
          .post(path)
          .type('form')
          .send({ ...form('10.00'), justification: JUSTIFICATION }),
      );
      // Only with SQLite's CHECK constraints switched off, on a connection of its own.
      await behindTheAppsBack(
        t.databasePath,
        `PRAGMA ignore_check_constraints = ON;
         UPDATE approval_revisions SET outcome = 'approved', decided_by = submitted_by,
                decided_at = submitted_at WHERE request_id = ${id};`,
      );
      const asOf = today();
      const sod = await csvOf(t.http(), `/reports/segregation-of-duties.csv?asOf=${asOf}`);
      expect(sod.records.map((r) => [r.request_id, r.breaks_rule])).toEqual([[String(id), 'yes']]);
      expect(sod.records[0].approved_by_email).toBe(sod.records[0].requester_email);
      const page = await t.http().get(`/reports/segregation-of-duties?asOf=${asOf}`);
      expect(page.text).toContain('1 approved change; 1 breaks the rule');
      expect(page.text).not.toContain('No approved change was approved by its own requester.');
      expect(page.text).toContain('<strong>Yes</strong>');
    },
  );

  it('should refuse an asOf after today on the page, keeping the date typed', async () => {
    const tomorrow = addDays(today(), 1);
    const page = await t.http().get(`/reports/segregation-of-duties?asOf=${tomorrow}`);
    expect(page.status).toBe(400);
    expect(page.text).toContain('data-testid="as-of-error"');
    expect(page.text).toContain(`value="${tomorrow}"`);
    expect(page.text).not.toContain('data-testid="sod-result"');
    const csv = await t.http().get(`/reports/approvals.csv?asOf=${tomorrow}`);
    expect(csv.status).toBe(400);
  });
});

describe('Segregation of duties on the demo (HTTP)', () => {
  const t = freshAppPerTest({ DEMO_PASSWORD: 'ledger cobalt harbour violin' });
  const today = () => t.app.get(Clock).today();

  it('should prove on the demo’s whole history that every approved change had two people and no amendment lacks one', async () => {
    await t.app.get(DemoSeedService).seedIfEmpty();
    const amendments = Number(
      (await rows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM amendments'))[0].n,
    );
    const auditor = await t.as('auditor');
    const page = await auditor.get(`/reports/segregation-of-duties?asOf=${today()}`);
    expect(page.status).toBe(200);
    // Every amendment was approved (one of them after a rejection), and nothing else yet.
    expect(page.text).toContain(`${amendments} approved changes; 0 break the rule`);
    expect(page.text).toContain('No approved change was approved by its own requester.');
    expect(page.text).toContain(
      `data-testid="unapproved-count">Every amendment recorded by the end of`,
    );
    const sod = await csvOf(auditor, `/reports/segregation-of-duties.csv?asOf=${today()}`);
    expect(sod.records).toHaveLength(amendments);
    expect(new Set(sod.records.map((r) => r.breaks_rule))).toEqual(new Set(['no']));
  });
});
