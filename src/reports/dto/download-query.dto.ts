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

/** The /reports index: the program whose grants its grant choices list. */
export class ReportsIndexQueryDto {
  @OptionalQueryId('programId must be a program id, a whole number.')
  programId?: number;
}

/** The per-grant reports the index reaches through GET /reports/for-grant. */
export const PER_GRANT_REPORTS = ['grant-burndown', 'sf425'] as const;

/** The downloads of a report, as `format` names them, and the reportLinks() link of each. */
export const DOWNLOAD_FORMATS = {
  html: 'html',
  csv: 'csv',
  'csv-bom': 'csvBom',
  manifest: 'manifest',
  xlsx: 'xlsx',
  'xlsx-manifest': 'xlsxManifest',
} as const;
export type DownloadFormat = keyof typeof DOWNLOAD_FORMATS;

/**
 * The index's form for a report of one grant (a path with the grant id in it, which a GET form
 * cannot fill): the report, the grant, the date and the download, answered with a redirect.
 */
export class GrantDownloadQueryDto extends ReportsIndexQueryDto {
  @IsIn(PER_GRANT_REPORTS, {
    message: `report must be one of ${PER_GRANT_REPORTS.join(', ')}.`,
  })
  report!: (typeof PER_GRANT_REPORTS)[number];

  @QueryInt()
  @IsInt({ message: 'Choose a grant: grantId must be a grant id, a whole number.' })
  @Min(1, { message: 'Choose a grant: grantId must be a grant id, a whole number.' })
  grantId!: number;

  @OptionalAsOf()
  asOf?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(Object.keys(DOWNLOAD_FORMATS), {
    message: `format must be one of ${Object.keys(DOWNLOAD_FORMATS).join(', ')}.`,
  })
  format?: DownloadFormat;
}
