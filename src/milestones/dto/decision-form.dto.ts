import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsIsoDate, Trim } from '../../common/validation';
import { MultiLine } from '../../common/forms';

export const DECISION_CHOICES = ['go', 'no_go'] as const;
export type DecisionChoice = (typeof DECISION_CHOICES)[number];

/** Recording a go/no-go decision: its own action, final once recorded. */
export class DecisionFormDto {
  @IsIn(DECISION_CHOICES, { message: 'Choose go or no-go.' })
  decision: DecisionChoice;

  @IsIsoDate()
  decidedOn: string;

  @Trim()
  @IsString({ message: 'Give the rationale for the decision.' })
  @IsNotEmpty({ message: 'Give the rationale for the decision.' })
  @MaxLength(4000, { message: 'Use at most 4,000 characters.' })
  @MultiLine()
  rationale: string;
}
