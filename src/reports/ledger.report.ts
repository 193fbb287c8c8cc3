import { EntityManager, ObjectLiteral } from 'typeorm';
import { CostCategory, Share } from '../budgets/budget.constants';
import { CsvColumn, CsvLinePage, CsvLines, CsvReport, keysetPages } from '../common/csv';
import { sqlLine } from '../common/csv-format';
import { namedQuery } from '../technologies/named-query';
import { filterSql } from '../ledger/ledger-list.service';

export interface LedgerReportParams {
  asOf: string;
  grantId?: number;
  /** Incurred on or after. */
  from?: string;
  /** Incurred on or before. */
  to?: string;
  category?: CostCategory;
  share?: Share;
}

export interface LedgerCsvRow {
  id: number;
  awardNumber: string;
  budgetPeriod: number;
  category: string;
  incurredOn: string;
  amountCents: number;
  share: string;
  reference: string;
  memo: string;
  reversalOf: number | null;
  recordedBy: string;
  recordedAt: string;
  recordedOn: string;
}

/** The ledger CSV's columns: header name, kind, the row's value, and the SQL that holds it. */
const COLUMNS: [CsvColumn<LedgerCsvRow>, string][] = [
  [{ name: 'id', kind: 'integer', value: (r) => r.id }, 'e.id'],
  [{ name: 'award_number', kind: 'text', value: (r) => r.awardNumber }, 'g.award_number'],
  [{ name: 'budget_period', kind: 'integer', value: (r) => r.budgetPeriod }, 'e.budget_period'],
  [{ name: 'category', kind: 'text', value: (r) => r.category }, 'e.category'],
  [{ name: 'incurred_on', kind: 'date', value: (r) => r.incurredOn }, 'e.incurred_on'],
  [{ name: 'amount', kind: 'money', value: (r) => r.amountCents }, 'e.amount_cents'],
  [{ name: 'share', kind: 'text', value: (r) => r.share }, 'e.share'],
  [{ name: 'reference', kind: 'text', value: (r) => r.reference }, 'e.reference'],
  [{ name: 'memo', kind: 'text', value: (r) => r.memo }, 'e.memo'],
  [{ name: 'reversal_of', kind: 'integer', value: (r) => r.reversalOf }, 'e.reversal_of'],
  [{ name: 'recorded_by', kind: 'text', value: (r) => r.recordedBy }, 'e.recorded_by'],
  [{ name: 'recorded_at', kind: 'timestamp', value: (r) => r.recordedAt }, 'e.recorded_at'],
  [{ name: 'recorded_on', kind: 'date', value: (r) => r.recordedOn }, 'e.recorded_on'],
];

export const LEDGER_COLUMNS = COLUMNS.map(([column]) => column);

/**
 * The record as SQLite builds it, byte for byte what formatCell/csvLine build (the e2e spec checks
 * it on arbitrary rows). category and share go out as they are: CHECK constraints hold them to
 * lower-case words, which neither need quotes nor start like a formula.
 */
export const LEDGER_LINE_SQL = sqlLine(
  COLUMNS.map(([column, expr]) => [
    column.name === 'category' || column.name === 'share' ? 'enum' : column.kind,
    expr,
  ]),
);

/** ~10,000 lines (about 1.5 MB) a page: few round trips, small buffers. */
export const LEDGER_CSV_PAGE = 10_000;

const SELECT_ROW = `e.id AS "id", g.award_number AS "awardNumber", e.budget_period AS "budgetPeriod",
  e.category AS "category", e.incurred_on AS "incurredOn", e.amount_cents AS "amountCents",
  e.share AS "share", e.reference AS "reference", e.memo AS "memo", e.reversal_of AS "reversalOf",
  e.recorded_by AS "recordedBy", e.recorded_at AS "recordedAt", e.recorded_on AS "recordedOn"`;

export function ledgerWhere(params: LedgerReportParams): { where: string; values: ObjectLiteral } {
  const { where, params: values } = filterSql(params);
  return { where: where.join(' AND '), values: { asOf: params.asOf, ...values } };
}

type RawRow = Omit<LedgerCsvRow, 'id' | 'amountCents' | 'budgetPeriod' | 'reversalOf'> &
  Record<'id' | 'amountCents' | 'budgetPeriod', number | string> & {
    reversalOf: number | string | null;
  };

/**
 * The expenditure ledger as of a date (DESIGN.md §5), in id order, in keyset pages on the primary
 * key. On SQLite the download takes linePages(): the database builds each CSV line (LEDGER_LINE_SQL)
 * and joins a page into one string, which measured about twice as fast as formatting in JavaScript
 * at a million rows; other databases format the same rows in JavaScript.
 */
export function ledgerReport(
  manager: EntityManager,
  params: LedgerReportParams,
  options: { pageSize?: number; after?: number } = {},
): CsvReport<LedgerCsvRow> & CsvLines {
  const size = options.pageSize ?? LEDGER_CSV_PAGE;
  const { where, values } = ledgerWhere(params);
  const start = options.after ?? 0;
  const report: CsvReport<LedgerCsvRow> & CsvLines = {
    name: 'ledger',
    columns: LEDGER_COLUMNS,
    pages: () =>
      keysetPages<LedgerCsvRow>(async (after, limit) => {
        const raw = await namedQuery<RawRow>(
          manager,
          `SELECT ${SELECT_ROW} FROM expenditures e JOIN grants g ON g.id = e.grant_id
            WHERE ${where} AND e.id > :after ORDER BY e.id LIMIT :limit`,
          { ...values, after: after?.id ?? start, limit },
        );
        return raw.map((r) => ({
          ...r,
          id: Number(r.id),
          budgetPeriod: Number(r.budgetPeriod),
          amountCents: Number(r.amountCents),
          reversalOf: r.reversalOf === null ? null : Number(r.reversalOf),
        }));
      }, size),
  };
  if (manager.connection.options.type === 'sqlite') {
    report.linePages = () => ledgerLinePages(manager, where, { ...values }, start, size);
  }
  return report;
}

async function* ledgerLinePages(
  manager: EntityManager,
  where: string,
  values: ObjectLiteral,
  start: number,
  size: number,
): AsyncGenerator<CsvLinePage> {
  let after = start;
  for (;;) {
    // group_concat(… ORDER BY) (SQLite 3.44+) keeps the page's lines in id order in one string.
    const [page] = await namedQuery<{
      text: string | null;
      n: number;
      cents: number | string | null;
      last: number | null;
    }>(
      manager,
      `SELECT group_concat(p.line, '' ORDER BY p.id) AS "text", COUNT(*) AS "n",
              SUM(p.amount_cents) AS "cents", MAX(p.id) AS "last"
         FROM (SELECT e.id AS id, e.amount_cents AS amount_cents, ${LEDGER_LINE_SQL} AS line
                 FROM expenditures e JOIN grants g ON g.id = e.grant_id
                WHERE ${where} AND e.id > :after ORDER BY e.id LIMIT :limit) p`,
      { ...values, after, limit: size },
    );
    const rows = Number(page.n);
    if (rows > 0) {
      yield { text: page.text ?? '', rows, totals: { amount: Number(page.cents ?? 0) } };
    }
    if (rows < size || page.last === null) return;
    after = Number(page.last);
  }
}
