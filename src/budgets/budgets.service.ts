import { ledgerAsOf } from '../common/as-of';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditService, Changes } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { nowIso } from '../common/database/columns';
import { WritePath } from '../common/database/write-path';
import { FormError } from '../common/forms';
import { centsToDecimal, formatMoney } from '../common/money';
import { BudgetPeriod } from '../grants/budget-period.entity';
import { GrantLookup } from '../grants/grant-lookup';
import { Program } from '../programs/program.entity';
import { namedQuery } from '../common/database/named-query';
import { BudgetLine } from './budget-line.entity';
import { COST_CATEGORIES } from './budget.constants';
import { Budget } from './budget.entity';
import { auditKey, categoryLabel, readGrid } from './budget-grid';
import { CURRENT_LINES, Num, num } from './budget-sql';
import { CostShareFigures, costShareFigures } from './cost-share.rules';
import { PlannedSpendService } from './planned-spend.service';
import type { RebudgetFigures } from './rebudget.rules';
import { RebudgetService } from './rebudget.service';

/** Federal, cost-share and combined amounts of one cell or total of the grid. */
export interface Amounts {
  federalCents: number;
  costShareCents: number;
  totalCents: number;
}

export interface GridRow {
  /** A category, or `direct`, `indirect`, `total`. */
  key: string;
  label: string;
  /** One per budget period, in period order. */
  cells: Amounts[];
  /** All budget periods together. */
  overall: Amounts;
}

export interface BudgetGrid {
  periods: BudgetPeriod[];
  categories: GridRow[];
  direct: GridRow;
  indirect: GridRow;
  total: GridRow;
  /** Budget periods named by saved lines that the grant no longer has: left out of every figure. */
  orphanPeriods: number[];
}

export interface BudgetSummary {
  grantId: number;
  /** The Budget record's version; 0 before the first save. */
  version: number;
  federalBudgetCents: number;
  costShareBudgetCents: number;
  /** Sum of all the grant's amendments. */
  obligatedCents: number;
  /** Federal budget − obligated: negative when the budget is below the obligation. */
  differenceCents: number;
  /** Rule 4's warning, or null when the federal budget equals the obligated amount. */
  warning: string | null;
  costShare: CostShareFigures;
  rebudget: RebudgetFigures;
  orphanPeriods: number[];
}

export interface SavedBudget {
  budget: Budget;
  changedCells: number;
}

/**
 * The grant's budget grid, every total summed by SQL: per cell, per category, direct / indirect /
 * grand total, each per budget period (bp > 0) and over all of them (bp = 0).
 */
const GRID_SQL = `WITH k AS (
   SELECT l.budget_period AS bp, l.category,
          CASE WHEN l.category = 'indirect_charges' THEN 'indirect' ELSE 'direct' END AS kind,
          l.federal_cents AS f, l.cost_share_cents AS c
     FROM (${CURRENT_LINES} WHERE l.grant_id = :grantId) l)
 SELECT bp AS "bp", category AS "row", SUM(f) AS "f", SUM(c) AS "c" FROM k GROUP BY bp, category
 UNION ALL SELECT 0, category, SUM(f), SUM(c) FROM k GROUP BY category
 UNION ALL SELECT bp, kind, SUM(f), SUM(c) FROM k GROUP BY bp, kind
 UNION ALL SELECT 0, kind, SUM(f), SUM(c) FROM k GROUP BY kind
 UNION ALL SELECT bp, 'total', SUM(f), SUM(c) FROM k GROUP BY bp
 UNION ALL SELECT 0, 'total', COALESCE(SUM(f), 0), COALESCE(SUM(c), 0) FROM k`;

/** Rule 4's warning: how far the federal budget is from the obligated amount, or null when equal. */
export function budgetWarning(federalBudgetCents: number, obligatedCents: number): string | null {
  const difference = federalBudgetCents - obligatedCents;
  if (difference === 0) return null;
  return `The federal budget (${formatMoney(federalBudgetCents)}) is ${formatMoney(Math.abs(difference))} ${difference < 0 ? 'below' : 'above'} the obligated amount (${formatMoney(obligatedCents)}).`;
}

/**
 * A grant's SF-424A budget: the grid saved all at once under the Budget record's version, its totals,
 * the obligated-vs-budget warning, cost share and the rebudget flag. Grants are read through
 * GrantLookup, not GrantsModule, which imports this module.
 */
@Injectable()
export class BudgetsService {
  constructor(
    @InjectRepository(Budget) private readonly budgets: Repository<Budget>,
    @InjectRepository(BudgetLine) private readonly lines: Repository<BudgetLine>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly planned: PlannedSpendService,
    private readonly clock: Clock,
    private readonly lookup: GrantLookup,
    private readonly rebudget: RebudgetService,
  ) {}

  budgetOf(grantId: number): Promise<Budget | null> {
    return this.budgets.findOneBy({ grantId });
  }

  linesOf(grantId: number): Promise<BudgetLine[]> {
    return this.lines.find({
      where: { grantId },
      order: { budgetPeriod: 'ASC', category: 'ASC' },
    });
  }

  /** The grid with every total, for the budget page and the form's saved totals. */
  async grid(grantId: number): Promise<BudgetGrid> {
    const periods = await this.lookup.budgetPeriods(grantId);
    const sums = await namedQuery<{ bp: Num; row: string; f: Num | null; c: Num | null }>(
      this.lines.manager,
      GRID_SQL,
      { grantId },
    );
    const amounts = (bp: number, row: string): Amounts => {
      const found = sums.find((s) => num(s.bp) === bp && s.row === row);
      const federalCents = num(found?.f);
      const costShareCents = num(found?.c);
      return { federalCents, costShareCents, totalCents: federalCents + costShareCents };
    };
    const gridRow = (key: string, label: string): GridRow => ({
      key,
      label,
      cells: periods.map((p) => amounts(p.number, key)),
      overall: amounts(0, key),
    });
    return {
      periods,
      categories: COST_CATEGORIES.map((c) => gridRow(c, categoryLabel(c))),
      direct: gridRow('direct', 'Total direct costs'),
      indirect: gridRow('indirect', 'Indirect charges'),
      total: gridRow('total', 'Total'),
      orphanPeriods: await this.orphanPeriods(grantId),
    };
  }

  /** Budget periods named by saved lines that the grant no longer has. */
  async orphanPeriods(grantId: number): Promise<number[]> {
    const rows = await namedQuery<{ bp: Num }>(
      this.lines.manager,
      `SELECT DISTINCT l.budget_period AS "bp" FROM budget_lines l
        WHERE l.grant_id = :grantId AND NOT EXISTS (
          SELECT 1 FROM budget_periods p WHERE p.grant_id = l.grant_id AND p.number = l.budget_period)
        ORDER BY l.budget_period`,
      { grantId },
    );
    return rows.map((r) => num(r.bp));
  }

  /**
   * Saves the whole grid: every cell valid or nothing changes. `version` is the Budget record's version
   * the form was opened at (0 when the grant had no budget yet); a stale one raises EditConflictError.
   * Lines are updated in place, zero lines are not kept, the changed cells go into one audit event, and
   * planned_spend is rebuilt in the same transaction.
   */
  save(grantId: number, version: number, lines: unknown): Promise<SavedBudget> {
    return this.writes.transaction(async (manager) => {
      await this.lookup.grant(grantId);
      const periods = await this.lookup.budgetPeriods(grantId);
      if (periods.length === 0) {
        throw new FormError({ lines: 'Set up the grant’s budget periods first.' });
      }
      const { cents, errors } = readGrid(
        lines,
        periods.map((p) => p.number),
      );
      if (Object.keys(errors).length > 0) throw new FormError(errors);

      const { budget, created } = await this.lockBudget(manager, grantId, version);
      const existing = await manager.find(BudgetLine, { where: { grantId } });
      const changes: Changes = {};
      for (const [bp, row] of cents) {
        for (const [category, after] of row) {
          const line = existing.find((l) => l.budgetPeriod === bp && l.category === category);
          const before = {
            federalCents: line?.federalCents ?? 0,
            costShareCents: line?.costShareCents ?? 0,
          };
          if (before.federalCents !== after.federalCents) {
            changes[auditKey(bp, category, 'federal')] = {
              before: centsToDecimal(before.federalCents),
              after: centsToDecimal(after.federalCents),
            };
          }
          if (before.costShareCents !== after.costShareCents) {
            changes[auditKey(bp, category, 'costShare')] = {
              before: centsToDecimal(before.costShareCents),
              after: centsToDecimal(after.costShareCents),
            };
          }
          const zero = after.federalCents === 0 && after.costShareCents === 0;
          if (line && zero) await manager.delete(BudgetLine, { id: line.id });
          else if (line) {
            if (
              line.federalCents !== after.federalCents ||
              line.costShareCents !== after.costShareCents
            ) {
              await manager.update(BudgetLine, { id: line.id }, after);
            }
          } else if (!zero) {
            await manager.insert(BudgetLine, { grantId, budgetPeriod: bp, category, ...after });
          }
        }
      }
      await this.audit.record(manager, {
        action: created ? 'create' : 'update',
        entityType: 'budget',
        entityId: budget.id,
        changes: created ? { grantId: { before: null, after: grantId }, ...changes } : changes,
      });
      await this.planned.rebuild(manager, grantId);
      return { budget, changedCells: Object.keys(changes).length };
    });
  }

  /** Creates the Budget record at version 1, or moves it to the next version if `version` is current. */
  private async lockBudget(
    manager: EntityManager,
    grantId: number,
    version: number,
  ): Promise<{ budget: Budget; created: boolean }> {
    const current = await manager.findOneBy(Budget, { grantId });
    if (!current && version === 0) {
      const now = nowIso();
      const budget = await manager.save(
        manager.create(Budget, { grantId, version: 1, createdAt: now, updatedAt: now }),
      );
      return { budget, created: true };
    }
    if (current) {
      const result = await manager
        .createQueryBuilder()
        .update(Budget)
        .set({ version: () => 'version + 1', updatedAt: nowIso() })
        .where('id = :id AND version = :version', { id: current.id, version })
        .execute();
      if (result.affected === 1) {
        return {
          budget: await manager.findOneByOrFail(Budget, { id: current.id }),
          created: false,
        };
      }
    }
    throw await this.audit.conflictOn(manager, 'budget', current?.version ?? 0, {
      entityType: 'budget',
      entityIds: current ? [current.id] : [],
    });
  }

  /** Everything the grant page shows about the budget; ledger figures as of `asOf` (default today). */
  async summaryFor(grantId: number, asOf = this.clock.today()): Promise<BudgetSummary> {
    const grant = await this.lookup.grant(grantId, { program: true });
    const program =
      grant.program ?? (await this.lines.manager.findOneByOrFail(Program, { id: grant.programId }));
    const [totals] = await namedQuery<{ f: Num | null; c: Num | null }>(
      this.lines.manager,
      `SELECT COALESCE(SUM(l.federal_cents), 0) AS "f", COALESCE(SUM(l.cost_share_cents), 0) AS "c"
         FROM (${CURRENT_LINES} WHERE l.grant_id = :grantId) l`,
      { grantId },
    );
    const [money] = await namedQuery<{ obligated: Num | null; met: Num | null }>(
      this.lines.manager,
      `SELECT (SELECT COALESCE(SUM(a.federal_change_cents), 0) FROM amendments a
                WHERE a.grant_id = :grantId) AS "obligated",
              (SELECT COALESCE(SUM(e.amount_cents), 0) FROM expenditures e
                WHERE e.grant_id = :grantId AND e.share = 'cost_share'
                  AND ${ledgerAsOf('e')}) AS "met"`,
      { grantId, asOf },
    );
    const federalBudgetCents = num(totals?.f);
    const obligatedCents = num(money?.obligated);
    const budget = await this.budgetOf(grantId);
    return {
      grantId,
      version: budget?.version ?? 0,
      federalBudgetCents,
      costShareBudgetCents: num(totals?.c),
      obligatedCents,
      differenceCents: federalBudgetCents - obligatedCents,
      warning: budgetWarning(federalBudgetCents, obligatedCents),
      costShare: costShareFigures({
        asOf,
        requiredPercent: program.costSharePercent,
        obligatedCents,
        committedCents: grant.costShareCommittedCents,
        metCents: num(money?.met),
      }),
      rebudget: await this.rebudget.rebudgetOf(grant, asOf),
      orphanPeriods: await this.orphanPeriods(grantId),
    };
  }
}
