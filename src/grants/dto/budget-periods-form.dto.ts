import { Transform } from 'class-transformer';
import { IsArray } from 'class-validator';

/**
 * The whole schedule in one form: `periods[0][startDate]`, `periods[0][endDate]`, … Each row is
 * checked by BudgetPeriodsService, which can name the row and the neighbour it collides with.
 */
export class BudgetPeriodsFormDto {
  // The query-string parser turns more than 20 indexed rows into an object keyed by index.
  @Transform(({ value }: { value: unknown }) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.entries(value as Record<string, unknown>)
          .filter(([key]) => /^\d+$/.test(key))
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([, row]) => row)
      : value,
  )
  @IsArray({ message: 'Send the budget periods as rows.' })
  periods: unknown[];
}
