import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import * as sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import { whileNoTransaction } from '../../src/common/database/write-path';
import { isPostgresUrl, openDatabase } from '../../src/database';

/**
 * The engine the tests run on: PostgreSQL when TEST_DATABASE_URL names a server the tests may create
 * databases on (`postgres://user@127.0.0.1:55432/postgres`; .ci/run starts one), SQLite otherwise.
 * Each test app gets a database of its own either way, built from one migrated template.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const TEST_ENGINE: 'sqlite' | 'postgres' = TEST_DATABASE_URL ? 'postgres' : 'sqlite';

/**
 * A describe for what only SQLite has (its file lock, its online backup, its read-only reading
 * connections): registered on SQLite only, so a PostgreSQL run neither runs nor reports it.
 */
export const describeSqlite = (name: string, body: () => void): void => {
  if (TEST_ENGINE === 'sqlite') describe(name, body);
};

/** A describe for what only PostgreSQL has (its pool, COPY): registered on PostgreSQL only. */
export const describePostgres = (name: string, body: () => void): void => {
  if (TEST_ENGINE === 'postgres') describe(name, body);
};

/** One test app's database: where it is, and how to copy it aside and put the copy back. */
export interface FreshDatabase {
  /** A file path (SQLite) or a postgres:// URL: what DATABASE_PATH or DATABASE_URL is set to. */
  location: string;
  /** Keeps the database as it is now, for restore(); `dataSource` is the app's, open on it. */
  snapshot(dataSource: DataSource): Promise<void>;
  restore(dataSource: DataSource): Promise<void>;
  drop(): Promise<void>;
}

interface Driver {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}
const driverOf = (dataSource: DataSource) => dataSource.driver as unknown as Driver;

let sqliteTemplate: Promise<string> | undefined;

/**
 * An empty SQLite database built by the real migrations, once per test process: each test app
 * starts from a copy of it (its own migrations then find nothing to run).
 */
function migratedSqliteTemplate(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grant-tracker-template-'));
    const path = join(dir, 'template.sqlite');
    const dataSource = await openDatabase(path);
    await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
    await dataSource.query('PRAGMA journal_mode = DELETE');
    await dataSource.destroy();
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return path;
  })();
  return sqliteTemplate;
}

async function freshSqlite(): Promise<FreshDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'grant-tracker-'));
  const path = join(dir, 'test.sqlite');
  const snapshotPath = join(dir, 'snapshot.sqlite');
  const source = await migratedSqliteTemplate();
  if (existsSync(source)) copyFileSync(source, path);
  return {
    location: path,
    // The file as it is now, with nothing left in WAL (closing the connections checkpoints).
    snapshot: (dataSource) =>
      whileNoTransaction(dataSource, async () => {
        await driverOf(dataSource).disconnect();
        copyFileSync(path, snapshotPath);
        await driverOf(dataSource).connect();
      }),
    // The file copied back with the app's connections closed.
    restore: (dataSource) =>
      whileNoTransaction(dataSource, async () => {
        await driverOf(dataSource).disconnect();
        for (const suffix of ['-wal', '-shm']) rmSync(path + suffix, { force: true });
        copyFileSync(snapshotPath, path);
        await driverOf(dataSource).connect();
      }),
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

/** A database's URL on the test server: the server's URL with another database name. */
export function postgresUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs statements on the test server's own database (creating and dropping the tests' ones). */
export async function onPostgresServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * CREATE DATABASE … TEMPLATE copies a database no one is connected to; a pool just closed may
 * still have a backend ending on the server, so the copy is tried again for a moment.
 */
async function copyDatabase(client: Client, from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.query(`CREATE DATABASE "${to}" TEMPLATE "${from}" STRATEGY FILE_COPY`);
      return;
    } catch (error) {
      const busy = (error as { code?: string }).code === '55006'; // object_in_use
      if (!busy || attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

const unique = () =>
  `${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;

let postgresTemplate: Promise<string> | undefined;

/** The migrated empty database on the test server, once per test process (dropped at its end). */
function migratedPostgresTemplate(): Promise<string> {
  postgresTemplate ??= (async () => {
    const name = `gt_template_${unique()}`;
    await onPostgresServer((client) => client.query(`CREATE DATABASE "${name}"`));
    const dataSource = await openDatabase(postgresUrl(name));
    await dataSource.destroy();
    return name;
  })();
  return postgresTemplate;
}

/**
 * The statements that copy every table of the database into the schema `test_snapshot`, and the
 * ones that put back what a test changed. A statement trigger on each table notes it in
 * `test_snapshot.dirty` when written; the restore empties and refills only those, with triggers and
 * foreign keys off for the session (session_replication_role, so neither the history triggers nor
 * the note fire for the refill), and sets every sequence back. Measured: refilling every table
 * before each test took a fifth of the PostgreSQL suite's time.
 */
async function snapshotStatements(client: Client): Promise<{ take: string; restore: string }> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations'
      ORDER BY table_name`,
  );
  const { rows: sequences } = await client.query<{ name: string }>(
    `SELECT sequence_name AS name FROM information_schema.sequences WHERE sequence_schema = 'public'`,
  );
  const names = tables.map((t) => `"${t.name}"`);
  const take = [
    'DROP SCHEMA IF EXISTS test_snapshot CASCADE',
    'CREATE SCHEMA test_snapshot',
    ...names.map((t) => `CREATE TABLE test_snapshot.${t} AS SELECT * FROM public.${t}`),
    `CREATE TABLE test_snapshot.sequences AS ${
      sequences
        .map(
          (q) => `SELECT '${q.name}'::text AS name, last_value, is_called FROM public."${q.name}"`,
        )
        .join(' UNION ALL ') ||
      'SELECT NULL::text AS name, 0::bigint AS last_value, false AS is_called'
    }`,
    'CREATE TABLE test_snapshot.dirty (name text PRIMARY KEY)',
    `CREATE FUNCTION test_snapshot.note_dirty() RETURNS trigger AS $$
       BEGIN INSERT INTO test_snapshot.dirty VALUES (TG_TABLE_NAME) ON CONFLICT DO NOTHING; RETURN NULL; END
     $$ LANGUAGE plpgsql`,
    ...names.map(
      (t) => `CREATE TRIGGER test_snapshot_dirty AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON public.${t} FOR EACH STATEMENT EXECUTE FUNCTION test_snapshot.note_dirty()`,
    ),
  ].join(';\n');
  const restore = [
    'SET session_replication_role = replica',
    `DO $$ DECLARE t text; BEGIN
       FOR t IN SELECT name FROM test_snapshot.dirty LOOP
         EXECUTE format('DELETE FROM public.%I', t);
         EXECUTE format('INSERT INTO public.%I SELECT * FROM test_snapshot.%I', t, t);
       END LOOP;
     END $$`,
    'DELETE FROM test_snapshot.dirty',
    `SELECT setval(format('public.%I', name), last_value, is_called) FROM test_snapshot.sequences
      WHERE name IS NOT NULL`,
    'SET session_replication_role = origin',
  ].join(';\n');
  return { take, restore };
}

async function freshPostgres(): Promise<FreshDatabase> {
  const template = await migratedPostgresTemplate();
  const name = `gt_${unique()}`;
  await onPostgresServer((client) => copyDatabase(client, template, name));
  const location = postgresUrl(name);
  // A connection of the test's own, beside the app's pool, that takes and restores the snapshot.
  let keeper: Client | undefined;
  let statements: { take: string; restore: string } | undefined;
  const connection = async () => {
    if (!keeper) {
      keeper = new Client({ connectionString: location });
      await keeper.connect();
    }
    return keeper;
  };
  return {
    location,
    snapshot: (dataSource) =>
      whileNoTransaction(dataSource, async () => {
        const client = await connection();
        statements = await snapshotStatements(client);
        await client.query(statements.take);
      }),
    restore: (dataSource) =>
      whileNoTransaction(dataSource, async () => {
        if (!statements) throw new Error('restore() before snapshot()');
        await (await connection()).query(statements.restore);
      }),
    drop: async () => {
      await keeper?.end();
      keeper = undefined;
      await onPostgresServer((client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
}

/** A database of its own for one test app, on the engine the tests run on. */
export function freshTestDatabase(): Promise<FreshDatabase> {
  return TEST_ENGINE === 'postgres' ? freshPostgres() : freshSqlite();
}

/** Drops the PostgreSQL template at the end of the test file's run (Jest's globalTeardown cannot see it). */
afterAll(async () => {
  if (!postgresTemplate) return;
  const name = await postgresTemplate.catch(() => null);
  postgresTemplate = undefined;
  if (name) {
    await onPostgresServer((client) =>
      client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    );
  }
});

/**
 * SQL written with `?` placeholders (the tests' row assertions) in the engine's own: `$1`, `$2`, …
 * on PostgreSQL. Question marks inside quotes are left alone.
 */
export function placeholders(sql: string): string {
  if (TEST_ENGINE === 'sqlite' || !sql.includes('?')) return sql;
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (token) =>
    token === '?' ? `$${++n}` : token,
  );
}

/**
 * Runs SQL on a connection of its own, as someone reading or changing the database behind the app's
 * back (no WritePath, no audit event), and returns its rows: several statements when there are no
 * parameters, `?` placeholders. `location` is a SQLite file or a postgres:// URL (TestDatabase's
 * databasePath).
 */
export async function queryBehind<T = Record<string, unknown>>(
  location: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (isPostgresUrl(location)) {
    const client = new Client({ connectionString: location });
    await client.connect();
    try {
      const result = await client.query(placeholders(sql), params.length > 0 ? params : undefined);
      const last = [result].flat().pop();
      return (last?.rows ?? []) as T[];
    } finally {
      await client.end();
    }
  }
  const db = new sqlite3.Database(location);
  try {
    return await new Promise<T[]>((resolve, reject) => {
      if (params.length === 0 && sql.includes(';')) {
        db.exec(sql, (error) => (error ? reject(error) : resolve([])));
      } else {
        db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows as T[])));
      }
    });
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

/** queryBehind() for a change: nothing comes back. */
export async function behindTheAppsBack(
  location: string,
  sql: string,
  params: unknown[] = [],
): Promise<void> {
  await queryBehind(location, sql, params);
}

/** The statement that drops trigger `name` of `table`, in the test engine's words. */
export const dropTrigger = (name: string, table: string): string =>
  TEST_ENGINE === 'postgres' ? `DROP TRIGGER ${name} ON ${table}` : `DROP TRIGGER ${name}`;

/** A test of what only SQLite has (see describeSqlite): registered on SQLite only. */
export const itSqlite = (name: string, body: () => Promise<void>, timeout?: number): void => {
  if (TEST_ENGINE === 'sqlite') it(name, body, timeout);
};
