/**
 * `%text%` with LIKE's wildcards escaped, so a search for `100%` finds the text, not everything. Use
 * it with `LIKE :q ESCAPE '\'` (SQLite and PostgreSQL both take a backslash escape that way).
 */
export const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
