import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { COST_CATEGORIES, CostCategory, Share, SHARES } from '../../budgets/budget.constants';
import { BOM_FOR_EXCEL_MESSAGE, OptionalAsOf, OptionalBom } from '../../common/as-of-query.dto';
import {
  BlankToUndefined,
  IsIsoDate,
  IsOnOrBefore,
  QueryInt,
  OptionalQueryId,
} from '../../common/validation';

/**
 * What every report and download takes: `asOf` (default today) and `bom=1` for a byte-order mark.
 * Anything malformed is a 400 that says what it expects. Composed rather than extending AsOfQuery:
 * class-validator reports a subclass's own fields first, and these have always listed asOf first.
 */
export class ReportQueryDto {
  @OptionalAsOf()
  asOf?: string;

  @OptionalBom(BOM_FOR_EXCEL_MESSAGE)
  bom?: '0' | '1';
}

/** The ledger report: asOf, and optional grant, incurred range, category and share. */
export class LedgerReportQueryDto extends ReportQueryDto {
  @OptionalQueryId('grantId must be a grant id, a whole number.')
  grantId?: number;

  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'from must be a real date as YYYY-MM-DD (incurred on or after).' })
  @IsOnOrBefore('to')
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
