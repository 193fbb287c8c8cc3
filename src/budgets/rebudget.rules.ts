import { categoryLabel } from './budget-grid';
import { COST_CATEGORIES, CostCategory, DIRECT_CATEGORIES } from './budget.constants';
import { Num, num } from './budget-sql';

/**
 * Rule 6, rebudgeting (2 CFR 200.308), as a pure function of the sums the rebudget SQL returns
 * (RebudgetService): nothing here reads the database, and every comparison is in integer cents.
 */

/** One budget period and direct category: the unit rule 6 compares spending with the budget in. */
export interface RebudgetCell {
  budgetPeriod: number;
  category: CostCategory;
  label: string;
  /** Federal + cost share, this budget period. */
  budgetedCents: number;
  /** Ledger as of the date, federal + cost share, reversals included, this budget period. */
  actualCents: number;
  /** max(0, actual − budgeted): spending moved into this category in this budget period. */
  overspentCents: number;
}

/** A budget period's direct-category cells and their sums. */
export interface RebudgetPeriod {
  budgetPeriod: number;
  /** The direct categories with a budget or spending in this budget period, in SF-424A order. */
  cells: RebudgetCell[];
  budgetedCents: number;
  actualCents: number;
  overspentCents: number;
}

export interface RebudgetCategory {
  category: CostCategory;
  label: string;
  /** Federal + cost share, all budget periods. */
  budgetedCents: number;
  /** Ledger as of the date, federal + cost share, reversals included, all budget periods. */
  actualCents: number;
  /** Σ over budget periods of max(0, actual − budgeted): not max(0, this actual − this budgeted). */
  overspentCents: number;
}

export interface RebudgetFigures {
  grantId: number;
  awardNumber: string;
  title: string;
  asOf: string;
  /** Federal + cost share over every category and budget period. */
  totalBudgetCents: number;
  /** Spending moved into direct categories: Σ of every cell's overspending. */
  movedCents: number;
  /** 10 % of the total budget, rounded down to the cent (moved above it ⇔ moved above 10 %). */
  thresholdCents: number;
  /** Moved as a percent of the total budget, two decimals; null without a budget. */
  percent: number | null;
  /** "Prior approval required" (2 CFR 200.308): moved is more than 10 % of the total budget. */
  flagged: boolean;
  /** Not flagged, but moved is more than 7.5 % of the total budget. */
  nearThreshold: boolean;
  /** Budget period by budget period, the cells the flag is computed from. */
  periods: RebudgetPeriod[];
  /** The cells spent above their budget, by budget period: their overspending sums to movedCents. */
  overspentCells: RebudgetCell[];
  /** Every direct category, whole-grant totals. */
  categories: RebudgetCategory[];
  /** The direct categories spent above their budget in some budget period. */
  overspent: RebudgetCategory[];
}

/** One grant, budget period and category (indirect charges too) as the rebudget SQL returns them. */
export interface RebudgetRow {
  grantId: Num;
  awardNumber: string;
  title: string;
  budgetPeriod: Num;
  category: CostCategory;
  budgeted: Num;
  actual: Num;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Rule 6 from the grant's budget-period × category sums: overspending is counted cell by cell, so a
 * category under budget in one budget period does not hide its overspending in another. Flagged when
 * moved > 10 % of the total budget, near when moved > 7.5 % (moved × 40 > total × 3); exact integer
 * comparisons, no float near the line.
 */
export function rebudgetFigures(
  grant: { id: number; awardNumber: string; title: string },
  asOf: string,
  rows: Omit<RebudgetRow, 'grantId' | 'awardNumber' | 'title'>[],
): RebudgetFigures {
  const totalBudgetCents = sum(rows.map((r) => num(r.budgeted)));
  const direct = new Set<CostCategory>(DIRECT_CATEGORIES);
  const cells: RebudgetCell[] = rows
    .filter((r) => direct.has(r.category) && (num(r.budgeted) !== 0 || num(r.actual) !== 0))
    .map((r) => {
      const budgetedCents = num(r.budgeted);
      const actualCents = num(r.actual);
      return {
        budgetPeriod: num(r.budgetPeriod),
        category: r.category,
        label: categoryLabel(r.category),
        budgetedCents,
        actualCents,
        overspentCents: Math.max(0, actualCents - budgetedCents),
      };
    })
    .sort(
      (a, b) =>
        a.budgetPeriod - b.budgetPeriod ||
        COST_CATEGORIES.indexOf(a.category) - COST_CATEGORIES.indexOf(b.category),
    );
  const periodNumbers = [...new Set(cells.map((c) => c.budgetPeriod))];
  const periods = periodNumbers.map((budgetPeriod) => {
    const inPeriod = cells.filter((c) => c.budgetPeriod === budgetPeriod);
    return {
      budgetPeriod,
      cells: inPeriod,
      budgetedCents: sum(inPeriod.map((c) => c.budgetedCents)),
      actualCents: sum(inPeriod.map((c) => c.actualCents)),
      overspentCents: sum(inPeriod.map((c) => c.overspentCents)),
    };
  });
  const categories = DIRECT_CATEGORIES.map((category) => {
    const ofCategory = cells.filter((c) => c.category === category);
    return {
      category,
      label: categoryLabel(category),
      budgetedCents: sum(ofCategory.map((c) => c.budgetedCents)),
      actualCents: sum(ofCategory.map((c) => c.actualCents)),
      overspentCents: sum(ofCategory.map((c) => c.overspentCents)),
    };
  });
  const movedCents = sum(cells.map((c) => c.overspentCents));
  const total = BigInt(totalBudgetCents);
  const moved = BigInt(movedCents);
  const hasBudget = total > 0n;
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
    periods,
    overspentCells: cells.filter((c) => c.overspentCents > 0),
    categories,
    overspent: categories.filter((c) => c.overspentCents > 0),
  };
}
