import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AppConfig } from '../common/config';
import type { CsvColumn, CsvReport } from '../common/csv';
import { Grant } from '../grants/grant.entity';
import { Program } from '../programs/program.entity';
import { namedQuery } from '../common/database/named-query';
import { amendmentAsOf, asOfParams, ledgerAsOf } from '../common/as-of';
import { recordedGrantOr404, recordedProgram } from './recorded-grant';
import { reportingPeriods, sf425Rows, Sf425Row, Sf425Sums } from './sf425.rules';

export interface Sf425Report {
  grant: Pick<
    Grant,
    'id' | 'awardNumber' | 'title' | 'startDate' | 'endDate' | 'costShareCommittedCents'
  >;
  program: Pick<Program, 'id' | 'name' | 'costSharePercent'>;
  asOf: string;
  rows: Sf425Row[];
}

/**
 * `2025-Q3` for a `YYYY-MM-DD` column, in SQL that SQLite and PostgreSQL both run; the same key as
 * quarterKey() in sf425.rules.ts.
 */
export const quarterKeySql = (column: string) =>
  `substr(${column}, 1, 4) || '-Q' || CAST((CAST(substr(${column}, 6, 2) AS INTEGER) + 2) / 3 AS VARCHAR(1))`;

/** Amendments that count for asOf, by quarter of effect; none after the end date (E never is). */
const AUTHORIZED_SQL = `
  SELECT ${quarterKeySql('a.effective_date')} AS "quarter", SUM(a.federal_change_cents) AS "cents"
    FROM amendments a
   WHERE a.grant_id = :grantId AND ${amendmentAsOf('a')} AND a.effective_date <= :endDate
   GROUP BY ${quarterKeySql('a.effective_date')}`;

/** Ledger entries that count for asOf (incurred and recorded by then), by quarter incurred and share. */
const EXPENDITURES_SQL = `
  SELECT ${quarterKeySql('e.incurred_on')} AS "quarter", e.share AS "share",
         SUM(e.amount_cents) AS "cents"
    FROM expenditures e
   WHERE e.grant_id = :grantId AND ${ledgerAsOf('e')} AND e.incurred_on <= :endDate
   GROUP BY ${quarterKeySql('e.incurred_on')}, e.share`;

type QuarterSum = { quarter: string; cents: number | string | null };

/**
 * The SF-425 (Federal Financial Report) of a grant as of a date: one row per reporting period, lines
 * 10d–10k. Two grouped queries per grant (amendments by quarter; the ledger by quarter and share),
 * then running totals and the identities in sf425.rules.ts.
 *
 * Everything is as the records stood at the end of asOf (DESIGN.md §4): 10d counts the amendments
 * recorded by then; 10i/10k use the grant's committed cost share and the program's required percent
 * of that day; the end date (and so which quarter is the final report) is the grant's of that day.
 */
@Injectable()
export class Sf425Service {
  constructor(
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    private readonly config: AppConfig,
  ) {}

  private get manager(): EntityManager {
    return this.grants.manager;
  }

  async report(grantId: number, asOf: string): Promise<Sf425Report> {
    const zone = this.config.APP_TIME_ZONE;
    const grant = await recordedGrantOr404(this.manager, grantId, asOf, zone);
    const program = await recordedProgram(this.manager, grant.programId, asOf, zone);
    if (!program) throw new Error(`Grant ${grantId}'s program was not recorded on ${asOf}`);
    const params = { grantId, endDate: grant.endDate, ...asOfParams(asOf, zone) };
    const [authorized, expenditures] = await Promise.all([
      namedQuery<QuarterSum>(this.manager, AUTHORIZED_SQL, params),
      namedQuery<QuarterSum & { share: string }>(this.manager, EXPENDITURES_SQL, params),
    ]);
    const byQuarter = (rows: QuarterSum[]) =>
      new Map(rows.map((r) => [r.quarter, Number(r.cents ?? 0)] as [string, number]));
    const sums: Sf425Sums = {
      authorized: byQuarter(authorized),
      federal: byQuarter(expenditures.filter((r) => r.share === 'federal')),
      recipient: byQuarter(expenditures.filter((r) => r.share === 'cost_share')),
    };
    return {
      grant: {
        id: grant.id,
        awardNumber: grant.awardNumber,
        title: grant.title,
        startDate: grant.startDate,
        endDate: grant.endDate,
        costShareCommittedCents: grant.costShareCommittedCents,
      },
      program: { id: program.id, name: program.name, costSharePercent: program.costSharePercent },
      asOf,
      rows: sf425Rows(reportingPeriods(grant, asOf), sums, {
        requiredPercent: program.costSharePercent,
        costShareCommittedCents: grant.costShareCommittedCents,
      }),
    };
  }
}

const SF425_COLUMNS: CsvColumn<Sf425Row & { awardNumber: string }>[] = [
  { name: 'award_number', kind: 'text', value: (r) => r.awardNumber },
  { name: 'quarter', kind: 'text', value: (r) => r.quarter },
  { name: 'report', kind: 'text', value: (r) => (r.final ? 'final' : 'quarterly') },
  { name: 'quarter_start', kind: 'date', value: (r) => r.quarterStart },
  { name: 'quarter_end', kind: 'date', value: (r) => r.quarterEnd },
  { name: 'period_end', kind: 'date', value: (r) => r.periodEnd },
  { name: 'partial', kind: 'text', value: (r) => (r.partial ? 'yes' : 'no') },
  { name: 'due_date', kind: 'date', value: (r) => r.dueDate },
  { name: 'federal_authorized_10d', kind: 'money', value: (r) => r.line10d },
  { name: 'federal_expenditures_10e', kind: 'money', value: (r) => r.line10e },
  { name: 'federal_unliquidated_10f', kind: 'money', value: (r) => r.line10f },
  { name: 'federal_share_10g', kind: 'money', value: (r) => r.line10g },
  { name: 'unobligated_balance_10h', kind: 'money', value: (r) => r.line10h },
  { name: 'recipient_share_required_10i', kind: 'money', value: (r) => r.line10i },
  { name: 'recipient_expenditures_10j', kind: 'money', value: (r) => r.line10j },
  { name: 'recipient_share_remaining_10k', kind: 'money', value: (r) => r.line10k },
];

/**
 * The report as CSV, one row per reporting period in date order. The rows are already computed (a
 * grant has a few dozen quarters at most), so they are one page.
 */
export function sf425Csv(report: Sf425Report): CsvReport<Sf425Row & { awardNumber: string }> {
  const rows = report.rows.map((row) => ({ ...row, awardNumber: report.grant.awardNumber }));
  return {
    name: `sf425-${report.grant.awardNumber}`,
    columns: SF425_COLUMNS,
    // eslint-disable-next-line @typescript-eslint/require-await
    pages: async function* () {
      if (rows.length > 0) yield rows;
    },
  };
}
