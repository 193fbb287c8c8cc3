import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { asOfParams, ledgerAsOf } from '../common/as-of';
import { Clock } from '../common/clock';
import { AppConfig } from '../common/config';
import type { Grant } from '../grants/grant.entity';
import { GrantLookup } from '../grants/grant-lookup';
import { namedQuery } from '../common/database/named-query';
import { BudgetLine } from './budget-line.entity';
import { budgetTable, currentLines, num } from './budget-sql';
import { rebudgetFigures, RebudgetFigures, RebudgetRow } from './rebudget.rules';

/**
 * Rule 6's inputs per grant, budget period and category: budgeted and actual (federal + cost share).
 * The overspending and the totals are summed from these cells in rebudgetFigures, so the page can
 * show every figure the flag is computed from. With `recorded`, the lines, budget periods and grants
 * as recorded at the end of asOf.
 */
export const rebudgetSql = (oneGrant: boolean, recorded: boolean) => `SELECT
        x.grant_id AS "grantId", g.award_number AS "awardNumber", g.title AS "title",
        x.budget_period AS "budgetPeriod", x.category AS "category",
        SUM(x.budgeted) AS "budgeted", SUM(x.actual) AS "actual"
   FROM (SELECT l.grant_id, l.budget_period, l.category,
                l.federal_cents + l.cost_share_cents AS budgeted, 0 AS actual
           FROM (${currentLines(recorded)}${oneGrant ? ' WHERE l.grant_id = :grantId' : ''}) l
         UNION ALL
         SELECT e.grant_id, e.budget_period, e.category, 0, e.amount_cents
           FROM expenditures e
          WHERE ${ledgerAsOf('e')}
            ${oneGrant ? 'AND e.grant_id = :grantId' : ''}) x
   JOIN ${budgetTable('grants', recorded)} g ON g.id = x.grant_id
  GROUP BY x.grant_id, g.award_number, g.title, x.budget_period, x.category
  ORDER BY g.award_number, x.grant_id, x.budget_period`;

/**
 * The rebudget flag of one grant or of all of them: the sums from one query (rebudgetSql), the flag
 * from rebudgetFigures. Given an asOf (`recorded`), the budget is the one recorded by the end of that
 * day, so a later budget edit does not change a past date's flag; without one, the budget now.
 */
@Injectable()
export class RebudgetService {
  constructor(
    @InjectRepository(BudgetLine) private readonly lines: Repository<BudgetLine>,
    private readonly clock: Clock,
    private readonly lookup: GrantLookup,
    private readonly config: AppConfig,
  ) {}

  private params(asOf: string) {
    return asOfParams(asOf, this.config.APP_TIME_ZONE);
  }

  /** Rule 6 for one grant, as of a date (default today). */
  async rebudgetFor(grantId: number, asOf = this.clock.today()): Promise<RebudgetFigures> {
    return this.rebudgetOf(await this.lookup.grant(grantId), asOf);
  }

  /** Rule 6 for a grant already loaded (the budget summary has it). */
  async rebudgetOf(
    grant: Pick<Grant, 'id' | 'awardNumber' | 'title'>,
    asOf: string,
    recorded = false,
  ): Promise<RebudgetFigures> {
    const rows = await namedQuery<RebudgetRow>(this.lines.manager, rebudgetSql(true, recorded), {
      grantId: grant.id,
      ...this.params(asOf),
    });
    return rebudgetFigures(grant, asOf, rows);
  }

  /**
   * Rule 6 across all grants: one query. Every grant with a budget or spending, by award number;
   * given an asOf, the budgets and grants as recorded at the end of it.
   */
  async rebudgetAll(asOf?: string): Promise<RebudgetFigures[]> {
    const on = asOf ?? this.clock.today();
    const rows = await namedQuery<RebudgetRow>(
      this.lines.manager,
      rebudgetSql(false, asOf !== undefined),
      this.params(on),
    );
    const byGrant = new Map<number, RebudgetRow[]>();
    for (const row of rows) {
      const id = num(row.grantId);
      byGrant.set(id, [...(byGrant.get(id) ?? []), row]);
    }
    return [...byGrant.entries()].map(([id, grantRows]) =>
      rebudgetFigures(
        { id, awardNumber: grantRows[0].awardNumber, title: grantRows[0].title },
        on,
        grantRows,
      ),
    );
  }

  /**
   * For the dashboard: grants flagged "prior approval required" and those nearing it (above 7.5 %),
   * flagged first, then by the share moved.
   */
  async rebudgetFlags(asOf?: string): Promise<RebudgetFigures[]> {
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
}
