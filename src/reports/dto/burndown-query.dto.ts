import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { BlankToUndefined, IsIsoDate, QueryInt } from '../../common/validation';

/** `asOf` alone: a grant's burn-down. A malformed date is a 400 that says what it expects. */
export class BurndownAsOfQueryDto {
  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'asOf must be a real date as YYYY-MM-DD, for example 2026-03-31.' })
  asOf?: string;
}

/** The program burn-down: `asOf`, and which program (the first one when not given). */
export class ProgramBurndownQueryDto extends BurndownAsOfQueryDto {
  @QueryInt()
  @IsOptional()
  @IsInt({ message: 'programId must be a program id, a whole number.' })
  @Min(1, { message: 'programId must be a program id, a whole number.' })
  @Max(999_999_999)
  programId?: number;
}
