import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { EmptyToNull, FormInt, IsIsoDate, Trim } from '../../common/validation';
import {
  MILESTONE_KINDS,
  MILESTONE_STATUSES,
  MilestoneKind,
  MilestoneStatus,
} from '../milestone.entity';
import { MultiLine } from '../../common/forms';

/** The new and edit forms; the go/no-go decision has its own form (DecisionFormDto). */
export class MilestoneFormDto {
  @Trim()
  @IsString({ message: 'Enter the milestone title.' })
  @IsNotEmpty({ message: 'Enter the milestone title.' })
  @MaxLength(300, { message: 'Use at most 300 characters.' })
  title: string;

  @IsIn(MILESTONE_KINDS, { message: 'Choose the kind of milestone.' })
  kind: MilestoneKind;

  @FormInt()
  @IsInt({ message: 'Choose the budget period.' })
  @Min(1, { message: 'Choose the budget period.' })
  budgetPeriod: number;

  @IsIsoDate()
  dueDate: string;

  @IsIn(MILESTONE_STATUSES, { message: 'Choose a status.' })
  status: MilestoneStatus;

  @EmptyToNull()
  @IsOptional()
  @IsIsoDate()
  completedOn: string | null = null;

  @Trim()
  @IsString()
  @MaxLength(4000, { message: 'Use at most 4,000 characters.' })
  @MultiLine()
  notes: string = '';
}
