import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation';
import { MEMO_MAX } from './expenditure-form.dto';

/** Why an entry is reversed: it becomes the reversal's memo. */
export class ReversalFormDto {
  @Trim()
  @IsString({ message: 'Give the reason for the reversal.' })
  @IsNotEmpty({ message: 'Give the reason for the reversal.' })
  @MaxLength(MEMO_MAX, { message: `Use at most ${MEMO_MAX.toLocaleString('en-US')} characters.` })
  reason: string;
}
