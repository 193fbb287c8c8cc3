import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { Clock } from '../src/common/clock';
import { CsvManifest } from '../src/common/csv';
import { XLSX_CONTENT_TYPE } from '../src/common/xlsx';
import { REPORT_CATALOG } from '../src/reports/report-catalog';
import { makeExpenditure, makeGrant, makeGrantWithProgram } from './helpers/factories';
import { freshAppPerTest, TestApp } from './helpers/test-app';
import { download } from './helpers/downloads';

const AS_OF = '2026-06-30';
const RECORDED = '2026-06-01T15:00:00.000Z';

/** What a spreadsheet turns into a number or a date when it reads them from a CSV. */
const LOOKS_NUMERIC = ['0001234', '1E5', '3/4'];

async function workbookOf(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook;
}

/** A sheet's data rows as { header: cell }, header row apart. */
function recordsOf(sheet: ExcelJS.Worksheet): Record<string, ExcelJS.Cell>[] {
  const headers = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
  const records: Record<string, ExcelJS.Cell>[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    records.push(Object.fromEntries(headers.map((h, i) => [h, row.getCell(i + 1)])));
  }
  return records;
}

/** The Manifest sheet as field → value. */
function manifestSheet(workbook: ExcelJS.Workbook): Record<string, ExcelJS.CellValue> {
  const sheet = workbook.getWorksheet('Manifest')!;
  const fields: Record<string, ExcelJS.CellValue> = {};
  for (let r = 2; r <= sheet.rowCount; r++) {
    fields[sheet.getCell(r, 1).text] = sheet.getCell(r, 2).value;
  }
  return fields;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const csvRecords = (bytes: Buffer) =>
  parse<Record<string, string>>(bytes, { columns: true, bom: true });

async function fixture(t: TestApp) {
  const { program, recipient, grant } = await makeGrantWithProgram(
    t,
    {},
    { awardNumber: '0001234' },
  );
  const others = [];
  for (const awardNumber of ['1E5', '3/4']) {
    others.push(
      await makeGrant(t, { programId: program.id, recipientId: recipient.id, awardNumber }),
    );
  }
  const amounts = [1234_56, 1, 30, 10, 123_456_789_01];
  const entries = [];
  for (const [i, reference] of [...LOOKS_NUMERIC, '=SUM(A1:A9)', 'INV-1'].entries()) {
    entries.push(
      await makeExpenditure(t, {
        grantId: i % 2 === 0 ? grant.id : others[0].id,
        amountCents: amounts[i],
        incurredOn: `2025-05-1${i}`,
        reference,
        recordedAt: RECORDED,
      }),
    );
  }
  await makeExpenditure(t, {
    grantId: others[0].id,
    amountCents: -1_00,
    reversalOf: entries[1].id,
    incurredOn: '2025-06-01',
    reference: '1E5',
    recordedAt: RECORDED,
  });
  return { program, grant, others };
}

describe('Excel downloads (HTTP)', () => {
  const t = freshAppPerTest();

  it('should type every cell of the ledger: references as text, money to the cent, dates as dates', async () => {
    await fixture(t);
    const auditor = await t.as('auditor');
    const { res, bytes } = await download(auditor, `/reports/ledger.xlsx?asOf=${AS_OF}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX_CONTENT_TYPE);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="ledger-${AS_OF}.xlsx"`);
    expect(res.headers['cache-control']).toBe('no-store');

    const csv = await download(auditor, `/reports/ledger.csv?asOf=${AS_OF}`);
    const expected = csvRecords(csv.bytes);
    const workbook = await workbookOf(bytes);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['ledger', 'Manifest']);
    const sheet = workbook.getWorksheet('ledger')!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(Object.keys(expected[0]));

    const records = recordsOf(sheet);
    expect(records).toHaveLength(expected.length);
    expect(records.map((r) => r.reference.value)).toEqual([
      ...LOOKS_NUMERIC,
      '=SUM(A1:A9)',
      'INV-1',
      '1E5',
    ]);
    for (const [i, record] of records.entries()) {
      for (const name of ['award_number', 'reference', 'category', 'share', 'recorded_by']) {
        expect({ name, type: record[name].type }).toEqual({ name, type: ExcelJS.ValueType.String });
      }
      expect(record.award_number.value).toBe(expected[i].award_number);
      expect(record.amount.type).toBe(ExcelJS.ValueType.Number);
      expect(((record.amount.value as number) * 100).toFixed(0)).toBe(
        expected[i].amount.replace('.', '').replace(/^(-?)0+(?=\d)/, '$1'),
      );
      expect(record.amount.value).toBe(Number(expected[i].amount));
      expect(record.amount.numFmt).toContain('#,##0.00');
      expect(record.incurred_on.value).toEqual(new Date(`${expected[i].incurred_on}T00:00:00Z`));
      expect(record.incurred_on.numFmt).toBe('yyyy-mm-dd');
      expect(record.recorded_at.value).toEqual(new Date(expected[i].recorded_at));
      expect(record.id.value).toBe(Number(expected[i].id));
      expect(record.budget_period.type).toBe(ExcelJS.ValueType.Number);
    }
    expect(records.map((r) => r.award_number.value)).toEqual([
      '0001234',
      '1E5',
      '0001234',
      '1E5',
      '0001234',
      '1E5',
    ]);
    expect(records.map((r) => r.amount.value)).toEqual([1234.56, 0.01, 0.3, 0.1, 123456789.01, -1]);
    expect(records[5].reversal_of.value).toBe(records[1].id.value);
  });

  it('should hold the CSV manifest’s figures in the Manifest sheet and hash the exact bytes served', async () => {
    const { others } = await fixture(t);
    const auditor = await t.as('auditor');
    const query = `?asOf=${AS_OF}&grantId=${others[0].id}`;
    const csvManifest = (await auditor.get(`/reports/ledger.manifest.json${query}`))
      .body as CsvManifest;
    const first = await download(auditor, `/reports/ledger.xlsx${query}`);
    const manifest = (await auditor.get(`/reports/ledger.xlsx.manifest.json${query}`))
      .body as CsvManifest;
    expect(manifest).toEqual({
      ...csvManifest,
      parameters: { grantId: String(others[0].id), asOf: AS_OF },
      sha256: sha256(first.bytes),
      bytes: first.bytes.length,
    });
    expect(csvManifest.row_count).toBe(3);

    const sheet = manifestSheet(await workbookOf(first.bytes));
    expect(sheet).toEqual({
      report: 'ledger',
      'parameters.grantId': String(others[0].id),
      'parameters.asOf': AS_OF,
      as_of: new Date(`${AS_OF}T00:00:00Z`),
      row_count: csvManifest.row_count,
      'control_totals.amount': Number(csvManifest.control_totals.amount),
    });

    // Past a zip timestamp's two-second grain: the bytes still do not change.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const second = await download(auditor, `/reports/ledger.xlsx${query}`);
    expect(second.bytes.equals(first.bytes)).toBe(true);
  });

  it('should keep the audit trail’s hashes as text, the all-zero one included', async () => {
    await fixture(t);
    const auditor = await t.as('auditor');
    // As of today: the trail from its first event, whose previous hash is all zeros.
    const today = t.app.get(Clock).today();
    const { bytes } = await download(auditor, `/reports/audit.xlsx?asOf=${today}`);
    const records = recordsOf((await workbookOf(bytes)).getWorksheet('audit')!);
    expect(records.length).toBeGreaterThan(0);
    expect(records[0].prev_hash.value).toMatch(/^0{64}$/);
    for (const record of records) {
      expect(record.prev_hash.type).toBe(ExcelJS.ValueType.String);
      expect(record.hash.type).toBe(ExcelJS.ValueType.String);
      expect(record.occurred_at.value).toBeInstanceOf(Date);
    }
  });

  it('should answer every report of the catalog as .xlsx with the CSV’s rows and control totals', async () => {
    const { program, grant } = await fixture(t);
    const auditor = await t.as('auditor');
    for (const entry of REPORT_CATALOG.filter((e) => e.csv !== false)) {
      const path = entry.path.replace(':id', String(grant.id));
      const extra = entry.parameters.includes('programId') ? `&programId=${program.id}` : '';
      const query = `?asOf=${AS_OF}${extra}`;
      const { res, bytes } = await download(auditor, `${path}.xlsx${query}`);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      const name = /filename="(.+)-\d{4}-\d{2}-\d{2}\.xlsx"/.exec(
        String(res.headers['content-disposition']),
      )?.[1];
      const csv = (await auditor.get(`${path}.manifest.json${query}`)).body as CsvManifest;
      const xlsx = (await auditor.get(`${path}.xlsx.manifest.json${query}`)).body as CsvManifest;
      expect({ path, name, sha256: xlsx.sha256 }).toEqual({
        path,
        name: csv.report,
        sha256: sha256(bytes),
      });
      expect({ path, rows: xlsx.row_count, totals: xlsx.control_totals }).toEqual({
        path,
        rows: csv.row_count,
        totals: csv.control_totals,
      });
      const workbook = await workbookOf(bytes);
      expect({ path, rows: workbook.worksheets[0].rowCount - 1 }).toEqual({
        path,
        rows: csv.row_count,
      });
      expect(manifestSheet(workbook).row_count).toBe(csv.row_count);
    }
  });

  it('should link each report page and the index to its workbook and the workbook’s manifest', async () => {
    const { program, grant } = await fixture(t);
    const auditor = await t.as('auditor');
    const index = (await auditor.get(`/reports?programId=${program.id}`)).text.replace(
      /&#x3D;/g,
      '=',
    );
    for (const entry of REPORT_CATALOG.filter((e) => e.csv !== false)) {
      const path = entry.path.replace(':id', String(grant.id));
      const extra = entry.parameters.includes('programId') ? `&programId=${program.id}` : '';
      const page = await auditor.get(`${path}?asOf=${AS_OF}${extra}`);
      const links = [
        ...page.text.matchAll(/href="([^"]+\.xlsx(?:\.manifest\.json)?\?[^"]*)"/g),
      ].map((m) => m[1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '='));
      expect({ path, links: links.length }).toEqual({ path, links: 2 });
      for (const link of links) {
        expect(link).toContain(`asOf=${AS_OF}`);
        const res = await auditor.get(link);
        expect({ link, status: res.status }).toEqual({ link, status: 200 });
      }
      if (entry.path.includes(':id')) {
        // A report of one grant: the index's form names it, and /reports/for-grant redirects.
        expect(index).toContain(`<input type="hidden" name="report" value="${entry.name}">`);
        expect(index).toContain(`<option value="${grant.id}">`);
        for (const format of ['xlsx', 'xlsx-manifest']) {
          const res = await auditor.get(
            `/reports/for-grant?report=${entry.name}&grantId=${grant.id}&asOf=${AS_OF}&format=${format}`,
          );
          const suffix = format === 'xlsx' ? '.xlsx' : '.xlsx.manifest.json';
          expect({ format, status: res.status, location: res.headers.location }).toEqual({
            format,
            status: 303,
            location: `${path}${suffix}?asOf=${AS_OF}`,
          });
        }
        continue;
      }
      expect({ path, index: index.includes(`${path}.xlsx?asOf=`) }).toEqual({
        path,
        index: true,
      });
    }
  });

  it('should refuse an asOf after today for the workbook and its manifest', async () => {
    const auditor = await t.as('auditor');
    const tomorrow = new Date(`${t.app.get(Clock).today()}T00:00:00Z`);
    tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
    for (const url of ['/reports/grants.xlsx', '/reports/grants.xlsx.manifest.json']) {
      const res = await auditor.get(`${url}?asOf=${tomorrow.toISOString().slice(0, 10)}`);
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
    }
  });
});
