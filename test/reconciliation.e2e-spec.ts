import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { Clock } from '../src/common/clock';
import { recordingAt } from '../src/common/database/recording-time';
import { Program } from '../src/programs/program.entity';
import { Grant } from '../src/grants/grant.entity';
import { formatMoney } from '../src/common/money';
import { DemoSeedService } from '../src/demo/demo-seed.service';
import {
  makeAmendment,
  makeBudget,
  makeBudgetPeriods,
  makeGrant,
  makeGrantWithProgram,
  makePlannedSpend,
  makeProgram,
  makeRecipient,
  spend,
} from './helpers/factories';
import { ReconciliationService } from '../src/reports/reconciliation.service';
import { pageText as plain } from './helpers/html';
import { freshAppPerTest, rows, TestApp } from './helpers/test-app';

/** The cells of the figures tables' row for a subject (`grant:3`, `program:1`). */
function figuresRow(html: string, key: string): string[] {
  const start = html.indexOf('data-testid="figures-section"');
  const match = new RegExp(`<tr data-subject="${key}"[^>]*>([\\s\\S]*?)</tr>`).exec(
    html.slice(start),
  );
  if (!match) throw new Error(`No row for ${key}`);
  return [...match[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => plain(cell[1]));
}

function result(html: string): string {
  const match = /data-testid="reconciliation-result"[^>]*>([\s\S]*?)<\/div>\s*<\/div>/.exec(html);
  if (!match) throw new Error('No result on the page');
  return plain(match[1]);
}

function asBuffer(res: { text?: string; body: unknown }): Buffer {
  return Buffer.isBuffer(res.body) ? res.body : Buffer.from(res.text ?? '', 'utf8');
}

const AS_OF = '2025-08-15';
/** After the end of AS_OF in the office's zone: what is recorded then is not in AS_OF's reports. */
const AFTER_AS_OF = '2025-09-01T12:00:00.000Z';

/**
 * A grant recorded at `at` (the factories record theirs long before any date a test asks about), as
 * the grant form would have: for a grant the register as of an earlier date does not hold.
 */
function grantRecordedAt(
  t: TestApp,
  at: string,
  fields: Pick<Grant, 'programId' | 'recipientId' | 'awardNumber'>,
): Promise<Grant> {
  return recordingAt(at, () =>
    t.writes.transaction((m) =>
      t.audit.insert(m, Grant, 'grant', {
        title: 'Recorded after the report date',
        piName: 'Dr. Late Example',
        piEmail: 'late@example.edu',
        status: 'active',
        startDate: '2025-01-01',
        endDate: '2026-12-31',
        costShareCommittedCents: 0,
        ...fields,
      }),
    ),
  );
}
/** Grants created before AS_OF, so the as-of register holds them. */
const CREATED = { createdAt: '2025-01-01T09:00:00.000Z' };

/**
 * Two programs, three grants, with reversals, cost share, entries recorded after AS_OF and incurred
 * after it, an amendment effective after it, and a grant created after it (left out).
 */
async function fixture(t: TestApp) {
  const { program, recipient, grant } = await makeGrantWithProgram(
    t,
    { name: 'Reconciled Program' },
    { ...CREATED, awardNumber: 'DE-SC0000201', startDate: '2025-01-01', endDate: '2026-12-31' },
  );
  await makeBudgetPeriods(t, grant.id, [{ startDate: '2025-01-01', endDate: '2026-12-31' }]);
  await makeAmendment(t, {
    grantId: grant.id,
    federalChangeCents: 600_000_00,
    effectiveDate: '2025-01-01',
  });
  await makeAmendment(t, {
    grantId: grant.id,
    federalChangeCents: 50_000_00,
    effectiveDate: '2025-09-01',
  });
  await makePlannedSpend(t, grant.id, [[1, 'personnel', '2025-03', 100_000_00, 0]]);
  await spend(t, grant.id, '2025-02-10', 45_000_01);
  const mistake = await spend(t, grant.id, '2025-03-05', 12_500_00);
  await spend(t, grant.id, '2025-03-05', -12_500_00, {
    reversalOf: mistake.id,
    recordedOn: '2025-03-09',
  });
  await spend(t, grant.id, '2025-06-30', 20_000_00, { share: 'cost_share' });
  await spend(t, grant.id, '2025-08-01', 9_999_99, { recordedOn: '2025-08-20' }); // recorded later
  await spend(t, grant.id, '2025-08-16', 1_000_00); // incurred later

  const second = await makeGrant(t, {
    ...CREATED,
    programId: program.id,
    recipientId: recipient.id,
    awardNumber: 'DE-SC0000202',
    startDate: '2025-03-01',
    endDate: '2026-02-28',
  });
  await makeAmendment(t, {
    grantId: second.id,
    federalChangeCents: 200_000_00,
    effectiveDate: '2025-03-01',
  });
  await spend(t, second.id, '2025-04-10', 20_000_00);
  await spend(t, second.id, '2025-07-31', 333_33, { recordedOn: '2025-08-15' });

  const { grant: other } = await makeGrantWithProgram(
    t,
    { name: 'Second Program' },
    { ...CREATED, awardNumber: 'DE-SC0000301', startDate: '2025-01-01', endDate: '2025-12-31' },
  );
  await makeAmendment(t, {
    grantId: other.id,
    federalChangeCents: 900_000_00,
    effectiveDate: '2025-01-01',
  });
  await spend(t, other.id, '2025-05-02', 333_000_00);

  // Recorded after AS_OF: not in any as-of register.
  const late = await grantRecordedAt(t, AFTER_AS_OF, {
    programId: program.id,
    recipientId: recipient.id,
    awardNumber: 'DE-SC0000299',
  });
  return { program, grant, second, other, late };
}

describe('Reconciliation (HTTP)', () => {
  const t = freshAppPerTest();

  it('should say reconciled and show the three reports agreeing to the cent, per grant and program', async () => {
    const { program, grant, second, other, late } = await fixture(t);
    const auditor = await t.as('auditor');
    const res = await auditor.get(`/reports/reconciliation?asOf=${AS_OF}`);
    expect(res.status).toBe(200);
    expect(result(res.text)).toContain('Reconciled: 3 grants, every figure agrees to the cent');
    expect(res.text).not.toContain('data-testid="differences"');

    // Ledger | burn-down actual | register spent | register obligated | amendments register obligated
    // | burn-down obligated | agrees
    // 45,000.01 + 12,500.00 − 12,500.00; the late-recorded and later-incurred entries are out.
    expect(figuresRow(res.text, `grant:${grant.id}`)).toEqual([
      '$45,000.01',
      '$45,000.01',
      '$45,000.01',
      '$600,000.00',
      '$600,000.00',
      '$600,000.00',
      'Yes',
    ]);
    expect(figuresRow(res.text, `grant:${second.id}`)).toEqual([
      '$20,333.33',
      '$20,333.33',
      '$20,333.33',
      '$200,000.00',
      '$200,000.00',
      '$200,000.00',
      'Yes',
    ]);
    expect(figuresRow(res.text, `program:${program.id}`)).toEqual([
      '$65,333.34',
      '$65,333.34',
      '$65,333.34',
      '$800,000.00',
      '$800,000.00',
      '$800,000.00',
      'Yes',
    ]);
    expect(figuresRow(res.text, `grant:${other.id}`)[0]).toBe('$333,000.00');
    expect(res.text).not.toContain(`data-subject="grant:${late.id}"`);

    // The same sum straight from the database.
    const [db] = await rows<{ cents: number }>(
      t,
      `SELECT SUM(amount_cents) AS cents FROM expenditures
        WHERE grant_id IN (?, ?) AND share = 'federal' AND incurred_on <= ? AND recorded_on <= ?`,
      [grant.id, second.id, AS_OF, AS_OF],
    );
    expect(Number(db.cents)).toBe(65_333_34);
  });

  it('should list each difference when the burn-down table leaves out an amendment after the end date', async () => {
    const { other } = await fixture(t);
    // A close-out deobligation effective after the grant's last month: the register counts it, the
    // burn-down's month-by-month "obligated to date" stops at the end month.
    await makeAmendment(t, {
      grantId: other.id,
      federalChangeCents: -1,
      effectiveDate: '2026-01-15',
      kind: 'deobligation',
    });
    const res = await t.http().get('/reports/reconciliation?asOf=2026-02-01');
    expect(res.status).toBe(200);
    expect(result(res.text)).toContain('Not reconciled: 2 differences');
    const table = res.text.slice(res.text.indexOf('data-testid="differences"'));
    const cells = (key: string) => {
      const match = new RegExp(`<tr data-subject="${key}">([\\s\\S]*?)</tr>`).exec(table);
      if (!match) throw new Error(`No difference for ${key}`);
      return [...match[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => plain(c[1]));
    };
    expect(cells(`grant:${other.id}`)).toEqual([
      'DE-SC0000301',
      'Obligated',
      'Grants register',
      '$899,999.99',
      'Burn-down',
      '$900,000.00',
      '-$0.01',
    ]);
    expect(cells(`program:${other.programId}`)).toEqual([
      'Second Program (program total)',
      'Obligated',
      'Grants register',
      '$899,999.99',
      'Burn-down',
      '$900,000.00',
      '-$0.01',
    ]);
    expect(figuresRow(res.text, `grant:${other.id}`)[6]).toBe('No');
  });

  it('should download the side-by-side table as CSV, with a manifest of its exact bytes', async () => {
    const { grant, second, other } = await fixture(t);
    const auditor = await t.as('auditor');
    const res = await auditor.get(`/reports/reconciliation.csv?asOf=${AS_OF}&bom=1`).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="reconciliation-${AS_OF}.csv"`,
    );
    expect(res.headers['cache-control']).toBe('no-store');
    const bytes = asBuffer(res);
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    const records = parse<Record<string, string>>(bytes.subarray(3).toString('utf8'), {
      columns: true,
    });
    expect(
      records.map((r) => [r.scope, r.award_number_or_program, r.ledger_federal_spent]),
    ).toEqual([
      ['grant', 'DE-SC0000201', '45000.01'],
      ['grant', 'DE-SC0000202', '20333.33'],
      ['program', 'Reconciled Program', '65333.34'],
      ['grant', 'DE-SC0000301', '333000.00'],
      ['program', 'Second Program', '333000.00'],
    ]);
    for (const record of records.filter((r) => r.scope === 'grant')) {
      const id = [grant, second, other].find(
        (g) => g.awardNumber === record.award_number_or_program,
      )!.id;
      const [db] = await rows<{ spent: number; obligated: number }>(
        t,
        `SELECT (SELECT COALESCE(SUM(amount_cents), 0) FROM expenditures WHERE grant_id = ?
                   AND share = 'federal' AND incurred_on <= ? AND recorded_on <= ?) AS spent,
                (SELECT COALESCE(SUM(federal_change_cents), 0) FROM amendments WHERE grant_id = ?
                   AND effective_date <= ?) AS obligated`,
        [id, AS_OF, AS_OF, id, AS_OF],
      );
      const cents = (dollars: string) => Math.round(Number(dollars) * 100);
      for (const column of [
        'ledger_federal_spent',
        'burndown_actual_cumulative',
        'register_federal_spent',
      ]) {
        expect(cents(record[column])).toBe(Number(db.spent));
      }
      expect(cents(record.register_obligated)).toBe(Number(db.obligated));
      expect(cents(record.burndown_obligated_to_date)).toBe(Number(db.obligated));
      expect(record.agrees).toBe('yes');
    }

    const manifest = await auditor.get(`/reports/reconciliation.manifest.json?asOf=${AS_OF}&bom=1`);
    expect(manifest.status).toBe(200);
    expect(manifest.body).toMatchObject({
      report: 'reconciliation',
      as_of: AS_OF,
      parameters: { asOf: AS_OF, bom: '1' },
      row_count: 5,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(
      (manifest.body as { control_totals: Record<string, string> }).control_totals
        .ledger_federal_spent,
    ).toBe('398333.34'); // 45,000.01 + 20,333.33 + 333,000.00: the program rows are not added again
  });

  it('should count each amount once in the control totals, the program rows not added again', async () => {
    await fixture(t);
    const auditor = await t.as('auditor');
    const manifest = await auditor.get(`/reports/reconciliation.manifest.json?asOf=${AS_OF}`);
    expect(manifest.status).toBe(200);
    const body = manifest.body as { row_count: number; control_totals: Record<string, string> };
    // Three grants and two program rows; the grant recorded after AS_OF is not there.
    expect(body.row_count).toBe(5);
    expect(body.control_totals).toMatchObject({
      // 45,000.01 (201) + 20,333.33 (202) + 333,000.00 (301)
      ledger_federal_spent: '398333.34',
      register_federal_spent: '398333.34',
      // 600,000.00 (201; its 50,000.00 is effective after AS_OF) + 200,000.00 + 900,000.00
      register_obligated: '1700000.00',
      amendments_obligated: '1700000.00',
    });
  });

  it('should list money on a grant the register does not hold as of the date, by award number', async () => {
    const { program, recipient } = await makeGrantWithProgram(
      t,
      { name: 'Inconsistent Program' },
      { awardNumber: 'DE-SC0000401', startDate: '2025-01-01', endDate: '2026-12-31' },
    );
    // Its grant is recorded on Sept 1, but entries, an amendment and a budget were recorded
    // (recorded_on, created_at, history) long before: records no consistent office could hold.
    const ghost = await grantRecordedAt(t, AFTER_AS_OF, {
      programId: program.id,
      recipientId: recipient.id,
      awardNumber: 'DE-SC0000499',
    });
    await makeAmendment(t, {
      grantId: ghost.id,
      federalChangeCents: 70_000_00,
      effectiveDate: '2025-02-01',
    });
    await spend(t, ghost.id, '2025-03-10', 1_234_56);
    await spend(t, ghost.id, '2025-04-10', 100_00, { share: 'cost_share' });
    await makeBudget(t, ghost.id, [[1, 'personnel', 60_000_00, 5_000_00]]);

    const auditor = await t.as('auditor');
    const res = await auditor.get(`/reports/reconciliation?asOf=${AS_OF}`);
    expect(res.status).toBe(200);
    expect(result(res.text)).toContain('Not reconciled');
    expect(result(res.text)).toContain('Money is recorded on 1 grants the register does not hold');
    const table = res.text.slice(
      res.text.indexOf('data-testid="differences"'),
      res.text.indexOf('data-testid="figures"'),
    );
    const differences = [
      ...table.matchAll(new RegExp(`<tr data-subject="grant:${ghost.id}">([\\s\\S]*?)</tr>`, 'g')),
    ].map((match) =>
      [...match[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => plain(c[1])),
    );
    const label = `DE-SC0000499 (grant #${ghost.id}, not in the grants register)`;
    expect(differences).toEqual([
      [
        label,
        'Spent (ledger entries)',
        'Ledger entries',
        '$1,334.56',
        'Grants register',
        'missing',
        '—',
      ],
      [
        label,
        'Obligated (amendments)',
        'Amendments',
        '$70,000.00',
        'Grants register',
        'missing',
        '—',
      ],
      [
        label,
        'Budgeted (budget lines)',
        'Budget lines',
        '$65,000.00',
        'Grants register',
        'missing',
        '—',
      ],
    ]);
    // The program's ledger total holds the money; the register's sum of its grants does not.
    expect(figuresRow(res.text, `program:${program.id}`).slice(0, 1)).toEqual(['$1,234.56']);

    // After the grant is recorded, it is in the register and its figures are checked as usual.
    const later = await t.app.get(ReconciliationService).report('2025-09-02');
    expect(later.unregisteredCount).toBe(0);
    expect(later.rows.find((r) => r.key === `grant:${ghost.id}`)).toMatchObject({
      registered: true,
      ledgerFederalCents: 1_234_56,
      registerSpentCents: 1_234_56,
    });
  });

  it('should report money on a grant whose program was itself recorded after the date, not fail', async () => {
    const program = await recordingAt('2025-09-01T12:00:00.000Z', () =>
      t.writes.transaction((m) =>
        t.audit.insert(m, Program, 'program', {
          name: 'Recorded After The Date',
          fundingOpportunity: 'DE-FOA-0009999',
          office: 'BES',
          ceilingCents: 1_000_000_00,
          startDate: '2025-01-01',
          endDate: '2029-12-31',
          costSharePercent: 0,
        }),
      ),
    );
    const recipient = await makeRecipient(t);
    const ghost = await grantRecordedAt(t, '2025-09-01T12:00:00.000Z', {
      programId: program.id,
      recipientId: recipient.id,
      awardNumber: 'DE-SC0000498',
    });
    await spend(t, ghost.id, '2025-03-10', 500_00);
    const res = await (await t.as('auditor')).get(`/reports/reconciliation?asOf=${AS_OF}`);
    expect(res.status).toBe(200);
    expect(result(res.text)).toContain('Money is recorded on 1 grants the register does not hold');
  });

  it('should never say "0 checks" while money is recorded: a program of unregistered grants is checked', async () => {
    const program = await makeProgram(t, { name: 'Recorded Too Late' });
    const recipient = await makeRecipient(t);
    const ghost = await grantRecordedAt(t, AFTER_AS_OF, {
      programId: program.id,
      recipientId: recipient.id,
      awardNumber: 'DE-SC0000599',
    });
    await spend(t, ghost.id, '2025-03-10', 14_700_000_00);
    const sut = await t.app.get(ReconciliationService).report(AS_OF);
    expect(sut.grantCount).toBe(0);
    expect(sut.unregisteredCount).toBe(1);
    expect(sut.result.reconciled).toBe(false);
    expect(sut.result.checks).toBeGreaterThan(0);
    expect(sut.result.differences.map((d) => [d.subject.key, d.figure, d.leftCents])).toEqual(
      expect.arrayContaining([
        [`grant:${ghost.id}`, 'Spent (ledger entries)', 14_700_000_00],
        [`program:${program.id}`, 'Federal spent', 14_700_000_00],
      ]),
    );
    // With nothing recorded at all, there is nothing to check.
    const empty = await t.app.get(ReconciliationService).report('2024-12-31');
    expect(empty).toMatchObject({ grantCount: 0, unregisteredCount: 0 });
    expect(empty.result).toMatchObject({ checks: 0, reconciled: true });
  });

  it('should default asOf to the office’s today and refuse a bad asOf with 400', async () => {
    const today = t.app.get(Clock).today();
    const page = await t.http().get('/reports/reconciliation');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`value="${today}"`);
    expect(page.text).toContain('No grants existed on');
    const bad = await t.http().get('/reports/reconciliation.csv?asOf=2025-13-01');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('asOf must be a real date as YYYY-MM-DD');
    expect((await t.http().get('/reports/reconciliation.manifest.json?bom=2')).status).toBe(400);
  });
});

describe('Reconciliation of the demo program (HTTP)', () => {
  const t = freshAppPerTest({ DEMO_PASSWORD: 'ledger cobalt harbour violin' });

  it('should reconcile the demo program, its total equal to the ledger in the database', async () => {
    await t.app.get(DemoSeedService).seedIfEmpty();
    const today = t.app.get(Clock).today();
    const [count] = await rows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM grants');
    expect(Number(count.n)).toBe(13);
    const now = await t.http().get(`/reports/reconciliation?asOf=${today}`);
    expect(result(now.text)).toContain('Reconciled: 13 grants, every figure agrees to the cent');
    const [spent] = await rows<{ cents: number }>(
      t,
      `SELECT SUM(amount_cents) AS cents FROM expenditures
        WHERE share = 'federal' AND incurred_on <= ? AND recorded_on <= ?`,
      [today, today],
    );
    expect(Number(spent.cents)).toBeGreaterThan(0);
    const [programRow] = await rows<{ id: number }>(t, 'SELECT id FROM programs');
    expect(figuresRow(now.text, `program:${programRow.id}`).slice(0, 3)).toEqual(
      Array(3).fill(formatMoney(Number(spent.cents))),
    );
    // Seeding the demo writes about 1,700 audited rows; on a loaded CI machine that takes a while.
  }, 180_000);
});
