import { BadRequestException } from '@nestjs/common';
import { CsvColumn, CsvReport, keysetPages } from '../common/csv';

/** A row's position in a register's order: the values of its ORDER BY columns, last one unique. */
export type Key = (string | number)[];

/** Rows per keyset page, for the CSV stream and for an HTML page. */
export const CSV_PAGE_SIZE = 1000;
export const HTML_PAGE_SIZE = 100;

/**
 * A report whose rows come from one SQL query in a stable order: `fetch` returns the rows after a key
 * (or from the top), at most `limit` of them. The SQL compares row values, `(a, b, id) > (:k0, :k1,
 * :k2)`, which SQLite and PostgreSQL both answer from an index where there is one.
 */
export interface Register<Row> extends CsvReport<Row> {
  key: (row: Row) => Key;
  fetch: (after: Key | null, limit: number) => Promise<Row[]>;
}

/** `(:k0, :k1, …)` and its parameters, for a keyset condition. */
export function keyParams(after: Key): { placeholders: string; params: Record<string, unknown> } {
  return {
    placeholders: `(${after.map((_, i) => `:k${i}`).join(', ')})`,
    params: Object.fromEntries(after.map((value, i) => [`k${i}`, value])),
  };
}

/** Builds a register from its columns, its keyed query and the key of a row. */
export function register<Row>(
  name: string,
  columns: CsvColumn<Row>[],
  key: Register<Row>['key'],
  fetch: Register<Row>['fetch'],
): Register<Row> {
  return {
    name,
    columns,
    key,
    fetch,
    pages: () =>
      keysetPages(
        (last, size) => fetch(last === undefined ? null : key(last), size),
        CSV_PAGE_SIZE,
      ),
  };
}

/** The `after` cursor of an HTML page: the key as base64url JSON, so it survives a query string. */
export function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** A cursor back into a key of the register's shape; anything else is a 400. */
export function decodeCursor(cursor: string, shape: ('string' | 'number')[]): Key {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  const valid =
    Array.isArray(key) &&
    key.length === shape.length &&
    key.every((value, i) => typeof value === shape[i]);
  if (!valid)
    throw new BadRequestException(
      'after is not a page of this report: start again from the first page.',
    );
  return key as Key;
}

/** What an HTML view shows of a register: one page of rows, and the cursor of the next one. */
export interface HtmlPage<Row> {
  rows: Row[];
  next: string | null;
}

export async function htmlPage<Row>(
  report: Register<Row>,
  after: Key | null,
  size = HTML_PAGE_SIZE,
): Promise<HtmlPage<Row>> {
  const rows = await report.fetch(after, size + 1);
  const more = rows.length > size;
  const shown = more ? rows.slice(0, size) : rows;
  return { rows: shown, next: more ? encodeCursor(report.key(shown[shown.length - 1])) : null };
}
