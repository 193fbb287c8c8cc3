import { escapeLiteral } from 'pg';
import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * One page of a binary COPY whose rows are (text, bigint): the texts' UTF-8 bytes one after the
 * other, how many rows, and the sum of the bigints.
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

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, flags (int32) and the header extension's length (int32). */
const HEADER_BYTES = SIGNATURE.length + 8;

interface PgConnection {
  query(text: string): void;
  stream: { pause(): void; resume(): void };
}

/**
 * `COPY (query) TO STDOUT (FORMAT binary)` through pg's submittable interface (the one pg-cursor
 * uses): pg hands each CopyData message here, and the binary format needs no unescaping — each row
 * is its fields' lengths and bytes, copied out at once (pg reuses its read buffer) into pages of
 * their own. The socket pauses while PAGES_AHEAD pages wait, so a slow client never fills memory.
 */
export class CopyOut {
  private readonly pages: CopiedPage[] = [];
  private page = Buffer.allocUnsafe(PAGE_BYTES);
  private used = 0;
  private rows = 0;
  private sum = 0;
  private carry: Buffer | null = null;
  private headerRead = false;
  private ended = false;
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
    let buffer = message.chunk;
    if (this.carry) {
      buffer = Buffer.concat([this.carry, buffer]);
      this.carry = null;
    }
    let at = 0;
    if (!this.headerRead) {
      if (buffer.length < HEADER_BYTES) return void (this.carry = Buffer.from(buffer));
      if (!buffer.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
        return this.fail(new Error('COPY sent no binary header.'));
      }
      const extension = buffer.readInt32BE(SIGNATURE.length + 4);
      if (buffer.length < HEADER_BYTES + extension) return void (this.carry = Buffer.from(buffer));
      at = HEADER_BYTES + extension;
      this.headerRead = true;
    }
    while (!this.ended && at + 2 <= buffer.length) {
      const fields = buffer.readInt16BE(at);
      if (fields === -1) {
        this.ended = true;
        at += 2;
        break;
      }
      if (fields !== 2) return this.fail(new Error(`COPY sent a row of ${fields} fields, not 2.`));
      if (at + 6 > buffer.length) break;
      const length = buffer.readInt32BE(at + 2);
      const number = at + 6 + length;
      if (length < 0 || number + 12 > buffer.length) {
        if (length < 0) return this.fail(new Error('COPY sent a null text.'));
        break;
      }
      this.append(buffer, at + 6, number);
      // The bigint as two 32-bit halves (exact below 2^53, as every sum of cents here is).
      this.sum += buffer.readInt32BE(number + 4) * 0x1_0000_0000 + buffer.readUInt32BE(number + 8);
      this.rows += 1;
      at = number + 12;
    }
    // pg reuses the buffer the chunk is a view of: what is left is copied.
    if (at < buffer.length && !this.ended) this.carry = Buffer.from(buffer.subarray(at));
  }

  private append(buffer: Buffer, start: number, end: number): void {
    const length = end - start;
    if (this.used + length > this.page.length) {
      this.flush();
      if (length > this.page.length) this.page = Buffer.allocUnsafe(length);
    }
    buffer.copy(this.page, this.used, start, end);
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

  handleCommandComplete(): void {
    if (!this.ended && !this.error) this.fail(new Error('COPY ended without its trailer.'));
  }

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
 * The rows of `query` (`:name` parameters, two columns: a text and a bigint) as pages of the texts'
 * bytes, in the query's order, each with its row count and the sum of its bigints: one COPY on a
 * pooled connection of the download's own, so one statement and one snapshot of the data, sent as
 * fast as PostgreSQL builds the rows (measured at a million ledger rows: a third of the time of
 * pages of 10,000 rows, each query paying again for its index scan and join; two COPYs side by side
 * on two connections were slower still on two cores). Read-only by construction (COPY … TO). A
 * consumer that stops early closes the connection (a COPY cannot be stopped otherwise); the pool
 * opens another.
 */
export async function* copyTextAndSum(
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
  const copy = new CopyOut(`COPY (${text}) TO STDOUT (FORMAT binary)`);
  let finished = false;
  try {
    client.query(copy);
    yield* copy.read();
    finished = true;
  } finally {
    release(finished ? undefined : true);
  }
}
