import { Injectable } from '@nestjs/common';
import type { AuditEvent } from '../audit/audit-event.entity';
import { AuditService } from '../audit/audit.service';
import { BudgetsService, BudgetSummary } from '../budgets/budgets.service';
import { Clock } from '../common/clock';
import type { Amendment } from '../grants/amendment.entity';
import type { BudgetPeriod } from '../grants/budget-period.entity';
import type { Grant } from '../grants/grant.entity';
import { GrantLookup } from '../grants/grant-lookup';
import { GrantsService } from '../grants/grants.service';
import { LedgerRow, LedgerService, SpentTotals } from '../ledger/ledger.service';
import { BudgetPeriodGroup, MilestonesService } from '../milestones/milestones.service';
import {
  GrantTechnologiesService,
  LinkedTechnology,
} from '../technologies/grant-technologies.service';

/** What the grant page shows, each figure from the feature that owns it. */
export interface GrantFigures {
  grant: Grant;
  obligatedCents: number;
  amendments: Amendment[];
  budgetPeriods: BudgetPeriod[];
  budgetSummary: BudgetSummary;
  spent: SpentTotals;
  recentEntries: LedgerRow[];
  technologies: LinkedTechnology[];
  milestoneGroups: BudgetPeriodGroup[];
  history: AuditEvent[];
}

/**
 * Gathers the grant page's figures from grants, budgets, the ledger, technologies and milestones.
 * It sits above those features (as the dashboard does), so none of them imports another for it.
 */
@Injectable()
export class GrantPageService {
  constructor(
    private readonly grants: GrantsService,
    private readonly lookup: GrantLookup,
    private readonly budgets: BudgetsService,
    private readonly ledger: LedgerService,
    private readonly technologies: GrantTechnologiesService,
    private readonly milestones: MilestonesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async figures(id: number): Promise<GrantFigures> {
    const grant = await this.grants.findOne(id);
    return {
      grant,
      obligatedCents: await this.grants.obligatedCents(id),
      amendments: await this.grants.amendmentsOf(id),
      budgetPeriods: await this.lookup.budgetPeriods(id),
      budgetSummary: await this.budgets.summaryFor(id),
      spent: await this.ledger.spentFor(id),
      recentEntries: await this.ledger.recentFor(id, 5),
      technologies: await this.technologies.forGrant(id),
      milestoneGroups: await this.milestones.forGrant(id, this.clock.today()),
      history: await this.audit.history('grant', id),
    };
  }
}
