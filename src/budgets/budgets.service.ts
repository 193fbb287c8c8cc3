import { amendmentAsOf, asOfParams, ledgerAsOf, obligatedSql } from '../common/as-of';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditService, Changes } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { AppConfig } from '../common/config';
import { nowIso } from '../common/database/columns';
import { lockRows, WritePath } from '../common/database/write-path';
import { FormError } from '../common/forms';
import { centsToDecimal, formatMoney } from '../common/money';
import { BudgetPeriod } from '../grants/budget-period.entity';
import type { Grant } from '../grants/grant.entity';
import { GrantLookup } from '../grants/grant-lookup';
import { Program } from '../programs/program.entity';
import { namedQuery } from '../common/database/named-query';
import { recordedGrantOr404, recordedProgram } from '../reports/recorded-grant';
import { BudgetLine } from './budget-line.entity';
import { COST_CATEGORIES } from './budget.constants';
import { Budget } from './budget.entity';
import { auditKey, categoryLabel, readGrid } from './budget-grid';
import { budgetTable, currentLines, Num, num } from './budget-sql';
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
 * grand total, each per budget period (bp > 0) and over all of them (bp = 0); with `recorded`, the
 * lines and periods as recorded at the end of asOf.
 */
const gridSql = (recorded: boolean) => `WITH k AS (
   SELECT l.budget_period AS bp, l.category,
          CASE WHEN l.category = 'indirect_charges' THEN 'indirect' ELSE 'direct' END AS kind,
          l.federal_cents AS f, l.cost_share_cents AS c
     FROM (${currentLines(recorded)} WHERE l.grant_id = :grantId) l)
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
 * Which records a read uses: given an asOf, the records as they stood at the end of that day
 * (DESIGN.md §4); without one, the records now, with ledger figures as of today.
 */
interface Reading {
  asOf: string;
  recorded: boolean;
  params: { asOf: string; asOfEnd: string };
}

/**
 * A grant's SF-424A budget: the grid saved all at once under the Budget record's version, its totals,
 * the obligated-vs-budget warning, cost share and the rebudget flag. Grants are read through
 * GrantLookup, not GrantsModule, which imports this module. Reads given an asOf show the budget,
 * budget periods, grant and program as recorded at the end of that day.
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
    private readonly config: AppConfig,
  ) {}

  private reading(asOf: string | undefined): Reading {
    const on = asOf ?? this.clock.today();
    return {
      asOf: on,
      recorded: asOf !== undefined,
      params: asOfParams(on, this.config.APP_TIME_ZONE),
    };
  }

  /** The grant's budget periods, BP1 first: now, or given an asOf as recorded at the end of it. */
  budgetPeriods(grantId: number, asOf?: string): Promise<BudgetPeriod[]> {
    return this.periodsOf(grantId, this.reading(asOf));
  }

  /** The grant's budget periods, BP1 first: now, or as recorded at the end of `reading.asOf`. */
  private async periodsOf(grantId: number, reading: Reading): Promise<BudgetPeriod[]> {
    if (!reading.recorded) return this.lookup.budgetPeriods(grantId);
    const rows = await namedQuery<
      Record<'id' | 'number', Num> & Record<'startDate' | 'endDate', string>
    >(
      this.lines.manager,
      `SELECT p.id AS "id", p.number AS "number", p.start_date AS "startDate", p.end_date AS "endDate"
         FROM ${budgetTable('budget_periods', true)} p WHERE p.grant_id = :grantId
        ORDER BY p.number`,
      { grantId, ...reading.params },
    );
    return rows.map((r) =>
      Object.assign(new BudgetPeriod(), {
        id: num(r.id),
        grantId,
        number: num(r.number),
        startDate: r.startDate,
        endDate: r.endDate,
      }),
    );
  }

  budgetOf(grantId: number): Promise<Budget | null> {
    return this.budgets.findOneBy({ grantId });
  }

  linesOf(grantId: number): Promise<BudgetLine[]> {
    return this.lines.find({
      where: { grantId },
      order: { budgetPeriod: 'ASC', category: 'ASC' },
    });
  }

  /**
   * The grid with every total, for the budget page and the form's saved totals; given an asOf, as
   * recorded at the end of that day.
   */
  async grid(grantId: number, asOf?: string): Promise<BudgetGrid> {
    const reading = this.reading(asOf);
    const periods = await this.periodsOf(grantId, reading);
    const sums = await namedQuery<{ bp: Num; row: string; f: Num | null; c: Num | null }>(
      this.lines.manager,
      gridSql(reading.recorded),
      { grantId, ...reading.params },
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
      orphanPeriods: await this.orphanPeriods(grantId, asOf),
    };
  }

  /** Budget periods named by saved lines that the grant no longer has (had not, as of asOf). */
  async orphanPeriods(grantId: number, asOf?: string): Promise<number[]> {
    const { recorded, params } = this.reading(asOf);
    const rows = await namedQuery<{ bp: Num }>(
      this.lines.manager,
      `SELECT DISTINCT l.budget_period AS "bp" FROM ${budgetTable('budget_lines', recorded)} l
        WHERE l.grant_id = :grantId AND NOT EXISTS (
          SELECT 1 FROM ${budgetTable('budget_periods', recorded)} p
           WHERE p.grant_id = l.grant_id AND p.number = l.budget_period)
        ORDER BY l.budget_period`,
      { grantId, ...params },
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
      await lockRows(manager, 'grants', [grantId]); // one budget save of a grant at a time
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

  /**
   * Everything the grant page shows about the budget. Without an asOf: the budget, grant and program
   * as they are now, every amendment, and ledger figures as of today. Given an asOf: all of it as the
   * records stood at the end of that day (DESIGN.md §4) — the lines and periods, the committed cost
   * share, the program's required percent, the amendments recorded by then — so the figures for a
   * past date never change afterwards.
   */
  async summaryFor(grantId: number, asOf?: string): Promise<BudgetSummary> {
    const reading = this.reading(asOf);
    const { grant, program } = await this.grantAndProgram(grantId, reading);
    const [totals] = await namedQuery<{ f: Num | null; c: Num | null }>(
      this.lines.manager,
      `SELECT COALESCE(SUM(l.federal_cents), 0) AS "f", COALESCE(SUM(l.cost_share_cents), 0) AS "c"
         FROM (${currentLines(reading.recorded)} WHERE l.grant_id = :grantId) l`,
      { grantId, ...reading.params },
    );
    const obligated = reading.recorded
      ? obligatedSql(':grantId')
      : `(SELECT COALESCE(SUM(a.federal_change_cents), 0) FROM amendments a
           WHERE a.grant_id = :grantId)`;
    const amendments = `(SELECT COUNT(*) FROM amendments a WHERE a.grant_id = :grantId${
      reading.recorded ? ` AND ${amendmentAsOf('a')}` : ''
    })`;
    const [money] = await namedQuery<{
      obligated: Num | null;
      met: Num | null;
      amendments: Num | null;
    }>(
      this.lines.manager,
      `SELECT ${obligated} AS "obligated", ${amendments} AS "amendments",
              (SELECT COALESCE(SUM(e.amount_cents), 0) FROM expenditures e
                WHERE e.grant_id = :grantId AND e.share = 'cost_share'
                  AND ${ledgerAsOf('e')}) AS "met"`,
      { grantId, ...reading.params },
    );
    const federalBudgetCents = num(totals?.f);
    const obligatedCents = num(money?.obligated);
    return {
      grantId,
      version: await this.versionOf(grantId, reading),
      federalBudgetCents,
      costShareBudgetCents: num(totals?.c),
      obligatedCents,
      differenceCents: federalBudgetCents - obligatedCents,
      warning: budgetWarning(federalBudgetCents, obligatedCents),
      costShare: costShareFigures({
        asOf: reading.asOf,
        requiredPercent: program.costSharePercent,
        obligatedCents,
        committedCents: grant.costShareCommittedCents,
        metCents: num(money?.met),
        amendmentCount: num(money?.amendments),
      }),
      rebudget: await this.rebudget.rebudgetOf(grant, reading.asOf, reading.recorded),
      orphanPeriods: await this.orphanPeriods(grantId, asOf),
    };
  }

  /** The grant and its program, now or as recorded at the end of asOf. */
  private async grantAndProgram(
    grantId: number,
    reading: Reading,
  ): Promise<{ grant: Grant; program: Program }> {
    const manager = this.lines.manager;
    if (!reading.recorded) {
      const grant = await this.lookup.grant(grantId, { program: true });
      const program =
        grant.program ?? (await manager.findOneByOrFail(Program, { id: grant.programId }));
      return { grant, program };
    }
    const zone = this.config.APP_TIME_ZONE;
    const grant = await recordedGrantOr404(manager, grantId, reading.asOf, zone);
    const program = await recordedProgram(manager, grant.programId, reading.asOf, zone);
    if (!program) throw new Error(`Grant ${grantId}'s program was not recorded on ${reading.asOf}`);
    return { grant, program };
  }

  /** The Budget record's version (0 before the first save), now or as recorded at the end of asOf. */
  private async versionOf(grantId: number, reading: Reading): Promise<number> {
    if (!reading.recorded) return (await this.budgetOf(grantId))?.version ?? 0;
    const [row] = await namedQuery<{ version: Num }>(
      this.lines.manager,
      `SELECT b.version AS "version" FROM ${budgetTable('budgets', true)} b
        WHERE b.grant_id = :grantId`,
      { grantId, ...reading.params },
    );
    return row ? num(row.version) : 0;
  }
}
