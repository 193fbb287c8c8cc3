import { AppConfig } from '../common/config';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, ObjectLiteral, Repository } from 'typeorm';
import type { CsvColumn, CsvLinePage, CsvLines, CsvReport } from '../common/csv';
import { csvLine, formatCell } from '../common/csv-format';
import { Grant } from '../grants/grant.entity';
import { namedQuery } from '../common/database/named-query';
import { ReadCache } from '../common/database/read-cache';
import { nowIso } from '../common/database/recording-time';
import { amendmentAsOf, asOfParams, ledgerAsOf, recordedAsOf } from '../common/as-of';
import type { BurndownReport } from './burndown.service';
import { BurndownService } from './burndown.service';
import { ledgerWhere } from './ledger.report';
import { Comparison, reconcile, Reconciliation, Subject } from './reconciliation.rules';
import { amendmentsRegister, grantsRegister } from './registers.report';

/** The figures of one grant (or one program's total) side by side, as each report gives them. */
export interface ReconciliationRow extends Subject {
  scope: 'grant' | 'program';
  /** The grant's or the program's id. */
  id: number;
  /** Award number, or the program's name. */
  name: string;
  title: string;
  /**
   * False for a grant the grants register does not hold as of the date although money is recorded
   * on it (ledger entries, amendments or budget lines): every such grant is a difference.
   */
  registered: boolean;
  ledgerFederalCents: number | null;
  burndownActualCents: number | null;
  registerSpentCents: number | null;
  registerObligatedCents: number | null;
  amendmentsObligatedCents: number | null;
  burndownObligatedCents: number | null;
  agrees: boolean;
}

export interface ReconciliationReport {
  asOf: string;
  /** When the records were read (UTC): what was recorded after it is not in this check. */
  checkedAt: string;
  rows: ReconciliationRow[];
  /** Grants in the grants register as of the date. */
  grantCount: number;
  /** Grants with money recorded on them as of the date that the register does not hold. */
  unregisteredCount: number;
  result: Reconciliation;
}

export const SOURCES = {
  ledger: 'Ledger CSV',
  burndown: 'Burn-down',
  register: 'Grants register',
  amendments: 'Amendments register',
  entries: 'Ledger entries',
  amendmentRecords: 'Amendments',
  budgetLines: 'Budget lines',
} as const;

type Figures = Map<string, number>;

/** Every table whose rows (or their history) a figure of the reconciliation is read from. */
const RECONCILED_TABLES = [
  'programs',
  'recipients',
  'grants',
  'amendments',
  'budget_lines',
  'planned_spend',
  'expenditures',
] as const;

const reportKey = (asOf: string) => `reconciliation:${asOf}`;
const grantKey = (id: number) => `grant:${id}`;
const programKey = (id: number) => `program:${id}`;

/** What the records hold on a grant as of a date, whichever report shows it. */
type MoneyKind = 'entries' | 'amendments' | 'budgetLines';

/** For a grant the register leaves out: what is recorded on it, compared with the register's nothing. */
const UNREGISTERED_CHECKS: { kind: MoneyKind; figure: string; source: string }[] = [
  { kind: 'entries', figure: 'Spent (ledger entries)', source: SOURCES.entries },
  { kind: 'amendments', figure: 'Obligated (amendments)', source: SOURCES.amendmentRecords },
  { kind: 'budgetLines', figure: 'Budgeted (budget lines)', source: SOURCES.budgetLines },
];

interface GrantOfReport {
  id: number;
  awardNumber: string;
  title: string;
  programId: number | null;
  programName: string;
  registered: boolean;
}

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
 * Checks that the reports agree to the cent for an asOf (issue 6): the ledger CSV's federal total,
 * the burn-down's actual cumulative and the grants register's federal_spent, per grant and per
 * program; the register's obligations against the burn-down's obligated to date and the amendments
 * register's sum. Each figure is taken from its own report's query, so a report that drifts shows up
 * as a listed difference. And (issue 14) every grant with money recorded on it as of asOf — ledger
 * entries, amendments, budget lines — must be in the grants register as of asOf: one that is not is
 * listed by award number with what is recorded on it, so no report can leave out money unnoticed.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    @InjectRepository(Grant) private readonly grants: Repository<Grant>,
    private readonly burndown: BurndownService,
    private readonly config: AppConfig,
    private readonly cache: ReadCache,
  ) {}

  private get manager(): EntityManager {
    return this.grants.manager;
  }

  /**
   * The reconciliation as of a date. It reads the whole ledger several times (once per report it
   * checks), so it is kept until a write to a table it reads: turning its pages, downloading its
   * CSV or coming back costs nothing then.
   */
  report(asOf: string): Promise<ReconciliationReport> {
    return this.cache.get(RECONCILED_TABLES, reportKey(asOf), () => this.check(asOf));
  }

  /** Whether the reconciliation as of `asOf` is kept and no write has ended since it was made. */
  isKept(asOf: string): boolean {
    return this.cache.holds(RECONCILED_TABLES, reportKey(asOf));
  }

  /**
   * The write generations of the tables the reconciliation reads: it changes when a write to any
   * of them ends. Null where nothing is kept in memory (PostgreSQL: see ReadCache).
   */
  recordsStamp(): string | null {
    return this.cache.stamp(RECONCILED_TABLES);
  }

  private async check(asOf: string): Promise<ReconciliationReport> {
    const checkedAt = nowIso();
    const params = asOfParams(asOf, this.config.APP_TIME_ZONE);
    const registered = await this.registeredGrants(params);
    const money = await this.moneyOnUnregisteredGrants(params);
    const unregistered = await this.unregisteredGrants([...money.keys()]);
    const grants = [...registered, ...unregistered];

    // Each report's figures by its own queries, started together: while SQLite runs one, the rows
    // of another are turned into figures. Every burn-down comes from one batch, built by the same
    // code as each burn-down page.
    const [ledger, register, amendments, burndowns] = await Promise.all([
      this.ledgerTotals(asOf, grants),
      this.registerFigures(asOf),
      this.amendmentTotals(asOf),
      this.burndown.allReports(asOf),
    ]);
    const burnActual: Figures = new Map();
    const burnObligated: Figures = new Map();
    const note = (key: string, report: BurndownReport) => {
      const toDate = burndownToDate(report);
      burnActual.set(key, toDate.actual);
      burnObligated.set(key, toDate.obligated);
    };

    const rows: ReconciliationRow[] = [];
    // Subjects of the ordinary checks: registered grants and program totals.
    const checked = new Set<string>();
    const programIds = [...new Set(grants.map((g) => g.programId))];
    for (const programId of programIds) {
      const ofProgram = grants.filter((g) => g.programId === programId);
      const inRegister = ofProgram.filter((g) => g.registered);
      for (const g of ofProgram) {
        const key = grantKey(g.id);
        if (g.registered) {
          const burndown = burndowns.grants.get(g.id);
          if (burndown) note(key, burndown);
          checked.add(key);
        }
        rows.push(this.row('grant', g.id, key, g.awardNumber, g.title, g.registered));
      }
      if (programId === null) continue;
      const key = programKey(programId);
      // A program recorded after asOf has no burn-down for that date: its figures stay missing and
      // the money on its grants is reported as unregistered, never a 404 for the whole report.
      const programBurn = burndowns.programs.get(programId);
      if (programBurn) note(key, programBurn);
      checked.add(key);
      // The registers' program totals are the sums of their columns over the program's grants.
      for (const figure of [register.spent, register.obligated, amendments]) {
        const values = inRegister.map((g) => figure.get(grantKey(g.id)) ?? 0);
        figure.set(
          key,
          values.reduce((sum, v) => sum + v, 0),
        );
      }
      const name = ofProgram[0].programName;
      rows.push(
        this.row(
          'program',
          programId,
          key,
          name,
          `Program total, ${inRegister.length} grants`,
          true,
        ),
      );
    }
    // A registered grant with no amendments has obligated nothing in the amendments register.
    for (const g of registered) {
      const key = grantKey(g.id);
      if (!amendments.has(key)) amendments.set(key, 0);
    }

    const comparisons: Comparison[] = [
      {
        figure: 'Federal spent',
        left: { source: SOURCES.ledger, values: ledger },
        right: { source: SOURCES.burndown, values: burnActual },
        subjects: checked,
      },
      {
        figure: 'Federal spent',
        left: { source: SOURCES.ledger, values: ledger },
        right: { source: SOURCES.register, values: register.spent },
        subjects: checked,
      },
      {
        figure: 'Obligated',
        left: { source: SOURCES.register, values: register.obligated },
        right: { source: SOURCES.burndown, values: burnObligated },
        subjects: checked,
      },
      {
        figure: 'Obligated',
        left: { source: SOURCES.amendments, values: amendments },
        right: { source: SOURCES.register, values: register.obligated },
        subjects: checked,
      },
      // Money on a grant the register does not hold: the register has no value, so each differs.
      ...UNREGISTERED_CHECKS.map(({ kind, figure, source }) => {
        const values: Figures = new Map();
        for (const [grantId, kinds] of money) {
          const cents = kinds.get(kind);
          if (cents !== undefined) values.set(grantKey(grantId), cents);
        }
        return {
          figure,
          left: { source, values },
          // By definition the register holds nothing for it (recordedAsOf('grants')).
          right: { source: SOURCES.register, values: new Map<string, number>() },
          subjects: new Set(values.keys()),
        };
      }),
    ];
    const result = reconcile(rows, comparisons);
    const differing = new Set(result.differences.map((d) => d.subject.key));
    return {
      asOf,
      checkedAt,
      grantCount: registered.length,
      unregisteredCount: unregistered.length,
      result,
      rows: rows.map((row) => ({
        ...row,
        ledgerFederalCents: ledger.get(row.key) ?? null,
        burndownActualCents: burnActual.get(row.key) ?? null,
        registerSpentCents: register.spent.get(row.key) ?? null,
        registerObligatedCents: register.obligated.get(row.key) ?? null,
        amendmentsObligatedCents: row.registered ? (amendments.get(row.key) ?? null) : null,
        burndownObligatedCents: burnObligated.get(row.key) ?? null,
        agrees: !differing.has(row.key),
      })),
    };
  }

  /** Grants in the grants register as of the date (recorded by its end), by program, award number. */
  private async registeredGrants(params: ObjectLiteral): Promise<GrantOfReport[]> {
    const found = await namedQuery<{
      id: number | string;
      awardNumber: string;
      title: string;
      programId: number | string;
      programName: string | null;
    }>(
      this.manager,
      `SELECT g.id AS "id", g.award_number AS "awardNumber", g.title AS "title",
              g.program_id AS "programId", COALESCE(p.name, pn.name) AS "programName"
         FROM ${recordedAsOf('grants')} g
         LEFT JOIN ${recordedAsOf('programs')} p ON p.id = g.program_id
         LEFT JOIN programs pn ON pn.id = g.program_id
        ORDER BY g.program_id, g.award_number, g.id`,
      params,
    );
    return found.map((g) => ({
      id: Number(g.id),
      awardNumber: g.awardNumber,
      title: g.title,
      programId: Number(g.programId),
      programName: g.programName ?? `Program ${g.programId}`,
      registered: true,
    }));
  }

  /**
   * Money recorded as of the date on grants the register does not hold then, per grant and kind:
   * ledger entries (every share, as the ledger records them), amendments (as reports count them) and
   * budget lines (as recorded by then). Read from the records, not from the reports that list them,
   * so a report that leaves such a grant out cannot hide its money from this check.
   */
  private async moneyOnUnregisteredGrants(
    params: ObjectLiteral,
  ): Promise<Map<number, Map<MoneyKind, number>>> {
    const unregistered = (column: string) =>
      `${column} NOT IN (SELECT r.id FROM ${recordedAsOf('grants')} r)`;
    // The ledger through its grant_id index, grant by grant: an entry's grant is always in grants
    // (a foreign key SQLite enforces, and a grant with entries cannot be deleted), so the grants
    // that table holds and the register does not are every grant an entry can be on.
    const unregisteredEntries = `e.grant_id IN (SELECT g.id FROM grants g WHERE ${unregistered('g.id')})`;
    const sums = await namedQuery<{
      grantId: number | string;
      kind: MoneyKind;
      cents: number | string;
    }>(
      this.manager,
      `SELECT e.grant_id AS "grantId", 'entries' AS "kind", SUM(e.amount_cents) AS "cents"
         FROM expenditures e WHERE ${unregisteredEntries} AND ${ledgerAsOf('e')}
        GROUP BY e.grant_id
       UNION ALL
       SELECT a.grant_id, 'amendments', SUM(a.federal_change_cents)
         FROM amendments a WHERE ${amendmentAsOf('a')} AND ${unregistered('a.grant_id')}
        GROUP BY a.grant_id
       UNION ALL
       SELECT b.grant_id, 'budgetLines', SUM(b.federal_cents + b.cost_share_cents)
         FROM ${recordedAsOf('budget_lines')} b WHERE ${unregistered('b.grant_id')}
        GROUP BY b.grant_id`,
      params,
    );
    const money = new Map<number, Map<MoneyKind, number>>();
    for (const s of sums) {
      const id = Number(s.grantId);
      if (!money.has(id)) money.set(id, new Map());
      money.get(id)!.set(s.kind, Number(s.cents));
    }
    return money;
  }

  /** The grants named by money the register leaves out, as their records name them now. */
  private async unregisteredGrants(ids: number[]): Promise<GrantOfReport[]> {
    if (ids.length === 0) return [];
    const found = await namedQuery<{
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
        WHERE g.id IN (:...ids)`,
      { ids },
    );
    const byId = new Map(found.map((g) => [Number(g.id), g]));
    return ids
      .sort((a, b) => a - b)
      .map((id) => {
        const g = byId.get(id);
        return {
          id,
          awardNumber: g?.awardNumber ?? `Grant #${id}`,
          title: g?.title ?? '',
          programId: g ? Number(g.programId) : null,
          programName: g?.programName ?? '',
          registered: false,
        };
      });
  }

  private row(
    scope: 'grant' | 'program',
    id: number,
    key: string,
    name: string,
    title: string,
    registered: boolean,
  ): ReconciliationRow {
    return {
      scope,
      id,
      key,
      label:
        scope === 'program'
          ? `${name} (program total)`
          : registered
            ? name
            : `${name} (grant #${id}, not in the grants register)`,
      name,
      title,
      registered,
      ledgerFederalCents: null,
      burndownActualCents: null,
      registerSpentCents: null,
      registerObligatedCents: null,
      amendmentsObligatedCents: null,
      burndownObligatedCents: null,
      agrees: true,
    };
  }

  /**
   * The ledger CSV's federal total per grant and per program: its own WHERE clause (ledgerWhere, the
   * download's filter with share=federal) and its join, summed in the database.
   */
  private async ledgerTotals(asOf: string, grants: GrantOfReport[]): Promise<Figures> {
    const { where, values } = ledgerWhere({ asOf, share: 'federal' });
    // The download joins each entry to its grant (for the award number); a foreign key keeps every
    // entry's grant in grants, so the join drops none, and is left to the 2,000 grants below
    // rather than made for each of a million entries.
    const [sums, programOf] = await Promise.all([
      namedQuery<{ grantId: number | string; cents: number | string }>(
        this.manager,
        `SELECT e.grant_id AS "grantId", SUM(e.amount_cents) AS "cents"
           FROM expenditures e
          WHERE ${where}
          GROUP BY e.grant_id`,
        values,
      ),
      namedQuery<{ id: number | string; programId: number | string }>(
        this.manager,
        'SELECT g.id AS "id", g.program_id AS "programId" FROM grants g',
      ),
    ]);
    const programs = new Map(programOf.map((g) => [Number(g.id), Number(g.programId)]));
    const figures: Figures = new Map();
    // A grant or program with no entries has a total of zero in the CSV (no rows).
    for (const g of grants) {
      figures.set(grantKey(g.id), 0);
      if (g.programId !== null) figures.set(programKey(g.programId), 0);
    }
    // A program's total: its grants' totals added up, by their program in grants as the
    // download's join reads it.
    for (const s of sums) {
      const cents = Number(s.cents);
      const grantId = Number(s.grantId);
      figures.set(grantKey(grantId), cents);
      const program = programKey(programs.get(grantId)!);
      figures.set(program, (figures.get(program) ?? 0) + cents);
    }
    return figures;
  }

  /** The amendments register's federal_change summed per grant, read through the register itself. */
  private async amendmentTotals(asOf: string): Promise<Figures> {
    const totals: Figures = new Map();
    for await (const page of amendmentsRegister(
      this.manager,
      asOf,
      this.config.APP_TIME_ZONE,
    ).pages()) {
      for (const row of page) {
        const key = grantKey(row.grantId);
        totals.set(key, (totals.get(key) ?? 0) + row.federalChangeCents);
      }
    }
    return totals;
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
  { name: 'in_grants_register', kind: 'text', value: (r) => (r.registered ? 'yes' : 'no') },
  { name: 'ledger_federal_spent', kind: 'money', value: (r) => r.ledgerFederalCents },
  { name: 'burndown_actual_cumulative', kind: 'money', value: (r) => r.burndownActualCents },
  { name: 'register_federal_spent', kind: 'money', value: (r) => r.registerSpentCents },
  { name: 'register_obligated', kind: 'money', value: (r) => r.registerObligatedCents },
  { name: 'amendments_obligated', kind: 'money', value: (r) => r.amendmentsObligatedCents },
  { name: 'burndown_obligated_to_date', kind: 'money', value: (r) => r.burndownObligatedCents },
  { name: 'agrees', kind: 'text', value: (r) => (r.agrees ? 'yes' : 'no') },
];

/**
 * The side-by-side table as CSV (already computed: one row per grant and program, one page). A
 * program's row repeats its grants' amounts, so the manifest's control totals are the sums over the
 * grant rows only: each amount counted once, equal to the sum of the program rows' ledger totals.
 */
export function reconciliationCsv(report: ReconciliationReport): CsvReport<CsvRow> & CsvLines {
  const rows = report.rows;
  const money = RECONCILIATION_COLUMNS.filter((c) => c.kind === 'money');
  const countsInTotals = (row: CsvRow) => row.scope === 'grant';
  return {
    name: 'reconciliation',
    columns: RECONCILIATION_COLUMNS,
    countsInTotals,
    // eslint-disable-next-line @typescript-eslint/require-await
    pages: async function* () {
      if (rows.length > 0) yield rows;
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    linePages: async function* (): AsyncGenerator<CsvLinePage> {
      if (rows.length === 0) return;
      const totals = Object.fromEntries(money.map((c) => [c.name, 0]));
      let text = '';
      for (const row of rows) {
        text += csvLine(RECONCILIATION_COLUMNS.map((c) => formatCell(c.kind, c.value(row))));
        if (!countsInTotals(row)) continue;
        for (const column of money) totals[column.name] += Number(column.value(row) ?? 0);
      }
      yield { text, rows: rows.length, totals };
    },
  };
}
