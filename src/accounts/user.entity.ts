import { Check, Column, Entity, Unique } from 'typeorm';
import { VersionedRecord } from '../common/database/versioned-record';

export const ROLES = ['admin', 'program_manager', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

@Entity('users')
@Unique(['email'])
@Check(`"role" IN ('admin', 'program_manager', 'auditor')`)
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
}
