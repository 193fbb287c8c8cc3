import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { Database } from 'sqlite3';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { DatabaseEngine } from '../../database';
import { ReadWriteLock } from './read-write-lock';
import { readStatement, statementVerb } from './sql-statement';
import { RECORDING_CLOCK, recordingTimeOverride } from './recording-time';

/**
 * Why this exists (SQLite): TypeORM's sqlite driver runs every request on ONE connection and one shared query
 * runner, so two requests' transactions interleave — one request's ROLLBACK wipes another's
 * acknowledged write, and a read sees rows that are later rolled back. The guard below gives each
 * caller its own query runner, lets a transaction hold the connection alone from BEGIN to COMMIT, and
 * keeps lone reads out of it. A write outside `WritePath.transaction()` is refused, so nothing can
 * bypass the one place where writes (and their audit events) happen: lone reads run on a connection
 * that SQLite itself opens read-only, so the database refuses a write there however it is spelled.
 *
 * On PostgreSQL the pool gives each transaction a connection of its own, and several app processes
 * may write at once: no lock here could keep them apart. Each write transaction runs at READ
 * COMMITTED; a rule that reads before it writes locks the rows it depends on first (lockRows(): the
 * program for its ceiling, the grant for its spending and obligations), so a second writer waits for
 * the first to commit and then reads what it wrote; the audit chain's append is serialised by a
 * transaction-scoped advisory lock (AuditService). A deadlock between two such writers is retried.
 * Lone reads take a pooled connection of their own and never wait for a writer.
 */

interface WriteContext {
  engine: DatabaseEngine;
  runner: QueryRunner;
  /** Writes to audited tables, and audit events written, in this transaction. */
  writes: number;
  audited: number;
  /** Every table this transaction wrote to (`*` for a statement whose table could not be read). */
  tables: Set<string>;
  /** The recording time the history triggers use now (recordingAt()), if not the database's clock. */
  recordedAt?: string;
}

// Tables whose rows are not business records: the audit trail itself, sessions, migrations, the
// recording clock and the sign-in throttle's counts.
const UNAUDITED = new Set([
  'audit_events',
  'sessions',
  'migrations',
  'recording_clock',
  'login_failures',
  'login_refusals',
  // Each user's inbox and the scheduler's claims: what the records caused, not records themselves.
  'notifications',
  'scheduled_runs',
]);
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
  /**
   * SQLite: held exclusively by each write transaction, shared by reads on the one connection.
   * PostgreSQL: shared by every write transaction (they run side by side), so that maintenance in
   * this process (whileNoTransaction) can wait for none to be open.
   */
  readonly lock = new ReadWriteLock();
  readonly context = new AsyncLocalStorage<WriteContext>();
  /** Per table, how many write transactions have ended after writing it (see tableStamp). */
  readonly generations = new Map<string, number>();
  /** The read-only connections lone reads run on, in turn; opened on first use, closed with the app's. */
  private readers: Promise<Database>[] = [];
  private turn = 0;
  constructor(
    readonly engine: DatabaseEngine,
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
  const engine: DatabaseEngine = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  const sqlite = engine === 'sqlite';
  const freshRunner = (): QueryRunner => {
    // The sqlite driver hands out one shared runner; a new one per caller keeps transaction state
    // apart. PostgreSQL's runners are each their own, taking a pooled connection when they connect.
    const runner = sqlite
      ? new (createRaw('master').constructor as new (d: unknown) => QueryRunner)(driver)
      : createRaw('master');
    return Object.assign(runner, { manager: dataSource.createEntityManager(runner) });
  };
  const path = driver.options.database;
  const fileBacked = sqlite && !!path && path !== ':memory:' && !path.startsWith('file:');
  const guard = new ConnectionGuard(
    engine,
    freshRunner,
    fileBacked ? () => openReadOnly(driver.sqlite, path, driver.options.busyTimeout) : null,
  );
  guards.set(dataSource, guard);

  driver.createQueryRunner = (): QueryRunner => {
    const context = guard.context.getStore();
    if (context) return joined(context.runner);
    return sqlite ? readOnly(freshRunner(), guard) : readOnlyPooled(freshRunner());
  };
  const disconnect = driver.disconnect.bind(driver);
  driver.disconnect = async () => {
    await guard.closeReaders();
    await disconnect();
  };
}

/** The engine a guarded data source runs on. */
export function engineOfDataSource(dataSource: DataSource): DatabaseEngine {
  return dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
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
 * Outside a write on PostgreSQL, a runner may only read: it takes a pooled connection of its own
 * (autocommit, never waiting for a writer) and refuses a write or a transaction by its leading
 * keyword, so nothing bypasses the WritePath and its audit events.
 */
function readOnlyPooled(runner: QueryRunner): QueryRunner {
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = ((sql: string, ...rest: unknown[]) => {
    const verb = statementVerb(sql);
    if (TRANSACTION_CONTROL.has(verb) || SHARED_CONNECTION_WRITE.has(verb)) {
      return Promise.reject(new WriteOutsideWritePathError(sql.slice(0, 80)));
    }
    return query(sql, ...rest);
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
  const clock = RECORDING_CLOCK[context.engine];
  const set = (time: string | undefined) =>
    time ? context.runner.query(clock.set, [time]) : context.runner.query(clock.clear);
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
 * Sound because every write goes through this process's WritePath: one app process per SQLite file
 * (instance-lock.ts). On PostgreSQL other processes write the same database, so there is no stamp
 * and nothing is cached (see README, "Several app instances").
 */
export function tableStamp(dataSource: DataSource, tables: readonly string[]): string | null {
  const guard = guards.get(dataSource);
  if (!guard || guard.engine === 'postgres') return null;
  const open = guard.context.getStore();
  if (open && (open.tables.has(ANY_TABLE) || tables.some((table) => open.tables.has(table)))) {
    return null;
  }
  const generation = (table: string) => guard.generations.get(table) ?? 0;
  return [ANY_TABLE, ...tables].map(generation).join(':');
}

/** Whether the caller runs inside a WritePath transaction (its reads go to that transaction). */
export function insideWrite(dataSource: DataSource): boolean {
  return guards.get(dataSource)?.context.getStore() !== undefined;
}

/**
 * PostgreSQL's codes for a transaction that lost a race and may simply be run again: a deadlock, a
 * serialization failure, and a unique key that a concurrent transaction committed first (two
 * grants with one award number): run again, the rule that checks for it sees the other's row and
 * answers with its own message, as it does on SQLite, where the two never overlap.
 */
const RETRYABLE = new Set(['40P01', '40001', '23505']);

/** Times a PostgreSQL write transaction is run before its deadlock or serialization error stands. */
export const WRITE_ATTEMPTS = 5;

const sqlState = (error: unknown): string | undefined => {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * Locks rows that a rule reads before it writes, until the transaction ends: on PostgreSQL a second
 * transaction locking one of them waits until the first commits, then reads what it wrote (always
 * in id order, so two writers never take them crosswise). On SQLite the write transaction already
 * holds the whole database, and this does nothing. Call it inside WritePath.transaction(), before
 * the reads the rule decides on — the program for its ceiling, the grant for its spending.
 */
export async function lockRows(
  manager: EntityManager,
  table: 'programs' | 'grants' | 'budgets' | 'milestones' | 'approval_requests',
  ids: readonly number[],
): Promise<void> {
  if (manager.connection.options.type !== 'postgres') return;
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  if (unique.length === 0) return;
  await manager.query(`SELECT id FROM ${table} WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE`, [
    unique,
  ]);
}

/** Advisory lock keys: one per thing that several app instances must do one at a time. */
export const ADVISORY_LOCKS = {
  auditChain: 0x61756469, // 'audi'
  migrations: 0x6d696772, // 'migr'
  demoSeed: 0x73656564, // 'seed'
} as const;

/**
 * Makes the rest of this transaction wait for any other transaction, in any app instance, that holds
 * the same lock, until it commits or rolls back (PostgreSQL's transaction-scoped advisory lock). On
 * SQLite the write transaction already holds the whole database, and this does nothing.
 */
export async function oneAtATime(
  manager: EntityManager,
  lock: (typeof ADVISORY_LOCKS)[keyof typeof ADVISORY_LOCKS],
): Promise<void> {
  if (manager.connection.options.type !== 'postgres') return;
  await manager.query('SELECT pg_advisory_xact_lock($1)', [lock]);
}

@Injectable()
export class WritePath {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in one transaction: on SQLite it holds the database alone until it commits or rolls
   * back; on PostgreSQL it runs beside others, its rules locking what they read (lockRows), and is
   * run again from the start when it loses a race (RETRYABLE). Repositories injected into services join it
   * automatically; a nested call joins the outer one. A transaction that changes business data must
   * also write an audit event (AuditService), or it is rolled back.
   */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const guard = guards.get(this.dataSource);
    if (!guard) throw new Error('guardDataSource() was not called for this data source');
    const open = guard.context.getStore();
    if (open) return joinAt(open, recordingTimeOverride(), () => work(open.runner.manager));

    if (guard.engine === 'sqlite') return guard.lock.exclusive(() => this.run(guard, work));
    return guard.lock.shared(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.run(guard, work);
        } catch (error) {
          if (attempt >= WRITE_ATTEMPTS || !RETRYABLE.has(sqlState(error) ?? '')) throw error;
          // A short, random pause, so the transactions that collided do not collide again.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
        }
      }
    });
  }

  private run<T>(guard: ConnectionGuard, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = guard.createRunner();
    const context: WriteContext = {
      engine: guard.engine,
      runner,
      writes: 0,
      audited: 0,
      tables: new Set(),
    };
    countWrites(runner, context);
    return guard.context.run(context, async () => {
      await runner.connect();
      await runner.startTransaction(guard.engine === 'postgres' ? 'READ COMMITTED' : undefined);
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
  }
}
