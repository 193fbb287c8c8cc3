import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import type { Response } from 'express';
import {
  CsvColumn,
  csvChunks,
  CsvLines,
  csvManifest,
  CsvReport,
  keysetPages,
  sendCsv,
} from './csv';
import { BOM, csvLine, formatCell, neutralise } from './csv-format';

interface Row {
  id: number;
  text: string | null;
  cents: number;
  on: string;
}

const COLUMNS: CsvColumn<Row>[] = [
  { name: 'id', kind: 'integer', value: (r) => r.id },
  { name: 'memo', kind: 'text', value: (r) => r.text },
  { name: 'amount', kind: 'money', value: (r) => r.cents },
  { name: 'incurred_on', kind: 'date', value: (r) => r.on },
];

function reportOf(rows: Row[], pageSize = 3): CsvReport<Row> {
  return {
    name: 'sample',
    columns: COLUMNS,
    pages: () =>
      keysetPages<Row>(
        (after, size) =>
          Promise.resolve(rows.filter((r) => r.id > (after?.id ?? 0)).slice(0, size)),
        pageSize,
      ),
  };
}

/** A fake Express response that collects bytes and reports a full buffer every other write. */
class FakeResponse extends Writable {
  readonly headers: Record<string, string> = {};
  statusCode = 0;
  readonly chunks: Buffer[] = [];
  drains = 0;
  private writes = 0;

  constructor() {
    super({ highWaterMark: 1 });
  }

  status(code: number) {
    this.statusCode = code;
    return this;
  }

  setHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }

  override write(chunk: unknown): boolean {
    this.chunks.push(Buffer.from(String(chunk), 'utf8'));
    this.writes += 1;
    if (this.writes % 2 === 0) {
      setImmediate(() => {
        this.drains += 1;
        this.emit('drain');
      });
      return false;
    }
    return true;
  }

  override end(): this {
    this.emit('finish');
    return this;
  }

  get body(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    '=SUM(A1)',
    '+1',
    '-2',
    '@x',
    '\tx',
    '\rx',
    'a,b',
    'say "hi"',
    'a\r\nb',
    'Dy–Nd ✓',
  ),
  fc.string({
    unit: fc.constantFrom('"', ',', '\r', '\n', '=', '+', '-', '@', '\t', 'é', 'a', ' '),
  }),
);
const cents = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });

describe('csv', () => {
  describe(formatCell.name, () => {
    it('should round-trip any text through csv-parse as the neutralised text', () => {
      fc.assert(
        fc.property(fc.array(text, { minLength: 1, maxLength: 5 }), (cells) => {
          const sut = csvLine(cells.map((c) => formatCell('text', c)));
          const [parsed]: string[][] = parse(sut, { relaxQuotes: false });
          expect(parsed).toEqual(cells.map(neutralise));
        }),
      );
    });

    it('should never alter money or integer cells, negative ones included', () => {
      fc.assert(
        fc.property(cents, fc.integer(), (c, n) => {
          const sut = formatCell('money', c);
          expect(sut).toMatch(/^-?\d+\.\d{2}$/);
          expect(BigInt(sut.replace('.', ''))).toBe(BigInt(c));
          expect(formatCell('integer', n)).toBe(String(n));
        }),
      );
      expect(formatCell('money', -125000)).toBe('-1250.00');
      expect(formatCell('money', -5)).toBe('-0.05');
    });

    it('should neutralise only text: a date or timestamp stays as stored', () => {
      expect(formatCell('text', '-1250.00')).toBe("'-1250.00");
      expect(formatCell('date', '2025-05-15')).toBe('2025-05-15');
      expect(formatCell('timestamp', '2025-05-15T10:00:00.000Z')).toBe('2025-05-15T10:00:00.000Z');
      expect(formatCell('text', null)).toBe('');
    });
  });

  describe(sendCsv.name, () => {
    const rows: Row[] = [
      { id: 1, text: '=HYPERLINK("x")', cents: -125000, on: '2025-05-15' },
      { id: 2, text: 'line\r\nbreak, "quoted"', cents: 5, on: '2025-05-16' },
      { id: 3, text: null, cents: 0, on: '2025-05-17' },
      { id: 4, text: 'Nd–Pr oxide', cents: 1, on: '2025-05-18' },
    ];

    it('should send headers, a header row, CRLF records and every row, waiting for drain', async () => {
      const res = new FakeResponse();
      await sendCsv(res as unknown as Response, reportOf(rows), { asOf: '2025-06-30', bom: false });
      expect(res.headers).toMatchObject({
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="sample-2025-06-30.csv"',
        'cache-control': 'no-store',
      });
      const body = res.body.toString('utf8');
      expect(body.startsWith('id,memo,amount,incurred_on\r\n')).toBe(true);
      expect(body.endsWith('\r\n')).toBe(true);
      expect(
        body
          .replace(/"[^"]*"/g, '')
          .split('\n')
          .every((l) => l === '' || l.endsWith('\r')),
      ).toBe(true);
      expect(parse(body, { columns: true })).toEqual([
        { id: '1', memo: `'=HYPERLINK("x")`, amount: '-1250.00', incurred_on: '2025-05-15' },
        { id: '2', memo: 'line\r\nbreak, "quoted"', amount: '0.05', incurred_on: '2025-05-16' },
        { id: '3', memo: '', amount: '0.00', incurred_on: '2025-05-17' },
        { id: '4', memo: 'Nd–Pr oxide', amount: '0.01', incurred_on: '2025-05-18' },
      ]);
      expect(res.drains).toBeGreaterThan(0);
    });

    it('should start with a UTF-8 byte-order mark only when asked', async () => {
      const withBom = new FakeResponse();
      const without = new FakeResponse();
      await sendCsv(withBom as unknown as Response, reportOf(rows), {
        asOf: '2025-06-30',
        bom: true,
      });
      await sendCsv(without as unknown as Response, reportOf(rows), {
        asOf: '2025-06-30',
        bom: false,
      });
      expect([...withBom.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(without.body[0]).toBe('i'.charCodeAt(0));
      expect(withBom.body.subarray(3).equals(without.body)).toBe(true);
      expect(BOM).toBe('\uFEFF');
    });
  });

  describe(csvManifest.name, () => {
    it('should hash, count and total the very bytes sendCsv writes, BOM included', async () => {
      for (const bom of [false, true]) {
        const rows: Row[] = [
          { id: 1, text: 'a', cents: -125000, on: '2025-05-15' },
          { id: 2, text: 'é', cents: 250, on: '2025-05-16' },
        ];
        const res = new FakeResponse();
        await sendCsv(res as unknown as Response, reportOf(rows, 1), { asOf: '2025-06-30', bom });
        const sut = await csvManifest(reportOf(rows, 1), {
          asOf: '2025-06-30',
          bom,
          parameters: { grantId: '7' },
        });
        expect(sut).toMatchObject({
          report: 'sample',
          parameters: { grantId: '7' },
          as_of: '2025-06-30',
          row_count: 2,
          control_totals: { amount: '-1247.50' },
          sha256: createHash('sha256').update(res.body).digest('hex'),
          bytes: res.body.length,
        });
        // A manifest describes the file alone, so the same file always has the same manifest.
        expect(Object.keys(sut).sort()).toEqual([
          'as_of',
          'bytes',
          'control_totals',
          'parameters',
          'report',
          'row_count',
          'sha256',
        ]);
      }
    });

    it('should give the same hash for the same rows however they are paged', async () => {
      await fc.assert(
        fc.asyncProperty(
          // Sums stay exact: amounts up to ten billion dollars each.
          fc.array(fc.record({ text, cents: fc.integer({ min: -1e12, max: 1e12 }) }), {
            maxLength: 20,
          }),
          fc.integer({ min: 1, max: 7 }),
          async (values, size) => {
            const rows = values.map((v, i) => ({
              id: i + 1,
              text: v.text,
              cents: v.cents,
              on: '2025-01-01',
            }));
            const options = { asOf: '2025-06-30', bom: false, parameters: {} };
            const one = await csvManifest(reportOf(rows, 1000), options);
            const paged = await csvManifest(reportOf(rows, size), options);
            expect(paged.sha256).toBe(one.sha256);
            expect(paged.row_count).toBe(rows.length);
          },
        ),
        { numRuns: 50 },
      );
    });
  });

  describe('line pages', () => {
    /** A report whose lines come ready-made, as text or as their UTF-8 bytes. */
    const lined = (pages: string[], asBytes: boolean): CsvReport<Row> & CsvLines => ({
      ...reportOf([]),
      // eslint-disable-next-line @typescript-eslint/require-await
      async *linePages() {
        for (const text of pages) {
          yield {
            text: asBytes ? Buffer.from(text, 'utf8') : text,
            rows: text.split('\r\n').length - 1,
            totals: { amount: 125 },
          };
        }
      },
    });
    const pages = ['1,é,0.01,2025-01-01\r\n2,"a,b",1.24,2025-01-02\r\n', '3,✓,0.00,2025-01-03\r\n'];

    it('should send and hash pages of bytes exactly as the same pages of text', async () => {
      const options = { asOf: '2025-06-30', bom: true, parameters: {} };
      const [text, bytes] = [new FakeResponse(), new FakeResponse()];
      await sendCsv(text as unknown as Response, lined(pages, false), options);
      await sendCsv(bytes as unknown as Response, lined(pages, true), options);
      expect(bytes.body.equals(text.body)).toBe(true);
      expect(bytes.body.toString('utf8')).toBe(
        `\uFEFFid,memo,amount,incurred_on\r\n${pages.join('')}`,
      );
      const sut = await csvManifest(lined(pages, true), options);
      expect(sut).toMatchObject({
        row_count: 3,
        control_totals: { amount: '2.50' },
        sha256: createHash('sha256').update(text.body).digest('hex'),
        bytes: text.body.length,
      });
    });
  });

  describe(keysetPages.name, () => {
    it('should ask for the rows after the last row of each page and stop at a short page', async () => {
      const asked: (number | undefined)[] = [];
      const sut = keysetPages<{ id: number }>((after, size) => {
        asked.push(after?.id);
        const start = after?.id ?? 0;
        return Promise.resolve(
          Array.from({ length: Math.max(0, Math.min(size, 5 - start)) }, (_, i) => ({
            id: start + i + 1,
          })),
        );
      }, 2);
      const pages: number[][] = [];
      for await (const page of sut) pages.push(page.map((r) => r.id));
      expect(pages).toEqual([[1, 2], [3, 4], [5]]);
      expect(asked).toEqual([undefined, 2, 4]);
    });
  });

  it('should build the same text in csvChunks as line by line', async () => {
    const rows: Row[] = [{ id: 1, text: 'x', cents: 1, on: '2025-01-01' }];
    let sut = '';
    for await (const chunk of csvChunks(reportOf(rows), false)) sut += chunk.toString();
    expect(sut).toBe('id,memo,amount,incurred_on\r\n1,x,0.01,2025-01-01\r\n');
  });
});
