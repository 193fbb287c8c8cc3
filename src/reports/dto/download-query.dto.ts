import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { COST_CATEGORIES, CostCategory, Share, SHARES } from '../../budgets/budget.constants';
import { BlankToUndefined, IsIsoDate, QueryInt, OptionalQueryId } from '../../common/validation';

/**
 * What every report and download takes: `asOf` (default today) and `bom=1` for a byte-order mark.
 * Anything malformed is a 400 that says what it expects.
 */
export class ReportQueryDto {
  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'asOf must be a real date as YYYY-MM-DD, for example 2026-03-31.' })
  asOf?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(['0', '1'], { message: 'bom must be 1 (add a byte-order mark for Excel) or 0.' })
  bom?: '0' | '1';
}

/** The ledger report: asOf, and optional grant, incurred range, category and share. */
export class LedgerReportQueryDto extends ReportQueryDto {
  @OptionalQueryId('grantId must be a grant id, a whole number.')
  grantId?: number;

  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'from must be a real date as YYYY-MM-DD (incurred on or after).' })
  from?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'to must be a real date as YYYY-MM-DD (incurred on or before).' })
  to?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(COST_CATEGORIES, { message: `category must be one of ${COST_CATEGORIES.join(', ')}.` })
  category?: CostCategory;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(SHARES, { message: `share must be one of ${SHARES.join(', ')}.` })
  share?: Share;

  /** The HTML view's keyset pager: show the entries after this id. */
  @QueryInt()
  @IsOptional()
  @IsInt({ message: 'after must be an entry id, a whole number.' })
  @Min(0)
  @Max(999_999_999)
  after?: number;
}
