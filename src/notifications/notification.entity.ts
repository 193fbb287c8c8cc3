import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { User } from '../accounts/user.entity';

export const NOTIFICATION_KINDS = ['request_waiting', 'request_decided', 'deadline'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * One line of a user's inbox: a request awaiting their decision, the decision on one of theirs, or a
 * deadline of the program's grants. `dedupeKey` makes each one once per user (a deadline is one line
 * however many days the job runs); `digestedAt` is when a daily digest e-mailed it.
 */
@Entity('notifications')
@Unique(['userId', 'dedupeKey'])
@Index(['userId', 'readAt'])
export class Notification {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  userId: number;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column('varchar')
  kind: NotificationKind;

  @Column('varchar', { length: 500 })
  title: string;

  @Column('varchar')
  href: string;

  @Column('varchar')
  dedupeKey: string;

  @Column('varchar')
  createdAt: string;

  @Column('varchar', { nullable: true })
  readAt: string | null;

  @Column('varchar', { nullable: true })
  digestedAt: string | null;
}

/**
 * The claim on one run of a scheduled job for one office day: inserting it decides which instance
 * runs that day's job (the primary key refuses a second), so a day's digest is sent once however
 * many instances run, and a day none of them ran is still there to catch up.
 */
@Entity('scheduled_runs')
export class ScheduledRun {
  @PrimaryColumn('varchar')
  job: string;

  @PrimaryColumn('varchar')
  runDate: string;

  @Column('varchar')
  claimedBy: string;

  @Column('varchar')
  claimedAt: string;

  @Column('varchar', { nullable: true })
  finishedAt: string | null;

  @Column('integer', { default: 0 })
  sent: number;

  @Column('text', { default: '' })
  note: string;
}
