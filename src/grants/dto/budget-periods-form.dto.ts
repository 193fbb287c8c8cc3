import { IsArray } from 'class-validator';

/**
 * The whole schedule in one form: `periods[0][startDate]`, `periods[0][endDate]`, … Each row is
 * checked by BudgetPeriodsService, which can name the row and the neighbour it collides with.
 */
export class BudgetPeriodsFormDto {
  @IsArray({ message: 'Send the budget periods as rows.' })
  periods: unknown[];
}
