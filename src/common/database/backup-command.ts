import { existsSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Database, OPEN_READONLY, OPEN_READWRITE } from 'sqlite3';
import { verifyAuditTrail } from '../../audit/verify-command';
import type { CommandResult } from '../../audit/verify-command';
import type { AppConfig } from '../config';

function open(path: string, mode: number): Promise<Database> {
  return new Promise((ok, fail) => {
    const db: Database = new Database(path, mode, (error) => (error ? fail(error) : ok(db)));
  });
}

function all<T>(db: Database, sql: string, params: unknown[] = []): Promise<T[]> {
  return new Promise((ok, fail) =>
    db.all(sql, params, (error, rows) => (error ? fail(error) : ok(rows as T[]))),
  );
}

const close = (db: Database) => new Promise<void>((ok) => db.close(() => ok()));

/**
 * `npm run backup -- FILE` (issue 16): a consistent copy of the live SQLite database, then a check
 * of the copy. `VACUUM INTO` reads the database in one read transaction on a read-only connection
 * of its own, so the app goes on serving and writing, and the copy holds exactly what was committed
 * when the backup began (the WAL's committed pages included). The copy is then opened on its own:
 * `PRAGMA integrity_check` must say ok, and its audit chain must verify. Exit 0 when the copy is
 * good, 1 when a check fails (the copy is kept for inspection and said to be unusable), 2 when
 * nothing was copied.
 */
export async function backupDatabase(
  config: AppConfig,
  target: string | undefined,
): Promise<CommandResult> {
  if (config.DATABASE_URL) {
    return {
      exitCode: 2,
      message:
        'This copies an SQLite database; on PostgreSQL use pg_dump, e.g. pg_dump --format=custom --file=FILE "$DATABASE_URL" (see README, "Backups").',
    };
  }
  if (!target) {
    return { exitCode: 2, message: 'Name the backup file: npm run backup -- FILE' };
  }
  const source = config.DATABASE_PATH;
  const copy = resolve(target);
  if (!existsSync(source)) {
    return {
      exitCode: 2,
      message: `No database at ${source}; set DATABASE_PATH to the tracker's database file.`,
    };
  }
  if (existsSync(copy)) {
    return { exitCode: 2, message: `${copy} already exists; a backup never overwrites a file.` };
  }
  const started = Date.now();
  const db = await open(source, OPEN_READONLY);
  try {
    await all(db, 'VACUUM INTO ?', [copy]);
  } catch (error) {
    rmSync(copy, { force: true });
    return { exitCode: 2, message: `The backup failed: ${(error as Error).message}` };
  } finally {
    await close(db);
  }
  // Tenths of a second, as a person reads a duration.
  const seconds = String(Math.round((Date.now() - started) / 100) / 10);

  const check = await open(copy, OPEN_READWRITE);
  let integrity: string;
  try {
    const rows = await all<{ integrity_check: string }>(check, 'PRAGMA integrity_check');
    integrity = rows.map((r) => r.integrity_check).join('; ');
  } finally {
    await close(check);
  }
  const made = `Backed up ${source} to ${copy} (${statSync(copy).size.toLocaleString('en-US')} bytes, ${seconds} s).`;
  if (integrity !== 'ok') {
    return {
      exitCode: 1,
      message: `${made} The copy FAILED its integrity check (${integrity}); do not rely on it.`,
    };
  }
  const audit = await verifyAuditTrail({ ...config, DATABASE_PATH: copy });
  if (audit.exitCode !== 0) {
    return {
      exitCode: 1,
      message: `${made} Integrity check: ok. ${audit.message} Do not rely on it.`,
    };
  }
  return { exitCode: 0, message: `${made} Integrity check: ok. ${audit.message}` };
}
