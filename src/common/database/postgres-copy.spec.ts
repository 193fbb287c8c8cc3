import fc from 'fast-check';
import { CopyOut } from './postgres-copy';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** What PostgreSQL sends for COPY … TO STDOUT (FORMAT binary) of (text, bigint) rows. */
function binaryCopy(rows: { text: string; value: bigint }[]): Buffer {
  const parts: Buffer[] = [SIGNATURE, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0])];
  for (const row of rows) {
    const text = Buffer.from(row.text, 'utf8');
    const head = Buffer.alloc(6);
    head.writeInt16BE(2, 0);
    head.writeInt32BE(text.length, 2);
    const value = Buffer.alloc(12);
    value.writeInt32BE(8, 0);
    value.writeBigInt64BE(row.value, 4);
    parts.push(head, text, value);
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  parts.push(trailer);
  return Buffer.concat(parts);
}

/** Feeds `bytes` cut at `cuts` as pg would, reusing one buffer (as pg's reader does), and reads it all. */
async function readCopy(bytes: Buffer, cuts: number[]) {
  const sut = new CopyOut('COPY (…) TO STDOUT (FORMAT binary)');
  sut.submit({
    query: () => undefined,
    stream: { pause: () => undefined, resume: () => undefined },
  });
  const scratch = Buffer.alloc(bytes.length);
  const bounds = [0, ...new Set(cuts.map((c) => c % (bytes.length + 1)))]
    .sort((a, b) => a - b)
    .concat(bytes.length);
  for (let i = 1; i < bounds.length; i++) {
    const chunk = scratch.subarray(0, bounds[i] - bounds[i - 1]);
    bytes.copy(chunk, 0, bounds[i - 1], bounds[i]);
    sut.handleCopyData({ chunk });
    chunk.fill(0x58); // what pg writes into its buffer next must not reach the pages
  }
  sut.handleCommandComplete();
  sut.handleReadyForQuery();
  const pages = [];
  for await (const page of sut.read()) pages.push(page);
  return pages;
}

describe(CopyOut.name, () => {
  const row = fc.record({
    text: fc.string({ unit: 'binary', maxLength: 40 }),
    // Cents of a ledger entry, beyond 2^32 (the sum is read in two halves) and summed exactly.
    value: fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }),
  });

  it('should give every row text, in order, with row counts and sums, however the messages are cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (rows, cuts) => {
          const pages = await readCopy(binaryCopy(rows), cuts);
          const text = Buffer.concat(pages.map((p) => p.bytes)).toString('utf8');
          expect(text).toBe(rows.map((r) => r.text).join(''));
          expect(pages.reduce((n, p) => n + p.rows, 0)).toBe(rows.length);
          const sum = rows.reduce((s, r) => s + r.value, 0n);
          expect(pages.reduce((s, p) => s + p.sum, 0)).toBe(Number(sum));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('should split a long COPY into pages of about a megabyte', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => ({
      text: `${i},line of about eighty characters for the ledger page test,${'x'.repeat(20)}\r\n`,
      value: BigInt(i),
    }));
    const pages = await readCopy(binaryCopy(rows), [100_000, 1_000_000, 2_000_000]);
    expect(pages.length).toBeGreaterThan(1);
    expect(Math.max(...pages.map((p) => p.bytes.length))).toBeLessThanOrEqual(1 << 20);
    expect(pages.reduce((n, p) => n + p.rows, 0)).toBe(rows.length);
  });

  it('should fail on an error from the server, and on a COPY without its trailer', async () => {
    const failing = new CopyOut('COPY');
    failing.handleError(new Error('canceling statement due to statement timeout'));
    await expect(failing.read().next()).rejects.toThrow('statement timeout');

    const cut = binaryCopy([{ text: 'a', value: 1n }]);
    const short = new CopyOut('COPY');
    short.handleCopyData({ chunk: cut.subarray(0, cut.length - 2) });
    short.handleCommandComplete();
    short.handleReadyForQuery();
    const readAll = async () => {
      for await (const page of short.read()) expect(page.rows).toBe(1);
    };
    await expect(readAll()).rejects.toThrow('trailer');
  });
});
