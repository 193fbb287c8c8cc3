import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,9}$/.test(value)
    ? Number(value)
    : value === ''
      ? undefined
      : value;

/** `/ledger/new?grantId=`: the grant page's link preselects its grant. */
export class NewEntryQueryDto {
  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'grantId must be a grant id' })
  @Min(1, { message: 'grantId must be a grant id' })
  grantId?: number;
}
