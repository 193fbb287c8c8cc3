/*
 * Excel downloads (issue 15): the .xlsx twin of every CSV report. The same columns, rows and
 * control totals as the CSV, but typed cells, so a spreadsheet cannot reinterpret them: text kinds
 * (award numbers, references, hashes: `0001234`, `1E5`, `3/4`) are text cells, money is a number of
 * dollars (cents / 100) with a currency format, dates are Excel dates (UTC midnight), timestamps
 * date-times, integers numbers. Text needs no neutralising here: a text cell is never a formula.
 *
 * Streamed with exceljs's WorkbookWriter, one keyset page at a time, and deterministic — the same
 * report gives the same bytes — so the manifest can hash a regenerated workbook, as the CSV's does.
 */

import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Response } from 'express';
import { attachmentHeaders, fileStem } from './csv';
import type { CsvLines, CsvManifest, CsvReport } from './csv';
import type { CsvKind } from './csv-format';
import { centsToDecimal } from './money';

export const XLSX_CONTENT_TYPE =
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const xlsxFilename = (name: string, asOf: string, tags: string[] = []) =>
  `${fileStem(name, asOf, tags)}.xlsx`;

export interface XlsxOptions {
  asOf: string;
  /** What the Manifest sheet lists as the parameters (the report's own, then asOf). */
  parameters: Record<string, string>;
  /** What the file name adds after the date (see fileStem in csv.ts). */
  fileTags?: string[];
}

/** Of the exact bytes of the .xlsx download. */
export type XlsxManifest = CsvManifest;

const FORMATS: Record<CsvKind, string> = {
  text: '@',
  money: '"$"#,##0.00;-"$"#,##0.00',
  date: 'yyyy-mm-dd',
  timestamp: 'yyyy-mm-dd hh:mm:ss',
  integer: '0',
};

const WIDTHS: Record<CsvKind, number> = {
  text: 18,
  money: 16,
  date: 12,
  timestamp: 20,
  integer: 10,
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Excel has no dates before 1900 (and its 1900 leap-year bug before March): keep those as text. */
const FIRST_EXCEL_DAY = Date.UTC(1900, 2, 1);

/**
 * A CSV column's value as a typed cell value. A date or timestamp that is not ISO (or before
 * Excel's calendar) stays text rather than fail the download; null is an empty cell.
 */
export function xlsxCell(
  kind: CsvKind,
  value: string | number | null | undefined,
): string | number | Date | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'money':
      // Integer cents / 100 is the double nearest the decimal, which Excel writes back as it is.
      return Number(value) / 100;
    case 'integer': {
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw new Error(`Not an integer: ${String(value)}`);
      return n;
    }
    case 'date': {
      const match = DATE.exec(String(value));
      if (!match) return String(value);
      const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
      return time >= FIRST_EXCEL_DAY ? new Date(time) : String(value);
    }
    case 'timestamp': {
      const text = String(value);
      if (!TIMESTAMP.test(text)) return text;
      const iso = text.replace(' ', 'T');
      const time = Date.parse(/Z|[+-]\d{2}:?\d{2}$/.test(iso.slice(10)) ? iso : `${iso}Z`);
      return Number.isNaN(time) || time < FIRST_EXCEL_DAY ? text : new Date(time);
    }
    case 'text':
      return String(value);
  }
}

/**
 * exceljs stamps its zip entries with the time of writing (archiver's default), so two downloads
 * a second apart would differ. Its first use of the archive is addThemes(), inside its own
 * constructor, before any entry is added: there every entry gets the workbook's fixed date.
 */
class DeterministicWorkbookWriter extends ExcelJS.stream.xlsx.WorkbookWriter {
  override addThemes(): Promise<void> {
    const self = this as unknown as {
      created: Date;
      zip: { append(source: unknown, data: object): unknown };
    };
    const append = self.zip.append.bind(self.zip);
    self.zip.append = (source, data) => append(source, { ...data, date: self.created });
    return super.addThemes();
  }
}

interface Tally {
  rows: number;
  totals: Record<string, number>;
}

/**
 * Writes the workbook of a report to `stream`: the report's sheet (a bold, frozen header row of the
 * CSV's column names, then every row) and a Manifest sheet (name, parameters, asOf, row count and
 * control totals, counted as the rows go). Between pages it waits while `stream` is full, so memory
 * holds about one page whatever the size. Resolves when the zip is finished.
 */
export async function writeXlsx<Row>(
  stream: Writable,
  report: CsvReport<Row> & CsvLines,
  options: XlsxOptions,
): Promise<Tally> {
  const created = new Date(`${options.asOf}T00:00:00Z`);
  // exceljs reads these document properties from its options (its types leave them out).
  const writerOptions: Partial<ExcelJS.stream.xlsx.WorkbookStreamWriterOptions> = {
    stream,
    useStyles: true,
    useSharedStrings: false,
    ...{ created, modified: created, creator: 'Grant tracker', lastModifiedBy: 'Grant tracker' },
  };
  const workbook = new DeterministicWorkbookWriter(writerOptions);
  const frozen: Partial<ExcelJS.WorksheetView>[] = [{ state: 'frozen', xSplit: 0, ySplit: 1 }];
  const sheet = workbook.addWorksheet(report.name.slice(0, 31), { views: frozen });
  sheet.columns = report.columns.map((c) => ({
    key: c.name,
    width: Math.max(WIDTHS[c.kind], c.name.length + 2),
    style: { numFmt: FORMATS[c.kind] },
  }));
  header(
    sheet,
    report.columns.map((c) => c.name),
  );

  const money = report.columns.filter((c) => c.kind === 'money');
  const tally: Tally = { rows: 0, totals: {} };
  for (const column of money) tally.totals[column.name] = 0;
  for await (const rows of report.pages()) {
    if (stream.destroyed) break;
    for (const row of rows) {
      sheet.addRow(report.columns.map((c) => xlsxCell(c.kind, c.value(row)))).commit();
      if (report.countsInTotals && !report.countsInTotals(row)) continue;
      for (const column of money) tally.totals[column.name] += Number(column.value(row) ?? 0);
    }
    tally.rows += rows.length;
    await flowed(stream, sheet);
  }
  sheet.commit();

  const manifest = workbook.addWorksheet('Manifest', { views: frozen });
  manifest.columns = [
    { key: 'field', width: 28 },
    { key: 'value', width: 28 },
  ];
  header(manifest, ['field', 'value']);
  const text = { numFmt: FORMATS.text };
  const line = (field: string, value: string | number | Date, style: object = text) => {
    const row = manifest.addRow([field, value]);
    row.getCell(1).style = text;
    row.getCell(2).style = style;
    row.commit();
  };
  line('report', report.name);
  for (const [name, value] of Object.entries(options.parameters)) {
    line(`parameters.${name}`, value);
  }
  line('as_of', xlsxCell('date', options.asOf) ?? options.asOf, { numFmt: FORMATS.date });
  line('row_count', tally.rows, { numFmt: FORMATS.integer });
  for (const [name, cents] of Object.entries(tally.totals)) {
    line(`control_totals.${name}`, cents / 100, { numFmt: FORMATS.money });
  }
  manifest.commit();
  await workbook.commit();
  return tally;
}

function header(sheet: ExcelJS.Worksheet, names: string[]): void {
  const row = sheet.addRow(names);
  row.eachCell((cell) => {
    cell.style = { font: { bold: true }, numFmt: FORMATS.text };
  });
  row.commit();
}

/**
 * The writables a worksheet's rows go into: exceljs's sheet buffer pipes each 64 KB batch into the
 * zip's deflater without waiting for it, so a fast producer would pile every row up in the
 * deflater's buffer (measured: +586 MB for a million-row ledger). Waiting on them as well bounds it.
 */
function sheetPipes(sheet: ExcelJS.Worksheet): Writable[] {
  const buffer = (sheet as unknown as { stream?: { pipes?: Writable[] } }).stream;
  return (buffer?.pipes ?? []).filter((pipe) => typeof pipe.on === 'function');
}

type OldWritable = {
  _writableState?: { length: number; highWaterMark: number; needDrain: boolean };
};

/**
 * Whether a writable's buffer is full. Node's own streams say so; archiver's are readable-stream 2
 * PassThroughs, which predate `writableNeedDrain` and keep it in their state.
 */
function full(writable: Writable): boolean {
  if (writable.writableNeedDrain !== undefined) return writable.writableNeedDrain;
  const state = (writable as unknown as OldWritable)._writableState;
  return state ? state.needDrain || state.length >= state.highWaterMark : false;
}

/**
 * Lets the rows just written reach the stream (exceljs deflates them asynchronously), then waits
 * for 'drain' while the sheet's deflater or the stream is full (or 'close': the client left, and
 * the loop stops).
 */
async function flowed(stream: Writable, sheet: ExcelJS.Worksheet): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  for (const writable of [...sheetPipes(sheet), stream]) {
    while (full(writable) && !writable.destroyed && !stream.destroyed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          writable.off('drain', done);
          writable.off('close', done);
          stream.off('close', done);
          resolve();
        };
        writable.on('drain', done);
        writable.on('close', done);
        stream.on('close', done);
      });
    }
  }
}

/**
 * Streams a report as a workbook. An error after the first bytes can only cut the response short
 * (a truncated zip, which no spreadsheet opens as complete).
 */
export async function sendXlsx<Row>(
  res: Response,
  report: CsvReport<Row> & CsvLines,
  options: XlsxOptions,
): Promise<void> {
  attachmentHeaders(
    res,
    XLSX_CONTENT_TYPE,
    xlsxFilename(report.name, options.asOf, options.fileTags),
  );
  try {
    await writeXlsx(res, report, options);
  } catch (error) {
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * The manifest of an .xlsx download: generates the same workbook into a SHA-256 and a byte count
 * (it is deterministic, so these are of the bytes a download sends), with the rows and control
 * totals the Manifest sheet holds.
 */
export async function xlsxManifest<Row>(
  report: CsvReport<Row> & CsvLines,
  options: XlsxOptions,
): Promise<XlsxManifest> {
  const hash = createHash('sha256');
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback();
    },
  });
  const tally = await writeXlsx(sink, report, options);
  return {
    report: report.name,
    parameters: options.parameters,
    as_of: options.asOf,
    row_count: tally.rows,
    control_totals: Object.fromEntries(
      Object.entries(tally.totals).map(([name, cents]) => [name, centsToDecimal(cents)]),
    ),
    sha256: hash.digest('hex'),
    bytes,
  };
}
