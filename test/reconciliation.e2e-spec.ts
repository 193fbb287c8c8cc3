import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { Clock } from '../src/common/clock';
import { formatMoney } from '../src/common/money';
import { DemoSeedService } from '../src/demo/demo-seed.service';
import {
  makeAmendment,
  makeBudgetPeriods,
  makeGrant,
  makeGrantWithProgram,
  makePlannedSpend,
  spend,
} from './helpers/factories';
import { pageText as plain } from './helpers/html';
import { freshAppPerTest, rows, TestApp } from './helpers/test-app';

/** The cells of the figures table's row for a subject (`grant:3`, `program:1`). */
function figuresRow(html: string, key: string): string[] {
  const start = html.indexOf('data-testid="figures"');
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

  // Created after AS_OF: not in any as-of register.
  const late = await makeGrant(t, {
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

    // Ledger | burn-down actual | register spent | register obligated | burn-down obligated | agrees
    // 45,000.01 + 12,500.00 − 12,500.00; the late-recorded and later-incurred entries are out.
    expect(figuresRow(res.text, `grant:${grant.id}`)).toEqual([
      '$45,000.01',
      '$45,000.01',
      '$45,000.01',
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
      'Yes',
    ]);
    expect(figuresRow(res.text, `program:${program.id}`)).toEqual([
      '$65,333.34',
      '$65,333.34',
      '$65,333.34',
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
    expect(figuresRow(res.text, `grant:${other.id}`)[5]).toBe('No');
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
      generated_by: 'auditor@example.gov',
    });
    expect(
      (manifest.body as { control_totals: Record<string, string> }).control_totals
        .ledger_federal_spent,
    ).toBe('796666.68'); // each program counted twice: (65,333.34 + 333,000.00) × 2
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
