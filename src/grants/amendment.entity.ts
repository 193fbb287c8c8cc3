import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
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
export class Amendment {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  grantId: number;

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
