import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsIsoDate } from '../../common/validation';

const blank = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : blank({ value });

/** `asOf` alone: a grant's burn-down. A malformed date is a 400 that says what it expects. */
export class BurndownAsOfQueryDto {
  @Transform(blank)
  @IsOptional()
  @IsIsoDate({ message: 'asOf must be a real date as YYYY-MM-DD, for example 2026-03-31.' })
  asOf?: string;
}

/** The program burn-down: `asOf`, and which program (the first one when not given). */
export class ProgramBurndownQueryDto extends BurndownAsOfQueryDto {
  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'programId must be a program id, a whole number.' })
  @Min(1, { message: 'programId must be a program id, a whole number.' })
  @Max(999_999_999)
  programId?: number;
}
