import { IsIn, IsOptional } from 'class-validator';
import { BlankToUndefined } from '../../common/validation';
import { ProgramBurndownQueryDto } from './burndown-query.dto';

/** The program burn-down CSV and manifest: programId, asOf, and bom=1 for a byte-order mark. */
export class ProgramBurndownBomQueryDto extends ProgramBurndownQueryDto {
  @BlankToUndefined()
  @IsOptional()
  @IsIn(['0', '1'], { message: 'bom must be 1 (add a byte-order mark) or 0.' })
  bom?: string;
}
