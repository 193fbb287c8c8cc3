import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { IsIsoDate, IsMoney, Trim } from '../../common/validation';
import { GRANT_STATUSES, GrantStatus } from '../grant.entity';

const toId = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;

export class GrantFormDto {
  @Transform(toId)
  @IsInt({ message: 'Choose the program.' })
  @Min(1, { message: 'Choose the program.' })
  programId: number;

  @Transform(toId)
  @IsInt({ message: 'Choose the recipient.' })
  @Min(1, { message: 'Choose the recipient.' })
  recipientId: number;

  @Trim()
  @IsString()
  @Matches(/^[A-Z]{2,5}-[A-Z0-9-]{4,30}$/i, {
    message: 'Enter the award number as issued, for example DE-SC0031987.',
  })
  awardNumber: string;

  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'Enter the project title.' })
  @MaxLength(300, { message: 'Use at most 300 characters.' })
  title: string;

  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'Enter the principal investigator’s name.' })
  @MaxLength(200, { message: 'Use at most 200 characters.' })
  piName: string;

  @Trim()
  @IsEmail(
    {},
    { message: 'Enter the principal investigator’s email address, like name@example.edu.' },
  )
  piEmail: string;

  @IsIn(GRANT_STATUSES, { message: 'Choose a status.' })
  status: GrantStatus;

  @IsIsoDate()
  startDate: string;

  @IsIsoDate()
  endDate: string;

  @IsMoney()
  costShareCommitted: string;
}
