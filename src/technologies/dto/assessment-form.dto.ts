import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsIsoDate, Trim } from '../../common/validation';
import { IsTrl, TRL_MESSAGE } from './technology-form.dto';
import { MultiLine } from '../../common/forms';

/** A TRL assessment: appended to the history, never edited. */
export class AssessmentFormDto {
  @IsIsoDate()
  assessedOn: string;

  @Trim()
  @IsString({ message: TRL_MESSAGE })
  @IsTrl()
  trl: string;

  @Trim()
  @IsString()
  @IsNotEmpty({
    message: 'Describe the evidence for this TRL (test report, demonstration, review).',
  })
  @MaxLength(4000, { message: 'Use at most 4,000 characters.' })
  @MultiLine()
  evidence: string;
}
