import { Check, Column, Entity, Unique } from 'typeorm';
import { VersionedRecord } from '../common/database/versioned-record';

export const RECIPIENT_TYPES = [
  'university',
  'national_laboratory',
  'industry',
  'nonprofit',
  'state_local_tribal',
] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

@Entity('recipients')
@Unique(['uei'])
@Check(`"type" IN (${RECIPIENT_TYPES.map((t) => `'${t}'`).join(', ')})`)
@Check('length("state") = 2')
@Check('"uei" IS NULL OR length("uei") = 12')
export class Recipient extends VersionedRecord {
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
}
