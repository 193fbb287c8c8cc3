import { AsOfQuery, OptionalBom } from '../../common/as-of-query.dto';
import { OptionalQueryId } from '../../common/validation';

/** The program burn-down page and chart: `asOf`, and which program (the first one when not given). */
export class ProgramBurndownQueryDto extends AsOfQuery {
  @OptionalQueryId('programId must be a program id, a whole number.')
  programId?: number;
}

/** The program burn-down CSV and manifest: the page's parameters, and bom=1 for a byte-order mark. */
export class ProgramBurndownBomQueryDto extends ProgramBurndownQueryDto {
  @OptionalBom()
  bom?: '0' | '1';
}
