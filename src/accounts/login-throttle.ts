import { EntityManager } from 'typeorm';
import { namedQuery } from '../common/database/named-query';
import { WritePath } from '../common/database/write-path';

/** Keys (accounts and addresses) kept at most; past it the least recently failed go first. */
export const LOGIN_THROTTLE_KEYS = 100_000;
/** New failures between two sweeps of keys that have left the window or exceed the limit. */
export const LOGIN_THROTTLE_SWEEP_EVERY = 100;

/**
 * Counts failed sign-ins per account and per address in a sliding window. Past the limit, further
 * attempts are refused (429) until the oldest failure leaves the window. The counts are in the
 * database (`login_failures`, `login_refusals`), so every app instance on it counts the same
 * failures, and a restart forgets nothing.
 *
 * `begin()` checks and counts in one write transaction, before the (slow) password check: twenty
 * wrong passwords sent at once, to one instance or to several, cannot all pass the check while none
 * has been counted yet. On SQLite the write path runs one transaction at a time; on PostgreSQL the
 * transaction locks the account's and the address's rows first (creating them if need be), so a
 * second attempt waits, then reads the first one's count. A success takes its own count back. The
 * table stays small: each key keeps only the failures that decide its wait, and a sweep drops keys
 * whose newest failure has left the window, and the least recent beyond LOGIN_THROTTLE_KEYS.
 */
export class LoginThrottle {
  private failuresSinceSweep = 0;

  constructor(
    private readonly writes: WritePath,
    private readonly maxPerAccount: number,
    private readonly windowMs: number,
    // An office behind one NAT address shares it, so an address gets more room than an account.
    private readonly maxPerAddress = maxPerAccount * 4,
    private readonly maxKeys = LOGIN_THROTTLE_KEYS,
    private readonly sweepEvery = LOGIN_THROTTLE_SWEEP_EVERY,
  ) {}

  /** Minutes to wait, or 0 when this account and address may try now. Counts nothing. */
  waitMinutes(email: string, ip: string, now = Date.now()): Promise<number> {
    return this.writes.transaction(async (manager) =>
      this.waitIn(await this.stored(manager, email, ip, { lock: false }), now),
    );
  }

  /**
   * Minutes to wait (nothing counted), or 0: the attempt may go on and is counted as a failure
   * now, until `succeed(email, ip, now)` with the same `now` takes it back.
   */
  async begin(email: string, ip: string, now = Date.now()): Promise<number> {
    const wait = await this.writes.transaction(async (manager) => {
      const rows = await this.stored(manager, email, ip, { lock: true });
      const minutes = this.waitIn(rows, now);
      if (minutes === 0) await this.addFailure(manager, rows, now);
      return minutes;
    });
    if (wait === 0) await this.sweepNowAndThen(now);
    return wait;
  }

  async fail(email: string, ip: string, now = Date.now()): Promise<void> {
    await this.writes.transaction(async (manager) =>
      this.addFailure(manager, await this.stored(manager, email, ip, { lock: true }), now),
    );
    await this.sweepNowAndThen(now);
  }

  /**
   * Counts a refused (throttled) attempt from `ip`. Returns how many refusals the audit event to
   * write now stands for, or 0 when one was written for this address within the window: that
   * refusal is counted into the address's next event instead. So an address adds at most one
   * event per window to the append-only trail, however many attempts it sends, on any instance.
   */
  refused(ip: string, now = Date.now()): Promise<number> {
    return this.writes.transaction(async (manager) => {
      const address = addressKey(ip);
      await namedQuery(
        manager,
        `INSERT INTO login_refusals (address, recorded_at, since) VALUES (:address, :never, 0)
           ON CONFLICT (address) DO NOTHING`,
        { address, never: -this.windowMs },
      );
      const [entry] = await namedQuery<{ recorded_at: number; since: number }>(
        manager,
        `SELECT recorded_at, since FROM login_refusals WHERE address = :address${forUpdate(manager)}`,
        { address },
      );
      if (now - Number(entry.recorded_at) < this.windowMs) {
        await namedQuery(
          manager,
          'UPDATE login_refusals SET since = since + 1 WHERE address = :address',
          {
            address,
          },
        );
        return 0;
      }
      await namedQuery(
        manager,
        'UPDATE login_refusals SET recorded_at = :now, since = 0 WHERE address = :address',
        { address, now },
      );
      // A refusal entry older than two windows has been written out long since: forget those.
      await namedQuery(manager, 'DELETE FROM login_refusals WHERE recorded_at < :before', {
        before: now - 2 * this.windowMs,
      });
      return Number(entry.since) + 1;
    });
  }

  /** Forgets the account's failures, and the address's count of the attempt begun at `startedAt`. */
  async succeed(email: string, ip?: string, startedAt?: number): Promise<void> {
    await this.writes.transaction(async (manager) => {
      await namedQuery(manager, 'DELETE FROM login_failures WHERE key = :key', {
        key: accountKey(email),
      });
      if (ip === undefined || startedAt === undefined) return;
      const key = addressKey(ip);
      const [row] = await namedQuery<StoredFailures>(
        manager,
        `SELECT key, failed_at FROM login_failures WHERE key = :key${forUpdate(manager)}`,
        { key },
      );
      if (!row) return;
      const times = timesOf(row);
      const index = times.lastIndexOf(startedAt);
      if (index < 0) return;
      times.splice(index, 1);
      // An address with no failure left decides nothing: its row goes, rather than wait for a sweep.
      if (times.length === 0) {
        await namedQuery(manager, 'DELETE FROM login_failures WHERE key = :key', { key });
      } else {
        await this.store(manager, key, times);
      }
    });
  }

  /** How many keys are kept (for the bound's test). */
  async size(): Promise<number> {
    return this.writes.transaction(async (manager) => {
      const [failures] = await namedQuery<{ n: number }>(
        manager,
        'SELECT COUNT(*) AS n FROM login_failures',
      );
      const [refusals] = await namedQuery<{ n: number }>(
        manager,
        'SELECT COUNT(*) AS n FROM login_refusals',
      );
      return Number(failures.n) + Number(refusals.n);
    });
  }

  /** Forgets every count: an operator's reset. */
  async clear(): Promise<void> {
    await this.writes.transaction(async (manager) => {
      await manager.query('DELETE FROM login_failures');
      await manager.query('DELETE FROM login_refusals');
    });
  }

  /**
   * The account's and the address's stored failures. With `lock`, on PostgreSQL, they stay locked
   * until the transaction ends: their rows are created first when missing, always in key order, so
   * two attempts never take them crosswise.
   */
  private async stored(
    manager: EntityManager,
    email: string,
    ip: string,
    { lock }: { lock: boolean },
  ): Promise<ThrottledKeys> {
    const keys = { account: accountKey(email), address: addressKey(ip) };
    const postgres = manager.connection.options.type === 'postgres';
    if (lock && postgres) {
      for (const key of [keys.account, keys.address].sort()) {
        await namedQuery(
          manager,
          `INSERT INTO login_failures (key, failed_at, newest_at) VALUES (:key, '', 0)
             ON CONFLICT (key) DO NOTHING`,
          { key },
        );
      }
    }
    const rows = await namedQuery<StoredFailures>(
      manager,
      `SELECT key, failed_at FROM login_failures WHERE key IN (:...keys) ORDER BY key${lock ? forUpdate(manager) : ''}`,
      { keys: [keys.account, keys.address] },
    );
    const times = (key: string) => timesOf(rows.find((row) => row.key === key));
    return {
      account: { key: keys.account, times: times(keys.account), max: this.maxPerAccount },
      address: { key: keys.address, times: times(keys.address), max: this.maxPerAddress },
    };
  }

  private waitIn(rows: ThrottledKeys, now: number): number {
    return Math.max(this.wait(rows.account, now), this.wait(rows.address, now));
  }

  private wait({ times, max }: ThrottledKey, now: number): number {
    const recent = this.recent(times, now);
    if (recent.length < max) return 0;
    return Math.max(1, Math.ceil((recent[recent.length - max] + this.windowMs - now) / 60_000));
  }

  private async addFailure(
    manager: EntityManager,
    rows: ThrottledKeys,
    now: number,
  ): Promise<void> {
    for (const { key, times, max } of [rows.account, rows.address]) {
      await this.store(manager, key, [...this.recent(times, now), now].slice(-max));
    }
    this.failuresSinceSweep += 1;
  }

  private async store(manager: EntityManager, key: string, times: number[]): Promise<void> {
    await namedQuery(
      manager,
      `INSERT INTO login_failures (key, failed_at, newest_at) VALUES (:key, :failedAt, :newest)
         ON CONFLICT (key) DO UPDATE SET failed_at = excluded.failed_at, newest_at = excluded.newest_at`,
      { key, failedAt: times.join(','), newest: times.length ? Math.max(...times) : 0 },
    );
  }

  /** Drops keys that decide nothing any more, and the least recent beyond the key limit. */
  private async sweepNowAndThen(now: number): Promise<void> {
    if (this.failuresSinceSweep < this.sweepEvery) return;
    this.failuresSinceSweep = 0;
    await this.writes.transaction(async (manager) => {
      await namedQuery(manager, 'DELETE FROM login_failures WHERE newest_at <= :before', {
        before: now - this.windowMs,
      });
      await namedQuery(
        manager,
        `DELETE FROM login_failures WHERE key IN (
           SELECT key FROM login_failures ORDER BY newest_at DESC, key LIMIT :all OFFSET :kept)`,
        { all: Number.MAX_SAFE_INTEGER, kept: this.maxKeys },
      );
    });
  }

  private recent(times: number[], now: number): number[] {
    return times.filter((at) => now - at < this.windowMs);
  }
}

interface StoredFailures {
  key: string;
  failed_at: string;
}

interface ThrottledKey {
  key: string;
  times: number[];
  max: number;
}

interface ThrottledKeys {
  account: ThrottledKey;
  address: ThrottledKey;
}

const timesOf = (row: StoredFailures | undefined): number[] =>
  row?.failed_at ? row.failed_at.split(',').map(Number) : [];

const forUpdate = (manager: EntityManager) =>
  manager.connection.options.type === 'postgres' ? ' FOR UPDATE' : '';

const accountKey = (email: string) => `account:${email.trim().toLowerCase().slice(0, 300)}`;
const addressKey = (ip: string) => `address:${ip.slice(0, 90)}`;
