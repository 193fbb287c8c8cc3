import { Entity, JoinColumn, OneToOne, Column, Unique } from 'typeorm';
import { VersionedRecord } from '../common/database/versioned-record';
import { Grant } from '../grants/grant.entity';

/**
 * A grant's budget as one versioned record: the grid of budget lines is saved all at once, and the
 * version here is what an edit form carries, so two people saving the grid cannot overwrite each other.
 */
@Entity('budgets')
@Unique(['grantId'])
export class Budget extends VersionedRecord {
  @Column('integer')
  grantId: number;

  @OneToOne(() => Grant)
  @JoinColumn({ name: 'grant_id' })
  grant?: Grant;
}
