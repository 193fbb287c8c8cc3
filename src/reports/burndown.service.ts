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
  MonthlySums,
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

/** Every grant recorded at the end of asOf (reads `:asOfEnd`): the reconciliation's batch. */
export const recordedGrantsScope = (): Scope => ({
  where: (column) => `${column} IN (SELECT g.id FROM ${recordedAsOf('grants')} g)`,
  scopeId: 0,
});

/**
 * Federal actual spend per grant and month for asOf, from the covering index (grant_id, incurred_on,
 * recorded_on, share, amount_cents) alone: recorded_on and share are filtered inside it, and only
 * the per-month grouping sorts. Grouped straight by month rather than by day first: for every grant
 * at once (the reconciliation) that measured a third faster at a million rows, and the same for one
 * grant or a program. Exported for the query-plan test.
 */
export const actualByMonthSql = (scope: Scope) => `
  SELECT e.grant_id AS "grantId", substr(e.incurred_on, 1, 7) AS "month",
         SUM(e.amount_cents) AS "cents"
    FROM expenditures e
   WHERE ${scope.where('e.grant_id')}
     AND ${ledgerAsOf('e')}
     AND e.share = 'federal'
   GROUP BY e.grant_id, substr(e.incurred_on, 1, 7)`;

const obligatedByMonthSql = (scope: Scope) => `
  SELECT a.grant_id AS "grantId", substr(a.effective_date, 1, 7) AS "month",
         SUM(a.federal_change_cents) AS "cents"
    FROM amendments a
   WHERE ${scope.where('a.grant_id')} AND ${amendmentAsOf('a')}
   GROUP BY a.grant_id, substr(a.effective_date, 1, 7)`;

/** The monthly plan as recorded at the end of asOf: a budget edit made later does not move it. */
const plannedByMonthSql = (scope: Scope) => `
  SELECT ps.grant_id AS "grantId", ps.month AS "month", SUM(ps.federal_cents) AS "cents"
    FROM ${recordedAsOf('planned_spend')} ps
   WHERE ${scope.where('ps.grant_id')}
   GROUP BY ps.grant_id, ps.month`;

/** Per grant: planned before asOf's month, and in it (prorated in plannedToDate). */
const plannedToDateSql = (scope: Scope) => `
  SELECT ps.grant_id AS "grantId",
         SUM(CASE WHEN ps.month < :month THEN ps.federal_cents ELSE 0 END) AS "before",
         SUM(CASE WHEN ps.month = :month THEN ps.federal_cents ELSE 0 END) AS "current"
    FROM ${recordedAsOf('planned_spend')} ps
   WHERE ${scope.where('ps.grant_id')} AND ps.month <= :month
   GROUP BY ps.grant_id`;

/** The grants of a scope as recorded at the end of asOf, with what a burn-down names and spans. */
const recordedGrantsSql = (scope: Scope) => `
  SELECT g.id AS "id", g.award_number AS "awardNumber", g.title AS "title",
         g.program_id AS "programId", g.start_date AS "startDate", g.end_date AS "endDate"
    FROM ${recordedAsOf('grants')} g
   WHERE ${scope.where('g.id')}
   ORDER BY g.id`;

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

/**
 * One grant's sums as SQL returns them for asOf: the monthly sums (MonthlySums) and its plan before
 * asOf's month and in it (prorated by plannedToDate).
 */
export interface GrantSums extends MonthlySums {
  plannedBefore: number;
  plannedCurrent: number;
}

type RecordedGrant = Pick<
  Grant,
  'id' | 'awardNumber' | 'title' | 'programId' | 'startDate' | 'endDate'
>;

/** Every grant's and every program's burn-down as of a date (ReconciliationService). */
export interface BurndownBatch {
  grants: Map<number, BurndownReport>;
  /** Programs recorded by the end of asOf; one recorded later has no burn-down for that date. */
  programs: Map<number, BurndownReport>;
}

const emptySums = (): GrantSums => ({
  obligated: new Map(),
  planned: new Map(),
  actual: new Map(),
  plannedBefore: 0,
  plannedCurrent: 0,
});

const total = (sums: Map<string, number>) => [...sums.values()].reduce((a, b) => a + b, 0);

/** The month sums of several grants added up month by month: a program's. */
function addMonths(into: Map<string, number>, from: Map<string, number>): void {
  for (const [month, cents] of from) into.set(month, (into.get(month) ?? 0) + cents);
}

/**
 * A burn-down's rows and headline from its grants' sums: one grant's for a grant, every grant's of
 * a program for the program. The one place both are built, for a page or the reconciliation's batch.
 */
function burndownOf(
  sums: GrantSums[],
  asOf: string,
  startDate: string,
  endDate: string,
): Pick<BurndownReport, 'asOf' | 'startDate' | 'endDate' | 'rows' | 'headline'> {
  // One grant's sums are its burn-down's as they are; a program's are added up month by month.
  let merged: MonthlySums = sums[0] ?? emptySums();
  if (sums.length > 1) {
    merged = { obligated: new Map(), planned: new Map(), actual: new Map() };
    for (const grant of sums) {
      addMonths(merged.obligated, grant.obligated);
      addMonths(merged.planned, grant.planned);
      addMonths(merged.actual, grant.actual);
    }
  }
  const rows = buildRows(periodMonths(startDate, endDate), merged, asOf);
  const obligatedCents = total(merged.obligated);
  const spentCents = total(merged.actual);
  // Prorated per grant, then added up: a program's plan to date is the sum of its grants'.
  const plannedToDateCents = sums.reduce(
    (sum, g) => sum + plannedToDate(g.plannedBefore, g.plannedCurrent, asOf),
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

function grantBurndown(grant: RecordedGrant, sums: GrantSums, asOf: string): BurndownReport {
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
    ...burndownOf([sums], asOf, grant.startDate, grant.endDate),
  };
}

/**
 * A program's burn-down from its grants as recorded then: over their earliest start to their
 * latest end (dates are YYYY-MM-DD, so text order is date order); without grants yet, over the
 * program's own dates.
 */
function programBurndown(
  program: Pick<Program, 'id' | 'name' | 'startDate' | 'endDate'>,
  grants: RecordedGrant[],
  sums: Map<number, GrantSums>,
  asOf: string,
): BurndownReport {
  const starts = grants.map((g) => g.startDate).sort();
  const ends = grants.map((g) => g.endDate).sort();
  const startDate = starts[0] ?? program.startDate;
  const endDate = ends[ends.length - 1] ?? program.endDate;
  const ofGrants = grants.map((g) => sums.get(g.id) ?? emptySums());
  return {
    scope: 'program',
    id: program.id,
    name: program.name,
    program: { id: program.id, name: program.name },
    ...burndownOf(ofGrants, asOf, startDate, endDate),
  };
}

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
    const sums = await this.sumsByGrant(grantScope(grantId), asOf);
    return grantBurndown(grant, sums.get(grant.id) ?? emptySums(), asOf);
  }

  /** The program's burn-down; without an id, the first program's (the app usually runs one). */
  async programReport(programId: number | undefined, asOf: string): Promise<BurndownReport> {
    const program = await this.findProgram(programId, asOf);
    const scope = programScope(program.id);
    const [grants, sums] = await Promise.all([
      this.recordedGrants(scope, asOf),
      this.sumsByGrant(scope, asOf),
    ]);
    return programBurndown(program, grants, sums, asOf);
  }

  /**
   * Every grant's burn-down and every program's as of a date, from the same grouped queries for all
   * of them (a handful, not one set per grant): for the reconciliation, which compares their
   * figures with the other reports'. Each report is built by the same functions as its page's
   * (grantBurndown, programBurndown), so the two cannot drift apart.
   */
  async allReports(asOf: string): Promise<BurndownBatch> {
    const scope = recordedGrantsScope();
    const [grants, sums, programs] = await Promise.all([
      this.recordedGrants(scope, asOf),
      this.sumsByGrant(scope, asOf),
      namedQuery<{ id: number | string; name: string; startDate: string; endDate: string }>(
        this.manager,
        `SELECT p.id AS "id", p.name AS "name", p.start_date AS "startDate",
                p.end_date AS "endDate"
           FROM ${recordedAsOf('programs')} p`,
        this.params(asOf),
      ),
    ]);
    const batch: BurndownBatch = { grants: new Map(), programs: new Map() };
    const byProgram = new Map<number, RecordedGrant[]>();
    for (const grant of grants) {
      batch.grants.set(grant.id, grantBurndown(grant, sums.get(grant.id) ?? emptySums(), asOf));
      byProgram.set(grant.programId, [...(byProgram.get(grant.programId) ?? []), grant]);
    }
    for (const p of programs) {
      const program = { ...p, id: Number(p.id) };
      const ofProgram = byProgram.get(program.id) ?? [];
      batch.programs.set(program.id, programBurndown(program, ofProgram, sums, asOf));
    }
    return batch;
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

  /** The grants of a scope as recorded at the end of asOf, by id. */
  private async recordedGrants(scope: Scope, asOf: string): Promise<RecordedGrant[]> {
    const rows = await namedQuery<Record<keyof RecordedGrant, string | number>>(
      this.manager,
      recordedGrantsSql(scope),
      { scopeId: scope.scopeId, ...this.params(asOf) },
    );
    return rows.map((r) => ({
      id: Number(r.id),
      awardNumber: String(r.awardNumber),
      title: String(r.title),
      programId: Number(r.programId),
      startDate: String(r.startDate),
      endDate: String(r.endDate),
    }));
  }

  /**
   * The burn-down's SQL sums for every grant of a scope, by grant: the one read behind every
   * burn-down (a grant's page, a program's, the reconciliation's batch). Grants with nothing
   * recorded are absent (emptySums).
   */
  private async sumsByGrant(scope: Scope, asOf: string): Promise<Map<number, GrantSums>> {
    const params = { scopeId: scope.scopeId, month: monthOf(asOf), ...this.params(asOf) };
    type Sum = { grantId: number | string; month: string; cents: number | string | null };
    const [obligated, planned, actual, toDate] = await Promise.all([
      namedQuery<Sum>(this.manager, obligatedByMonthSql(scope), params),
      namedQuery<Sum>(this.manager, plannedByMonthSql(scope), params),
      namedQuery<Sum>(this.manager, actualByMonthSql(scope), params),
      namedQuery<Record<'grantId' | 'before' | 'current', number | string>>(
        this.manager,
        plannedToDateSql(scope),
        params,
      ),
    ]);
    const sums = new Map<number, GrantSums>();
    const of = (grantId: number | string) => {
      const id = Number(grantId);
      let grant = sums.get(id);
      if (!grant) sums.set(id, (grant = emptySums()));
      return grant;
    };
    for (const [kind, found] of [
      ['obligated', obligated],
      ['planned', planned],
      ['actual', actual],
    ] as const) {
      for (const r of found) of(r.grantId)[kind].set(r.month, Number(r.cents ?? 0));
    }
    for (const r of toDate) {
      const grant = of(r.grantId);
      grant.plannedBefore = Number(r.before);
      grant.plannedCurrent = Number(r.current);
    }
    return sums;
  }
}
