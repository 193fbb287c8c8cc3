import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { Database } from 'sqlite3';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { ReadWriteLock } from './read-write-lock';
import { readStatement, statementVerb } from './sql-statement';
import { RECORDING_CLOCK, recordingTimeOverride } from './recording-time';

/**
 * Why this exists: TypeORM's sqlite driver runs every request on ONE connection and one shared query
 * runner, so two requests' transactions interleave — one request's ROLLBACK wipes another's
 * acknowledged write, and a read sees rows that are later rolled back. The guard below gives each
 * caller its own query runner, lets a transaction hold the connection alone from BEGIN to COMMIT, and
 * keeps lone reads out of it. A write outside `WritePath.transaction()` is refused, so nothing can
 * bypass the one place where writes (and their audit events) happen: lone reads run on a connection
 * that SQLite itself opens read-only, so the database refuses a write there however it is spelled.
 */

interface WriteContext {
  runner: QueryRunner;
  /** Writes to audited tables, and audit events written, in this transaction. */
  writes: number;
  audited: number;
  /** Every table this transaction wrote to (`*` for a statement whose table could not be read). */
  tables: Set<string>;
  /** The recording time the history triggers use now (recordingAt()), if not the database's clock. */
  recordedAt?: string;
}

// Tables whose rows are not business records: the audit trail itself, sessions, migrations.
const UNAUDITED = new Set(['audit_events', 'sessions', 'migrations', 'recording_clock']);
const DATA_WRITE = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE']);

/**
 * Read-only connections lone reads take turns on. One SQLite connection runs one statement at a
 * time; two let a page's queries run on both of the machine's cores while the event loop renders.
 */
export const READING_CONNECTIONS = 2;

/** Stands for every table: bumped by a write whose table the pattern above cannot read. */
const ANY_TABLE = '*';

export class UnauditedWriteError extends Error {
  constructor() {
    super('A transaction changed data without writing an audit event; it was rolled back.');
  }
}

/** Called by the audit service each time it writes an event inside the open transaction. */
export function noteAuditEvent(dataSource: DataSource): void {
  const context = guards.get(dataSource)?.context.getStore();
  if (!context) throw new Error('Audit events are written inside WritePath.transaction()');
  context.audited += 1;
}

class ConnectionGuard {
  readonly lock = new ReadWriteLock();
  readonly context = new AsyncLocalStorage<WriteContext>();
  /** Per table, how many write transactions have ended after writing it (see tableStamp). */
  readonly generations = new Map<string, number>();
  /** The read-only connections lone reads run on, in turn; opened on first use, closed with the app's. */
  private readers: Promise<Database>[] = [];
  private turn = 0;
  constructor(
    readonly createRunner: () => QueryRunner,
    private readonly openReader: (() => Promise<Database>) | null,
  ) {}

  /**
   * A reading connection for one runner (its queries all go to it), or null where no second
   * connection can be opened (an in-memory database): reads then share the app's connection.
   */
  readConnection(): Promise<Database> | null {
    const openReader = this.openReader;
    if (!openReader) return null;
    const index = this.turn++ % READING_CONNECTIONS;
    this.readers[index] ??= openReader();
    return this.readers[index];
  }

  async closeReaders(): Promise<void> {
    const readers = this.readers;
    this.readers = [];
    for (const reader of readers) {
      const db = await reader?.catch(() => null);
      if (db) await new Promise<void>((resolve) => db.close(() => resolve()));
    }
  }

  /** Called once a transaction has ended, committed or rolled back: its tables' readers must reload. */
  bump(tables: Set<string>): void {
    for (const table of tables) this.generations.set(table, (this.generations.get(table) ?? 0) + 1);
  }
}

const guards = new WeakMap<DataSource, ConnectionGuard>();

// Statements that would open, end or pin a transaction on a reading connection (SQLite allows them
// read-only, but a BEGIN left open there would freeze that connection's view of the data).
const TRANSACTION_CONTROL = new Set(['BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'SAVEPOINT', 'RELEASE']);
// On an in-memory database, where reads share the one connection, these are refused by name too.
const SHARED_CONNECTION_WRITE = new Set([
  ...DATA_WRITE,
  'CREATE',
  'DROP',
  'ALTER',
  'PRAGMA',
  'VACUUM',
  'REINDEX',
  'ANALYZE',
  'ATTACH',
  'DETACH',
]);

export class WriteOutsideWritePathError extends Error {
  constructor(what: string) {
    super(`Database writes must go through WritePath.transaction(); refused: ${what}`);
  }
}

/** Installs the guard on an initialised data source. Call once, after migrations have run. */
export function guardDataSource(dataSource: DataSource): void {
  if (guards.has(dataSource)) return;
  const driver = dataSource.driver as unknown as {
    createQueryRunner(mode: 'master' | 'slave'): QueryRunner;
    disconnect(): Promise<void>;
    sqlite: typeof import('sqlite3');
    options: { database?: string; busyTimeout?: number };
  };
  const createRaw = driver.createQueryRunner.bind(driver);
  const sqlite = dataSource.options.type === 'sqlite';
  const freshRunner = (): QueryRunner => {
    // The sqlite driver hands out one shared runner; a new one per caller keeps transaction state apart.
    const runner = sqlite
      ? new (createRaw('master').constructor as new (d: unknown) => QueryRunner)(driver)
      : createRaw('master');
    return Object.assign(runner, { manager: dataSource.createEntityManager(runner) });
  };
  const path = driver.options.database;
  const fileBacked = sqlite && !!path && path !== ':memory:' && !path.startsWith('file:');
  const guard = new ConnectionGuard(
    freshRunner,
    fileBacked ? () => openReadOnly(driver.sqlite, path, driver.options.busyTimeout) : null,
  );
  guards.set(dataSource, guard);

  driver.createQueryRunner = (): QueryRunner => {
    const context = guard.context.getStore();
    if (context) return joined(context.runner);
    return readOnly(freshRunner(), guard);
  };
  const disconnect = driver.disconnect.bind(driver);
  driver.disconnect = async () => {
    await guard.closeReaders();
    await disconnect();
  };
}

/** A connection SQLite opens read-only: any write on it fails with SQLITE_READONLY. */
function openReadOnly(
  sqlite: typeof import('sqlite3'),
  path: string,
  busyTimeout = 5000,
): Promise<Database> {
  return new Promise((resolve, reject) => {
    const db: Database = new sqlite.Database(path, sqlite.OPEN_READONLY, (error) => {
      if (error) return reject(error);
      db.configure('busyTimeout', busyTimeout);
      resolve(db);
    });
  });
}

/**
 * Runs `work` while no transaction holds the database and none can start: for maintenance that
 * needs the connection quiet (replacing the file under a test app, an online copy).
 */
export function whileNoTransaction<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const guard = guards.get(dataSource);
  if (!guard) throw new Error('guardDataSource() was not called for this data source');
  return guard.lock.exclusive(work);
}

/** Inside a write, every repository call joins the open transaction; releasing is the owner's job. */
function joined(owner: QueryRunner): QueryRunner {
  return new Proxy(owner, {
    get(target, property) {
      if (property === 'release') return () => Promise.resolve();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
}

/**
 * Outside a write, a runner may only read. On a file it reads on the read-only connection, which
 * never waits for a writer (WAL) and sees committed rows only; in memory it shares the one
 * connection, only while no transaction holds it, and refuses writes by their leading keyword.
 */
function readOnly(runner: QueryRunner, guard: ConnectionGuard): QueryRunner {
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  const reader = guard.readConnection();
  if (reader) runner.connect = () => reader;
  runner.query = ((sql: string, ...rest: unknown[]) => {
    const verb = statementVerb(sql);
    if (TRANSACTION_CONTROL.has(verb) || (!reader && SHARED_CONNECTION_WRITE.has(verb))) {
      return Promise.reject(new WriteOutsideWritePathError(sql.slice(0, 80)));
    }
    if (!reader) return guard.lock.shared(() => query(sql, ...rest));
    return query(sql, ...rest).catch((error: unknown) => {
      if (/SQLITE_READONLY/.test(String((error as Error | undefined)?.message))) {
        throw new WriteOutsideWritePathError(sql.slice(0, 80));
      }
      throw error;
    });
  }) as QueryRunner['query'];
  runner.startTransaction = () =>
    Promise.reject(new WriteOutsideWritePathError('a transaction started outside it'));
  return runner;
}

/**
 * Runs `work` in the open transaction with the history triggers recording at `at` (recordingAt()),
 * or at the database's clock when none is set, and puts back the time the transaction had before —
 * so a step of a story recorded inside a larger transaction carries its own date. The clock is
 * cleared before the transaction commits, so no other transaction ever sees it.
 */
async function joinAt<T>(
  context: WriteContext,
  at: string | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const before = context.recordedAt;
  if (at === before) return work();
  const set = (time: string | undefined) =>
    time
      ? context.runner.query(RECORDING_CLOCK.set, [time])
      : context.runner.query(RECORDING_CLOCK.clear);
  await set(at);
  context.recordedAt = at;
  let result: T;
  try {
    result = await work();
  } catch (error) {
    context.recordedAt = before;
    await set(before).catch(() => undefined); // the transaction fails anyway; its error matters
    throw error;
  }
  context.recordedAt = before;
  await set(before);
  return result;
}

function countWrites(runner: QueryRunner, context: WriteContext): void {
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = ((sql: string, ...rest: unknown[]) => {
    const { verb, table } = readStatement(sql);
    if (DATA_WRITE.has(verb)) {
      if (!table || !UNAUDITED.has(table)) context.writes += 1;
      context.tables.add(table ?? ANY_TABLE);
    }
    return query(sql, ...rest);
  }) as QueryRunner['query'];
}

/**
 * A stamp of the given tables' write generations, for caching what was read from them: equal stamps
 * mean no write transaction touching those tables has ended in between. Inside a write transaction
 * the connection is held alone, so its reads see the committed state — until it writes one of those
 * tables itself: from then on it may see its own uncommitted rows, and the stamp is null (no caching).
 * Sound because every write in this process goes through the WritePath; a second process writing
 * the same file (several app instances) would need the cache turned off.
 */
export function tableStamp(dataSource: DataSource, tables: readonly string[]): string | null {
  const guard = guards.get(dataSource);
  if (!guard) return null;
  const open = guard.context.getStore();
  if (open && (open.tables.has(ANY_TABLE) || tables.some((table) => open.tables.has(table)))) {
    return null;
  }
  const generation = (table: string) => guard.generations.get(table) ?? 0;
  return [ANY_TABLE, ...tables].map(generation).join(':');
}

@Injectable()
export class WritePath {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in one transaction that holds the database alone until it commits or rolls back.
   * Repositories injected into services join it automatically; a nested call joins the outer one.
   * A transaction that changes business data must also write an audit event (AuditService), or it
   * is rolled back.
   */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const guard = guards.get(this.dataSource);
    if (!guard) throw new Error('guardDataSource() was not called for this data source');
    const open = guard.context.getStore();
    if (open) return joinAt(open, recordingTimeOverride(), () => work(open.runner.manager));

    return guard.lock.exclusive(async () => {
      const runner = guard.createRunner();
      const context: WriteContext = { runner, writes: 0, audited: 0, tables: new Set() };
      countWrites(runner, context);
      return guard.context.run(context, async () => {
        await runner.connect();
        await runner.startTransaction();
        try {
          const result = await joinAt(context, recordingTimeOverride(), () => work(runner.manager));
          if (context.writes > 0 && context.audited === 0) throw new UnauditedWriteError();
          await runner.commitTransaction();
          return result;
        } catch (error) {
          // SQLite may already have rolled back (e.g. on SQLITE_FULL); the original error matters more.
          await runner.rollbackTransaction().catch(() => undefined);
          throw error;
        } finally {
          guard.bump(context.tables);
          await runner.release();
        }
      });
    });
  }
}
