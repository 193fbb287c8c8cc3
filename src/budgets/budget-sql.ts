/** A SQL number: PostgreSQL returns BIGINT sums as strings. */
export type Num = number | string;
export const num = (value: Num | null | undefined): number => Number(value ?? 0);

/** Budget lines of budget periods the grant still has. */
export const CURRENT_LINES = `SELECT l.* FROM budget_lines l
   JOIN budget_periods p ON p.grant_id = l.grant_id AND p.number = l.budget_period`;
