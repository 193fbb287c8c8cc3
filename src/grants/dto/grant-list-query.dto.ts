import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { GRANT_STATUSES, GrantStatus } from '../grant.entity';

export const GRANT_SORTS = [
  'awardNumber',
  'title',
  'recipient',
  'status',
  'startDate',
  'endDate',
  'obligated',
] as const;
export type GrantSort = (typeof GRANT_SORTS)[number];

const blankToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,9}$/.test(value)
    ? Number(value)
    : blankToUndefined({ value });

export class GrantListQueryDto {
  @Transform(blankToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(GRANT_STATUSES, { message: `status must be one of ${GRANT_STATUSES.join(', ')}` })
  status?: GrantStatus;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'programId must be a program id' })
  programId?: number;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(GRANT_SORTS, { message: `sort must be one of ${GRANT_SORTS.join(', ')}` })
  sort?: GrantSort;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'dir must be asc or desc' })
  dir?: 'asc' | 'desc';

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'page must be a whole number' })
  @Min(1, { message: 'page must be 1 or more' })
  @Max(1_000_000)
  page?: number;
}
