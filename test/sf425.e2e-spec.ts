import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { Clock } from '../src/common/clock';
import {
  makeAmendment,
  makeBudgetPeriods,
  makeExpenditure,
  makeGrantWithProgram,
  spend,
} from './helpers/factories';
import { pageText as plain } from './helpers/html';
import { freshAppPerTest, rows, TestApp } from './helpers/test-app';

/** The cells of one reporting period's row of the SF-425 table. */
function quarterRow(html: string, quarter: string): string[] {
  const match = new RegExp(`<tr data-quarter="${quarter}"[^>]*>([\\s\\S]*?)</tr>`).exec(html);
  if (!match) throw new Error(`No row for ${quarter}`);
  return [...match[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) => plain(cell[1]));
}

/** CSV bytes as the client got them (supertest does not buffer text/csv into `text`). */
const binary = (res: { body: unknown }) => res.body as Buffer;
function asBuffer(res: { text?: string; body: unknown }): Buffer {
  return Buffer.isBuffer(res.body) ? binary(res) : Buffer.from(res.text ?? '', 'utf8');
}

const AS_OF = '2026-02-10';

/**
 * A grant of Aug 1, 2025 – Jun 30, 2026 under a program requiring 20 % cost share, committing
 * $100,000.01. Every figure the tests expect is worked out by hand from these rows.
 */
async function fixture(t: TestApp) {
  const { grant } = await makeGrantWithProgram(
    t,
    { name: 'SF-425 Program', costSharePercent: 20 },
    {
      awardNumber: 'DE-SC0042501',
      startDate: '2025-08-01',
      endDate: '2026-06-30',
      costShareCommittedCents: 100_000_01,
    },
  );
  await makeBudgetPeriods(t, grant.id, [{ startDate: '2025-08-01', endDate: '2026-06-30' }]);
  await makeAmendment(t, {
    grantId: grant.id,
    federalChangeCents: 500_000_00,
    effectiveDate: '2025-08-01',
  });
  await makeAmendment(t, {
    grantId: grant.id,
    federalChangeCents: 250_000_00,
    effectiveDate: '2025-11-15',
  });
  // Effective after AS_OF: counts only for a later asOf.
  await makeAmendment(t, {
    grantId: grant.id,
    federalChangeCents: 100_000_00,
    effectiveDate: '2026-03-01',
  });

  await spend(t, grant.id, '2025-08-20', 40_000_00);
  await spend(t, grant.id, '2025-09-15', 12_345_67);
  const mistake = await spend(t, grant.id, '2025-10-05', 30_000_00);
  await spend(t, grant.id, '2025-10-05', -30_000_00, {
    reversalOf: mistake.id,
    recordedOn: '2025-10-10',
  });
  await spend(t, grant.id, '2025-10-06', 29_000_00);
  // Incurred in Q4 2025 but recorded after AS_OF: unknown on AS_OF.
  await spend(t, grant.id, '2025-12-20', 5_000_00, { recordedOn: '2026-02-20' });
  await spend(t, grant.id, '2026-01-15', 10_000_00, { recordedOn: '2026-01-16' });
  // Incurred after AS_OF.
  await spend(t, grant.id, '2026-02-12', 1_000_00);

  await spend(t, grant.id, '2025-09-01', 8_000_00, { share: 'cost_share' });
  await spend(t, grant.id, '2025-12-01', 4_000_50, { share: 'cost_share' });
  await spend(t, grant.id, '2026-02-01', 2_000_00, { share: 'cost_share' });
  return grant;
}

const HEADER = [
  'award_number',
  'quarter',
  'report',
  'quarter_start',
  'quarter_end',
  'period_end',
  'partial',
  'due_date',
  'federal_authorized_10d',
  'federal_expenditures_10e',
  'federal_unliquidated_10f',
  'federal_share_10g',
  'unobligated_balance_10h',
  'recipient_share_required_10i',
  'recipient_expenditures_10j',
  'recipient_share_remaining_10k',
];

describe('SF-425 view (HTTP)', () => {
  const t = freshAppPerTest();

  it('should show every reporting period with lines 10d–10k to the cent, as of a date', async () => {
    const grant = await fixture(t);
    const res = await t.http().get(`/grants/${grant.id}/sf425?asOf=${AS_OF}`);
    expect(res.status).toBe(200);
    // Quarter | report | period end | due | 10d 10e 10f 10g 10h 10i 10j 10k
    expect(quarterRow(res.text, '2025-Q3')).toEqual([
      'Jul–Sep 2025',
      'Quarterly',
      'Sep 30, 2025',
      'Oct 30, 2025',
      '$500,000.00',
      '$52,345.67', // 40,000.00 + 12,345.67
      '$0.00',
      '$52,345.67',
      '$447,654.33',
      '$120,000.01', // 20 % of (500,000.00 + 100,000.01), rounded up
      '$8,000.00',
      '$112,000.01',
    ]);
    expect(quarterRow(res.text, '2025-Q4')).toEqual([
      'Oct–Dec 2025',
      'Quarterly',
      'Dec 31, 2025',
      'Jan 30, 2026',
      '$750,000.00',
      '$81,345.67', // + 30,000.00 − 30,000.00 (reversed) + 29,000.00; the 5,000.00 recorded later is out
      '$0.00',
      '$81,345.67',
      '$668,654.33',
      '$170,000.01', // 20 % of 850,000.01
      '$12,000.50',
      '$157,999.51',
    ]);
    expect(quarterRow(res.text, '2026-Q1')).toEqual([
      'Jan–Mar 2026',
      'Quarterly',
      'Feb 10, 2026 (to date)',
      'Apr 30, 2026',
      '$750,000.00', // the March amendment is after asOf
      '$91,345.67',
      '$0.00',
      '$91,345.67',
      '$658,654.33',
      '$170,000.01',
      '$14,000.50',
      '$155,999.51',
    ]);
    expect(res.text).not.toContain('data-quarter="2026-Q2"');
    // Handlebars escapes `=` in attribute values as `&#x3D;`.
    const links = res.text.replace(/&#x3D;/g, '=');
    expect(links).toContain(`href="/grants/${grant.id}/sf425.csv?asOf=${AS_OF}"`);
    expect(links).toContain(`href="/grants/${grant.id}/sf425.csv?asOf=${AS_OF}&amp;bom=1"`);
    expect(links).toContain(`href="/grants/${grant.id}/sf425.manifest.json?asOf=${AS_OF}"`);
  });

  it('should end with the final report, due 120 days after the end date, once asOf passes it', async () => {
    const grant = await fixture(t);
    const res = await t.http().get(`/grants/${grant.id}/sf425?asOf=2026-11-30`);
    expect(res.status).toBe(200);
    // The entry recorded on Feb 20 now counts in Q4 2025.
    expect(quarterRow(res.text, '2025-Q4')[5]).toBe('$86,345.67');
    expect(quarterRow(res.text, '2026-Q2')).toEqual([
      'Apr–Jun 2026',
      'Final',
      'Jun 30, 2026',
      'Oct 28, 2026',
      '$850,000.00',
      '$97,345.67',
      '$0.00',
      '$97,345.67',
      '$752,654.33',
      '$190,000.01', // 20 % of 950,000.01
      '$14,000.50',
      '$175,999.51',
    ]);
    expect(res.text).not.toContain('data-quarter="2026-Q3"');
  });

  it('should download the same figures as CSV, each equal to the database sums', async () => {
    const grant = await fixture(t);
    const auditor = await t.as('auditor');
    const res = await auditor.get(`/grants/${grant.id}/sf425.csv?asOf=${AS_OF}`).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="sf425-DE-SC0042501-${AS_OF}.csv"`,
    );
    expect(res.headers['cache-control']).toBe('no-store');
    const text = asBuffer(res).toString('utf8');
    expect(text.startsWith('award_number,')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(5); // header, three periods, the final CRLF
    const records = parse<Record<string, string>>(text, { columns: true });
    expect(Object.keys(records[0])).toEqual(HEADER);
    expect(records.map((r) => [r.quarter, r.period_end, r.partial, r.due_date])).toEqual([
      ['2025-Q3', '2025-09-30', 'no', '2025-10-30'],
      ['2025-Q4', '2025-12-31', 'no', '2026-01-30'],
      ['2026-Q1', '2026-02-10', 'yes', '2026-04-30'],
    ]);
    expect(records[2]).toMatchObject({
      award_number: 'DE-SC0042501',
      report: 'quarterly',
      federal_authorized_10d: '750000.00',
      federal_expenditures_10e: '91345.67',
      federal_unliquidated_10f: '0.00',
      federal_share_10g: '91345.67',
      unobligated_balance_10h: '658654.33',
      recipient_share_required_10i: '170000.01',
      recipient_expenditures_10j: '14000.50',
      recipient_share_remaining_10k: '155999.51',
    });

    for (const record of records) {
      const [db] = await rows<{ authorized: number; federal: number; recipient: number }>(
        t,
        `SELECT (SELECT COALESCE(SUM(federal_change_cents), 0) FROM amendments
                  WHERE grant_id = ? AND effective_date <= ?) AS authorized,
                (SELECT COALESCE(SUM(amount_cents), 0) FROM expenditures
                  WHERE grant_id = ? AND share = 'federal' AND incurred_on <= ? AND recorded_on <= ?) AS federal,
                (SELECT COALESCE(SUM(amount_cents), 0) FROM expenditures
                  WHERE grant_id = ? AND share = 'cost_share' AND incurred_on <= ? AND recorded_on <= ?) AS recipient`,
        [
          grant.id,
          record.period_end,
          grant.id,
          record.period_end,
          AS_OF,
          grant.id,
          record.period_end,
          AS_OF,
        ],
      );
      const cents = (dollars: string) => Math.round(Number(dollars) * 100);
      expect(cents(record.federal_authorized_10d)).toBe(Number(db.authorized));
      expect(cents(record.federal_expenditures_10e)).toBe(Number(db.federal));
      expect(cents(record.recipient_expenditures_10j)).toBe(Number(db.recipient));
      expect(cents(record.unobligated_balance_10h)).toBe(
        Number(db.authorized) - Number(db.federal),
      );
    }
  });

  it('should describe the exact CSV bytes in the manifest, with a byte-order mark when asked', async () => {
    const grant = await fixture(t);
    for (const bom of [false, true]) {
      const query = `asOf=${AS_OF}${bom ? '&bom=1' : ''}`;
      const csv = await t.http().get(`/grants/${grant.id}/sf425.csv?${query}`).buffer(true);
      const bytes = asBuffer(csv);
      expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(bom);
      const res = await t.http().get(`/grants/${grant.id}/sf425.manifest.json?${query}`);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({
        report: 'sf425-DE-SC0042501',
        as_of: AS_OF,
        row_count: 3,
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        parameters: { grantId: String(grant.id), asOf: AS_OF, bom: bom ? '1' : '0' },
      });
      // 52,345.67 + 81,345.67 + 91,345.67
      expect((res.body as { control_totals: Record<string, string> }).control_totals).toMatchObject(
        {
          federal_expenditures_10e: '225037.01',
          federal_unliquidated_10f: '0.00',
        },
      );
    }
  });

  it('should regenerate byte-identical CSV for the same asOf however much is entered afterwards', async () => {
    const grant = await fixture(t);
    const path = `/grants/${grant.id}/sf425.csv?asOf=${AS_OF}`;
    const before = asBuffer(await t.http().get(path).buffer(true));
    // Recorded today (after AS_OF) though incurred before it; an amendment effective after AS_OF.
    // The office's today, not UTC's: in the evening in New York they differ.
    const recordedOn = t.app.get(Clock).today();
    await makeExpenditure(t, {
      grantId: grant.id,
      amountCents: 7_00,
      incurredOn: '2025-09-02',
      recordedOn,
    });
    await makeExpenditure(t, {
      grantId: grant.id,
      amountCents: 3_00,
      incurredOn: '2025-09-03',
      share: 'cost_share',
      recordedOn,
    });
    await makeAmendment(t, {
      grantId: grant.id,
      federalChangeCents: 1_00,
      effectiveDate: '2026-02-11',
    });
    const after = asBuffer(await t.http().get(path).buffer(true));
    expect(after.equals(before)).toBe(true);
    // The entries do count for today.
    const today = asBuffer(await t.http().get(`/grants/${grant.id}/sf425.csv`).buffer(true));
    expect(today.toString('utf8')).toContain(
      '2025-Q3,quarterly,2025-07-01,2025-09-30,2025-09-30,no,2025-10-30,500000.00,52352.67,',
    );
  });

  it('should default asOf to the office’s today, refuse a bad date or bom with 400, and an unknown grant with 404', async () => {
    const grant = await fixture(t);
    const today = t.app.get(Clock).today();
    const page = await t.http().get(`/grants/${grant.id}/sf425`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`value="${today}"`);
    const csv = await t.http().get(`/grants/${grant.id}/sf425.csv`);
    expect(csv.headers['content-disposition']).toContain(`-${today}.csv"`);

    const bad = await t.http().get(`/grants/${grant.id}/sf425?asOf=2026-02-30`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('asOf must be a real date as YYYY-MM-DD');
    expect((await t.http().get(`/grants/${grant.id}/sf425.csv?asOf=yesterday`)).status).toBe(400);
    expect((await t.http().get(`/grants/${grant.id}/sf425.csv?bom=yes`)).status).toBe(400);
    expect((await t.http().get(`/grants/${grant.id + 99}/sf425`)).status).toBe(404);
  });

  it('should owe no report before the grant starts', async () => {
    const grant = await fixture(t);
    const res = await t.http().get(`/grants/${grant.id}/sf425?asOf=2025-07-31`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('No report is owed yet');
    const csv = await t.http().get(`/grants/${grant.id}/sf425.csv?asOf=2025-07-31`).buffer(true);
    expect(asBuffer(csv).toString('utf8').split('\r\n')).toEqual([HEADER.join(','), '']);
  });
});
