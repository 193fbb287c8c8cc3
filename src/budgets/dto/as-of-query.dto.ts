import { Transform } from 'class-transformer';
import { IsOptional } from 'class-validator';
import { IsIsoDate } from '../../common/validation';

/** `?asOf=YYYY-MM-DD` for the ledger figures (DESIGN.md §4); blank means today. */
export class AsOfQueryDto {
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() === '' ? undefined : value,
  )
  @IsOptional()
  @IsIsoDate({ message: 'asOf must be a real date as YYYY-MM-DD, for example 2026-03-31.' })
  asOf?: string;
}
