import { centsToDecimal } from './money';

/*
 * One CSV cell, formatted by kind, three times: in JavaScript (formatCell), as a SQLite expression
 * (sqlCell) and as a column of PostgreSQL's CSV COPY (copyCell), for the report that lets the
 * database build its lines (the ledger: a million rows). They are kept side by side on purpose;
 * csv-format.spec.ts checks SQLite's byte for byte, the ledger's e2e spec both engines'.
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

// ---- The same rules as SQL: expressions for SQLite (3.44+: concat(), char()), and PostgreSQL's
// ---- COPY … (FORMAT csv) with its cells prepared.
//
// Written for speed at a million rows, where every function call shows: no CAST on SQLite (it turns
// a value into text the same way wherever one is needed: GLOB, replace, `||`, concat), and a record
// is one concat(), which also turns NULL into ''. Integer division and % are the same on both
// engines for the integer cents column.

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

const CR_LF = 'char(13, 10)';
const TAB_CR = 'char(9, 13)';

/** `expr` holds a quote, comma, CR or LF: one scan (GLOB, faster in SQLite than four instr calls). */
const sqlNeedsQuotes = (expr: string) => `${expr} GLOB '*[",' || ${CR_LF} || ']*'`;

/** `expr` starts like a formula: `-` first in the class is a literal, not a range. */
const sqlFormulaStart = (expr: string) => `${expr} GLOB '[-=+@' || ${TAB_CR} || ']*'`;

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
  const formula = sqlFormulaStart(expr);
  const prefix = `CASE WHEN ${formula} THEN ${sqlString("'")} ELSE '' END`;
  return (
    `CASE WHEN ${sqlNeedsQuotes(expr)} THEN '"' || ${prefix} || replace(${expr}, '"', '""') || '"'` +
    ` WHEN ${formula} THEN ${sqlString("'")} || ${expr} ELSE ${expr} END`
  );
}

/**
 * Mirrors centsToDecimal() with integer arithmetic only (never printf on a float): dollars, then
 * the two digits of the cents one at a time. Null stays null. The same SQL on both engines.
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
  const line = cells.map(([kind, expr]) => sqlCell(kind, expr)).join(", ',', ");
  return `concat(${line}, ${CR_LF})`;
}

/** The code points of `- = + @ TAB CR`, which start a formula: 0 is ascii('') on PostgreSQL. */
const FORMULA_CODES = [45, 61, 43, 64, 9, 13];

/**
 * The cell for column `expr` as a column of PostgreSQL's COPY … (FORMAT csv), which quotes each
 * cell by RFC 4180 itself, in C (as quote() does: when it holds a quote, comma, CR or LF, quotes
 * doubled), and writes null as nothing. What is left to the query: money as dollars, free text
 * neutralised (ascii() of its first character: one call instead of six LIKEs), and empty text as
 * NULL, because COPY writes '' as `""` where formatCell writes nothing. The other kinds are
 * sqlCell's.
 */
export function copyCell(kind: CsvKind | 'enum', expr: string): string {
  switch (kind) {
    case 'date':
    case 'timestamp':
      return `NULLIF(${expr}, '')`;
    case 'text':
      return `CASE WHEN ascii(${expr}) IN (${FORMULA_CODES.join(', ')}) THEN ${sqlString("'")} || ${expr} ELSE NULLIF(${expr}, '') END`;
    default:
      // enum, integer and money: the same SQL on both engines.
      return sqlCell(kind, expr);
  }
}
