import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { AsOfBomQuery } from '../../common/as-of-query.dto';
import { BlankToUndefined, QueryInt } from '../../common/validation';

export const RECONCILIATION_SHOWS = ['all', 'differences'] as const;
export type ReconciliationShow = (typeof RECONCILIATION_SHOWS)[number];

const PAGE_MESSAGE = 'page must be a page number of the grants, a whole number from 1.';

/**
 * The reconciliation page: its date (and bom, as the downloads take it), which page of the
 * per-grant detail, and whether that detail lists every grant or only those that differ. The
 * check itself, its summary and the downloads always cover every grant.
 */
export class ReconciliationPageQuery extends AsOfBomQuery {
  @BlankToUndefined()
  @IsOptional()
  @IsIn(RECONCILIATION_SHOWS, { message: 'show must be all or differences.' })
  show?: ReconciliationShow;

  @QueryInt()
  @IsOptional()
  @IsInt({ message: PAGE_MESSAGE })
  @Min(1, { message: PAGE_MESSAGE })
  @Max(1_000_000, { message: PAGE_MESSAGE })
  page?: number;
}
