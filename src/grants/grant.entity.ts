import { Column, Entity, JoinColumn, ManyToOne } from 'typeorm';
import { VersionedRecord } from '../common/database/versioned-record';
import { centsTransformer } from '../common/database/columns';
import { Program } from '../programs/program.entity';
import { Recipient } from './recipient.entity';

export const GRANT_STATUSES = ['draft', 'active', 'suspended', 'closed', 'terminated'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

@Entity('grants')
export class Grant extends VersionedRecord {
  @Column('integer')
  programId: number;

  @ManyToOne(() => Program)
  @JoinColumn({ name: 'program_id' })
  program?: Program;

  @Column('integer')
  recipientId: number;

  @ManyToOne(() => Recipient)
  @JoinColumn({ name: 'recipient_id' })
  recipient?: Recipient;

  @Column('varchar')
  awardNumber: string;

  @Column('varchar')
  title: string;

  @Column('varchar')
  piName: string;

  @Column('varchar')
  piEmail: string;

  @Column('varchar')
  status: GrantStatus;

  /** Period of performance; a no-cost extension moves endDate. */
  @Column('varchar')
  startDate: string;

  @Column('varchar')
  endDate: string;

  @Column('bigint', { transformer: centsTransformer })
  costShareCommittedCents: number;
}
