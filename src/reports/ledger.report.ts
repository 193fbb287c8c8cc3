import type { Database } from 'sqlite3';
import { EntityManager, ObjectLiteral } from 'typeorm';
import type { SqliteDriver } from 'typeorm/driver/sqlite/SqliteDriver';
import { CostCategory, Share } from '../budgets/budget.constants';
import { CsvColumn, CsvLinePage, CsvLines, CsvReport, keysetPages } from '../common/csv';
import { copyCell, CsvKind, sqlLine } from '../common/csv-format';
import { namedQuery } from '../common/database/named-query';
import { copyCsvAndSum } from '../common/database/postgres-copy';
import { asOfParams, recordedAsOf } from '../common/as-of';
import { filterSql } from '../ledger/ledger-list.service';

/** Which entries the ledger report holds: as of a date, optionally filtered. */
export interface LedgerFilters {
  asOf: string;
  grantId?: number;
  /** Incurred on or after. */
  from?: string;
  /** Incurred on or before. */
  to?: string;
  category?: CostCategory;
  share?: Share;
}

export interface LedgerReportParams extends LedgerFilters {
  /** The office's time zone: the grants' award numbers are those recorded by the end of asOf there. */
  timeZone: string;
}

/**
 * The entries joined to their grants as the records stood at the end of asOf, so a grant's award
 * number renamed later does not change the file (reads `:asOfEnd`).
 */
const FROM_ENTRIES = `expenditures e JOIN ${recordedAsOf('grants')} g ON g.id = e.grant_id`;

export interface LedgerCsvRow {
  id: number;
  awardNumber: string;
  budgetPeriod: number;
  category: string;
  incurredOn: string;
  amountCents: number;
  share: string;
  reference: string;
  memo: string;
  reversalOf: number | null;
  recordedBy: string;
  recordedAt: string;
  recordedOn: string;
}

/** The ledger CSV's columns: header name, kind, the row's value, and the SQL that holds it. */
const COLUMNS: [CsvColumn<LedgerCsvRow>, string][] = [
  [{ name: 'id', kind: 'integer', value: (r) => r.id }, 'e.id'],
  [{ name: 'award_number', kind: 'text', value: (r) => r.awardNumber }, 'g.award_number'],
  [{ name: 'budget_period', kind: 'integer', value: (r) => r.budgetPeriod }, 'e.budget_period'],
  [{ name: 'category', kind: 'text', value: (r) => r.category }, 'e.category'],
  [{ name: 'incurred_on', kind: 'date', value: (r) => r.incurredOn }, 'e.incurred_on'],
  [{ name: 'amount', kind: 'money', value: (r) => r.amountCents }, 'e.amount_cents'],
  [{ name: 'share', kind: 'text', value: (r) => r.share }, 'e.share'],
  [{ name: 'reference', kind: 'text', value: (r) => r.reference }, 'e.reference'],
  [{ name: 'memo', kind: 'text', value: (r) => r.memo }, 'e.memo'],
  [{ name: 'reversal_of', kind: 'integer', value: (r) => r.reversalOf }, 'e.reversal_of'],
  [{ name: 'recorded_by', kind: 'text', value: (r) => r.recordedBy }, 'e.recorded_by'],
  [{ name: 'recorded_at', kind: 'timestamp', value: (r) => r.recordedAt }, 'e.recorded_at'],
  [{ name: 'recorded_on', kind: 'date', value: (r) => r.recordedOn }, 'e.recorded_on'],
];

export const LEDGER_COLUMNS = COLUMNS.map(([column]) => column);

/** category and share go out as they are: CHECK constraints hold them to lower-case words. */
const CELLS: [CsvKind | 'enum', string][] = COLUMNS.map(([column, expr]) => [
  column.name === 'category' || column.name === 'share' ? 'enum' : column.kind,
  expr,
]);

/**
 * The record as SQLite builds it, byte for byte what formatCell/csvLine build (the e2e spec checks
 * it on arbitrary rows).
 */
const LINE_SQL = sqlLine(CELLS);

/**
 * The columns of PostgreSQL's CSV COPY that build the same bytes: the amount in cents first,
 * summed and left out of the record (copyCsvAndSum), then the cells.
 */
const COPY_COLUMNS = ['e.amount_cents', ...CELLS.map(([kind, expr]) => copyCell(kind, expr))];

/** ~10,000 lines (about 1.5 MB) a page: few round trips, small buffers. */
export const LEDGER_CSV_PAGE = 10_000;

const SELECT_ROW = `e.id AS "id", g.award_number AS "awardNumber", e.budget_period AS "budgetPeriod",
  e.category AS "category", e.incurred_on AS "incurredOn", e.amount_cents AS "amountCents",
  e.share AS "share", e.reference AS "reference", e.memo AS "memo", e.reversal_of AS "reversalOf",
  e.recorded_by AS "recordedBy", e.recorded_at AS "recordedAt", e.recorded_on AS "recordedOn"`;

/** The entries' conditions (alias `e`): what the ledger CSV and the reconciliation both count. */
export function ledgerWhere(params: LedgerFilters): { where: string; values: ObjectLiteral } {
  const { where, params: values } = filterSql(params);
  return { where: where.join(' AND '), values: { asOf: params.asOf, ...values } };
}

type RawRow = Omit<LedgerCsvRow, 'id' | 'amountCents' | 'budgetPeriod' | 'reversalOf'> &
  Record<'id' | 'amountCents' | 'budgetPeriod', number | string> & {
    reversalOf: number | string | null;
  };

/**
 * The expenditure ledger as of a date (DESIGN.md §5), in id order, in keyset pages on the primary
 * key. The download takes linePages(): the database builds each CSV line, which measured about
 * twice as fast as formatting in JavaScript at a million rows — on SQLite LINE_SQL, a page joined
 * into one string and two pages at once, on PostgreSQL COPY_COLUMNS in one CSV COPY
 * (ledgerLinePages); pages() gives the same records as rows, for the manifest and the workbook.
 */
export function ledgerReport(
  manager: EntityManager,
  params: LedgerReportParams,
  options: { pageSize?: number; after?: number } = {},
): CsvReport<LedgerCsvRow> & CsvLines {
  const size = options.pageSize ?? LEDGER_CSV_PAGE;
  const { where, values: filterValues } = ledgerWhere(params);
  const values = { ...filterValues, ...asOfParams(params.asOf, params.timeZone) };
  const start = options.after ?? 0;
  const report: CsvReport<LedgerCsvRow> & CsvLines = {
    name: 'ledger',
    columns: LEDGER_COLUMNS,
    pages: () =>
      keysetPages<LedgerCsvRow>(async (after, limit) => {
        const raw = await namedQuery<RawRow>(
          manager,
          `SELECT ${SELECT_ROW} FROM ${FROM_ENTRIES}
            WHERE ${where} AND e.id > :after ORDER BY e.id LIMIT :limit`,
          { ...values, after: after?.id ?? start, limit },
        );
        return raw.map((r) => ({
          ...r,
          id: Number(r.id),
          budgetPeriod: Number(r.budgetPeriod),
          amountCents: Number(r.amountCents),
          reversalOf: r.reversalOf === null ? null : Number(r.reversalOf),
        }));
      }, size),
  };
  report.linePages = () => ledgerLinePages(manager, where, { ...values }, start, size);
  return report;
}

interface LinePageRow {
  /** SQLite's BLOB, as a Buffer. */
  text: Buffer | null;
  ids: string | null;
  n: number;
  cents: number | string | null;
}

/** Runs SQL with `:name` parameters on one connection. */
export type LedgerRun = <T>(sql: string, params: ObjectLiteral) => Promise<T[]>;

/**
 * Whether `ids` ("3,7,12") ascends. SQLite documents the order in which group_concat joins rows as
 * arbitrary unless the aggregate has its own ORDER BY, which sorts every page again (a fifth of the
 * page query's time); in practice the order is the subquery's. So the page query also joins the ids,
 * in the same order as the lines (both aggregates step through the rows together), and a page whose
 * ids do not ascend is read again with the ORDER BY.
 */
export function idsAscending(ids: string): boolean {
  let previous = -1;
  let current = 0;
  for (let i = 0; i < ids.length; i++) {
    const code = ids.charCodeAt(i);
    if (code === 44) {
      if (current <= previous) return false;
      previous = current;
      current = 0;
    } else {
      current = current * 10 + code - 48;
    }
  }
  return current > previous;
}

/**
 * The records `after < id <= upto` (at most `limit`), built by SQLite and joined into one BLOB: the
 * driver then hands over a Buffer, with no decoding into a string and encoding back for the socket.
 */
function linePageSql(where: string, ordered: boolean): string {
  return `SELECT CAST(group_concat(p.line, ''${ordered ? ' ORDER BY p.id' : ''}) AS BLOB) AS "text",
          ${ordered ? 'NULL' : "group_concat(p.id, ',')"} AS "ids",
          COUNT(*) AS "n", SUM(p.amount_cents) AS "cents"
     FROM (SELECT e.id AS id, e.amount_cents AS amount_cents, ${LINE_SQL} AS line
             FROM ${FROM_ENTRIES}
            WHERE ${where} AND e.id > :after AND e.id <= :upto ORDER BY e.id LIMIT :limit) p`;
}

/** One page of records, in id order (see idsAscending). */
export async function ledgerLinePage(
  run: LedgerRun,
  where: string,
  params: ObjectLiteral,
): Promise<LinePageRow> {
  const [page] = await run<LinePageRow>(linePageSql(where, false), params);
  if (page.ids === null || idsAscending(page.ids)) return page;
  const [ordered] = await run<LinePageRow>(linePageSql(where, true), params);
  return ordered;
}

/** A read-only connection of the download's own (sqlite3 driver), closed when the download ends. */
class LedgerReader {
  private constructor(
    private readonly db: Database,
    private readonly driver: SqliteDriver,
  ) {}

  /** Null for a database that another connection cannot open (in memory). */
  static async open(driver: SqliteDriver): Promise<LedgerReader | null> {
    const path = driver.options.database;
    if (!path || path === ':memory:' || path.startsWith('file:')) return null;
    const sqlite = driver.sqlite as typeof import('sqlite3');
    const db = await new Promise<Database>((resolve, reject) => {
      const opened: Database = new sqlite.Database(path, sqlite.OPEN_READONLY, (error) =>
        error ? reject(error) : resolve(opened),
      );
    });
    db.configure('busyTimeout', 5000);
    return new LedgerReader(db, driver);
  }

  readonly run: LedgerRun = <T>(sql: string, params: ObjectLiteral) => {
    const [text, values] = this.driver.escapeQueryWithParameters(sql, params, {});
    return new Promise<T[]>((resolve, reject) =>
      this.db.all(text, values, (error, rows) => (error ? reject(error) : resolve(rows as T[]))),
    );
  };

  /** After any query still running (the driver queues the close behind it). */
  close(): Promise<void> {
    return new Promise((resolve) => this.db.close(() => resolve()));
  }
}

/** Pages built at once: one per core of the machine the app runs on (2). */
export const LEDGER_CSV_READERS = 2;

/** Above every id: the upper bound of the last page. */
const NO_END = Number.MAX_SAFE_INTEGER;

/**
 * The download's pages. On PostgreSQL, one CSV COPY of the records (copyCsvAndSum).
 *
 * On SQLite, building lines is nearly all of its time and one connection runs one query at a
 * time, so pages build on LEDGER_CSV_READERS read-only connections of the download's own,
 * each a page ahead of the socket (on an in-memory database, all on the app's connection). They read
 * only committed rows and never wait on the app's connection or its write lock. Each page is a range
 * of ids that its reader first finds with a short scan (`boundary`); ids only grow, so a range of
 * committed rows never gains one, and only the last, open page can see rows recorded meanwhile.
 */
async function* ledgerLinePages(
  manager: EntityManager,
  where: string,
  values: ObjectLiteral,
  start: number,
  size: number,
): AsyncGenerator<CsvLinePage> {
  if (manager.connection.options.type === 'postgres') {
    const pages = copyCsvAndSum(
      manager,
      `SELECT ${COPY_COLUMNS.join(', ')}
         FROM ${FROM_ENTRIES} WHERE ${where} AND e.id > :after ORDER BY e.id`,
      { ...values, after: start },
    );
    for await (const page of pages) {
      yield { text: page.bytes, rows: page.rows, totals: { amount: page.sum } };
    }
    return;
  }
  const readers: LedgerReader[] = [];
  try {
    for (let i = 0; i < LEDGER_CSV_READERS; i++) {
      const reader = await LedgerReader.open(manager.connection.driver as SqliteDriver);
      if (reader) readers.push(reader);
    }
    const main: LedgerRun = <T>(sql: string, params: ObjectLiteral) =>
      namedQuery<T>(manager, sql, params);
    const runs = readers.length > 0 ? readers.map((r) => r.run) : [main];
    /** The id of the size-th record after `after`; null when the rest fits in one page. */
    const boundary = async (run: LedgerRun, after: number): Promise<number | null> => {
      const [row] = await run<{ id: number }>(
        `SELECT e.id AS "id" FROM expenditures e WHERE ${where} AND e.id > :after
          ORDER BY e.id LIMIT 1 OFFSET :skip`,
        { ...values, after, skip: size - 1 },
      );
      return row ? Number(row.id) : null;
    };
    const pending: Promise<LinePageRow>[] = [];
    let after: number | null = start;
    let turn = 0;
    // Takes the next reader, which has just finished its last page: the boundary runs at once.
    const dispatch = async (from: number) => {
      const run = runs[turn++ % runs.length];
      const upto = await boundary(run, from);
      const page = ledgerLinePage(run, where, {
        ...values,
        after: from,
        upto: upto ?? NO_END,
        limit: size,
      });
      // Awaited in order below; this only keeps a failure while it waits from counting as unhandled.
      page.catch(() => undefined);
      pending.push(page);
      after = upto;
    };
    while (after !== null && pending.length < LEDGER_CSV_READERS) await dispatch(after);
    while (pending.length > 0) {
      const page: LinePageRow = await pending.shift()!;
      if (after !== null) await dispatch(after);
      const rows = Number(page.n);
      if (rows > 0 && page.text !== null) {
        yield { text: page.text, rows, totals: { amount: Number(page.cents ?? 0) } };
      }
    }
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
}
