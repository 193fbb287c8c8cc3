import { Check, Column, Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { VersionedRecord } from '../common/database/versioned-record';
import { centsTransformer } from '../common/database/columns';
import { Program } from '../programs/program.entity';
import { Recipient } from './recipient.entity';

export const GRANT_STATUSES = ['draft', 'active', 'suspended', 'closed', 'terminated'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

@Entity('grants')
@Unique(['awardNumber'])
@Index(['programId'])
@Index(['recipientId'])
@Check(`"status" IN (${GRANT_STATUSES.map((s) => `'${s}'`).join(', ')})`)
@Check('"cost_share_committed_cents" >= 0')
@Check('length("start_date") = 10')
@Check('length("end_date") = 10')
@Check('"start_date" < "end_date"')
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
