import { expectedVersion, FieldErrors } from '../common/forms';
import { centsToDecimal, formatMoney, parseMoney } from '../common/money';
import { humanize } from '../common/views';
import { COST_CATEGORIES, CostCategory } from './budget.constants';

/** The two amounts of a grid cell, as form fields name them. */
export const CELL_SHARES = ['federal', 'costShare'] as const;
export type CellShare = (typeof CELL_SHARES)[number];

/** What one budget line may hold: keeps every total of the grid far inside exact integer range. */
export const MAX_CELL_CENTS = 1_000_000_000_000;

/** The typed text of the grid, by budget period number, category and share. */
export type GridValues = Record<number, Record<CostCategory, Record<CellShare, string>>>;

/** Amounts by budget period number and category. */
export type GridCents = Map<
  number,
  Map<CostCategory, { federalCents: number; costShareCents: number }>
>;

export const categoryLabel = (category: CostCategory): string => humanize(category);

/** `BP2 Travel, federal` — how a message names a cell. */
export const cellLabel = (bp: number, category: CostCategory, share: CellShare): string =>
  `BP${bp} ${categoryLabel(category)}, ${share === 'federal' ? 'federal' : 'cost share'}`;

/** The error key of a cell: `lines.2.travel.federal`. */
export const cellKey = (bp: number, category: CostCategory, share: CellShare): string =>
  `lines.${bp}.${category}.${share}`;

/** `BP1 personnel federal` — how the audit trail names a changed cell. */
export const auditKey = (bp: number, category: CostCategory, share: CellShare): string =>
  `BP${bp} ${category} ${share === 'federal' ? 'federal' : 'cost_share'}`;

/**
 * The submitted `lines` by budget period number. The body parser (qs) turns `lines[1]…lines[N]` into
 * an array and compacts its indices, so an array is read by position (index 0 is BP1) and is only
 * trusted when it has one row per budget period; a very long grid arrives as an object keyed by number.
 */
export function rowsByPeriod(lines: unknown): { rows: Map<number, unknown>; positional: boolean } {
  if (Array.isArray(lines)) {
    return { rows: new Map(lines.map((row, i) => [i + 1, row as unknown])), positional: true };
  }
  if (lines && typeof lines === 'object') {
    const rows = new Map<number, unknown>();
    for (const [key, row] of Object.entries(lines as Record<string, unknown>)) {
      if (/^\d{1,6}$/.test(key)) rows.set(Number(key), row);
    }
    return { rows, positional: false };
  }
  return { rows: new Map(), positional: false };
}

function rawCell(row: unknown, category: CostCategory, share: CellShare): unknown {
  if (!row || typeof row !== 'object') return undefined;
  const cell = (row as Record<string, unknown>)[category];
  if (!cell || typeof cell !== 'object') return undefined;
  return (cell as Record<string, unknown>)[share];
}

/** The grid as typed, for the form shown again after an error (blank where nothing usable came). */
export function typedValues(lines: unknown, periodNumbers: number[]): GridValues {
  const { rows } = rowsByPeriod(lines);
  const values: GridValues = {};
  for (const bp of periodNumbers) {
    values[bp] = {} as GridValues[number];
    for (const category of COST_CATEGORIES) {
      const text = (share: CellShare) => {
        const raw = rawCell(rows.get(bp), category, share);
        return typeof raw === 'string' ? raw : '';
      };
      values[bp][category] = { federal: text('federal'), costShare: text('costShare') };
    }
  }
  return values;
}

/** Saved amounts as form text: a blank cell is zero. */
export function savedValues(
  lines: {
    budgetPeriod: number;
    category: CostCategory;
    federalCents: number;
    costShareCents: number;
  }[],
  periodNumbers: number[],
): GridValues {
  const values: GridValues = {};
  for (const bp of periodNumbers) {
    values[bp] = {} as GridValues[number];
    for (const category of COST_CATEGORIES) {
      const line = lines.find((l) => l.budgetPeriod === bp && l.category === category);
      const text = (cents: number | undefined) => (cents ? centsToDecimal(cents) : '');
      values[bp][category] = {
        federal: text(line?.federalCents),
        costShare: text(line?.costShareCents),
      };
    }
  }
  return values;
}

function cellCents(raw: unknown, label: string): { cents: number } | { error: string } {
  if (raw === undefined || raw === null) return { cents: 0 };
  if (typeof raw !== 'string') return { error: `${label}: enter one amount in dollars.` };
  if (raw.trim() === '') return { cents: 0 };
  const parsed = parseMoney(raw);
  if (!parsed.ok) return { error: `${label}: ${parsed.message}` };
  if (parsed.cents < 0) {
    return {
      error: `${label}: enter an amount of zero or more; a budget line cannot be negative.`,
    };
  }
  if (parsed.cents > MAX_CELL_CENTS) {
    return { error: `${label}: enter at most ${formatMoney(MAX_CELL_CENTS)}.` };
  }
  return { cents: parsed.cents };
}

/**
 * Reads the submitted grid for the grant's budget periods: blank is zero; a negative amount, more than
 * two decimals or letters are refused with a message naming the cell. All cells or nothing.
 */
export function readGrid(
  lines: unknown,
  periodNumbers: number[],
): { cents: GridCents; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const cents: GridCents = new Map();
  if (lines === undefined || lines === null || typeof lines !== 'object') {
    return {
      cents,
      errors: { lines: 'The form sent no budget grid; reload the page and try again.' },
    };
  }
  const { rows, positional } = rowsByPeriod(lines);
  const expected = new Set(periodNumbers);
  const unknown = [...rows.keys()].filter((bp) => !expected.has(bp));
  if ((positional && rows.size !== periodNumbers.length) || (!positional && unknown.length > 0)) {
    return {
      cents,
      errors: {
        lines: `The grid does not match this grant’s budget periods (BP1–BP${periodNumbers.length}); reload the page and enter the amounts again.`,
      },
    };
  }
  for (const bp of periodNumbers) {
    const row = new Map<CostCategory, { federalCents: number; costShareCents: number }>();
    for (const category of COST_CATEGORIES) {
      const amounts = { federalCents: 0, costShareCents: 0 };
      for (const share of CELL_SHARES) {
        const read = cellCents(
          rawCell(rows.get(bp), category, share),
          cellLabel(bp, category, share),
        );
        if ('error' in read) errors[cellKey(bp, category, share)] = read.error;
        else amounts[share === 'federal' ? 'federalCents' : 'costShareCents'] = read.cents;
      }
      row.set(category, amounts);
    }
    cents.set(bp, row);
  }
  return { cents, errors };
}

/** The version the grid form was opened at: 0 (or absent) before the grant has a Budget record. */
export function formVersion(body: unknown): number {
  const raw =
    body && typeof body === 'object' ? (body as Record<string, unknown>).version : undefined;
  return raw === undefined || raw === '' ? 0 : expectedVersion(body);
}
