import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, IsNull, Repository } from 'typeorm';
import { rolesOf, User } from '../accounts/user.entity';
import { nowIso } from '../common/database/columns';
import { ReadCache } from '../common/database/read-cache';
import { WritePath } from '../common/database/write-path';
import { addDays, formatDate } from '../common/dates';
import { Page, PAGE_SIZE, toPage } from '../common/pagination';
import { DEADLINE_KIND_LABELS, stillShown } from '../deadlines/deadline.rules';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { Notification, NotificationKind } from './notification.entity';

/** One line for one or more users' inboxes. */
export interface NewNotification {
  kind: NotificationKind;
  title: string;
  href: string;
  /** Unique per user: the same line is never added twice (a deadline, a request's turn). */
  dedupeKey: string;
}

/** A deadline is in the inbox from a week before it falls due, and while it is overdue. */
export const DEADLINE_NOTICE_DAYS = 7;

/**
 * Each user's inbox: requests awaiting their decision and decisions on their requests (written in
 * the same transaction as the request or decision), and the deadlines of the program's grants
 * (written by the daily job: program managers get the grants' deadlines, approvers the requests
 * waiting too long). Not business records: no audit events (WritePath's UNAUDITED).
 */
@Injectable()
export class NotificationsService {
  constructor(
    @InjectRepository(Notification) private readonly notifications: Repository<Notification>,
    private readonly writes: WritePath,
    private readonly cache: ReadCache,
    private readonly deadlines: DeadlinesService,
  ) {}

  /** Adds the line to each user's inbox, once per user and dedupe key, in the caller's transaction. */
  async notify(manager: EntityManager, userIds: number[], line: NewNotification): Promise<void> {
    const users = [...new Set(userIds)];
    if (users.length === 0) return;
    const createdAt = nowIso();
    await manager
      .createQueryBuilder()
      .insert()
      .into(Notification)
      .values(
        users.map((userId) => ({
          userId,
          ...line,
          title: line.title.slice(0, 500),
          createdAt,
          readAt: null,
          digestedAt: null,
        })),
      )
      .orIgnore()
      .execute();
  }

  /** Marks everyone's lines with this dedupe key read: a request once decided awaits nobody. */
  async settle(manager: EntityManager, dedupeKey: string): Promise<void> {
    await manager.update(Notification, { dedupeKey, readAt: IsNull() }, { readAt: nowIso() });
  }

  /** The active users who may decide a request of `requesterId`: approving officials, and managers who also approve. */
  async approversOf(manager: EntityManager, requesterId: number | null): Promise<number[]> {
    // rolesOf decides who approves, as it does for the access guard.
    const users = await manager.find(User, {
      where: { active: true },
      select: { id: true, role: true, alsoApproves: true },
    });
    return users
      .filter((u) => u.id !== requesterId && rolesOf(u).includes('approving_official'))
      .map((u) => u.id);
  }

  /**
   * The deadlines as of `asOf` that are due within a week or overdue, into the inboxes of those who
   * act on them: a request waiting too long to its approvers, every other deadline to the program
   * managers. Each deadline is one line per user for each due date it has had.
   */
  async notifyDeadlines(manager: EntityManager, asOf: string): Promise<number> {
    // A request is already in its approvers' inboxes: its reminder comes on the day it is due.
    const due = (await this.deadlines.all(asOf)).filter(
      (d) =>
        d.dueDate <= (d.kind === 'request' ? asOf : addDays(asOf, DEADLINE_NOTICE_DAYS)) &&
        stillShown(d, asOf),
    );
    const managers = (
      await manager.find(User, {
        where: { role: 'program_manager', active: true },
        select: { id: true },
      })
    ).map((u) => u.id);
    const approvers = await this.approversOf(manager, null);
    for (const deadline of due) {
      const overdue = deadline.dueDate < asOf;
      await this.notify(manager, deadline.kind === 'request' ? approvers : managers, {
        kind: 'deadline',
        title: `${overdue ? 'Overdue since' : 'Due'} ${formatDate(deadline.dueDate)}: ${deadline.awardNumber}, ${DEADLINE_KIND_LABELS[deadline.kind].toLowerCase()} — ${deadline.title}`,
        href: deadline.href,
        dedupeKey: `deadline:${deadline.key}:${deadline.dueDate}`,
      });
    }
    return due.length;
  }

  /** Unread lines, for the header. */
  unreadCount(userId: number): Promise<number> {
    return this.cache.get(['notifications'], `unread:${userId}`, () =>
      this.notifications.count({ where: { userId, readAt: IsNull() } }),
    );
  }

  /** The user's inbox, newest first, unread ones before read ones. */
  async inbox(userId: number, page = 1): Promise<Page<Notification>> {
    const [items, total] = await this.notifications
      .createQueryBuilder('n')
      .where('n.user_id = :userId', { userId })
      .orderBy('CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END', 'ASC')
      .addOrderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .offset((page - 1) * PAGE_SIZE)
      .limit(PAGE_SIZE)
      .getManyAndCount();
    return toPage(items, total, page);
  }

  /** Marks the user's lines read: these, or all of them. Another user's lines are never touched. */
  markRead(userId: number, ids: number[] | 'all'): Promise<number> {
    return this.writes.transaction(async (manager) => {
      const where =
        ids === 'all'
          ? { userId, readAt: IsNull() }
          : { userId, readAt: IsNull(), id: In(ids.length > 0 ? ids : [0]) };
      const result = await manager.update(Notification, where, { readAt: nowIso() });
      return result.affected ?? 0;
    });
  }
}
