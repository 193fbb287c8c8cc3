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

// ---- The same rules as SQL expressions, for SQLite (3.44+: concat(), char()) and PostgreSQL. ----
//
// Written for speed at a million rows, where every function call shows: no CAST on SQLite (it turns
// a value into text the same way wherever one is needed: GLOB, replace, `||`, concat), and a record
// is one concat(), which also turns NULL into '' on both engines. Integer division and % are the
// same on both for the integer cents column.

export type SqlDialect = 'sqlite' | 'postgres';

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

const CR_LF = { sqlite: 'char(13, 10)', postgres: 'chr(13) || chr(10)' };
const TAB_CR = { sqlite: 'char(9, 13)' };

/** PostgreSQL: `expr` LIKE any of the patterns (none holds `%`, `_` or a backslash of its own). */
const pgLikeAny = (expr: string, patterns: string[]) =>
  `(${patterns.map((pattern) => `${expr} LIKE ${pattern}`).join(' OR ')})`;
const PG_CHARS = { tab: 'chr(9)', cr: 'chr(13)', lf: 'chr(10)' };

/**
 * `expr` holds a quote, comma, CR or LF: one scan on SQLite (GLOB, faster there than four instr
 * calls); four LIKEs on PostgreSQL, where a regular expression took about ten times as long (at a
 * million rows, LIKE about 0.05 s a column, `~` about 0.8 s).
 */
const sqlNeedsQuotes = (dialect: SqlDialect, expr: string) =>
  dialect === 'sqlite'
    ? `${expr} GLOB '*[",' || ${CR_LF.sqlite} || ']*'`
    : pgLikeAny(expr, [
        `'%"%'`,
        `'%,%'`,
        `('%' || ${PG_CHARS.cr} || '%')`,
        `('%' || ${PG_CHARS.lf} || '%')`,
      ]);

/** `expr` starts like a formula: `-` first in the class is a literal, not a range. */
const sqlFormulaStart = (dialect: SqlDialect, expr: string) =>
  dialect === 'sqlite'
    ? `${expr} GLOB '[-=+@' || ${TAB_CR.sqlite} || ']*'`
    : pgLikeAny(expr, [
        `'-%'`,
        `'=%'`,
        `'+%'`,
        `'@%'`,
        `(${PG_CHARS.tab} || '%')`,
        `(${PG_CHARS.cr} || '%')`,
      ]);

/** Mirrors quote(); null stays null. */
function sqlQuote(dialect: SqlDialect, expr: string): string {
  return `CASE WHEN ${sqlNeedsQuotes(dialect, expr)} THEN '"' || replace(${expr}, '"', '""') || '"' ELSE ${expr} END`;
}

/**
 * Mirrors quote(neutralise(text)) without nesting one CASE in the other: the prefix `'` needs no
 * quoting, and doubling quotes never changes whether the first character starts a formula, so the
 * prefix can go in front of the doubled text. Null stays null.
 */
function sqlQuoteNeutralised(dialect: SqlDialect, expr: string): string {
  const formula = sqlFormulaStart(dialect, expr);
  const prefix = `CASE WHEN ${formula} THEN ${sqlString("'")} ELSE '' END`;
  return (
    `CASE WHEN ${sqlNeedsQuotes(dialect, expr)} THEN '"' || ${prefix} || replace(${expr}, '"', '""') || '"'` +
    ` WHEN ${formula} THEN ${sqlString("'")} || ${expr} ELSE ${expr} END`
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
 * The cell for column `expr` of the given kind, as an SQL expression: text, or null for an empty
 * cell (concat() in sqlLine writes null as nothing). Kind `enum` is text that a CHECK constraint
 * limits to lower-case words (category, share): quoting and neutralising are then provably no-ops,
 * so the value goes out as it is.
 */
export function sqlCell(
  kind: CsvKind | 'enum',
  expr: string,
  dialect: SqlDialect = 'sqlite',
): string {
  switch (kind) {
    case 'enum':
    case 'integer':
      return expr;
    case 'money':
      return sqlMoney(expr);
    case 'date':
    case 'timestamp':
      return sqlQuote(dialect, expr);
    case 'text':
      return sqlQuoteNeutralised(dialect, expr);
  }
}

/** A whole record with its CRLF, as one text expression of the dialect's SQL. */
export function sqlLine(
  cells: [CsvKind | 'enum', string][],
  dialect: SqlDialect = 'sqlite',
): string {
  const line = cells.map(([kind, expr]) => sqlCell(kind, expr, dialect)).join(", ',', ");
  return `concat(${line}, ${CR_LF[dialect]})`;
}
