import { Allow } from 'class-validator';

/**
 * The grid form: `lines[<bp>][<category>][federal|costShare]` as dollar text, and the Budget record's
 * `version`. Each cell is checked by readGrid, which can name the cell in its message.
 */
export class BudgetFormDto {
  @Allow()
  lines?: unknown;

  @Allow()
  version?: unknown;
}
