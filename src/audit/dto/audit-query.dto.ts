import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import {
  BlankToUndefined,
  IsIsoDate,
  IsOnOrBefore,
  QueryInt,
  OptionalQueryId,
} from '../../common/validation';

export class AuditQueryDto {
  @BlankToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(50)
  entityType?: string;

  @OptionalQueryId('entityId must be a record id')
  entityId?: number;

  @BlankToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(50)
  action?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'from must be a date as YYYY-MM-DD' })
  @IsOnOrBefore('to')
  from?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'to must be a date as YYYY-MM-DD' })
  to?: string;

  @QueryInt()
  @IsOptional()
  @IsInt({ message: 'page must be a whole number' })
  @Min(1)
  @Max(1_000_000)
  page?: number;
}
