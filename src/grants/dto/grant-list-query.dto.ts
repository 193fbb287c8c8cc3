import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { BlankToUndefined, QueryInt } from '../../common/validation';
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

export class GrantListQueryDto {
  @BlankToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(GRANT_STATUSES, { message: `status must be one of ${GRANT_STATUSES.join(', ')}` })
  status?: GrantStatus;

  @QueryInt()
  @IsOptional()
  @IsInt({ message: 'programId must be a program id' })
  programId?: number;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(GRANT_SORTS, { message: `sort must be one of ${GRANT_SORTS.join(', ')}` })
  sort?: GrantSort;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'dir must be asc or desc' })
  dir?: 'asc' | 'desc';

  @QueryInt()
  @IsOptional()
  @IsInt({ message: 'page must be a whole number' })
  @Min(1, { message: 'page must be 1 or more' })
  @Max(1_000_000)
  page?: number;
}
