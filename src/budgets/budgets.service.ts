import { ledgerAsOf } from '../common/as-of';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditEvent } from '../audit/audit-event.entity';
import { AuditService, Changes } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { nowIso } from '../common/database/columns';
import { WritePath } from '../common/database/write-path';
import { EditConflictError, FormError } from '../common/forms';
import { centsToDecimal, formatMoney } from '../common/money';
import { BudgetPeriod } from '../grants/budget-period.entity';
import { Grant } from '../grants/grant.entity';
import { Program } from '../programs/program.entity';
import { namedQuery } from '../common/database/named-query';
import { BudgetLine } from './budget-line.entity';
import { COST_CATEGORIES, CostCategory, DIRECT_CATEGORIES } from './budget.constants';
import { Budget } from './budget.entity';
import { auditKey, categoryLabel, readGrid } from './budget-grid';
import { PlannedSpendService } from './planned-spend.service';

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

export interface CostShareFigures {
  asOf: string;
  /** The program's required cost share, percent of total project cost. */
  requiredPercent: number;
  obligatedCents: number;
  committedCents: number;
  /** Federal obligated + committed cost share. */
  totalProjectCents: number;
  /** requiredPercent × total project cost, rounded up to the cent. */
  requiredCents: number;
  /** Cost-share spending in the ledger as of `asOf`, reversals included. */
  metCents: number;
  committedMeetsRequired: boolean;
  /** How far the commitment falls short of the requirement (0 when it meets it). */
  committedShortfallCents: number;
  /** Committed minus met: still to be contributed (negative when more was met than committed). */
  committedRemainingCents: number;
  /** Met as a percent of committed, one decimal; null when nothing is committed. */
  metPercentOfCommitted: number | null;
  message: string;
}

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

type Num = number | string;
const num = (value: Num | null | undefined): number => Number(value ?? 0);

/** Budget lines of budget periods the grant still has. */
const CURRENT_LINES = `SELECT l.* FROM budget_lines l
   JOIN budget_periods p ON p.grant_id = l.grant_id AND p.number = l.budget_period`;

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

/**
 * Rule 6 figures per grant and direct category: budgeted and actual (federal + cost share) per budget
 * period and category, overspending summed per category, and the grant's totals by window functions.
 */
const rebudgetSql = (oneGrant: boolean) => `WITH cells AS (
   SELECT x.grant_id, x.budget_period, x.category,
          SUM(x.budgeted) AS budgeted, SUM(x.actual) AS actual
     FROM (SELECT l.grant_id, l.budget_period, l.category,
                  l.federal_cents + l.cost_share_cents AS budgeted, 0 AS actual
             FROM (${CURRENT_LINES}${oneGrant ? ' WHERE l.grant_id = :grantId' : ''}) l
           UNION ALL
           SELECT e.grant_id, e.budget_period, e.category, 0, e.amount_cents
             FROM expenditures e
            WHERE ${ledgerAsOf('e')}
              ${oneGrant ? 'AND e.grant_id = :grantId' : ''}) x
    GROUP BY x.grant_id, x.budget_period, x.category),
 per_category AS (
   SELECT grant_id, category, SUM(budgeted) AS budgeted, SUM(actual) AS actual,
          SUM(CASE WHEN category <> 'indirect_charges' AND actual > budgeted
                   THEN actual - budgeted ELSE 0 END) AS overspent
     FROM cells GROUP BY grant_id, category)
 SELECT c.grant_id AS "grantId", g.award_number AS "awardNumber", g.title AS "title",
        c.category AS "category", c.budgeted AS "budgeted", c.actual AS "actual",
        c.overspent AS "overspent",
        SUM(c.budgeted) OVER (PARTITION BY c.grant_id) AS "totalBudget",
        SUM(c.overspent) OVER (PARTITION BY c.grant_id) AS "moved"
   FROM per_category c JOIN grants g ON g.id = c.grant_id
  ORDER BY g.award_number, c.grant_id`;

interface RebudgetRow {
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

/** Required cost share = percent × (federal obligated + committed cost share), rounded up. */
export function costShareFigures(input: {
  asOf: string;
  requiredPercent: number;
  obligatedCents: number;
  committedCents: number;
  metCents: number;
}): CostShareFigures {
  const { asOf, requiredPercent, obligatedCents, committedCents, metCents } = input;
  const totalProjectCents = obligatedCents + committedCents;
  const scaled = BigInt(requiredPercent) * BigInt(Math.max(0, totalProjectCents));
  const requiredCents = Number((scaled + 99n) / 100n);
  const committedMeetsRequired = committedCents >= requiredCents;
  const committedShortfallCents = Math.max(0, requiredCents - committedCents);
  const metPercentOfCommitted =
    committedCents > 0 ? Math.round((metCents / committedCents) * 1000) / 10 : null;
  const required = `${requiredPercent} % of the total project cost (${formatMoney(totalProjectCents)}) is ${formatMoney(requiredCents)}`;
  const message = committedMeetsRequired
    ? `The committed cost share (${formatMoney(committedCents)}) meets the requirement: ${required}.`
    : `The committed cost share (${formatMoney(committedCents)}) is ${formatMoney(committedShortfallCents)} short of the requirement: ${required}.`;
  return {
    asOf,
    requiredPercent,
    obligatedCents,
    committedCents,
    totalProjectCents,
    requiredCents,
    metCents,
    committedMeetsRequired,
    committedShortfallCents,
    committedRemainingCents: committedCents - metCents,
    metPercentOfCommitted,
    message,
  };
}

/** Rule 4's warning: how far the federal budget is from the obligated amount, or null when equal. */
export function budgetWarning(federalBudgetCents: number, obligatedCents: number): string | null {
  const difference = federalBudgetCents - obligatedCents;
  if (difference === 0) return null;
  return `The federal budget (${formatMoney(federalBudgetCents)}) is ${formatMoney(Math.abs(difference))} ${difference < 0 ? 'below' : 'above'} the obligated amount (${formatMoney(obligatedCents)}).`;
}

/**
 * A grant's SF-424A budget: the grid saved all at once under the Budget record's version, its totals,
 * the obligated-vs-budget warning, cost share and the rebudget flag. Grants are read through their
 * repositories, not GrantsModule, which imports this module for the grant page.
 */
@Injectable()
export class BudgetsService {
  constructor(
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    @InjectRepository(BudgetPeriod) private readonly periods: Repository<BudgetPeriod>,
    @InjectRepository(Budget) private readonly budgets: Repository<Budget>,
    @InjectRepository(BudgetLine) private readonly lines: Repository<BudgetLine>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly planned: PlannedSpendService,
    private readonly clock: Clock,
  ) {}

  async grantOf(grantId: number): Promise<Grant> {
    const grant = await this.grants.findOne({
      where: { id: grantId },
      relations: { program: true },
    });
    if (!grant) throw new NotFoundException(`Grant ${grantId} does not exist.`);
    return grant;
  }

  budgetPeriodsOf(grantId: number): Promise<BudgetPeriod[]> {
    return this.periods.find({ where: { grantId }, order: { number: 'ASC' } });
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

  /** The grid with every total, for the budget page and the form's saved totals. */
  async grid(grantId: number): Promise<BudgetGrid> {
    const periods = await this.budgetPeriodsOf(grantId);
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
      const grant = await manager.findOneBy(Grant, { id: grantId });
      if (!grant) throw new NotFoundException(`Grant ${grantId} does not exist.`);
      const periods = await manager.find(BudgetPeriod, {
        where: { grantId },
        order: { number: 'ASC' },
      });
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
    const last = current
      ? await manager.findOne(AuditEvent, {
          where: { entityType: 'budget', entityId: current.id },
          order: { id: 'DESC' },
        })
      : null;
    throw new EditConflictError(
      'budget',
      current?.version ?? 0,
      last ? `${last.occurredAt.replace('T', ' ').slice(0, 19)} UTC` : 'an unknown time',
      last?.actorEmail ?? 'someone else',
    );
  }

  /** Rule 6 for one grant, as of a date (default today). */
  async rebudgetFor(grantId: number, asOf = this.clock.today()): Promise<RebudgetFigures> {
    return this.rebudgetOf(await this.grantOf(grantId), asOf);
  }

  private async rebudgetOf(grant: Grant, asOf: string): Promise<RebudgetFigures> {
    const rows = await namedQuery<RebudgetRow>(this.lines.manager, rebudgetSql(true), {
      grantId: grant.id,
      asOf,
    });
    return rebudgetFigures(grant, asOf, rows);
  }

  /** Rule 6 across all grants: one query. Every grant with a budget or spending, by award number. */
  async rebudgetAll(asOf = this.clock.today()): Promise<RebudgetFigures[]> {
    const rows = await namedQuery<RebudgetRow>(this.lines.manager, rebudgetSql(false), { asOf });
    const byGrant = new Map<number, RebudgetRow[]>();
    for (const row of rows) {
      const id = num(row.grantId);
      byGrant.set(id, [...(byGrant.get(id) ?? []), row]);
    }
    return [...byGrant.entries()].map(([id, grantRows]) =>
      rebudgetFigures(
        { id, awardNumber: grantRows[0].awardNumber, title: grantRows[0].title },
        asOf,
        grantRows,
      ),
    );
  }

  /**
   * For the dashboard: grants flagged "prior approval required" and those nearing it (above 7.5 %),
   * flagged first, then by the share moved.
   */
  async rebudgetFlags(asOf = this.clock.today()): Promise<RebudgetFigures[]> {
    const all = await this.rebudgetAll(asOf);
    return all
      .filter((f) => f.flagged || f.nearThreshold)
      .sort(
        (a, b) =>
          Number(b.flagged) - Number(a.flagged) ||
          (b.percent ?? 0) - (a.percent ?? 0) ||
          a.awardNumber.localeCompare(b.awardNumber),
      );
  }

  /** Everything the grant page shows about the budget; ledger figures as of `asOf` (default today). */
  async summaryFor(grantId: number, asOf = this.clock.today()): Promise<BudgetSummary> {
    const grant = await this.grantOf(grantId);
    const program =
      grant.program ??
      (await this.grants.manager.findOneByOrFail(Program, { id: grant.programId }));
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
      rebudget: await this.rebudgetOf(grant, asOf),
      orphanPeriods: await this.orphanPeriods(grantId),
    };
  }
}
