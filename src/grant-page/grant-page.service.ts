import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager } from 'typeorm';
import type { AuditEvent } from '../audit/audit-event.entity';
import { AuditService } from '../audit/audit.service';
import { BudgetsService, BudgetSummary } from '../budgets/budgets.service';
import {
  asOfParams,
  costShareMetSql,
  federalSpentSql,
  obligatedSql,
  recordedAsOf,
} from '../common/as-of';
import { Clock } from '../common/clock';
import { AppConfig } from '../common/config';
import { formatDate } from '../common/dates';
import { namedQuery } from '../common/database/named-query';
import { ReadCache } from '../common/database/read-cache';
import { formatMoney } from '../common/money';
import { Amendment } from '../grants/amendment.entity';
import type { BudgetPeriod } from '../grants/budget-period.entity';
import type { Grant } from '../grants/grant.entity';
import { GrantLookup } from '../grants/grant-lookup';
import { GrantsService } from '../grants/grants.service';
import { Recipient } from '../grants/recipient.entity';
import { LedgerRow, LedgerService, SpentTotals } from '../ledger/ledger.service';
import { BudgetPeriodGroup, MilestonesService } from '../milestones/milestones.service';
import { recordedGrantOr404, recordedProgram } from '../reports/recorded-grant';
import {
  GrantTechnologiesService,
  LinkedTechnology,
} from '../technologies/grant-technologies.service';
import { SetupChecklist, setupChecklist } from './setup-checklist';

/** The grant page for a past date: which date, and what the records say differently today. */
export interface AsOfView {
  asOf: string;
  label: string;
  /** `Award number today: DE-SC0099999.`, one per field changed since the end of asOf. */
  changedSince: string[];
}

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
  /** Set when the page shows the records as they stood at the end of a past date. */
  asOfView?: AsOfView;
  /** The set-up steps of a grant not yet set up; never on a past date's page (it shows records). */
  setup?: SetupChecklist | null;
}

type Raw = Record<string, unknown>;

/**
 * Every table today's grant page reads but two (test/grant-page-cache.e2e-spec.ts checks the list
 * against the queries the page runs): the ledger, whose entries on the grant only ever grow, so
 * their count versions them (LedgerService.entryCount), and the audit trail, read on each visit.
 * An expenditure recorded on one grant leaves every other grant's page as it was kept.
 */
export const GRANT_PAGE_TABLES = [
  'grants',
  'recipients',
  'programs',
  'amendments',
  'budget_periods',
  'budgets',
  'budget_lines',
  'milestones',
  'technologies',
  'technology_elements',
  'grant_technologies',
] as const;

/** The ledger and the audit trail: versioned, or read every time, instead of listed above. */
export const GRANT_PAGE_UNLISTED = ['expenditures', 'ledger_totals', 'audit_events'] as const;

/** The grant's fields a reader would notice changed, and how each is said. */
const NOTED: { field: keyof Grant; label: string; shown: (g: Grant) => string }[] = [
  { field: 'awardNumber', label: 'Award number', shown: (g) => g.awardNumber },
  { field: 'title', label: 'Title', shown: (g) => g.title },
  { field: 'status', label: 'Status', shown: (g) => g.status },
  { field: 'piName', label: 'Principal investigator', shown: (g) => g.piName },
  { field: 'startDate', label: 'Start date', shown: (g) => formatDate(g.startDate) },
  { field: 'endDate', label: 'End date', shown: (g) => formatDate(g.endDate) },
  {
    field: 'costShareCommittedCents',
    label: 'Cost share committed',
    shown: (g) => formatMoney(g.costShareCommittedCents),
  },
];

/** What is different today from the grant as recorded at the end of asOf, one sentence a field. */
export function changedSince(then: Grant, now: Grant): string[] {
  return NOTED.filter(({ field }) => then[field] !== now[field]).map(
    ({ label, shown }) => `${label} today: ${shown(now)}.`,
  );
}

/**
 * Gathers the grant page's figures from grants, budgets, the ledger, technologies and milestones.
 * It sits above those features (as the dashboard does), so none of them imports another for it.
 *
 * With an asOf the page shows the records as they stood at the end of that day (DESIGN.md §4): the
 * grant, its program and recipient, amendments recorded and effective by then, budget, budget
 * periods, spending, linked technologies and milestones of that day, and the history up to then;
 * where the grant says something else today, the page says so next to it. Each part reads one
 * grant's history rows through the history tables' indexes.
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
    private readonly config: AppConfig,
    private readonly cache: ReadCache,
    @InjectEntityManager() private readonly manager: EntityManager,
  ) {}

  /**
   * Today's page is kept until a write to one of GRANT_PAGE_TABLES, an entry on this grant or the
   * next day: under load most grant pages are read far more often than their grant changes, and
   * reading the figures was most of a page's time. The history is read on each visit.
   */
  async figures(id: number, asOf?: string): Promise<GrantFigures> {
    if (asOf !== undefined) return this.figuresAsOf(id, asOf);
    const today = this.clock.today();
    // Read before the figures, like the cache's table stamp: an entry recorded while they are read
    // leaves this version behind, so what was read is not served again.
    const entries = await this.ledger.entryCount(id);
    const [figures, history] = await Promise.all([
      this.cache.get(
        GRANT_PAGE_TABLES,
        `grant-page:${id}`,
        () => this.current(id, today),
        `${today}:${entries}`,
      ),
      this.audit.history('grant', id),
    ]);
    return { ...figures, history };
  }

  private async current(id: number, today: string): Promise<Omit<GrantFigures, 'history'>> {
    const grant = await this.grants.findOne(id);
    const amendments = await this.grants.amendmentsOf(id);
    const budgetPeriods = await this.lookup.budgetPeriods(id);
    const budgetSummary = await this.budgets.summaryFor(id);
    const milestoneGroups = await this.milestones.forGrant(id, today);
    return {
      grant,
      obligatedCents: await this.grants.obligatedCents(id),
      amendments,
      budgetPeriods,
      budgetSummary,
      spent: await this.ledger.spentFor(id),
      recentEntries: await this.ledger.recentFor(id, 5),
      technologies: await this.technologies.forGrant(id),
      milestoneGroups,
      setup: setupChecklist({
        grantId: id,
        budgetPeriods,
        amendments,
        federalBudgetCents: budgetSummary.federalBudgetCents,
        milestoneGroups,
      }),
    };
  }

  private async figuresAsOf(id: number, asOf: string): Promise<GrantFigures> {
    const zone = this.config.APP_TIME_ZONE;
    const params = { grantId: id, ...asOfParams(asOf, zone) };
    const grant = await recordedGrantOr404(this.manager, id, asOf, zone);
    const now = await this.grants.findOne(id);
    const program = await recordedProgram(this.manager, grant.programId, asOf, zone);
    grant.program = program ?? undefined;
    grant.recipient = (await this.recipientAsOf(grant.recipientId, params)) ?? undefined;
    const [money] = await namedQuery<Record<'obligated' | 'federal' | 'costShare', unknown>>(
      this.manager,
      `SELECT ${obligatedSql(':grantId')} AS "obligated", ${federalSpentSql(':grantId')} AS "federal",
              ${costShareMetSql(':grantId')} AS "costShare"`,
      params,
    );
    const history = await this.audit.history('grant', id);
    return {
      grant,
      obligatedCents: Number(money.obligated),
      amendments: await this.grants.amendmentsOf(id, params),
      budgetPeriods: await this.budgets.budgetPeriods(id, asOf),
      budgetSummary: await this.budgets.summaryFor(id, asOf),
      spent: { federalCents: Number(money.federal), costShareCents: Number(money.costShare) },
      // The ledger's own page lists the entries as of the date (the page links to it).
      recentEntries: [],
      technologies: await this.technologies.forGrantAsOf(id, params),
      milestoneGroups: await this.milestones.forGrant(id, asOf, true),
      history: history.filter((event) => event.occurredAt < params.asOfEnd),
      asOfView: { asOf, label: formatDate(asOf), changedSince: changedSince(grant, now) },
    };
  }

  private async recipientAsOf(
    recipientId: number,
    params: { asOfEnd: string },
  ): Promise<Recipient | null> {
    const [row] = await namedQuery<Raw>(
      this.manager,
      `SELECT r.id AS "id", r.name AS "name", r.type AS "type", r.state AS "state", r.uei AS "uei"
         FROM ${recordedAsOf('recipients')} r WHERE r.id = :recipientId`,
      { ...params, recipientId },
    );
    return row ? Object.assign(new Recipient(), row, { id: Number(row.id) }) : null;
  }
}
