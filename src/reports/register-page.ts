import type { Register } from './keyset';

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
