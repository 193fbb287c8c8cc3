import { Allow, IsString, MaxLength } from 'class-validator';
import { MultiLine } from '../../common/forms';
import { Trim } from '../../common/validation';

/** Approving or rejecting a request: the approver's note (required to reject). */
export class RequestDecisionDto {
  @Trim()
  @IsString({ message: 'Write a note, or leave it empty to approve without one.' })
  @MaxLength(4000, { message: 'Use at most 4,000 characters.' })
  @MultiLine()
  note: string = '';
}

/** Withdrawing a request: only its version. */
export class WithdrawRequestDto {
  @Allow()
  version?: unknown;
}
