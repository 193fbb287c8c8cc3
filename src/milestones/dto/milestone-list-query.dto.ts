import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { AsOfQuery } from '../../common/as-of-query.dto';
import { BlankToUndefined, IsIsoDate, QueryInt, OptionalQueryId } from '../../common/validation';
import { MILESTONE_KINDS, MILESTONE_STATUSES, MilestoneKind } from '../milestone.entity';

/** The shown statuses (derived as of asOf), plus `overdue`: past due and neither complete nor waived. */
export const SHOWN_STATUS_FILTERS = [...MILESTONE_STATUSES, 'overdue'] as const;
export type ShownStatusFilter = (typeof SHOWN_STATUS_FILTERS)[number];

export class MilestoneListQueryDto extends AsOfQuery {
  @OptionalQueryId('grantId must be a grant id')
  grantId?: number;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(MILESTONE_KINDS, { message: `kind must be one of ${MILESTONE_KINDS.join(', ')}` })
  kind?: MilestoneKind;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(SHOWN_STATUS_FILTERS, {
    message: `status must be one of ${SHOWN_STATUS_FILTERS.join(', ')}`,
  })
  status?: ShownStatusFilter;

  @QueryInt()
  @IsOptional()
  @IsInt({ message: 'budgetPeriod must be a budget period number' })
  @Min(1, { message: 'budgetPeriod must be 1 or more' })
  budgetPeriod?: number;

  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'dueFrom must be a real date as YYYY-MM-DD' })
  dueFrom?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'dueTo must be a real date as YYYY-MM-DD' })
  dueTo?: string;

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
