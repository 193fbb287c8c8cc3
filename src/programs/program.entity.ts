import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { centsTransformer } from '../common/database/columns';

@Entity('programs')
export class Program {
  @PrimaryGeneratedColumn()
  id: number;

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

  @Column('integer', { default: 1 })
  version: number;

  @Column('varchar')
  createdAt: string;

  @Column('varchar')
  updatedAt: string;
}
