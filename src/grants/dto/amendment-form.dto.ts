import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { EmptyToNull, IsIsoDate, IsMoney, Trim } from '../../common/validation';
import { AMENDMENT_KINDS, AmendmentKind } from '../amendment.entity';
import { MultiLine } from '../../common/forms';

export class AmendmentFormDto {
  @IsIsoDate()
  effectiveDate: string;

  @IsIn(AMENDMENT_KINDS, { message: 'Choose the kind of amendment.' })
  kind: AmendmentKind;

  @IsMoney({ allowNegative: true })
  federalChange: string;

  @EmptyToNull()
  @IsOptional()
  @IsIsoDate()
  newEndDate: string | null;

  @Trim()
  @IsString()
  @MaxLength(2000, { message: 'Use at most 2,000 characters.' })
  @MultiLine()
  note: string = '';
}
