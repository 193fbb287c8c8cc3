import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BudgetPeriod } from '../grants/budget-period.entity';
import { BudgetLine } from './budget-line.entity';
import { PlannedSpend } from './planned-spend.entity';
import { spreadOverMonths } from './spread';

// 6 columns a row: well under every driver's bound-parameter limit.
const INSERT_CHUNK = 100;

/** The rows of planned_spend for lines spread over their budget periods' current dates. */
export function plannedRows(
  lines: Pick<
    BudgetLine,
    'grantId' | 'budgetPeriod' | 'category' | 'federalCents' | 'costShareCents'
  >[],
  periods: Pick<BudgetPeriod, 'number' | 'startDate' | 'endDate'>[],
): PlannedSpend[] {
  const byNumber = new Map(periods.map((p) => [p.number, p]));
  return lines.flatMap((line) => {
    const period = byNumber.get(line.budgetPeriod);
    // A line whose budget period no longer exists has no dates to spread over; the budget page says so.
    if (!period) return [];
    const federal = spreadOverMonths(line.federalCents, period.startDate, period.endDate);
    const costShare = spreadOverMonths(line.costShareCents, period.startDate, period.endDate);
    return federal
      .map((month, i) => ({
        grantId: line.grantId,
        budgetPeriod: line.budgetPeriod,
        category: line.category,
        month: month.month,
        federalCents: month.cents,
        costShareCents: costShare[i].cents,
      }))
      .filter((row) => row.federalCents !== 0 || row.costShareCents !== 0);
  });
}

/**
 * Keeps planned_spend in step with the budget: call it inside the write transaction of anything that
 * changes a grant's budget lines or budget period dates.
 */
@Injectable()
export class PlannedSpendService {
  /** Deletes and re-inserts the grant's planned_spend rows from its lines and current period dates. */
  async rebuild(manager: EntityManager, grantId: number): Promise<void> {
    const lines = await manager.find(BudgetLine, { where: { grantId } });
    const periods = await manager.find(BudgetPeriod, { where: { grantId } });
    await manager.delete(PlannedSpend, { grantId });
    const rows = plannedRows(lines, periods);
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await manager.insert(PlannedSpend, rows.slice(i, i + INSERT_CHUNK));
    }
  }
}
