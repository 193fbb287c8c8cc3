import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { EmptyToNull, Trim } from '../../common/validation';
import { RECIPIENT_TYPES, RecipientType } from '../recipient.entity';

export const US_STATES = [
  'AL',
  'AK',
  'AZ',
  'AR',
  'CA',
  'CO',
  'CT',
  'DE',
  'DC',
  'FL',
  'GA',
  'HI',
  'ID',
  'IL',
  'IN',
  'IA',
  'KS',
  'KY',
  'LA',
  'ME',
  'MD',
  'MA',
  'MI',
  'MN',
  'MS',
  'MO',
  'MT',
  'NE',
  'NV',
  'NH',
  'NJ',
  'NM',
  'NY',
  'NC',
  'ND',
  'OH',
  'OK',
  'OR',
  'PA',
  'RI',
  'SC',
  'SD',
  'TN',
  'TX',
  'UT',
  'VT',
  'VA',
  'WA',
  'WV',
  'WI',
  'WY',
  'AS',
  'GU',
  'MP',
  'PR',
  'VI',
];

export class RecipientFormDto {
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'Enter the recipient organisation’s name.' })
  @MaxLength(200, { message: 'Use at most 200 characters.' })
  name: string;

  @IsIn(RECIPIENT_TYPES, { message: 'Choose the kind of organisation.' })
  type: RecipientType;

  @Trim()
  @IsIn(US_STATES, { message: 'Choose a U.S. state or territory.' })
  state: string;

  @EmptyToNull()
  @IsOptional()
  @IsString()
  @Matches(/^[A-HJ-NP-Z0-9]{12}$/i, {
    message:
      'A UEI is 12 letters and digits (no O or I), as shown in SAM.gov; leave it blank if unknown.',
  })
  uei: string | null;
}
