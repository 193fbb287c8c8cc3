/**
 * `%text%` with LIKE's wildcards escaped, so a search for `100%` finds the text, not everything. Use
 * it with containsText() (SQLite and PostgreSQL both take a backslash escape that way).
 */
export const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * `column` holds the search text `:param` (a likePattern()), whatever its case: SQLite's LIKE
 * ignores case and PostgreSQL's does not, so both sides are lowered for the same answer on both.
 */
export const containsText = (column: string, param = 'q') =>
  `LOWER(${column}) LIKE LOWER(:${param}) ESCAPE '\\'`;
