import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createTransport, Transporter } from 'nodemailer';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThan, Repository } from 'typeorm';
import { User } from '../accounts/user.entity';
import { AppConfig } from '../common/config';
import { nowIso } from '../common/database/columns';
import { WritePath } from '../common/database/write-path';
import { addDays, formatDate, todayIn } from '../common/dates';
import { endOfDayUtc } from '../common/office-day';
import { Notification, ScheduledRun } from './notification.entity';
import { NotificationsService } from './notifications.service';

export const DIGEST_JOB = 'digest';
/** How many missed days a start catches up at most. */
export const CATCH_UP_DAYS = 7;
/** How often each instance looks for a day whose digest is due. */
const TICK_MS = 10 * 60_000;

/** One user's digest of a day. */
export interface DigestMessage {
  to: string;
  subject: string;
  text: string;
}

export interface DayRun {
  day: string;
  /** False when another instance (or an earlier run) had already claimed the day. */
  claimed: boolean;
  messages: number;
  sent: number;
}

/** The office hour of `now` in the zone (0–23). */
function officeHour(timeZone: string, now: Date): number {
  const hour = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hour: 'numeric',
    hourCycle: 'h23',
  }).format(now);
  return Number(hour);
}

/**
 * The daily digest. Each office day after DIGEST_HOUR, one instance — whichever inserts that day's
 * `scheduled_runs` row first; the primary key refuses the others — adds the deadlines due within a
 * week to the inboxes and e-mails each user who wants it the inbox lines not yet in a digest. A day
 * no instance ran (all were down) is caught up on the next start or tick, up to a week back, each day
 * claimed and sent once. Without SMTP_URL the inbox lines are written and nothing is sent.
 */
@Injectable()
export class DigestService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DigestService.name);
  private readonly instance = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private transport?: { url: string; mailer: Transporter };

  constructor(
    @InjectRepository(ScheduledRun) private readonly runs: Repository<ScheduledRun>,
    private readonly writes: WritePath,
    private readonly config: AppConfig,
    private readonly notifications: NotificationsService,
  ) {}

  /** The schedule runs in the app itself (not in tests, which call runDue with their own clock). */
  onApplicationBootstrap(): void {
    if (this.config.NODE_ENV === 'test') return;
    const tick = () => {
      this.running = this.runDue().catch((error: unknown) =>
        this.logger.error(`Daily digest failed: ${String(error)}`),
      );
    };
    this.timer = setInterval(tick, TICK_MS);
    this.timer.unref();
    setTimeout(tick, 5_000).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    this.transport?.mailer.close();
  }

  /** Runs every day whose digest is due by `now` and not yet claimed, oldest first. */
  async runDue(now = new Date()): Promise<DayRun[]> {
    const zone = this.config.APP_TIME_ZONE;
    const today = todayIn(zone, now);
    const latest = officeHour(zone, now) >= this.config.DIGEST_HOUR ? today : addDays(today, -1);
    const last = await this.runs.findOne({
      where: { job: DIGEST_JOB },
      order: { runDate: 'DESC' },
    });
    let day = last ? addDays(last.runDate, 1) : latest;
    if (day < addDays(latest, -(CATCH_UP_DAYS - 1))) day = addDays(latest, -(CATCH_UP_DAYS - 1));
    const runs: DayRun[] = [];
    for (; day <= latest; day = addDays(day, 1)) runs.push(await this.runDay(day));
    return runs;
  }

  /** Claims the day and, if this instance got it, writes its inbox lines and sends its digests. */
  async runDay(day: string): Promise<DayRun> {
    const claim = { job: DIGEST_JOB, runDate: day, claimedBy: this.instance, claimedAt: nowIso() };
    const messages = await this.writes.transaction(async (manager) => {
      // INSERT … ON CONFLICT DO NOTHING: on PostgreSQL a second instance waits for the first's
      // claim to commit, then inserts nothing; whoever's row is there owns the day.
      await manager
        .createQueryBuilder()
        .insert()
        .into(ScheduledRun)
        .values(claim)
        .orIgnore()
        .execute();
      const owner = await manager.findOneByOrFail(ScheduledRun, { job: DIGEST_JOB, runDate: day });
      if (owner.claimedBy !== this.instance || owner.claimedAt !== claim.claimedAt) return null;
      await this.notifications.notifyDeadlines(manager, day);
      return this.collect(day);
    });
    if (messages === null) return { day, claimed: false, messages: 0, sent: 0 };
    const { sent, note } = await this.send(messages);
    await this.writes.transaction((manager) =>
      manager.update(
        ScheduledRun,
        { job: DIGEST_JOB, runDate: day },
        { finishedAt: nowIso(), sent, note },
      ),
    );
    return { day, claimed: true, messages: messages.length, sent };
  }

  /**
   * Each user's lines recorded by the end of the day and in no digest yet, marked digested (in the
   * claim's transaction, so a line goes into one digest): one message per user who wants one.
   */
  private async collect(day: string): Promise<DigestMessage[]> {
    return this.writes.transaction(async (manager) => {
      const users = await manager.find(User, { where: { active: true, wantsDigest: true } });
      if (users.length === 0) return [];
      const lines = await manager.find(Notification, {
        where: {
          userId: In(users.map((u) => u.id)),
          digestedAt: IsNull(),
          createdAt: LessThan(endOfDayUtc(day, this.config.APP_TIME_ZONE)),
        },
        order: { createdAt: 'ASC', id: 'ASC' },
      });
      if (lines.length > 0) {
        await manager.update(
          Notification,
          lines.map((l) => l.id),
          { digestedAt: nowIso() },
        );
      }
      return users
        .map((user) => ({ user, mine: lines.filter((l) => l.userId === user.id) }))
        .filter(({ mine }) => mine.length > 0)
        .map(({ user, mine }) => this.message(user, day, mine));
    });
  }

  private message(user: User, day: string, lines: Notification[]): DigestMessage {
    const base = this.config.APP_URL;
    const body = lines.map((l) => `- ${l.title}\n  ${base}${l.href}`).join('\n');
    return {
      to: user.email,
      subject: `Grant tracker: ${lines.length} ${lines.length === 1 ? 'item' : 'items'} for ${formatDate(day)}`,
      text:
        `${user.name},\n\nYour inbox for ${formatDate(day)}:\n\n${body}\n\n` +
        `The inbox: ${base}/inbox\nTo stop these e-mails, turn the daily digest off there.\n`,
    };
  }

  /** Sends through SMTP_URL; without it, nothing (the lines are in the inbox). */
  private async send(messages: DigestMessage[]): Promise<{ sent: number; note: string }> {
    if (!this.config.SMTP_URL) return { sent: 0, note: 'SMTP_URL is not set: no e-mail sent.' };
    const url = this.config.SMTP_URL;
    if (this.transport?.url !== url) {
      this.transport?.mailer.close();
      this.transport = { url, mailer: createTransport(url) };
    }
    let sent = 0;
    const failures: string[] = [];
    for (const message of messages) {
      try {
        await this.transport.mailer.sendMail({ from: this.config.SMTP_FROM, ...message });
        sent += 1;
      } catch (error) {
        failures.push(`${message.to}: ${String(error)}`);
      }
    }
    if (failures.length > 0) this.logger.warn(`Digest not sent to ${failures.join('; ')}`);
    return { sent, note: failures.join('\n').slice(0, 4000) };
  }
}
