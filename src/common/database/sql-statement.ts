/**
 * What an SQL statement does, read the way SQLite reads it: past leading comments and past a `WITH`
 * clause's common table expressions, so `/* note *\/ UPDATE …` and `WITH x AS (…) DELETE …` are seen
 * as the writes they are. Used to count a transaction's writes and the tables they touch; the
 * database itself refuses writes outside the write path (a read-only connection).
 */

const MAIN_VERBS = new Set(['SELECT', 'VALUES', 'INSERT', 'UPDATE', 'DELETE', 'REPLACE']);

interface Word {
  text: string;
  at: number;
}

/** The words outside parentheses, quotes and comments, with where each starts. */
function* topLevelWords(sql: string): Generator<Word> {
  let depth = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) j += 2;
          else break;
        } else j += 1;
      }
      i = j + 1;
    } else if (c === '(') {
      depth += 1;
      i += 1;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
      i += 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /\w/.test(sql[j])) j += 1;
      if (depth === 0) yield { text: sql.slice(i, j).toUpperCase(), at: i };
      i = j;
    } else {
      i += 1;
    }
  }
}

function mainWord(sql: string): Word | null {
  let first = true;
  for (const word of topLevelWords(sql)) {
    if (first && word.text !== 'WITH') return word;
    first = false;
    if (MAIN_VERBS.has(word.text)) return word;
  }
  return null;
}

/** The statement's verb in upper case (`SELECT`, `UPDATE`, `PRAGMA`, `BEGIN`, …), or '' if none. */
export function statementVerb(sql: string): string {
  return mainWord(sql)?.text ?? '';
}

const TARGET =
  /^(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+(?:["`[]?\w+["`\]]?\s*\.\s*)?["`[]?(\w+)/i;

/** The table a data write changes, in lower case; null when it cannot be read. */
export function writtenTable(sql: string): string | null {
  return readStatement(sql).table;
}

/** The verb and, for a data write, its table: one pass over the statement for both. */
export function readStatement(sql: string): { verb: string; table: string | null } {
  const word = mainWord(sql);
  if (!word) return { verb: '', table: null };
  return { verb: word.text, table: TARGET.exec(sql.slice(word.at))?.[1].toLowerCase() ?? null };
}
