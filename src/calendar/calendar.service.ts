import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { User } from '../accounts/user.entity';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { AppConfig } from '../common/config';
import { nowIso } from '../common/database/columns';
import { WritePath } from '../common/database/write-path';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { ProgramsService } from '../programs/programs.service';
import {
  DEFAULT_PROGRAM_NAME,
  deadlinesCalendar,
  feedDeadlines,
  feedWindow,
} from './calendar-feed';

/** The audit actions of a user's feed; the trail records that it changed, never its token or hash. */
export const FEED_ACTIONS = {
  create: 'calendar_feed_create',
  replace: 'calendar_feed_replace',
  revoke: 'calendar_feed_revoke',
} as const;

/** 32 random bytes in base64url: 43 characters. Anything else is not a token and is not looked up. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface FeedStatus {
  active: boolean;
  /** When the current address was made (its audit event), if it has one. */
  since: string | null;
  /** How many events the feed holds today, and the dates it covers. */
  events: number;
  window: { from: string; to: string };
}

/**
 * Each user's iCalendar feed of the program's deadlines. The feed is read with a token in its URL
 * instead of a session (calendar apps have none); only the token's SHA-256 is stored, so the
 * address is shown once, when it is made, and a new one replaces it.
 */
@Injectable()
export class CalendarService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly deadlines: DeadlinesService,
    private readonly programs: ProgramsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** The absolute address of the feed for a token. */
  feedUrl(token: string): string {
    return `${this.config.APP_URL}/calendar/${token}.ics`;
  }

  async status(userId: number): Promise<FeedStatus> {
    const today = this.clock.today();
    const [active, deadlines] = await Promise.all([
      this.users.exists({ where: { id: userId, calendarTokenHash: Not(IsNull()) } }),
      this.deadlines.all(today),
    ]);
    const made = active
      ? await this.audit.lastChangeOf(
          this.users.manager,
          'user',
          [userId],
          [FEED_ACTIONS.create, FEED_ACTIONS.replace],
        )
      : null;
    return {
      active,
      since: made?.occurredAt ?? null,
      events: feedDeadlines(deadlines, today).length,
      window: feedWindow(today),
    };
  }

  /** A new token for the user's feed; the one before it (if any) stops working in the same write. */
  replaceToken(userId: number): Promise<{ token: string; replaced: boolean }> {
    const token = randomBytes(32).toString('base64url');
    return this.writes.transaction(async (manager) => {
      const replaced = await manager.exists(User, {
        where: { id: userId, calendarTokenHash: Not(IsNull()) },
      });
      // Not a new version of the account: an admin's open role form for this user stays valid.
      await manager.update(
        User,
        { id: userId },
        { calendarTokenHash: hashToken(token), updatedAt: nowIso() },
      );
      await this.audit.record(manager, {
        action: replaced ? FEED_ACTIONS.replace : FEED_ACTIONS.create,
        entityType: 'user',
        entityId: userId,
        changes: { calendarFeed: { before: replaced ? 'active' : 'none', after: 'active' } },
      });
      return { token, replaced };
    });
  }

  /** Ends the user's feed; false when they had none (nothing is written then). */
  revoke(userId: number): Promise<boolean> {
    return this.writes.transaction(async (manager) => {
      const active = await manager.exists(User, {
        where: { id: userId, calendarTokenHash: Not(IsNull()) },
      });
      if (!active) return false;
      await manager.update(User, { id: userId }, { calendarTokenHash: null, updatedAt: nowIso() });
      await this.audit.record(manager, {
        action: FEED_ACTIONS.revoke,
        entityType: 'user',
        entityId: userId,
        changes: { calendarFeed: { before: 'active', after: 'none' } },
      });
      return true;
    });
  }

  /**
   * The feed of the active user whose token this is, or null. The token alone says who: a lookup
   * by its hash (a unique index), so nothing about the stored value leaks through timing.
   */
  async feed(token: string): Promise<string | null> {
    if (!TOKEN.test(token)) return null;
    const user = await this.users.findOne({
      select: { id: true },
      where: { calendarTokenHash: hashToken(token), active: true },
    });
    if (!user) return null;
    const today = this.clock.today();
    const [deadlines, programs] = await Promise.all([
      this.deadlines.all(today),
      this.programs.list(),
    ]);
    return deadlinesCalendar({
      deadlines,
      today,
      appUrl: this.config.APP_URL,
      // The feed covers every grant: a program's name only when the app runs just that one.
      programName: programs.length === 1 ? programs[0].name : DEFAULT_PROGRAM_NAME,
    });
  }
}
