import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { NO_NUL, NUL_MESSAGE } from './expenditure-form.dto';
import { Trim } from '../../common/validation';
import { MEMO_MAX } from './expenditure-form.dto';
import { MultiLine } from '../../common/forms';

/** Why an entry is reversed: it becomes the reversal's memo. */
export class ReversalFormDto {
  @Trim()
  @IsString({ message: 'Give the reason for the reversal.' })
  @IsNotEmpty({ message: 'Give the reason for the reversal.' })
  @MaxLength(MEMO_MAX, { message: `Use at most ${MEMO_MAX.toLocaleString('en-US')} characters.` })
  @Matches(NO_NUL, { message: NUL_MESSAGE })
  @MultiLine()
  reason: string;
}
