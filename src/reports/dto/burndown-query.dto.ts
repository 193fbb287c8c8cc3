import { IsOptional } from 'class-validator';
import { BlankToUndefined, IsIsoDate, OptionalQueryId } from '../../common/validation';

/** `asOf` alone: a grant's burn-down. A malformed date is a 400 that says what it expects. */
export class BurndownAsOfQueryDto {
  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'asOf must be a real date as YYYY-MM-DD, for example 2026-03-31.' })
  asOf?: string;
}

/** The program burn-down: `asOf`, and which program (the first one when not given). */
export class ProgramBurndownQueryDto extends BurndownAsOfQueryDto {
  @OptionalQueryId('programId must be a program id, a whole number.')
  programId?: number;
}
