import { Column, Entity } from 'typeorm';
import { VersionedRecord } from '../common/database/versioned-record';
import { centsTransformer } from '../common/database/columns';

@Entity('programs')
export class Program extends VersionedRecord {
  @Column('varchar')
  name: string;

  @Column('varchar')
  fundingOpportunity: string;

  @Column('varchar')
  office: string;

  @Column('bigint', { transformer: centsTransformer })
  ceilingCents: number;

  @Column('varchar')
  startDate: string;

  @Column('varchar')
  endDate: string;

  @Column('integer')
  costSharePercent: number;

  /** The demo program is invented in its details; the UI says so. */
  @Column('boolean', { default: false })
  illustrative: boolean;
}
