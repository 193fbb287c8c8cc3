import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { Database, OPEN_READONLY } from 'sqlite3';
import { openDatabase } from '../../src/database';

/** A database of the benchmark's own on a PostgreSQL server, dropped when the run ends. */
export interface BenchDatabase {
  name: string;
  /** What the app's DATABASE_URL is set to. */
  url: string;
  drop(): Promise<void>;
}

/** How the SQLite data set went into PostgreSQL: each table's rows on both sides, and the time. */
export interface CopyReport {
  tables: Record<string, { sqlite: number; postgres: number }>;
  rows: number;
  seconds: number;
}

/** PostgreSQL takes at most 65,535 bound parameters a statement; pages stay a few MB. */
const MAX_PARAMETERS = 65_000;
const MAX_ROWS = 5_000;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The server's URL with another database name (the bench's own, created next to the given one). */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `work` on one connection to `url`, closed afterwards whatever happens. */
export async function onPostgres<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates `bench_<random>` on the server `serverUrl` names. The name is random so two runs (or a
 * run and a test suite) on one server never meet; only bench_ databases are ever dropped.
 */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  await onPostgres(serverUrl, (client) => client.query(`CREATE DATABASE ${quote(name)}`));
  return {
    name,
    url: databaseUrl(serverUrl, name),
    // FORCE: an app instance killed mid-run may leave a backend behind for a moment.
    drop: () =>
      onPostgres(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`),
      ).then(() => undefined),
  };
}

/** The server's version, for the report. */
export function postgresVersion(url: string): Promise<string> {
  return onPostgres(url, async (client) => {
    const { rows } = await client.query<{ v: string }>(
      "SELECT current_setting('server_version') AS v",
    );
    return rows[0].v.split(' ')[0];
  });
}

function sqliteAll<T>(db: Database, sql: string, params: unknown[] = []): Promise<T[]> {
  return new Promise((ok, fail) =>
    db.all(sql, params, (error, rows) => (error ? fail(error) : ok(rows as T[]))),
  );
}

/** The data set's tables: all but SQLite's own and `migrations`, which openDatabase filled. */
async function sqliteTables(db: Database): Promise<string[]> {
  const rows = await sqliteAll<{ name: string }>(
    db,
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
       AND name <> 'migrations' ORDER BY name`,
  );
  return rows.map((row) => row.name);
}

async function postgresTables(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'migrations'
      ORDER BY table_name`,
  );
  return rows.map((row) => row.name);
}

/**
 * One table's rows, SQLite to PostgreSQL, in pages on SQLite's rowid (every table here has one):
 * memory stays at a page whatever the table's size, and no OFFSET rescans what was copied.
 */
async function copyTable(db: Database, client: Client, table: string): Promise<number> {
  const columns = (await sqliteAll<{ name: string }>(db, `PRAGMA table_info(${quote(table)})`)).map(
    (column) => column.name,
  );
  const perPage = Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / columns.length));
  const list = columns.map(quote).join(', ');
  let copied = 0;
  for (let after = Number.MIN_SAFE_INTEGER; ;) {
    const page = await sqliteAll<Record<string, unknown>>(
      db,
      `SELECT rowid AS bench_rowid, ${list} FROM ${quote(table)} WHERE rowid > ? ORDER BY rowid LIMIT ${perPage}`,
      [after],
    );
    if (page.length === 0) return copied;
    const tuples = page.map(
      (_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`,
    );
    // SQLite's values as they are: PostgreSQL parses each in its column's type (0/1 for a boolean).
    await client.query(
      `INSERT INTO ${quote(table)} (${list}) VALUES ${tuples.join(', ')}`,
      page.flatMap((row) => columns.map((column) => row[column])),
    );
    copied += page.length;
    after = page[page.length - 1].bench_rowid as number;
  }
}

/**
 * Every serial column's sequence moved past the rows copied in with their ids, so the app's first
 * insert does not collide with one. History tables number their rows in history_id, not id: they
 * are reset too, or the first change to a versioned record would fail on its history row.
 */
async function resetSequences(client: Client): Promise<void> {
  const { rows } = await client.query<{ table: string; column: string; sequence: string }>(
    `SELECT table_name AS "table", column_name AS "column",
            pg_get_serial_sequence(quote_ident(table_name), column_name) AS "sequence"
       FROM information_schema.columns
      WHERE table_schema = current_schema()
        AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL`,
  );
  for (const { table, column, sequence } of rows) {
    await client.query(
      `SELECT setval($1, COALESCE((SELECT MAX(${quote(column)}) FROM ${quote(table)}), 0) + 1, false)`,
      [sequence],
    );
  }
}

async function counts(
  tables: string[],
  count: (table: string) => Promise<number>,
): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of tables) result[table] = await count(table);
  return result;
}

/**
 * Gives `url` (an empty database) the app's schema through its own migrations, then copies every
 * table of the SQLite data set into it exactly, history and ledger_totals included: in one
 * transaction with session_replication_role = replica, so neither the triggers (append-only
 * ledger, record history, ledger totals) nor the foreign keys fire on rows that are copies. Then
 * the sequences are reset, the planner's statistics gathered, and each table's rows counted on
 * both sides; a table on one side only or a count that differs is pushed to `failures`.
 */
export async function copyDataset(
  sqlitePath: string,
  url: string,
  failures: string[],
): Promise<CopyReport> {
  const started = performance.now();
  await (await openDatabase(url)).destroy();
  const db = new Database(sqlitePath, OPEN_READONLY);
  try {
    return await onPostgres(url, async (client) => {
      const tables = await sqliteTables(db);
      const theirs = await postgresTables(client);
      const missing = [
        ...tables.filter((t) => !theirs.includes(t)).map((t) => `${t} is not in PostgreSQL`),
        ...theirs.filter((t) => !tables.includes(t)).map((t) => `${t} is not in SQLite`),
      ];
      for (const problem of missing) failures.push(`Copying the data set: table ${problem}.`);
      const shared = tables.filter((t) => theirs.includes(t));

      await client.query('BEGIN');
      try {
        await client.query('SET LOCAL session_replication_role = replica');
        for (const table of shared) await copyTable(db, client, table);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      await resetSequences(client);
      await client.query('ANALYZE');

      const count = 'SELECT COUNT(*) AS n FROM ';
      const sqlite = await counts(shared, async (t) =>
        Number((await sqliteAll<{ n: number }>(db, count + quote(t)))[0].n),
      );
      const postgres = await counts(shared, async (t) =>
        Number((await client.query<{ n: number }>(count + quote(t))).rows[0].n),
      );
      const report: CopyReport = { tables: {}, rows: 0, seconds: 0 };
      for (const table of shared) {
        report.tables[table] = { sqlite: sqlite[table], postgres: postgres[table] };
        report.rows += postgres[table];
        if (sqlite[table] !== postgres[table]) {
          failures.push(
            `Copying the data set: ${table} has ${sqlite[table]} rows in SQLite, ${postgres[table]} in PostgreSQL.`,
          );
        }
      }
      report.seconds = (performance.now() - started) / 1000;
      return report;
    });
  } finally {
    await new Promise((r) => db.close(r));
  }
}

/**
 * `sql` exported as CSV (a header line, then the rows) by psql's \copy into the open file `out`:
 * the reference the app's ledger download is timed against on PostgreSQL, as the sqlite3 CLI is
 * on SQLite. \copy takes the rest of its line, so the query goes on one line.
 */
export function psqlExport(url: string, sql: string, out: number): void {
  const query = sql.replace(/\s+/g, ' ').trim();
  execFileSync(
    'psql',
    [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-d',
      url,
      '-c',
      `\\copy (${query}) to stdout with (format csv, header)`,
    ],
    { stdio: ['ignore', out, 'inherit'] },
  );
}
