import { IsIn, IsInt, IsNotEmpty, IsString, Matches, MaxLength, Min } from 'class-validator';
import { COST_CATEGORIES, CostCategory, Share, SHARES } from '../../budgets/budget.constants';
import { FormInt, IsIsoDate, IsMoney, Trim } from '../../common/validation';
import { humanize } from '../../common/views';
import { MultiLine } from '../../common/forms';

export const REFERENCE_MAX = 100;
export const MEMO_MAX = 2000;

/**
 * One ledger entry as typed in the form or read from an import row. The amount may be signed here so
 * that a negative one gets the business message (a correction is a reversal), not a format error.
 */
/** SQLite's text functions stop at a NUL character, so the SQL-built CSV lines could not carry one. */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
export const NO_NUL = /^[^\u0000]*$/;
export const NUL_MESSAGE = 'Remove the NUL (\\0) character: it cannot be stored.';

export class ExpenditureFormDto {
  @FormInt()
  @IsInt({ message: 'Choose a grant.' })
  @Min(1, { message: 'Choose a grant.' })
  grantId: number;

  @FormInt()
  @IsInt({ message: 'Give the budget period number (1, 2, …).' })
  @Min(1, { message: 'Give the budget period number (1, 2, …).' })
  budgetPeriod: number;

  @IsIn(COST_CATEGORIES, {
    // Named by their labels, as the select shows them: people never see the stored codes.
    message: `Choose a cost category: ${COST_CATEGORIES.map(humanize).join(', ')}.`,
  })
  category: CostCategory;

  @Trim()
  @IsIsoDate()
  incurredOn: string;

  @IsMoney({ allowNegative: true })
  amount: string;

  @IsIn(SHARES, { message: `Choose the share: ${SHARES.map(humanize).join(' or ')}.` })
  share: Share;

  @Trim()
  @IsString({ message: 'Enter the invoice or draw-down number.' })
  @IsNotEmpty({ message: 'Enter the invoice or draw-down number.' })
  @MaxLength(REFERENCE_MAX, { message: `Use at most ${REFERENCE_MAX} characters.` })
  @Matches(NO_NUL, { message: NUL_MESSAGE })
  reference: string;

  @Trim()
  @IsString()
  @MaxLength(MEMO_MAX, { message: `Use at most ${MEMO_MAX.toLocaleString('en-US')} characters.` })
  @Matches(NO_NUL, { message: NUL_MESSAGE })
  @MultiLine()
  memo: string = '';
}
