import { recordedAsOf } from '../common/as-of';

/** A SQL number: PostgreSQL returns BIGINT sums as strings. */
export type Num = number | string;
export const num = (value: Num | null | undefined): number => Number(value ?? 0);

/**
 * Which records a budget figure reads: the tables as they are now, or (`recorded`) as the office's
 * records stood at the end of asOf (DESIGN.md §4; the query then needs asOfParams).
 */
export const budgetTable = (
  table: 'budget_lines' | 'budget_periods' | 'budgets' | 'grants' | 'programs',
  recorded: boolean,
): string => (recorded ? recordedAsOf(table) : table);

/** Budget lines of budget periods the grant still has (had, at the end of asOf, when `recorded`). */
export const currentLines = (
  recorded = false,
) => `SELECT l.* FROM ${budgetTable('budget_lines', recorded)} l
   JOIN ${budgetTable('budget_periods', recorded)} p ON p.grant_id = l.grant_id AND p.number = l.budget_period`;

/** Budget lines of budget periods the grant still has. */
export const CURRENT_LINES = currentLines(false);
