import { statementVerb, writtenTable } from './sql-statement';

describe('statementVerb', () => {
  it.each([
    ['SELECT 1', 'SELECT'],
    ['  update programs SET name = 1', 'UPDATE'],
    ['/* note */ UPDATE programs SET name = 1', 'UPDATE'],
    ['-- why\nDELETE FROM programs', 'DELETE'],
    ['WITH x AS (SELECT id FROM programs) UPDATE programs SET name = 1', 'UPDATE'],
    ['WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x) SELECT * FROM x', 'SELECT'],
    ["WITH a AS (SELECT 'UPDATE (' AS s), b AS (SELECT 2) DELETE FROM programs", 'DELETE'],
    ['REPLACE INTO programs (id) VALUES (1)', 'REPLACE'],
    ['PRAGMA user_version = 3', 'PRAGMA'],
    ['/* a */ /* b */ BEGIN', 'BEGIN'],
    ['', ''],
  ])('should read %j as %s', (sql, verb) => {
    expect(statementVerb(sql)).toBe(verb);
  });
});

describe('writtenTable', () => {
  it.each([
    ['INSERT INTO "grants" (id) VALUES (1)', 'grants'],
    ['INSERT OR IGNORE INTO sessions (sid) VALUES (1)', 'sessions'],
    ['/* x */ UPDATE "Programs" SET name = 1', 'programs'],
    ['WITH d AS (SELECT 1) DELETE FROM expenditures WHERE id IN (SELECT * FROM d)', 'expenditures'],
    ['UPDATE "main"."budgets" SET version = 2', 'budgets'],
    ['SELECT 1', null],
  ])('should find the table %j writes', (sql, table) => {
    expect(writtenTable(sql)).toBe(table);
  });
});
