import { Check, Column, Entity } from 'typeorm';
import { VersionedRecord } from '../common/database/versioned-record';
import { centsTransformer } from '../common/database/columns';

@Entity('programs')
@Check('"ceiling_cents" >= 0')
@Check('"cost_share_percent" BETWEEN 0 AND 100')
@Check('length("start_date") = 10')
@Check('length("end_date") = 10')
@Check('"start_date" < "end_date"')
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
  @Column('boolean', { default: () => 'false' })
  illustrative: boolean;
}
