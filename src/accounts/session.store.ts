import { Injectable } from '@nestjs/common';
import session from 'express-session';
import { DataSource, LessThan } from 'typeorm';
import { rememberNewest } from '../common/bounded-map';
import { ReadCache } from '../common/database/read-cache';
import { WritePath } from '../common/database/write-path';
import { SessionRecord } from './session.entity';

type Callback<T = void> = (error?: unknown, value?: T) => void;
type SessionWithUser = session.SessionData & { userId?: number };

const TOUCH_EVERY_MS = 60_000;
/** Sessions whose last touch is remembered at most (a touch older than a minute is forgotten anyway). */
export const TOUCHED_SESSIONS = 10_000;

/** express-session speaks callbacks; the database speaks promises. */
function settle<T>(work: Promise<T>, callback?: Callback<T>): void {
  work.then(
    (value) => callback?.(undefined, value),
    (error: unknown) => callback?.(error),
  );
}

/**
 * express-session's store on the app database (never the in-memory store): sessions survive a
 * restart, and deactivating a user can delete theirs. Writes go through the WritePath like all others.
 */
@Injectable()
export class DatabaseSessionStore extends session.Store {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly writes: WritePath,
    private readonly cache: ReadCache,
  ) {
    super();
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    // Every request reads its session: served from memory until a write to sessions ends. Parsed
    // afresh each time, because express-session changes the object it is given.
    const read = this.cache
      .get(['sessions'], sid, () =>
        this.dataSource
          .getRepository(SessionRecord)
          .findOne({ select: { data: true, expiresAt: true }, where: { sid } }),
      )
      .then((row) =>
        !row || row.expiresAt <= new Date().toISOString()
          ? null
          : (JSON.parse(row.data) as session.SessionData),
      );
    settle(read, callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const row = {
      sid,
      userId: (data as SessionWithUser).userId ?? null,
      data: JSON.stringify(data),
      expiresAt: this.expiry(data),
    };
    const write = this.writes.transaction(async (manager) => {
      await manager
        .createQueryBuilder()
        .insert()
        .into(SessionRecord)
        .values(row)
        .orUpdate(['user_id', 'data', 'expires_at'], ['sid'])
        .execute();
      // Now and then, sweep sessions that expired.
      if (Math.random() < 0.01)
        await manager.delete(SessionRecord, { expiresAt: LessThan(new Date().toISOString()) });
    });
    this.touched(sid);
    settle(write, callback);
  }

  override destroy(sid: string, callback?: Callback): void {
    this.lastTouched.delete(sid);
    const removal = this.writes.transaction((manager) => manager.delete(SessionRecord, { sid }));
    settle(
      removal.then(() => undefined),
      callback,
    );
  }

  /** Extends the idle timeout; at most once a minute per session, to keep reads from becoming writes. */
  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    if (Date.now() - (this.lastTouched.get(sid) ?? 0) < TOUCH_EVERY_MS) return callback?.();
    this.touched(sid);
    const touch = this.writes.transaction((manager) =>
      manager.update(SessionRecord, { sid }, { expiresAt: this.expiry(data) }),
    );
    settle(
      touch.then(() => undefined),
      callback,
    );
  }

  /** How many sessions' last touch is remembered (for the bound's test). */
  get remembered(): number {
    return this.lastTouched.size;
  }

  /** Remembers when a session was last written; touches older than a minute no longer matter. */
  private touched(sid: string, now = Date.now()): void {
    rememberNewest(this.lastTouched, sid, now, {
      max: TOUCHED_SESSIONS,
      stale: (at) => now - at >= TOUCH_EVERY_MS,
    });
  }

  private expiry(data: session.SessionData): string {
    const expires = data.cookie?.expires;
    return (expires ? new Date(expires) : new Date(Date.now() + 86_400_000)).toISOString();
  }
}
