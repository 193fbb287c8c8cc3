import { Check, Column, Entity, Index, Unique } from 'typeorm';
import { VersionedRecord } from '../common/database/versioned-record';

export const ROLES = ['admin', 'program_manager', 'approving_official', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The roles a user acts in: their role, and approving official too for a program manager who also
 * approves. That is the only combination allowed (UsersService): an auditor changes nothing, and an
 * admin, who creates accounts, could otherwise approve through an account of their own making. A
 * program manager who approves never decides a request of their own (ApprovalsService, and a CHECK
 * in the database).
 */
export function rolesOf(user: Pick<User, 'role' | 'alsoApproves'>): Role[] {
  return user.role === 'program_manager' && user.alsoApproves
    ? ['program_manager', 'approving_official']
    : [user.role];
}

@Entity('users')
@Unique(['email'])
@Check(`"role" IN ('admin', 'program_manager', 'approving_official', 'auditor')`)
export class User extends VersionedRecord {
  /** Stored lower-case. */
  @Column('varchar')
  email: string;

  @Column('varchar')
  name: string;

  @Column('varchar')
  role: Role;

  /** argon2id; never leaves the accounts service. */
  @Column('varchar', { select: false })
  passwordHash: string;

  @Column('boolean', { default: () => 'true' })
  active: boolean;

  /** A program manager who may also approve other people's requests (see rolesOf). */
  @Column('boolean', { default: () => 'false' })
  alsoApproves: boolean;

  /** Whether the daily digest of their inbox is e-mailed to them (when SMTP_URL is set). */
  @Column('boolean', { default: () => 'true' })
  wantsDigest: boolean;

  /** SHA-256 of their calendar feed's token, or null when they have none (never the token itself). */
  @Index({ unique: true })
  @Column('varchar', { nullable: true, select: false })
  calendarTokenHash: string | null;
}
