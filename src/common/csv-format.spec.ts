import fc from 'fast-check';
import { Database } from 'sqlite3';
import { CsvKind, csvLine, formatCell, sqlLine } from './csv-format';

/** One column of every kind, stored as the ledger stores it (TEXT or INTEGER affinity). */
const KINDS: [CsvKind, string][] = [
  ['integer', 'INTEGER'],
  ['text', 'TEXT'],
  ['date', 'TEXT'],
  ['money', 'INTEGER'],
  ['timestamp', 'TEXT'],
  ['text', 'TEXT'],
];

type Cell = string | number | null;

function sql<T>(db: Database, text: string, params: Cell[] = []): Promise<T[]> {
  return new Promise((resolve, reject) =>
    db.all(text, params, (error, rows) => (error ? reject(error) : resolve(rows as T[]))),
  );
}

// NUL is left out: SQLite's text functions stop at it, and the forms refuse it.
const text = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom('', '=SUM(A1)', '+1', '-2', '@x', '\tx', '\rx', 'a,b', 'say "hi"', 'a\r\nb'),
    fc.string({
      unit: fc.constantFrom('"', ',', '\r', '\n', '=', '+', '-', '@', '\t', "'", 'é', '✓', 'a'),
      maxLength: 8,
    }),
  )
  .map((s) => s.split('\u0000').join(''));
const cents = fc.oneof(
  fc.integer({ min: -1e13, max: 1e13 }),
  fc.constantFrom(0, 1, -1, 5, -5, 10, -10, 99, -99, 100, -100, 101, -125000),
);
const orNull = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

describe('sqlLine', () => {
  let db: Database;
  const line = sqlLine(KINDS.map(([kind], i) => [kind, `c${i}`]));

  beforeAll(async () => {
    db = new Database(':memory:');
    await sql(db, `CREATE TABLE t (${KINDS.map(([, type], i) => `c${i} ${type}`).join(', ')})`);
  });

  afterAll(() => new Promise<void>((resolve) => db.close(() => resolve())));

  it('should build in SQLite byte for byte the line formatCell and csvLine build', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(
          orNull(fc.integer()),
          orNull(text),
          orNull(text),
          orNull(cents),
          orNull(text),
          orNull(text),
        ),
        async (cells: Cell[]) => {
          await sql(db, 'DELETE FROM t');
          await sql(db, `INSERT INTO t VALUES (${cells.map(() => '?').join(', ')})`, cells);
          const [row] = await sql<{ line: Buffer }>(
            db,
            `SELECT CAST(${line} AS BLOB) AS line FROM t`,
          );
          const expected = csvLine(KINDS.map(([kind], i) => formatCell(kind, cells[i])));
          expect(row.line.toString('utf8')).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('should write money as dollars with two decimals and null cells as nothing', async () => {
    await sql(db, 'DELETE FROM t');
    await sql(db, 'INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)', [7, null, null, -5, null, '-x']);
    const [row] = await sql<{ line: string }>(db, `SELECT ${line} AS line FROM t`);
    expect(row.line).toBe("7,,,-0.05,,'-x\r\n");
  });
});
