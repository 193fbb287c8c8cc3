import { Injectable, NotFoundException } from '@nestjs/common';
import { amendmentAsOf, ledgerAsOf } from '../common/as-of';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Grant } from '../grants/grant.entity';
import { GrantLookup } from '../grants/grant-lookup';
import { Program } from '../programs/program.entity';
import { namedQuery } from '../common/database/named-query';
import {
  buildRows,
  BurndownRow,
  BurnRate,
  burnRate,
  formatPercent,
  PlanFlag,
  planFlag,
  plannedToDate,
  planSummary,
  Projection,
  projectExhaustion,
  periodMonths,
} from './burndown.rules';
import { monthOf } from './months';

export interface BurndownHeadline {
  asOf: string;
  endDate: string;
  /** Amendments effective on or before asOf. */
  obligatedCents: number;
  /** Federal ledger entries incurred and recorded on or before asOf, reversals included. */
  spentCents: number;
  remainingCents: number;
  /** The plan through asOf, its month prorated by days (see plannedToDate). */
  plannedToDateCents: number;
  burnRate: BurnRate;
  projection: Projection;
  flag: PlanFlag;
}

export interface BurndownReport {
  scope: 'grant' | 'program';
  /** The grant's or the program's id. */
  id: number;
  /** `DE-SC0031987 — Ligand design…` or the program's name. */
  name: string;
  grant?: Pick<Grant, 'id' | 'awardNumber' | 'title' | 'programId'>;
  program?: Pick<Program, 'id' | 'name'>;
  asOf: string;
  startDate: string;
  endDate: string;
  rows: BurndownRow[];
  headline: BurndownHeadline;
}

/** One grant's burn as of a date, for the dashboard's grants table. */
export interface BurnIndicator {
  grantId: number;
  obligatedCents: number;
  spentCents: number;
  remainingCents: number;
  plannedToDateCents: number;
  /** Spent as a percent of obligated, 0–100 for a meter (clamped), and as text (`41.6%`). */
  spentPercent: number;
  spentPercentLabel: string | null;
  flag: PlanFlag;
  /** `Ahead of plan by 27.6%`, `Behind plan by 4.0%`, `On plan (+3.2%)`. */
  planText: string;
}

/** Which grants a report covers, as a SQL condition on a `grant_id` column. */
interface Scope {
  /** `grant_id` column → condition; the parameter is `:scopeId`. */
  where: (column: string) => string;
  scopeId: number;
}

export const grantScope = (grantId: number): Scope => ({
  where: (column) => `${column} = :scopeId`,
  scopeId: grantId,
});

export const programScope = (programId: number): Scope => ({
  where: (column) => `${column} IN (SELECT g.id FROM grants g WHERE g.program_id = :scopeId)`,
  scopeId: programId,
});

/**
 * Federal actual spend per month for asOf. Summed per grant and day first, then per month: the inner
 * GROUP BY follows the order of the covering index (grant_id, incurred_on, recorded_on, share,
 * amount_cents), so SQLite answers it from the index alone, without a temporary b-tree over the
 * ledger; the outer GROUP BY only sees one row per grant and day. recorded_on and share are filtered
 * inside that index too. Exported for the query-plan test.
 */
export const actualByMonthSql = (scope: Scope) => `
  SELECT substr(d.incurred_day, 1, 7) AS "month", SUM(d.cents) AS "cents"
    FROM (SELECT e.grant_id, e.incurred_on AS incurred_day, SUM(e.amount_cents) AS cents
            FROM expenditures e
           WHERE ${scope.where('e.grant_id')}
             AND ${ledgerAsOf('e')}
             AND e.share = 'federal'
           GROUP BY e.grant_id, e.incurred_on) d
   GROUP BY substr(d.incurred_day, 1, 7)`;

const obligatedByMonthSql = (scope: Scope) => `
  SELECT substr(a.effective_date, 1, 7) AS "month", SUM(a.federal_change_cents) AS "cents"
    FROM amendments a
   WHERE ${scope.where('a.grant_id')} AND ${amendmentAsOf('a')}
   GROUP BY substr(a.effective_date, 1, 7)`;

const plannedByMonthSql = (scope: Scope) => `
  SELECT ps.month AS "month", SUM(ps.federal_cents) AS "cents"
    FROM planned_spend ps
   WHERE ${scope.where('ps.grant_id')}
   GROUP BY ps.month`;

/** Per grant: planned before asOf's month, and in it (prorated in plannedToDate). */
const plannedToDateSql = (scope: Scope) => `
  SELECT ps.grant_id AS "grantId",
         SUM(CASE WHEN ps.month < :month THEN ps.federal_cents ELSE 0 END) AS "before",
         SUM(CASE WHEN ps.month = :month THEN ps.federal_cents ELSE 0 END) AS "current"
    FROM planned_spend ps
   WHERE ${scope.where('ps.grant_id')} AND ps.month <= :month
   GROUP BY ps.grant_id`;

/**
 * Every grant of a program in one statement: obligated, spent and the plan to date. Each CTE is one
 * grouped pass (the ledger's through the covering index), joined to the program's grants.
 */
export const INDICATORS_SQL = `
  WITH ob AS (
         SELECT a.grant_id, SUM(a.federal_change_cents) AS cents
           FROM amendments a
          WHERE a.grant_id IN (SELECT g.id FROM grants g WHERE g.program_id = :programId)
            AND ${amendmentAsOf('a')}
          GROUP BY a.grant_id),
       sp AS (
         SELECT e.grant_id, SUM(e.amount_cents) AS cents
           FROM expenditures e
          WHERE e.grant_id IN (SELECT g.id FROM grants g WHERE g.program_id = :programId)
            AND ${ledgerAsOf('e')}
            AND e.share = 'federal'
          GROUP BY e.grant_id),
       pl AS (
         SELECT ps.grant_id,
                SUM(CASE WHEN ps.month < :month THEN ps.federal_cents ELSE 0 END) AS before_cents,
                SUM(CASE WHEN ps.month = :month THEN ps.federal_cents ELSE 0 END) AS current_cents
           FROM planned_spend ps
          WHERE ps.grant_id IN (SELECT g.id FROM grants g WHERE g.program_id = :programId)
            AND ps.month <= :month
          GROUP BY ps.grant_id)
  SELECT g.id AS "grantId",
         COALESCE(ob.cents, 0) AS "obligated",
         COALESCE(sp.cents, 0) AS "spent",
         COALESCE(pl.before_cents, 0) AS "plannedBefore",
         COALESCE(pl.current_cents, 0) AS "plannedCurrent"
    FROM grants g
    LEFT JOIN ob ON ob.grant_id = g.id
    LEFT JOIN sp ON sp.grant_id = g.id
    LEFT JOIN pl ON pl.grant_id = g.id
   WHERE g.program_id = :programId
   ORDER BY g.award_number`;

type Sum = { month: string; cents: number | string | null };

const toMap = (rows: Sum[]) =>
  new Map(rows.map((r) => [r.month, Number(r.cents ?? 0)] as [string, number]));

const total = (sums: Map<string, number>) => [...sums.values()].reduce((a, b) => a + b, 0);

/**
 * The burn-down report (DESIGN.md §4) for one grant or a whole program, as of a date. Every figure
 * starts as a SQL SUM … GROUP BY with asOf as a parameter: obligations by month of effect, planned
 * spend by month, federal actuals by month incurred (only entries incurred AND recorded on or before
 * asOf). The monthly sums are then only run into cumulative columns (burndown.rules.ts).
 *
 * Federal money only: cost share is reported elsewhere. The plan is the budget as it stands now (the
 * budget grid keeps no history), and the months run over the period of performance as it stands now
 * (after a no-cost extension, a past asOf shows the added months with their plan and blank actuals).
 */
@Injectable()
export class BurndownService {
  constructor(
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    @InjectRepository(Program) private readonly programs: Repository<Program>,
    private readonly lookup: GrantLookup,
  ) {}

  private get manager(): EntityManager {
    return this.grants.manager;
  }

  async grantReport(grantId: number, asOf: string): Promise<BurndownReport> {
    const grant = await this.lookup.grant(grantId);
    const report = await this.build(grantScope(grantId), asOf, grant.startDate, grant.endDate);
    return {
      scope: 'grant',
      id: grant.id,
      name: `${grant.awardNumber} — ${grant.title}`,
      grant: {
        id: grant.id,
        awardNumber: grant.awardNumber,
        title: grant.title,
        programId: grant.programId,
      },
      ...report,
    };
  }

  /** The program's burn-down; without an id, the first program's (the app usually runs one). */
  async programReport(programId: number | undefined, asOf: string): Promise<BurndownReport> {
    const program = await this.findProgram(programId);
    const [span] = await namedQuery<{ startDate: string | null; endDate: string | null }>(
      this.manager,
      `SELECT MIN(g.start_date) AS "startDate", MAX(g.end_date) AS "endDate"
         FROM grants g WHERE g.program_id = :programId`,
      { programId: program.id },
    );
    // A program without grants yet runs over its own dates.
    const startDate = span?.startDate ?? program.startDate;
    const endDate = span?.endDate ?? program.endDate;
    const report = await this.build(programScope(program.id), asOf, startDate, endDate);
    return {
      scope: 'program',
      id: program.id,
      name: program.name,
      program: { id: program.id, name: program.name },
      ...report,
    };
  }

  /** One grant's headline figures (spent, remaining, burn rate, projection, flag) as of a date. */
  async headlineFor(grantId: number, asOf: string): Promise<BurndownHeadline> {
    return (await this.grantReport(grantId, asOf)).headline;
  }

  /** Programs for the report's program picker, oldest first. */
  programList(): Promise<Pick<Program, 'id' | 'name'>[]> {
    return this.programs.find({ select: { id: true, name: true }, order: { id: 'ASC' } });
  }

  /** A program's grants, for links to their burn-downs. */
  grantsOf(programId: number): Promise<Pick<Grant, 'id' | 'awardNumber' | 'title'>[]> {
    return this.grants.find({
      select: { id: true, awardNumber: true, title: true },
      where: { programId },
      order: { awardNumber: 'ASC' },
    });
  }

  /**
   * Every grant of a program with its burn as of a date, in one grouped query (for the dashboard).
   * The figures equal each grant's burn-down headline.
   */
  async burnIndicators(programId: number, asOf: string): Promise<BurnIndicator[]> {
    const rows = await namedQuery<
      Record<
        'grantId' | 'obligated' | 'spent' | 'plannedBefore' | 'plannedCurrent',
        number | string
      >
    >(this.manager, INDICATORS_SQL, { programId, asOf, month: monthOf(asOf) });
    return rows.map((r) => {
      const obligatedCents = Number(r.obligated);
      const spentCents = Number(r.spent);
      const planned = plannedToDate(Number(r.plannedBefore), Number(r.plannedCurrent), asOf);
      const flag = planFlag(spentCents, planned);
      const ratio = obligatedCents > 0 ? (spentCents * 100) / obligatedCents : 0;
      return {
        grantId: Number(r.grantId),
        obligatedCents,
        spentCents,
        remainingCents: obligatedCents - spentCents,
        plannedToDateCents: planned,
        spentPercent: Math.min(100, Math.max(0, Math.round(ratio))),
        spentPercentLabel: formatPercent(spentCents, obligatedCents, false),
        flag,
        planText: planSummary(flag),
      };
    });
  }

  private async findProgram(programId: number | undefined): Promise<Program> {
    const program =
      programId === undefined
        ? await this.programs.findOne({ where: {}, order: { id: 'ASC' } })
        : await this.programs.findOneBy({ id: programId });
    if (!program) {
      throw new NotFoundException(
        programId === undefined
          ? 'No program has been set up yet.'
          : `Program ${programId} does not exist.`,
      );
    }
    return program;
  }

  private async build(
    scope: Scope,
    asOf: string,
    startDate: string,
    endDate: string,
  ): Promise<Pick<BurndownReport, 'asOf' | 'startDate' | 'endDate' | 'rows' | 'headline'>> {
    const params = { scopeId: scope.scopeId, asOf, month: monthOf(asOf) };
    const [obligated, planned, actual, toDate] = await Promise.all([
      namedQuery<Sum>(this.manager, obligatedByMonthSql(scope), params).then(toMap),
      namedQuery<Sum>(this.manager, plannedByMonthSql(scope), params).then(toMap),
      namedQuery<Sum>(this.manager, actualByMonthSql(scope), params).then(toMap),
      namedQuery<Record<'before' | 'current', number | string>>(
        this.manager,
        plannedToDateSql(scope),
        params,
      ),
    ]);
    const rows = buildRows(periodMonths(startDate, endDate), { obligated, planned, actual }, asOf);
    const obligatedCents = total(obligated);
    const spentCents = total(actual);
    // Prorated per grant, then added up: a program's plan to date is the sum of its grants'.
    const plannedToDateCents = toDate.reduce(
      (sum, r) => sum + plannedToDate(Number(r.before), Number(r.current), asOf),
      0,
    );
    const rate = burnRate(rows, asOf);
    return {
      asOf,
      startDate,
      endDate,
      rows,
      headline: {
        asOf,
        endDate,
        obligatedCents,
        spentCents,
        remainingCents: obligatedCents - spentCents,
        plannedToDateCents,
        burnRate: rate,
        projection: projectExhaustion(obligatedCents - spentCents, rate, asOf, endDate),
        flag: planFlag(spentCents, plannedToDateCents),
      },
    };
  }
}
