import fc from 'fast-check';
import { quote } from '../csv-format';
import { CopyOut, oneRecord } from './postgres-copy';

/** A CSV record as PostgreSQL's COPY … (FORMAT csv) quotes it: RFC 4180, as quote() does. */
const record = (cells: string[]) => cells.map(quote).join(',');

/** What PostgreSQL sends for one row: the summed integer, the record, LF. */
const message = (cents: bigint, cells: string[]) => `${cents},${record(cells)}\n`;

/**
 * Feeds each of `messages` as a CopyData chunk, through one reused buffer (as pg's reader does),
 * and reads all the pages.
 */
async function readCopy(messages: string[]) {
  const sut = new CopyOut('COPY (…) TO STDOUT (FORMAT csv)');
  sut.submit({
    query: () => undefined,
    stream: { pause: () => undefined, resume: () => undefined },
  });
  const bytes = messages.map((m) => Buffer.from(m, 'utf8'));
  const scratch = Buffer.alloc(Math.max(0, ...bytes.map((b) => b.length)));
  for (const b of bytes) {
    const chunk = scratch.subarray(0, b.length);
    b.copy(chunk);
    sut.handleCopyData({ chunk });
    chunk.fill(0x58); // what pg writes into its buffer next must not reach the pages
  }
  sut.handleCommandComplete();
  sut.handleReadyForQuery();
  const pages = [];
  for await (const page of sut.read()) pages.push(page);
  return pages;
}

// Cells with everything CSV quoting is about, and text beyond ASCII.
const cell = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('"', ',', '\r', '\n', 'a', 'é', ' '), maxLength: 8 }),
);

describe(CopyOut.name, () => {
  const row = fc.record({
    // Cents of a ledger entry, beyond 2^32, summed exactly.
    cents: fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }),
    cells: fc.array(cell, { minLength: 1, maxLength: 5 }),
  });

  it('should give every record with CRLF and without its first column, with counts and sums', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 30 }), async (rows) => {
        const pages = await readCopy(rows.map((r) => message(r.cents, r.cells)));
        const text = Buffer.concat(pages.map((p) => p.bytes)).toString('utf8');
        expect(text).toBe(rows.map((r) => `${record(r.cells)}\r\n`).join(''));
        expect(pages.reduce((n, p) => n + p.rows, 0)).toBe(rows.length);
        const sum = rows.reduce((s, r) => s + r.cents, 0n);
        expect(pages.reduce((s, p) => s + p.sum, 0)).toBe(Number(sum));
      }),
      { numRuns: 300 },
    );
  });

  it('should split a long COPY into pages of about a megabyte', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) =>
      message(BigInt(i), [String(i), 'line of about eighty characters for the page test']),
    );
    const pages = await readCopy(rows);
    expect(pages.length).toBeGreaterThan(1);
    expect(Math.max(...pages.map((p) => p.bytes.length))).toBeLessThanOrEqual(1 << 20);
    expect(pages.reduce((n, p) => n + p.rows, 0)).toBe(rows.length);
  });

  it('should fail rather than change the bytes when a message is not exactly one row', async () => {
    const whole = message(5n, ['a', 'two\nlines', 'b']);
    const cut = whole.indexOf('\n') + 1; // inside the quoted cell, at its LF
    await expect(readCopy([whole.slice(0, cut), whole.slice(cut)])).rejects.toThrow('not one row');
    await expect(readCopy([message(1n, ['a']) + message(2n, ['b'])])).rejects.toThrow(
      'not one row',
    );
    await expect(readCopy(['7,no line end'])).rejects.toThrow('not one row');
    await expect(readCopy(['x7,a\n'])).rejects.toThrow('without its sum');
  });

  it('should fail on an error from the server', async () => {
    const failing = new CopyOut('COPY');
    failing.handleError(new Error('canceling statement due to statement timeout'));
    await expect(failing.read().next()).rejects.toThrow('statement timeout');
  });
});

describe(oneRecord.name, () => {
  it.each([
    ['a,b,c', true],
    ['"a\nb",c', true],
    ['"say ""hi""",x', true],
    ['"a\r\n",""', true],
    ['a\nb', false],
    ['"a\nb', false],
    ['"a",b\nc', false],
    ['"a"\n"b"', false],
  ])('%j is one record: %s', (text, expected) => {
    expect(oneRecord(Buffer.from(text))).toBe(expected);
  });
});
