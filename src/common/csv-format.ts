import { centsToDecimal } from './money';

/*
 * One CSV cell, formatted by kind, twice: in JavaScript (formatCell) and as a SQLite expression
 * (sqlCell) for the reports that let the database build their lines (the ledger: a million rows).
 * The two are kept side by side on purpose, and csv-format.spec.ts checks them byte for byte.
 */

/**
 * What a CSV column holds; the kind decides its formatting, and whether it is neutralised (text only).
 */
export type CsvKind = 'text' | 'money' | 'date' | 'integer' | 'timestamp';

export const CRLF = '\r\n';
export const BOM = '\uFEFF';

/** A spreadsheet runs a cell starting with one of these as a formula (or strips it). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** `=SUM(A1)` → `'=SUM(A1)`: the cell shows as text in Excel, LibreOffice and Google Sheets. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** RFC 4180: quoted only when it holds a quote, comma, CR or LF; quotes doubled inside. */
export function quote(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Money is integer cents shown as plain dollars (`-1250.00`); integers as digits; dates and
 * timestamps as stored (ISO). None of those is ever neutralised — only free text is. Null is empty.
 */
export function formatCell(kind: CsvKind, value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  switch (kind) {
    case 'money':
      return centsToDecimal(Number(value));
    case 'integer': {
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw new Error(`Not an integer: ${String(value)}`);
      return String(n);
    }
    case 'date':
    case 'timestamp':
      return quote(String(value));
    case 'text':
      return quote(neutralise(String(value)));
  }
}

/** One record with its CRLF. */
export function csvLine(cells: string[]): string {
  return cells.join(',') + CRLF;
}

// ---- The same rules as SQLite expressions (3.44+: concat(), char(), integer division). ----
//
// Written for speed at a million rows, where every function call shows: no CAST (SQLite turns a
// value into text the same way wherever one is needed: GLOB, replace, `||`, concat), and a record
// is one concat(), which also turns NULL into ''.

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** `expr` holds a quote, comma, CR or LF: one GLOB scan (faster here than four instr calls). */
const sqlNeedsQuotes = (expr: string) => `${expr} GLOB '*[",' || char(13, 10) || ']*'`;

/** `expr` starts like a formula: `-` first in the class is a literal, not a range. */
const sqlFormulaStart = (expr: string) => `${expr} GLOB '[-=+@' || char(9, 13) || ']*'`;

/** Mirrors quote(); null stays null. */
function sqlQuote(expr: string): string {
  return `CASE WHEN ${sqlNeedsQuotes(expr)} THEN '"' || replace(${expr}, '"', '""') || '"' ELSE ${expr} END`;
}

/**
 * Mirrors quote(neutralise(text)) without nesting one CASE in the other: the prefix `'` needs no
 * quoting, and doubling quotes never changes whether the first character starts a formula, so the
 * prefix can go in front of the doubled text. Null stays null.
 */
function sqlQuoteNeutralised(expr: string): string {
  const prefix = `CASE WHEN ${sqlFormulaStart(expr)} THEN ${sqlString("'")} ELSE '' END`;
  return (
    `CASE WHEN ${sqlNeedsQuotes(expr)} THEN '"' || ${prefix} || replace(${expr}, '"', '""') || '"'` +
    ` WHEN ${sqlFormulaStart(expr)} THEN ${sqlString("'")} || ${expr} ELSE ${expr} END`
  );
}

/**
 * Mirrors centsToDecimal() with integer arithmetic only (never printf on a float): dollars, then
 * the two digits of the cents one at a time. Null stays null.
 */
function sqlMoney(expr: string): string {
  const digits = (abs: string) => `${abs} / 100, '.', ${abs} / 10 % 10, ${abs} % 10`;
  return (
    `CASE WHEN ${expr} >= 0 THEN concat(${digits(expr)})` +
    ` WHEN ${expr} < 0 THEN concat('-', ${digits(`abs(${expr})`)}) END`
  );
}

/**
 * The cell for column `expr` of the given kind, as a SQLite expression: text, or null for an empty
 * cell (concat() in sqlLine writes null as nothing). Kind `enum` is text that a CHECK constraint
 * limits to lower-case words (category, share): quoting and neutralising are then provably no-ops,
 * so the value goes out as it is.
 */
export function sqlCell(kind: CsvKind | 'enum', expr: string): string {
  switch (kind) {
    case 'enum':
    case 'integer':
      return expr;
    case 'money':
      return sqlMoney(expr);
    case 'date':
    case 'timestamp':
      return sqlQuote(expr);
    case 'text':
      return sqlQuoteNeutralised(expr);
  }
}

/** A whole record with its CRLF, as one SQLite text expression. */
export function sqlLine(cells: [CsvKind | 'enum', string][]): string {
  return `concat(${cells.map(([kind, expr]) => sqlCell(kind, expr)).join(", ',', ")}, char(13, 10))`;
}
