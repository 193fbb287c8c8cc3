import { categoryLabel } from './budget-grid';
import { CostCategory, DIRECT_CATEGORIES } from './budget.constants';
import { Num, num } from './budget-sql';

/**
 * Rule 6, rebudgeting (2 CFR 200.308), as a pure function of the sums the rebudget SQL returns
 * (RebudgetService): nothing here reads the database, and every comparison is in integer cents.
 */

export interface RebudgetCategory {
  category: CostCategory;
  label: string;
  /** Federal + cost share, all budget periods. */
  budgetedCents: number;
  /** Ledger as of the date, federal + cost share, reversals included. */
  actualCents: number;
  /** Σ over budget periods of max(0, actual − budgeted). */
  overspentCents: number;
}

export interface RebudgetFigures {
  grantId: number;
  awardNumber: string;
  title: string;
  asOf: string;
  /** Federal + cost share over every category and budget period. */
  totalBudgetCents: number;
  /** Spending moved into direct categories: their overspending, budget period by budget period. */
  movedCents: number;
  /** 10 % of the total budget, rounded down to the cent (moved above it ⇔ moved above 10 %). */
  thresholdCents: number;
  /** Moved as a percent of the total budget, two decimals; null without a budget. */
  percent: number | null;
  /** "Prior approval required" (2 CFR 200.308): moved is more than 10 % of the total budget. */
  flagged: boolean;
  /** Not flagged, but moved is more than 7.5 % of the total budget. */
  nearThreshold: boolean;
  /** Every direct category. */
  categories: RebudgetCategory[];
  /** The direct categories spent above their budget. */
  overspent: RebudgetCategory[];
}

/** One grant and direct category as the rebudget SQL returns them, with the grant's totals. */
export interface RebudgetRow {
  grantId: Num;
  awardNumber: string;
  title: string;
  category: CostCategory;
  budgeted: Num;
  actual: Num;
  overspent: Num;
  totalBudget: Num;
  moved: Num;
}

/**
 * Rule 6 from the grant's aggregated figures: flagged when moved > 10 % of the total budget, near when
 * moved > 7.5 % (moved × 40 > total × 3); exact integer comparisons, no float near the line.
 */
export function rebudgetFigures(
  grant: { id: number; awardNumber: string; title: string },
  asOf: string,
  rows: Omit<RebudgetRow, 'grantId' | 'awardNumber' | 'title'>[],
): RebudgetFigures {
  const totalBudgetCents = num(rows[0]?.totalBudget);
  const movedCents = num(rows[0]?.moved);
  const total = BigInt(totalBudgetCents);
  const moved = BigInt(movedCents);
  const hasBudget = total > 0n;
  const categories = DIRECT_CATEGORIES.map((category) => {
    const row = rows.find((r) => r.category === category);
    return {
      category,
      label: categoryLabel(category),
      budgetedCents: num(row?.budgeted),
      actualCents: num(row?.actual),
      overspentCents: num(row?.overspent),
    };
  });
  return {
    grantId: grant.id,
    awardNumber: grant.awardNumber,
    title: grant.title,
    asOf,
    totalBudgetCents,
    movedCents,
    thresholdCents: Number(total / 10n),
    percent: hasBudget ? Math.round(Number(moved * 10000n) / Number(total)) / 100 : null,
    flagged: hasBudget && moved * 10n > total,
    nearThreshold: hasBudget && moved * 10n <= total && moved * 40n > total * 3n,
    categories,
    overspent: categories.filter((c) => c.overspentCents > 0),
  };
}
