import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { BlankToUndefined, OptionalQueryId, QueryInt } from '../../common/validation';
import {
  REQUEST_KINDS,
  REQUEST_STATUSES,
  RequestKindName,
  RequestStatus,
} from '../approval-request.entity';

export const QUEUE_VIEWS = ['awaiting', 'mine', 'all'] as const;

export class ApprovalQueueQueryDto {
  @BlankToUndefined()
  @IsOptional()
  @IsIn(QUEUE_VIEWS, { message: `view must be one of ${QUEUE_VIEWS.join(', ')}` })
  view?: (typeof QUEUE_VIEWS)[number];

  @BlankToUndefined()
  @IsOptional()
  @IsIn(REQUEST_KINDS, { message: `kind must be one of ${REQUEST_KINDS.join(', ')}` })
  kind?: RequestKindName;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(REQUEST_STATUSES, { message: `status must be one of ${REQUEST_STATUSES.join(', ')}` })
  status?: RequestStatus;

  @OptionalQueryId('grantId must be a grant id')
  grantId?: number;

  @QueryInt()
  @IsOptional()
  @IsInt({ message: 'olderThan must be a whole number of days' })
  @Min(0, { message: 'olderThan must be 0 or more days' })
  @Max(3650, { message: 'olderThan must be at most 3,650 days' })
  olderThan?: number;

  @QueryInt()
  @IsOptional()
  @IsInt({ message: 'page must be a whole number' })
  @Min(1, { message: 'page must be 1 or more' })
  @Max(1_000_000)
  page?: number;
}
