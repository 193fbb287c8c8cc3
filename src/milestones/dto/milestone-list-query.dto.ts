import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsIsoDate } from '../../common/validation';
import { MILESTONE_KINDS, MILESTONE_STATUSES, MilestoneKind } from '../milestone.entity';

/** The shown statuses (derived as of asOf), plus `overdue`: past due and neither complete nor waived. */
export const SHOWN_STATUS_FILTERS = [...MILESTONE_STATUSES, 'overdue'] as const;
export type ShownStatusFilter = (typeof SHOWN_STATUS_FILTERS)[number];

const blank = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : blank({ value });

/** `asOf` alone: the dashboard's query. */
export class AsOfQueryDto {
  @Transform(blank)
  @IsOptional()
  @IsIsoDate({ message: 'asOf must be a real date as YYYY-MM-DD, for example 2026-03-31.' })
  asOf?: string;
}

export class MilestoneListQueryDto extends AsOfQueryDto {
  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'grantId must be a grant id' })
  grantId?: number;

  @Transform(blank)
  @IsOptional()
  @IsIn(MILESTONE_KINDS, { message: `kind must be one of ${MILESTONE_KINDS.join(', ')}` })
  kind?: MilestoneKind;

  @Transform(blank)
  @IsOptional()
  @IsIn(SHOWN_STATUS_FILTERS, {
    message: `status must be one of ${SHOWN_STATUS_FILTERS.join(', ')}`,
  })
  status?: ShownStatusFilter;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'budgetPeriod must be a budget period number' })
  @Min(1, { message: 'budgetPeriod must be 1 or more' })
  budgetPeriod?: number;

  @Transform(blank)
  @IsOptional()
  @IsIsoDate({ message: 'dueFrom must be a real date as YYYY-MM-DD' })
  dueFrom?: string;

  @Transform(blank)
  @IsOptional()
  @IsIsoDate({ message: 'dueTo must be a real date as YYYY-MM-DD' })
  dueTo?: string;

  @Transform(blank)
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
