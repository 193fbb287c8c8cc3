import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { ProgramBurndownQueryDto } from './burndown-query.dto';

const blank = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** The program burn-down CSV and manifest: programId, asOf, and bom=1 for a byte-order mark. */
export class ProgramBurndownBomQueryDto extends ProgramBurndownQueryDto {
  @Transform(blank)
  @IsOptional()
  @IsIn(['0', '1'], { message: 'bom must be 1 (add a byte-order mark) or 0.' })
  bom?: string;
}
