import { IsIsoDate } from '../../common/validation';

/** Marking a milestone (not a go/no-go one) complete: the day it was completed. */
export class CompletionFormDto {
  @IsIsoDate({ message: 'Enter the completed date as YYYY-MM-DD.' })
  completedOn: string;
}
