import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsIsoDate } from '../../common/validation';

const blank = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : blank({ value });

export class AuditQueryDto {
  @Transform(blank)
  @IsOptional()
  @IsString()
  @MaxLength(50)
  entityType?: string;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'entityId must be a record id' })
  entityId?: number;

  @Transform(blank)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @Transform(blank)
  @IsOptional()
  @IsString()
  @MaxLength(50)
  action?: string;

  @Transform(blank)
  @IsOptional()
  @IsIsoDate({ message: 'from must be a date as YYYY-MM-DD' })
  from?: string;

  @Transform(blank)
  @IsOptional()
  @IsIsoDate({ message: 'to must be a date as YYYY-MM-DD' })
  to?: string;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'page must be a whole number' })
  @Min(1)
  @Max(1_000_000)
  page?: number;
}
