import { Injectable, NotFoundException } from '@nestjs/common';
import {
  amendmentAsOf,
  asOfParams,
  ledgerAsOf,
  ledgerSpentSql,
  recordedAsOf,
} from '../common/as-of';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AppConfig } from '../common/config';
import { formatDate } from '../common/dates';
import { Grant } from '../grants/grant.entity';
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
import { recordedGrantOr404, recordedProgram } from './recorded-grant';

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
  programId: number;
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

/** The program's grants as recorded at the end of asOf (reads `:asOfEnd`). */
export const programScope = (programId: number): Scope => ({
  where: (column) =>
    `${column} IN (SELECT g.id FROM ${recordedAsOf('grants')} g WHERE g.program_id = :scopeId)`,
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

/** The monthly plan as recorded at the end of asOf: a budget edit made later does not move it. */
const plannedByMonthSql = (scope: Scope) => `
  SELECT ps.month AS "month", SUM(ps.federal_cents) AS "cents"
    FROM ${recordedAsOf('planned_spend')} ps
   WHERE ${scope.where('ps.grant_id')}
   GROUP BY ps.month`;

/** Per grant: planned before asOf's month, and in it (prorated in plannedToDate). */
const plannedToDateSql = (scope: Scope) => `
  SELECT ps.grant_id AS "grantId",
         SUM(CASE WHEN ps.month < :month THEN ps.federal_cents ELSE 0 END) AS "before",
         SUM(CASE WHEN ps.month = :month THEN ps.federal_cents ELSE 0 END) AS "current"
    FROM ${recordedAsOf('planned_spend')} ps
   WHERE ${scope.where('ps.grant_id')} AND ps.month <= :month
   GROUP BY ps.grant_id`;

/**
 * Every grant of every program in one statement: obligated, spent and the plan to date, each as
 * recorded at the end of asOf. The amendments and the plan are one grouped pass each, joined to the
 * grants of that day; spending is each grant's running total when all its entries count by asOf
 * (ledgerSpentSql), so the statement does not read the ledger for today.
 */
export const INDICATORS_SQL = `
  WITH ob AS (
         SELECT a.grant_id, SUM(a.federal_change_cents) AS cents
           FROM amendments a
          WHERE ${amendmentAsOf('a')}
          GROUP BY a.grant_id),
       pl AS (
         SELECT ps.grant_id,
                SUM(CASE WHEN ps.month < :month THEN ps.federal_cents ELSE 0 END) AS before_cents,
                SUM(CASE WHEN ps.month = :month THEN ps.federal_cents ELSE 0 END) AS current_cents
           FROM ${recordedAsOf('planned_spend')} ps
          WHERE ps.month <= :month
          GROUP BY ps.grant_id)
  SELECT g.id AS "grantId",
         g.program_id AS "programId",
         COALESCE(ob.cents, 0) AS "obligated",
         ${ledgerSpentSql('g.id', 'federal')} AS "spent",
         COALESCE(pl.before_cents, 0) AS "plannedBefore",
         COALESCE(pl.current_cents, 0) AS "plannedCurrent"
    FROM ${recordedAsOf('grants')} g
    LEFT JOIN ob ON ob.grant_id = g.id
    LEFT JOIN pl ON pl.grant_id = g.id
   ORDER BY g.program_id, g.award_number`;

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
 * Federal money only: cost share is reported elsewhere. Everything is read as the records stood at
 * the end of asOf (DESIGN.md §4): the grants and programs (so the months run over the period of
 * performance of that day, and a no-cost extension recorded later does not add months), the monthly
 * plan (planned_spend, rebuilt on every budget or budget-period edit) and the amendments recorded by
 * then. A report for a past date is therefore the same however much is entered afterwards.
 */
@Injectable()
export class BurndownService {
  constructor(
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    private readonly config: AppConfig,
  ) {}

  private params(asOf: string) {
    return asOfParams(asOf, this.config.APP_TIME_ZONE);
  }

  private get manager(): EntityManager {
    return this.grants.manager;
  }

  async grantReport(grantId: number, asOf: string): Promise<BurndownReport> {
    const grant = await recordedGrantOr404(this.manager, grantId, asOf, this.config.APP_TIME_ZONE);
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
    const program = await this.findProgram(programId, asOf);
    const [span] = await namedQuery<{ startDate: string | null; endDate: string | null }>(
      this.manager,
      `SELECT MIN(g.start_date) AS "startDate", MAX(g.end_date) AS "endDate"
         FROM ${recordedAsOf('grants')} g WHERE g.program_id = :programId`,
      { programId: program.id, ...this.params(asOf) },
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

  /** Programs for the report's program picker, oldest first, with their names as of asOf. */
  async programList(asOf: string): Promise<Pick<Program, 'id' | 'name'>[]> {
    const rows = await namedQuery<{ id: number; name: string }>(
      this.manager,
      `SELECT p.id AS "id", p.name AS "name" FROM ${recordedAsOf('programs')} p ORDER BY p.id`,
      this.params(asOf),
    );
    return rows.map((r) => ({ id: Number(r.id), name: r.name }));
  }

  /** A program's grants as of asOf, for links to their burn-downs. */
  async grantsOf(
    programId: number,
    asOf: string,
  ): Promise<Pick<Grant, 'id' | 'awardNumber' | 'title'>[]> {
    const rows = await namedQuery<{ id: number; awardNumber: string; title: string }>(
      this.manager,
      `SELECT g.id AS "id", g.award_number AS "awardNumber", g.title AS "title"
         FROM ${recordedAsOf('grants')} g WHERE g.program_id = :programId
        ORDER BY g.award_number`,
      { programId, ...this.params(asOf) },
    );
    return rows.map((r) => ({ id: Number(r.id), awardNumber: r.awardNumber, title: r.title }));
  }

  /**
   * Every grant of every program with its burn as of a date, in one grouped query (for the
   * dashboard), by program and award number. The figures equal each grant's burn-down headline.
   */
  async burnIndicators(asOf: string): Promise<BurnIndicator[]> {
    const rows = await namedQuery<
      Record<
        'grantId' | 'programId' | 'obligated' | 'spent' | 'plannedBefore' | 'plannedCurrent',
        number | string
      >
    >(this.manager, INDICATORS_SQL, { month: monthOf(asOf), ...this.params(asOf) });
    return rows.map((r) => {
      const obligatedCents = Number(r.obligated);
      const spentCents = Number(r.spent);
      const planned = plannedToDate(Number(r.plannedBefore), Number(r.plannedCurrent), asOf);
      const flag = planFlag(spentCents, planned);
      const ratio = obligatedCents > 0 ? (spentCents * 100) / obligatedCents : 0;
      return {
        grantId: Number(r.grantId),
        programId: Number(r.programId),
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

  /** The program as recorded at the end of asOf; without an id, the first one recorded by then. */
  private async findProgram(programId: number | undefined, asOf: string): Promise<Program> {
    const program = await recordedProgram(this.manager, programId, asOf, this.config.APP_TIME_ZONE);
    if (program) return program;
    const [now] = await namedQuery<{ id: number }>(
      this.manager,
      `SELECT p.id AS "id" FROM programs p ${programId === undefined ? '' : 'WHERE p.id = :programId'}
        LIMIT 1`,
      { programId },
    );
    const on = formatDate(asOf);
    if (programId === undefined) {
      throw new NotFoundException(
        now ? `No program had been set up by ${on}.` : 'No program has been set up yet.',
      );
    }
    throw new NotFoundException(
      now
        ? `Program ${programId} was not yet in the records on ${on}.`
        : `Program ${programId} does not exist.`,
    );
  }

  private async build(
    scope: Scope,
    asOf: string,
    startDate: string,
    endDate: string,
  ): Promise<Pick<BurndownReport, 'asOf' | 'startDate' | 'endDate' | 'rows' | 'headline'>> {
    const params = { scopeId: scope.scopeId, month: monthOf(asOf), ...this.params(asOf) };
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
