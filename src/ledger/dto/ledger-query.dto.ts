import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { COST_CATEGORIES, CostCategory, Share, SHARES } from '../../budgets/budget.constants';
import { OptionalAsOf } from '../../common/as-of-query.dto';
import { isIsoDate } from '../../common/dates';
import {
  BlankToUndefined,
  IsIsoDate,
  IsOnOrBefore,
  QueryInt,
  Trim,
  OptionalQueryId,
} from '../../common/validation';

export const LEDGER_PAGE_SIZE = 50;
export const LEDGER_PAGE_SIZE_MAX = 200;

/** `YYYY-MM-DD_id`: a position in the list's order (incurred_on, id). `end` is after the last row. */
export const CURSOR = /^(\d{4}-\d{2}-\d{2})_([1-9]\d{0,14})$/;
export const END_CURSOR = 'end';

export interface Cursor {
  incurredOn: string;
  id: number;
}

export function parseCursor(value: string): Cursor | null {
  const match = CURSOR.exec(value);
  if (!match || !isIsoDate(match[1])) return null;
  return { incurredOn: match[1], id: Number(match[2]) };
}

export const formatCursor = (cursor: Cursor): string => `${cursor.incurredOn}_${cursor.id}`;

const CURSOR_MESSAGE = (name: string) =>
  `${name} must be a list position as YYYY-MM-DD_id (for example 2026-03-31_1042), as in the pager links`;

/** The ledger list's filters and keyset position; anything malformed is a 400. */
export class LedgerQueryDto {
  @OptionalQueryId('grantId must be a grant id')
  grantId?: number;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(COST_CATEGORIES, { message: `category must be one of ${COST_CATEGORIES.join(', ')}` })
  category?: CostCategory;

  @BlankToUndefined()
  @IsOptional()
  @IsIn(SHARES, { message: `share must be one of ${SHARES.join(', ')}` })
  share?: Share;

  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'from must be a real date as YYYY-MM-DD, for example 2026-01-01' })
  @IsOnOrBefore('to')
  from?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsIsoDate({ message: 'to must be a real date as YYYY-MM-DD, for example 2026-03-31' })
  to?: string;

  /** Exact reference, or its beginning (case-sensitive). */
  @Trim()
  @BlankToUndefined()
  @IsOptional()
  @IsString({ message: 'reference must be text' })
  @MaxLength(100, { message: 'reference must be at most 100 characters' })
  reference?: string;

  // Composed where it stands (the list reports its fields in this order), worded like its neighbours.
  @OptionalAsOf('asOf must be a real date as YYYY-MM-DD, for example 2026-03-31')
  asOf?: string;

  @BlankToUndefined()
  @IsOptional()
  @Matches(CURSOR, { message: CURSOR_MESSAGE('after') })
  after?: string;

  @BlankToUndefined()
  @IsOptional()
  @IsString()
  @Matches(new RegExp(`${CURSOR.source}|^${END_CURSOR}$`), { message: CURSOR_MESSAGE('before') })
  before?: string;

  @QueryInt()
  @IsOptional()
  @IsInt({ message: `size must be a whole number from 1 to ${LEDGER_PAGE_SIZE_MAX}` })
  @Min(1, { message: `size must be a whole number from 1 to ${LEDGER_PAGE_SIZE_MAX}` })
  @Max(LEDGER_PAGE_SIZE_MAX, {
    message: `size must be a whole number from 1 to ${LEDGER_PAGE_SIZE_MAX}`,
  })
  size?: number;
}
