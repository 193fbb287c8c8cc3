import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const RECIPIENT_TYPES = [
  'university',
  'national_laboratory',
  'industry',
  'nonprofit',
  'state_local_tribal',
] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

@Entity('recipients')
export class Recipient {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('varchar')
  name: string;

  @Column('varchar')
  type: RecipientType;

  /** USPS two-letter code. */
  @Column('varchar')
  state: string;

  /** SAM.gov Unique Entity ID: 12 characters, optional. */
  @Column('varchar', { nullable: true })
  uei: string | null;

  @Column('integer', { default: 1 })
  version: number;

  @Column('varchar')
  createdAt: string;

  @Column('varchar')
  updatedAt: string;
}
