import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rememberNewest } from '../bounded-map';
import { insideWrite, tableStamp } from './write-path';

interface Entry {
  stamp: string;
  value: unknown;
}

const keyOf = (tables: readonly string[], key: string) => `${tables.join(',')}|${key}`;

/** Enough for every signed-in session of a program office many times over. */
export const READ_CACHE_ENTRIES = 10_000;

/**
 * Reads that nearly every request repeats — the session, the signed-in user, the header program, a
 * grant's rules inside the ledger's write lock — kept in memory until a write transaction that
 * touched one of the tables they came from ends. The WritePath counts those writes per table
 * (tableStamp), so a cached value is never older than the last committed write to its tables; a
 * transaction that has written a table reads that table from the database, never from here.
 *
 * Values are frozen: callers share them and must not change them. Measured at 2,000 grants, the
 * three reads were half of the grants list's queries (see README, "Speed and scale").
 */
@Injectable()
export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  /** Loads under way, by key and stamp: a second caller waits for the first's read. */
  private readonly loading = new Map<string, Promise<unknown>>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * `version`, when given, is part of the stamp: what the value depends on beyond the tables (a
   * grant's entry count, the day), read by the caller before this call for the same reason as the
   * stamp. A new version replaces the value kept under the key rather than adding one beside it.
   */
  async get<T>(
    tables: readonly string[],
    key: string,
    load: () => Promise<T>,
    version?: string,
  ): Promise<T> {
    // Taken before the read: a write ending while it runs leaves this stamp behind, so the value
    // read is used once and never served again.
    const stamp = this.stamp(tables, version);
    if (stamp === null) return load();
    const cacheKey = keyOf(tables, key);
    const hit = this.entries.get(cacheKey);
    if (hit && hit.stamp === stamp) return hit.value as T;
    const read = () =>
      load().then((value) => {
        if (value !== null && typeof value === 'object') Object.freeze(value);
        rememberNewest(this.entries, cacheKey, { stamp, value }, { max: READ_CACHE_ENTRIES });
        return value;
      });
    // Lone reads that ask while the same value is being read at the same stamp share that read: a
    // slow one (the reconciliation reads the ledger three times) is made once however many wait.
    // A write transaction reads on its own connection and neither shares nor is shared.
    if (insideWrite(this.dataSource)) return read();
    const loadKey = `${cacheKey}|${stamp}`;
    const pending = this.loading.get(loadKey) as Promise<T> | undefined;
    if (pending) return pending;
    const loading = read();
    this.loading.set(loadKey, loading);
    try {
      return await loading;
    } finally {
      this.loading.delete(loadKey);
    }
  }

  /** Whether `get` would answer from memory now, without reading (the stamp and version as there). */
  holds(tables: readonly string[], key: string, version?: string): boolean {
    const stamp = this.stamp(tables, version);
    return stamp !== null && this.entries.get(keyOf(tables, key))?.stamp === stamp;
  }

  /**
   * What a value read from `tables` now is kept under: it changes when a write to one of them ends
   * (and with `version`). Null where nothing is kept (see tableStamp: PostgreSQL, or inside a write
   * that has written one of the tables).
   */
  stamp(tables: readonly string[], version?: string): string | null {
    const tablesStamp = tableStamp(this.dataSource, tables);
    if (tablesStamp === null) return null;
    return version === undefined ? tablesStamp : `${tablesStamp}|${version}`;
  }

  /** Forgets every value: for a database replaced underneath the app (a test's reset). */
  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }
}
