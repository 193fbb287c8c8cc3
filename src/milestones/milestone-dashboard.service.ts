import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { asOfParams, recordedAsOf } from '../common/as-of';
import { AppConfig } from '../common/config';
import { addDays, daysBetween } from '../common/dates';
import { Decision, Milestone, MilestoneKind } from './milestone.entity';
import { COMPLETE_AS_OF_SQL, OVERDUE_SQL } from './milestone-status';

export interface DashboardLine {
  id: number;
  title: string;
  kind: MilestoneKind;
  budgetPeriod: number;
  dueDate: string;
  grantId: number;
  awardNumber: string;
}

export interface OverdueLine extends DashboardLine {
  daysOverdue: number;
}

export interface DueBand {
  label: string;
  from: string;
  to: string;
  lines: DashboardLine[];
}

export interface CompletionLine {
  grantId: number;
  awardNumber: string;
  title: string;
  due: number;
  complete: number;
  onTime: number;
  late: number;
  /** Complete by asOf ÷ due by asOf, one decimal, e.g. `66.7`. */
  percent: string;
}

export interface OutcomeLine extends DashboardLine {
  decision: Exclude<Decision, 'pending'>;
  decidedOn: string;
  decidedBy: string | null;
  rationale: string;
}

export interface MilestoneDashboard {
  asOf: string;
  overdue: OverdueLine[];
  bands: DueBand[];
  completion: CompletionLine[];
  outcomes: OutcomeLine[];
  goCount: number;
  noGoCount: number;
  /** Go/no-go milestones past due and still undecided as of asOf. */
  pendingPastDue: OverdueLine[];
}

/** Disjoint bands of days after asOf; asOf itself (due today, not yet overdue) opens the first. */
const BANDS = [
  { first: 0, last: 30, label: 'Due in the next 30 days (0–30)' },
  { first: 31, last: 60, label: 'Due in 31–60 days' },
  { first: 61, last: 90, label: 'Due in 61–90 days' },
];

const LINE_COLUMNS = [
  'm.id AS "id"',
  'm.title AS "title"',
  'm.kind AS "kind"',
  'm.budget_period AS "budgetPeriod"',
  'm.due_date AS "dueDate"',
  'g.id AS "grantId"',
  'g.award_number AS "awardNumber"',
];

/**
 * DESIGN.md §4 "Milestones" report, for any asOf. Each section is one SQL query filtered (and, for the
 * completion rate, grouped) in the database with asOf as a parameter; only the lines shown are loaded.
 * A completion or decision dated after asOf does not count, and the milestones and grants are read
 * as recorded at the end of asOf (DESIGN.md §4), so a past asOf shows what stood then and a milestone
 * added, edited or decided later does not change it.
 */
@Injectable()
export class MilestoneDashboardService {
  constructor(
    @InjectRepository(Milestone) private readonly milestones: Repository<Milestone>,
    private readonly config: AppConfig,
  ) {}

  /** Milestones joined to their grants, both as recorded at the end of asOf. */
  private recorded(asOf: string): SelectQueryBuilder<ObjectLiteral> {
    return this.milestones.manager
      .createQueryBuilder()
      .from(recordedAsOf('milestones'), 'm')
      .innerJoin(recordedAsOf('grants'), 'g', 'g.id = m.grant_id')
      .setParameters(asOfParams(asOf, this.config.APP_TIME_ZONE));
  }

  async build(asOf: string): Promise<MilestoneDashboard> {
    const [overdue, bands, completion, outcomes, pendingPastDue] = await Promise.all([
      this.overdue(asOf),
      this.dueSoon(asOf),
      this.completionRates(asOf),
      this.outcomes(asOf),
      this.pendingPastDue(asOf),
    ]);
    return {
      asOf,
      overdue,
      bands,
      completion,
      outcomes,
      goCount: outcomes.filter((o) => o.decision === 'go').length,
      noGoCount: outcomes.filter((o) => o.decision === 'no_go').length,
      pendingPastDue,
    };
  }

  private lines(asOf: string): SelectQueryBuilder<ObjectLiteral> {
    return this.recorded(asOf).select(LINE_COLUMNS);
  }

  private withDaysOverdue(lines: DashboardLine[], asOf: string): OverdueLine[] {
    return lines.map((line) => ({ ...line, daysOverdue: daysBetween(line.dueDate, asOf) }));
  }

  private async overdue(asOf: string): Promise<OverdueLine[]> {
    const lines = await this.lines(asOf)
      .where(OVERDUE_SQL)
      .orderBy('m.due_date', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .getRawMany<DashboardLine>();
    return this.withDaysOverdue(lines, asOf);
  }

  /** Open (not complete as of asOf, not waived) milestones due from asOf to asOf + 90 days. */
  private async dueSoon(asOf: string): Promise<DueBand[]> {
    const bands = BANDS.map((band) => ({
      label: band.label,
      from: addDays(asOf, band.first),
      to: addDays(asOf, band.last),
      lines: [] as DashboardLine[],
    }));
    const rows = await this.lines(asOf)
      .addSelect(
        `CASE WHEN m.due_date <= :to30 THEN 0 WHEN m.due_date <= :to60 THEN 1 ELSE 2 END`,
        'band',
      )
      .where('m.due_date >= :asOf AND m.due_date <= :to90', { to90: bands[2].to })
      .andWhere(`NOT ${COMPLETE_AS_OF_SQL} AND m.status <> 'waived'`)
      .setParameters({ to30: bands[0].to, to60: bands[1].to })
      .orderBy('m.due_date', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .getRawMany<DashboardLine & { band: number | string }>();
    for (const { band, ...line } of rows) bands[Number(band)].lines.push(line);
    return bands;
  }

  /** Of the milestones due on or before asOf and not waived: how many were complete by asOf. */
  private async completionRates(asOf: string): Promise<CompletionLine[]> {
    const rows = await this.recorded(asOf)
      .select([
        'g.id AS "grantId"',
        'g.award_number AS "awardNumber"',
        'g.title AS "title"',
        'COUNT(*) AS "due"',
        `SUM(CASE WHEN ${COMPLETE_AS_OF_SQL} THEN 1 ELSE 0 END) AS "complete"`,
        `SUM(CASE WHEN ${COMPLETE_AS_OF_SQL} AND m.completed_on <= m.due_date THEN 1 ELSE 0 END) AS "onTime"`,
      ])
      .where(`m.due_date <= :asOf AND m.status <> 'waived'`, { asOf })
      .groupBy('g.id')
      .addGroupBy('g.award_number')
      .addGroupBy('g.title')
      .orderBy('g.award_number', 'ASC')
      .getRawMany<
        Record<'grantId' | 'due' | 'complete' | 'onTime', number | string> & {
          awardNumber: string;
          title: string;
        }
      >();
    return rows.map((row) => {
      const due = Number(row.due);
      const complete = Number(row.complete);
      const onTime = Number(row.onTime);
      return {
        grantId: Number(row.grantId),
        awardNumber: row.awardNumber,
        title: row.title,
        due,
        complete,
        onTime,
        late: complete - onTime,
        percent: tenths(Math.round((complete * 1000) / due)),
      };
    });
  }

  private outcomes(asOf: string): Promise<OutcomeLine[]> {
    return this.lines(asOf)
      .addSelect([
        'm.decision AS "decision"',
        'm.decided_on AS "decidedOn"',
        'm.decided_by AS "decidedBy"',
        'm.rationale AS "rationale"',
      ])
      .where(`m.kind = 'go_no_go' AND m.decision IN ('go', 'no_go') AND m.decided_on <= :asOf`)
      .orderBy('m.decided_on', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .getRawMany<OutcomeLine>();
  }

  /** Undecided as of asOf: still pending, or decided only after asOf. */
  private async pendingPastDue(asOf: string): Promise<OverdueLine[]> {
    const lines = await this.lines(asOf)
      .where(`m.kind = 'go_no_go' AND m.due_date < :asOf`)
      .andWhere(`(m.decision = 'pending' OR m.decided_on > :asOf)`)
      .orderBy('m.due_date', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .getRawMany<DashboardLine>();
    return this.withDaysOverdue(lines, asOf);
  }
}

/** 1234 tenths of a percent → `123.4`, without floating-point formatting. */
const tenths = (value: number): string => `${Math.floor(value / 10)}.${value % 10}`;
