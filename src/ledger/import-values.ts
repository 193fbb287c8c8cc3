import { COST_CATEGORIES, SHARES } from '../budgets/budget.constants';
import { humanize } from '../common/views';

/**
 * What a spreadsheet writes, read as the form's values: a cost category or share by its code
 * (`fringe_benefits`) or its label (`Fringe benefits`, any case, spaces or hyphens), and a date as
 * `YYYY-MM-DD` or as a US spreadsheet writes it, month first: `11/28/2026` or `3/4/2026` (4 March).
 * Anything else is passed on unchanged, for the form's validation to name.
 */
export const ACCEPTED_DATE_FORMS = 'YYYY-MM-DD (2026-11-28) or month/day/year (11/28/2026)';

const key = (text: string) =>
  text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

const byKey = (codes: readonly string[]) =>
  new Map(
    codes.flatMap((code) => [[key(code), code] as const, [key(humanize(code)), code] as const]),
  );

const CATEGORIES = byKey(COST_CATEGORIES);
const SHARE_CODES = byKey(SHARES);

export const importCategory = (raw: string): string => CATEGORIES.get(key(raw)) ?? raw;
export const importShare = (raw: string): string => SHARE_CODES.get(key(raw)) ?? raw;

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

export function importDate(raw: string): string {
  const match = US_DATE.exec(raw.trim());
  if (!match) return raw;
  const [, month, day, year] = match;
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

/** The labels a file may use, for the import page's format table. */
export const CATEGORY_CHOICES = COST_CATEGORIES.map((code) => ({ code, label: humanize(code) }));
export const SHARE_CHOICES = SHARES.map((code) => ({ code, label: humanize(code) }));

/** The import template: the header row and one example row, as a spreadsheet would save it. */
export const IMPORT_TEMPLATE =
  'award_number,budget_period,category,incurred_on,amount,share,reference,memo\r\n' +
  'DE-SC0031981,1,Supplies,11/28/2026,"2,312.75",Federal,INV-44817,"Ion-exchange resin, 20 kg"\r\n';
