import { escapeLiteral } from 'pg';
import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * One page of a COPY … (FORMAT csv) whose first column is summed (see CopyOut): the records' UTF-8
 * bytes one after the other, each ending in CRLF, how many records, and the sum of the column.
 */
export interface CopiedPage {
  bytes: Buffer;
  rows: number;
  sum: number;
}

/** The size of a page of copied text: a few socket writes' worth. */
const PAGE_BYTES = 1 << 20;
/** Pages waiting for the consumer before the socket is paused (PostgreSQL then waits too). */
const PAGES_AHEAD = 4;

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const MINUS = 0x2d;
const CRLF = Buffer.from('\r\n');

interface PgConnection {
  query(text: string): void;
  stream: { pause(): void; resume(): void };
}

/**
 * Whether `record` (a CSV record without its line end) is one record: no LF outside quotes and
 * every quote closed. PostgreSQL sends each row of a COPY … TO as its own CopyData message; this
 * makes sure of it rather than trusting it, so a message that held a part of a row, or two rows,
 * fails the download instead of changing its bytes. Rows without a quote (nearly all) take two
 * searches in native code.
 */
export function oneRecord(record: Buffer): boolean {
  for (let from = 0; ;) {
    // Outside quotes: the next quote opens a quoted part, and no LF may come before it.
    const open = record.indexOf(QUOTE, from);
    const lf = record.indexOf(LF, from);
    if (open === -1) return lf === -1;
    if (lf !== -1 && lf < open) return false;
    // Inside: the next quote closes it (a doubled quote closes and opens again: the same).
    const close = record.indexOf(QUOTE, open + 1);
    if (close === -1) return false;
    from = close + 1;
  }
}

/**
 * `COPY (query) TO STDOUT (FORMAT csv)` through pg's submittable interface (the one pg-cursor
 * uses): PostgreSQL quotes each cell in C, and pg hands each row's CopyData message here. The
 * query's first column is an integer that is summed and left out of the record (the ledger's
 * amount in cents, for the manifest's control total), and each record ends in CRLF instead of
 * COPY's LF. Each record is copied out at once (pg reuses its read buffer) into pages of their own;
 * the socket pauses while PAGES_AHEAD pages wait, so a slow client never fills memory.
 */
export class CopyOut {
  private readonly pages: CopiedPage[] = [];
  private page = Buffer.allocUnsafe(PAGE_BYTES);
  private used = 0;
  private rows = 0;
  private sum = 0;
  private done = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;
  private connection: PgConnection | null = null;
  private paused = false;

  constructor(private readonly text: string) {}

  submit(connection: PgConnection): void {
    this.connection = connection;
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    if (this.error) return;
    const row = message.chunk;
    const comma = row.indexOf(COMMA);
    if (comma < 1 || row[row.length - 1] !== LF) {
      return this.fail(new Error('COPY sent a message that is not one row.'));
    }
    let value = 0;
    const negative = row[0] === MINUS;
    for (let i = negative ? 1 : 0; i < comma; i++) {
      const digit = row[i] - 48;
      if (digit < 0 || digit > 9) return this.fail(new Error('COPY sent a row without its sum.'));
      value = value * 10 + digit;
    }
    const record = row.subarray(comma + 1, row.length - 1);
    if (!oneRecord(record)) return this.fail(new Error('COPY sent a message that is not one row.'));
    this.append(record);
    // Exact below 2^53, as every sum of cents here is.
    this.sum += negative ? -value : value;
    this.rows += 1;
  }

  private append(record: Buffer): void {
    const length = record.length + CRLF.length;
    if (this.used + length > this.page.length) {
      this.flush();
      if (length > this.page.length) this.page = Buffer.allocUnsafe(length);
    }
    record.copy(this.page, this.used);
    CRLF.copy(this.page, this.used + record.length);
    this.used += length;
  }

  private flush(): void {
    if (this.rows === 0) return;
    this.pages.push({ bytes: this.page.subarray(0, this.used), rows: this.rows, sum: this.sum });
    this.page = Buffer.allocUnsafe(PAGE_BYTES);
    this.used = 0;
    this.rows = 0;
    this.sum = 0;
    if (this.pages.length >= PAGES_AHEAD && !this.paused && this.connection) {
      this.paused = true;
      this.connection.stream.pause();
    }
    this.notify();
  }

  private fail(error: Error): void {
    this.error ??= error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    this.flush();
    this.done = true;
    this.notify();
  }

  handleError(error: Error): void {
    this.fail(error);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {
    this.fail(new Error('COPY FROM is not read here.'));
  }

  async *read(): AsyncGenerator<CopiedPage> {
    for (;;) {
      const page = this.pages.shift();
      if (page) {
        if (this.paused && this.pages.length < PAGES_AHEAD / 2) {
          this.paused = false;
          this.connection?.stream.resume();
        }
        yield page;
        continue;
      }
      if (this.error) throw this.error;
      if (this.done) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** A value of `params` as an SQL literal: COPY takes no parameters, so they go into its text. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string') return escapeLiteral(value);
  throw new Error(`COPY cannot take ${typeof value} parameters.`);
}

/**
 * The rows of `query` (`:name` parameters; its first column an integer, the rest the CSV's cells)
 * as pages of CSV records in the query's order, each page with its record count and the sum of the
 * first column: one COPY on a pooled connection of the download's own, so one statement and one
 * snapshot of the data, sent as fast as PostgreSQL builds the rows. PostgreSQL's CSV quotes a
 * cell when it holds a comma, a quote, CR or LF, doubling its quotes — RFC 4180, as formatCell does
 * — and writes null as nothing, but an empty string as `""`: a query gives empty text as NULL.
 * Measured at a million ledger rows: a third of the time of pages of 10,000 rows, and about half of
 * building each line in SQL (two COPYs side by side on two connections were slower on two cores).
 * Read-only by construction (COPY … TO). A consumer that stops early closes the connection (a COPY
 * cannot be stopped otherwise); the pool opens another.
 */
export async function* copyCsvAndSum(
  manager: EntityManager,
  query: string,
  params: ObjectLiteral,
): AsyncGenerator<CopiedPage> {
  const driver = manager.connection.driver as PostgresDriver;
  const [sql, values] = driver.escapeQueryWithParameters(query, params, {});
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
  const [client, release] = (await driver.obtainMasterConnection()) as [
    { query(submittable: CopyOut): void },
    (error?: Error | boolean) => void,
  ];
  const copy = new CopyOut(`COPY (${text}) TO STDOUT (FORMAT csv)`);
  let finished = false;
  try {
    client.query(copy);
    yield* copy.read();
    finished = true;
  } finally {
    release(finished ? undefined : true);
  }
}
