import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Database } from 'sqlite3';

/**
 * One app process per SQLite file (issue 16). Two processes on one file would each keep their own
 * write lock, read cache and login throttle: measured, a concurrent amendment answered 5xx and each
 * served its own stale cache. So the app holds an exclusive lock on `<database>.lock` (a small
 * SQLite file of its own, locked with `BEGIN EXCLUSIVE` on a connection in exclusive locking mode)
 * for as long as it runs. SQLite's lock is a POSIX advisory lock: the operating system releases it
 * when the holder exits for any reason, kill -9 included, so a crash never leaves the file locked.
 * Command-line tools (audit:verify, backup) do not take it: they may run beside the live app.
 */
export class InstanceLockedError extends Error {}

export interface InstanceLock {
  release(): Promise<void>;
}

const run = (db: Database, sql: string) =>
  new Promise<void>((resolve, reject) =>
    db.exec(sql, (error) => (error ? reject(error) : resolve())),
  );

const close = (db: Database) => new Promise<void>((resolve) => db.close(() => resolve()));

/** Who holds the lock, as the holder wrote it when it took the lock; '' when unknown. */
function holderOf(file: string): string {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return `process ${String(holder.pid)} on ${String(holder.host)}, started ${String(holder.startedAt)}`;
  } catch {
    return '';
  }
}

/**
 * Takes the lock for `databasePath`, or throws InstanceLockedError naming the holder. An in-memory
 * database needs none.
 */
export async function lockDatabaseFile(databasePath: string): Promise<InstanceLock> {
  if (databasePath === ':memory:') return { release: () => Promise.resolve() };
  const lockFile = `${databasePath}.lock`;
  const holderFile = `${lockFile}.holder`;
  const db = await new Promise<Database>((resolve, reject) => {
    const opened: Database = new Database(lockFile, (error) =>
      error ? reject(error) : resolve(opened),
    );
  });
  try {
    // No waiting: a held lock answers SQLITE_BUSY at once.
    await run(db, 'PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;');
  } catch (error) {
    await close(db);
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    const holder = holderOf(holderFile);
    throw new InstanceLockedError(
      `Another app process is already running on ${databasePath}${holder ? ` (${holder})` : ''}. ` +
        'On SQLite one app process serves a database file: stop the other one first. Several ' +
        'instances need one shared PostgreSQL database, which this version does not support yet ' +
        '(see the README, "One app process per database").',
    );
  }
  writeFileSync(
    holderFile,
    `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() })}\n`,
  );
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      rmSync(holderFile, { force: true });
      await close(db);
    },
  };
}
