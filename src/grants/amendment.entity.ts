import {
  Check,
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { Grant } from './grant.entity';
import { centsTransformer } from '../common/database/columns';

export const AMENDMENT_KINDS = [
  'initial',
  'incremental_funding',
  'deobligation',
  'no_cost_extension',
  'rebudget',
  'other',
] as const;
export type AmendmentKind = (typeof AMENDMENT_KINDS)[number];

/** A modification of an award. Never edited or deleted: a mistake is fixed by another amendment. */
@Entity('amendments')
@Unique(['grantId', 'number'])
@Check('"number" >= 0')
@Check(`"kind" IN (${AMENDMENT_KINDS.map((k) => `'${k}'`).join(', ')})`)
@Check('length("effective_date") = 10')
@Check('"new_end_date" IS NULL OR length("new_end_date") = 10')
export class Amendment {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  grantId: number;

  @ManyToOne(() => Grant)
  @JoinColumn({ name: 'grant_id' })
  grant?: Grant;

  /** 0 is the original award. */
  @Column('integer')
  number: number;

  @Column('varchar')
  effectiveDate: string;

  @Column('varchar')
  kind: AmendmentKind;

  @Column('bigint', { transformer: centsTransformer })
  federalChangeCents: number;

  @Column('varchar', { nullable: true })
  newEndDate: string | null;

  @Column('text', { default: '' })
  note: string;

  @Column('varchar')
  createdAt: string;
}
