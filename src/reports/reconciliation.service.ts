import { AppConfig } from '../common/config';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { CsvColumn, CsvReport } from '../common/csv';
import { Grant } from '../grants/grant.entity';
import { namedQuery } from '../common/database/named-query';
import { asOfParams, createdAsOf } from '../common/as-of';
import type { BurndownReport } from './burndown.service';
import { BurndownService } from './burndown.service';
import { ledgerWhere } from './ledger.report';
import { Comparison, reconcile, Reconciliation, Subject } from './reconciliation.rules';
import { grantsRegister } from './registers.report';

/** The figures of one grant (or one program's total) side by side, as each report gives them. */
export interface ReconciliationRow extends Subject {
  scope: 'grant' | 'program';
  /** The grant's or the program's id. */
  id: number;
  /** Award number, or the program's name. */
  name: string;
  title: string;
  ledgerFederalCents: number | null;
  burndownActualCents: number | null;
  registerSpentCents: number | null;
  registerObligatedCents: number | null;
  burndownObligatedCents: number | null;
  agrees: boolean;
}

export interface ReconciliationReport {
  asOf: string;
  rows: ReconciliationRow[];
  grantCount: number;
  result: Reconciliation;
}

export const SOURCES = {
  ledger: 'Ledger CSV',
  burndown: 'Burn-down',
  register: 'Grants register',
} as const;

type Figures = Map<string, number>;

const grantKey = (id: number) => `grant:${id}`;
const programKey = (id: number) => `program:${id}`;

/**
 * The burn-down table's figures at asOf: the row of asOf's month (the last month once the period is
 * over, the first before it starts). "Actual, cumulative" and "Obligated to date" as the page shows
 * them, not re-derived: a difference here means the table disagrees with the ledger.
 */
function burndownToDate(report: BurndownReport): { actual: number; obligated: number } {
  const known = report.rows.filter((row) => row.actualCumCents !== null);
  const row = known[known.length - 1];
  return {
    actual: row?.actualCumCents ?? 0,
    obligated: (row ?? report.rows[0])?.obligatedCents ?? 0,
  };
}

/**
 * Checks that three reports agree to the cent for an asOf (issue 6): the ledger CSV's federal total,
 * the burn-down's actual cumulative and the grants register's federal_spent, per grant and per
 * program; and the register's obligations against the burn-down's obligated to date. Each figure is
 * taken from its own report's query, so a report that drifts shows up as a listed difference.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    private readonly burndown: BurndownService,
    private readonly config: AppConfig,
  ) {}

  private get manager(): EntityManager {
    return this.grants.manager;
  }

  async report(asOf: string): Promise<ReconciliationReport> {
    // Grants that existed on asOf (the register's rule), by program, then award number.
    const grants = await namedQuery<{
      id: number | string;
      awardNumber: string;
      title: string;
      programId: number | string;
      programName: string;
    }>(
      this.manager,
      `SELECT g.id AS "id", g.award_number AS "awardNumber", g.title AS "title",
              g.program_id AS "programId", p.name AS "programName"
         FROM grants g JOIN programs p ON p.id = g.program_id
        WHERE ${createdAsOf('g')}
        ORDER BY p.id, g.award_number, g.id`,
      asOfParams(asOf, this.config.APP_TIME_ZONE),
    );

    const ledger = await this.ledgerTotals(asOf);
    const register = await this.registerFigures(asOf);
    const burnActual: Figures = new Map();
    const burnObligated: Figures = new Map();
    const note = (key: string, report: BurndownReport) => {
      const toDate = burndownToDate(report);
      burnActual.set(key, toDate.actual);
      burnObligated.set(key, toDate.obligated);
    };

    const rows: ReconciliationRow[] = [];
    const programIds = [...new Set(grants.map((g) => Number(g.programId)))];
    for (const programId of programIds) {
      const ofProgram = grants.filter((g) => Number(g.programId) === programId);
      for (const g of ofProgram) {
        const key = grantKey(Number(g.id));
        note(key, await this.burndown.grantReport(Number(g.id), asOf));
        rows.push(this.row('grant', Number(g.id), key, g.awardNumber, g.title));
      }
      const key = programKey(programId);
      note(key, await this.burndown.programReport(programId, asOf));
      // The register's program total is the sum of its column over the program's grants.
      for (const figure of [register.spent, register.obligated]) {
        const values = ofProgram.map((g) => figure.get(grantKey(Number(g.id))));
        if (values.every((v) => v !== undefined)) {
          figure.set(
            key,
            values.reduce<number>((sum, v) => sum + (v ?? 0), 0),
          );
        }
      }
      const name = ofProgram[0].programName;
      rows.push(
        this.row('program', programId, key, name, `Program total, ${ofProgram.length} grants`),
      );
    }

    const comparisons: Comparison[] = [
      {
        figure: 'Federal spent',
        left: { source: SOURCES.ledger, values: ledger },
        right: { source: SOURCES.burndown, values: burnActual },
      },
      {
        figure: 'Federal spent',
        left: { source: SOURCES.ledger, values: ledger },
        right: { source: SOURCES.register, values: register.spent },
      },
      {
        figure: 'Obligated',
        left: { source: SOURCES.register, values: register.obligated },
        right: { source: SOURCES.burndown, values: burnObligated },
      },
    ];
    const result = reconcile(rows, comparisons);
    const differing = new Set(result.differences.map((d) => d.subject.key));
    return {
      asOf,
      grantCount: grants.length,
      result,
      rows: rows.map((row) => ({
        ...row,
        ledgerFederalCents: ledger.get(row.key) ?? null,
        burndownActualCents: burnActual.get(row.key) ?? null,
        registerSpentCents: register.spent.get(row.key) ?? null,
        registerObligatedCents: register.obligated.get(row.key) ?? null,
        burndownObligatedCents: burnObligated.get(row.key) ?? null,
        agrees: !differing.has(row.key),
      })),
    };
  }

  private row(
    scope: 'grant' | 'program',
    id: number,
    key: string,
    name: string,
    title: string,
  ): ReconciliationRow {
    return {
      scope,
      id,
      key,
      label: scope === 'grant' ? name : `${name} (program total)`,
      name,
      title,
      ledgerFederalCents: null,
      burndownActualCents: null,
      registerSpentCents: null,
      registerObligatedCents: null,
      burndownObligatedCents: null,
      agrees: true,
    };
  }

  /**
   * The ledger CSV's federal total per grant and per program: its own WHERE clause (ledgerWhere, the
   * download's filter with share=federal) and its join, summed in the database.
   */
  private async ledgerTotals(asOf: string): Promise<Figures> {
    const { where, values } = ledgerWhere({ asOf, share: 'federal' });
    const sums = await namedQuery<{
      grantId: number | string;
      programId: number | string;
      cents: number | string;
    }>(
      this.manager,
      `SELECT e.grant_id AS "grantId", g.program_id AS "programId", SUM(e.amount_cents) AS "cents"
         FROM expenditures e JOIN grants g ON g.id = e.grant_id
        WHERE ${where}
        GROUP BY e.grant_id, g.program_id`,
      values,
    );
    const programs = await namedQuery<{ programId: number | string; cents: number | string }>(
      this.manager,
      `SELECT g.program_id AS "programId", SUM(e.amount_cents) AS "cents"
         FROM expenditures e JOIN grants g ON g.id = e.grant_id
        WHERE ${where}
        GROUP BY g.program_id`,
      values,
    );
    const figures: Figures = new Map();
    // A grant or program with no entries has a total of zero in the CSV (no rows).
    const all = await namedQuery<{ id: number | string; programId: number | string }>(
      this.manager,
      'SELECT g.id AS "id", g.program_id AS "programId" FROM grants g',
    );
    for (const g of all) {
      figures.set(grantKey(Number(g.id)), 0);
      figures.set(programKey(Number(g.programId)), 0);
    }
    for (const s of sums) figures.set(grantKey(Number(s.grantId)), Number(s.cents));
    for (const s of programs) figures.set(programKey(Number(s.programId)), Number(s.cents));
    return figures;
  }

  /** The grants register's obligated and federal_spent columns, read through the register itself. */
  private async registerFigures(asOf: string): Promise<{ spent: Figures; obligated: Figures }> {
    const spent: Figures = new Map();
    const obligated: Figures = new Map();
    for await (const page of grantsRegister(
      this.manager,
      asOf,
      this.config.APP_TIME_ZONE,
    ).pages()) {
      for (const row of page) {
        spent.set(grantKey(row.id), row.federalSpentCents);
        obligated.set(grantKey(row.id), row.obligatedCents);
      }
    }
    return { spent, obligated };
  }
}

type CsvRow = ReconciliationRow;

const RECONCILIATION_COLUMNS: CsvColumn<CsvRow>[] = [
  { name: 'scope', kind: 'text', value: (r) => r.scope },
  { name: 'award_number_or_program', kind: 'text', value: (r) => r.name },
  { name: 'ledger_federal_spent', kind: 'money', value: (r) => r.ledgerFederalCents },
  { name: 'burndown_actual_cumulative', kind: 'money', value: (r) => r.burndownActualCents },
  { name: 'register_federal_spent', kind: 'money', value: (r) => r.registerSpentCents },
  { name: 'register_obligated', kind: 'money', value: (r) => r.registerObligatedCents },
  { name: 'burndown_obligated_to_date', kind: 'money', value: (r) => r.burndownObligatedCents },
  { name: 'agrees', kind: 'text', value: (r) => (r.agrees ? 'yes' : 'no') },
];

/** The side-by-side table as CSV (already computed: one row per grant and program, one page). */
export function reconciliationCsv(report: ReconciliationReport): CsvReport<CsvRow> {
  const rows = report.rows;
  return {
    name: 'reconciliation',
    columns: RECONCILIATION_COLUMNS,
    // eslint-disable-next-line @typescript-eslint/require-await
    pages: async function* () {
      if (rows.length > 0) yield rows;
    },
  };
}
