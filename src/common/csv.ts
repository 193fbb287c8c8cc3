/*
 * CSV downloads (DESIGN.md §5): the shape every report takes. A report names its columns with the
 * kind of value each holds — the kind decides the formatting (money as plain dollars with two
 * decimals, ISO dates) and the protection (text is neutralised against spreadsheet formulas; money
 * and numbers never are) — and yields its rows in a stable order, one keyset page at a time.
 */

import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Response } from 'express';
import { BOM, CsvKind, csvLine, formatCell, quote } from './csv-format';
import { centsToDecimal } from './money';

export interface CsvColumn<Row> {
  /** Stable snake_case header, e.g. `amount`. */
  name: string;
  kind: CsvKind;
  /**
   * text/date/timestamp: a string (or null → empty); money: integer cents; integer: a number. A
   * method, so that a report of any row type is also a CsvReport<unknown> (as report-routes.ts takes).
   */
  value(row: Row): string | number | null;
}

export interface CsvReport<Row> {
  /** File stem, e.g. `ledger`: the download is `ledger-<asOf>.csv`. */
  name: string;
  columns: CsvColumn<Row>[];
  /** Every row, in a stable order, one page (keyset on a unique key) at a time. */
  pages(): AsyncIterable<Row[]>;
  /**
   * Whether a row counts in the control totals (every row unless said): a report whose total rows
   * repeat other rows' amounts leaves them out, so each amount counts once — in the CSV's manifest
   * and the workbook's alike.
   */
  countsInTotals?(row: Row): boolean;
}

/**
 * A page of records whose CSV lines the database built itself (sqlLine, copyCell in csv-format.ts): the
 * lines, each ending CRLF, with the page's row count and its sum of every money column in cents.
 * A report may offer these besides its rows; the download then skips formatting in JavaScript.
 */
export interface CsvLinePage {
  /** A string, or its UTF-8 bytes (sent and hashed as they are). */
  text: string | Buffer;
  rows: number;
  /** Money column name → the page's sum, in cents. */
  totals: Record<string, number>;
}

export interface CsvLines {
  linePages?(): AsyncIterable<CsvLinePage>;
}

export interface CsvOptions {
  asOf: string;
  /** Starts the file with a UTF-8 byte-order mark (Excel on Windows reads UTF-8 only then). */
  bom: boolean;
  /** What the file name adds after the date, e.g. a filtered download's filters (see csvFilename). */
  fileTags?: string[];
}

export interface CsvManifest {
  report: string;
  parameters: Record<string, string>;
  as_of: string;
  row_count: number;
  /** Money column → its sum as plain dollars (`-1250.00`). */
  control_totals: Record<string, string>;
  /** Of the exact bytes of the CSV download, byte-order mark included when there is one. */
  sha256: string;
  bytes: number;
}

/**
 * `ledger-2026-11-27.csv`, or with tags `ledger-2026-11-27-DE-SC0031981-federal.csv`: a tag keeps
 * letters, digits, `.` and `_`, anything else becomes `-`, so the name needs no quoting.
 */
export const fileStem = (name: string, asOf: string, tags: string[] = []) =>
  [name, asOf, ...tags.map((tag) => tag.replace(/[^A-Za-z0-9._]+/g, '-'))].join('-');

export const csvFilename = (name: string, asOf: string, tags: string[] = []) =>
  `${fileStem(name, asOf, tags)}.csv`;

/**
 * The CSV text of a report, chunk by chunk (a chunk is a header or a whole page, as a string or as
 * UTF-8 bytes), with a running row count and control totals. The one generator both the download
 * and the manifest read, so the manifest's hash is of the very bytes the download sends.
 */
export async function* csvChunks<Row>(
  report: CsvReport<Row> & CsvLines,
  bom: boolean,
  tally: { rows: number; totals: Record<string, number> } = { rows: 0, totals: {} },
): AsyncGenerator<string | Buffer> {
  const money = report.columns.filter((c) => c.kind === 'money');
  for (const column of money) tally.totals[column.name] = 0;
  yield (bom ? BOM : '') + csvLine(report.columns.map((c) => quote(c.name)));
  if (report.linePages) {
    for await (const page of report.linePages()) {
      tally.rows += page.rows;
      for (const column of money) tally.totals[column.name] += page.totals[column.name] ?? 0;
      if (page.text.length > 0) yield page.text;
    }
    return;
  }
  for await (const rows of report.pages()) {
    let text = '';
    for (const row of rows) {
      text += csvLine(report.columns.map((c) => formatCell(c.kind, c.value(row))));
      if (report.countsInTotals && !report.countsInTotals(row)) continue;
      for (const column of money) tally.totals[column.name] += Number(column.value(row) ?? 0);
    }
    tally.rows += rows.length;
    if (text !== '') yield text;
  }
}

/** Headers for a report download (CSV or workbook): an attachment with its dated name, never cached. */
export function attachmentHeaders(res: Response, contentType: string, fileName: string): void {
  res.status(200);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

/**
 * Streams a report as CSV: headers first, then the header row and one page at a time, waiting for
 * 'drain' whenever the socket's buffer is full, so memory stays flat whatever the size. Stops early
 * when the client goes away. An error after the first bytes can only cut the response short.
 */
export async function sendCsv<Row>(
  res: Response,
  report: CsvReport<Row> & CsvLines,
  options: CsvOptions,
): Promise<void> {
  attachmentHeaders(
    res,
    'text/csv; charset=utf-8',
    csvFilename(report.name, options.asOf, options.fileTags),
  );
  const chunks = csvChunks(report, options.bom);
  try {
    for await (const chunk of chunks) {
      if (res.destroyed || res.writableEnded) break;
      const more = typeof chunk === 'string' ? res.write(chunk, 'utf8') : res.write(chunk);
      if (!more) await drained(res);
    }
  } catch (error) {
    res.destroy(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  if (!res.destroyed) res.end();
}

/** Resolves on 'drain', or on 'close' (the client left: the loop above then stops). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    // once(), not on(): compression() moves 'drain' listeners onto its zlib stream, where off() on the
    // response cannot reach them; a once() listener removes itself there when it fires.
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/**
 * The manifest of a download (issue 6): regenerates the same bytes into a SHA-256 and counts rows,
 * bytes and the sum of every money column, so an auditor can prove a file is the one the system
 * produced for these parameters and that date.
 */
export async function csvManifest<Row>(
  report: CsvReport<Row> & CsvLines,
  options: CsvOptions & { parameters: Record<string, string> },
): Promise<CsvManifest> {
  const hash = createHash('sha256');
  const tally = { rows: 0, totals: {} as Record<string, number> };
  let bytes = 0;
  for await (const chunk of csvChunks(report, options.bom, tally)) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    hash.update(buffer);
    bytes += buffer.length;
  }
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

/**
 * Keyset pages: `fetch(after, size)` returns up to `size` rows that follow `after` (the last row of
 * the previous page; undefined for the first) in the report's order. Stops at a short page.
 */
export async function* keysetPages<Row>(
  fetch: (after: Row | undefined, size: number) => Promise<Row[]>,
  size: number,
): AsyncGenerator<Row[]> {
  let after: Row | undefined;
  for (;;) {
    const rows = await fetch(after, size);
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    after = rows[rows.length - 1];
  }
}
