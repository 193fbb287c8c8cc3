import { IsIn, IsOptional } from 'class-validator';
import { BlankToUndefined } from '../../common/validation';
import { BurndownAsOfQueryDto } from './burndown-query.dto';

/**
 * `asOf`, and `bom=1` for a CSV that starts with a UTF-8 byte-order mark (Excel on Windows). For the
 * reconciliation and SF-425 pages, their CSVs and manifests; anything else in `bom` is a 400.
 */
export class AsOfBomQueryDto extends BurndownAsOfQueryDto {
  @BlankToUndefined()
  @IsOptional()
  @IsIn(['0', '1'], { message: 'bom must be 1 (add a byte-order mark) or 0.' })
  bom?: string;
}
