import { formatDate } from '../common/dates';
import { decodeCursor, htmlPage, Register } from './keyset';

/** One cell of a register's HTML page: money keeps its cents (the view formats it), the rest text. */
export interface PageCell {
  money: boolean;
  cents: number | null;
  text: string;
}

/** `/reports/x`, `.csv`, … with the register's parameters and date (and a page cursor) in the query. */
export const registerLinker =
  (path: string, query: Record<string, string>) =>
  (suffix: string, extra: Record<string, string> = {}) =>
    `${path}${suffix}?${new URLSearchParams({ ...query, ...extra }).toString()}`;

/** The downloads every register page offers: CSV, CSV for Excel, workbook and their manifests. */
export const downloadLinks = (link: ReturnType<typeof registerLinker>) => ({
  csvHref: link('.csv'),
  bomHref: link('.csv', { bom: '1' }),
  manifestHref: link('.manifest.json'),
  xlsxHref: link('.xlsx'),
  xlsxManifestHref: link('.xlsx.manifest.json'),
});

/**
 * A page of a register's rows as the CSV has them, column by column; `text` may read a column
 * another way on the page (a code as its label), the CSV keeping the stored value.
 */
export function pageCells(
  report: Register<unknown>,
  rows: unknown[],
  text: (column: string, value: unknown) => string | undefined = () => undefined,
): PageCell[][] {
  return rows.map((row) =>
    report.columns.map((c): PageCell => {
      const value = c.value(row);
      if (c.kind === 'money') {
        return { money: true, cents: value === null ? null : Number(value), text: '' };
      }
      const shown = text(c.name, value);
      return { money: false, cents: null, text: shown ?? (value === null ? '' : String(value)) };
    }),
  );
}

/** What a register's page is: its report, path, words and date, and which keyset page. */
export interface RegisterPageInput {
  report: Register<unknown>;
  /** `/reports/x`. */
  path: string;
  title: string;
  description: string;
  asOf: string;
  timeZone: string;
  /** The register's parameters besides the date, kept in every link. */
  parameters: Record<string, string>;
  keyShape: ('string' | 'number')[];
  /** The keyset cursor of the page; none for the first. */
  after?: string;
}

/**
 * The view model of views/reports/program-register.hbs: one keyset page of the CSV's rows and
 * columns, the links to the first and next page and to every download. `cells` turns the page's
 * rows into what the page shows (pageCells, with any column read another way); `extra` adds what
 * one register's page has besides (its filter fields, the audit trail's flag).
 */
export async function registerPage(
  input: RegisterPageInput,
  cells: (rows: unknown[]) => PageCell[][] | Promise<PageCell[][]>,
  extra: { isAudit?: boolean; fields?: unknown[] } = {},
) {
  const { report, path, title, description, asOf, after } = input;
  const page = await htmlPage(report, after ? decodeCursor(after, input.keyShape) : null);
  const link = registerLinker(path, { ...input.parameters, asOf });
  return {
    pageTitle: `${title} as of ${formatDate(asOf)}`,
    title,
    description,
    path,
    asOf,
    timeZone: input.timeZone,
    isAudit: extra.isAudit ?? false,
    fields: extra.fields ?? [],
    columns: report.columns.map((c) => ({ name: c.name, money: c.kind === 'money' })),
    rows: await cells(page.rows),
    isFirstPage: !after,
    firstHref: link(''),
    nextHref: page.next ? link('', { after: page.next }) : null,
    ...downloadLinks(link),
  };
}
