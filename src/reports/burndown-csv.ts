import { csvLine, formatCell } from '../common/csv-format';
import type { CsvColumn, CsvLinePage, CsvLines, CsvReport } from '../common/csv';
import type { BurndownRow } from './burndown.rules';
import type { BurndownReport } from './burndown.service';

/**
 * `+12.3%` (as the page shows it) → `12.3`; `-0.2%` → `-0.2`. A number, so never neutralised: the
 * CSV kinds have no decimal, which is why this report writes its own lines (linePages below).
 */
export function percentNumber(text: string | null): string {
  return text === null ? '' : text.replace(/^\+/, '').replace(/%$/, '');
}

const columns: CsvColumn<BurndownRow>[] = [
  { name: 'month', kind: 'text', value: (r) => r.month },
  { name: 'obligated_to_date', kind: 'money', value: (r) => r.obligatedCents },
  { name: 'planned_month', kind: 'money', value: (r) => r.plannedCents },
  { name: 'planned_cumulative', kind: 'money', value: (r) => r.plannedCumCents },
  { name: 'actual_month', kind: 'money', value: (r) => r.actualCents },
  { name: 'actual_cumulative', kind: 'money', value: (r) => r.actualCumCents },
  { name: 'remaining', kind: 'money', value: (r) => r.remainingCents },
  { name: 'variance', kind: 'money', value: (r) => r.varianceCents },
  // Declared text for the type; written as a plain number by linePages.
  { name: 'variance_percent', kind: 'text', value: (r) => percentNumber(r.variancePercent) },
];

/**
 * The burn-down page's table as CSV, row for row and blank where the page is blank (months after
 * asOf's month; a percent of nothing planned). The months of one report are a few dozen rows already
 * computed for the page, so they are one page here; every money cell goes through formatCell.
 * File stems: `burndown` for the program, `burndown-<award number>` for a grant.
 */
export function burndownCsv(report: BurndownReport): CsvReport<BurndownRow> & CsvLines {
  const name =
    report.scope === 'grant' ? `burndown-${report.grant?.awardNumber ?? report.id}` : 'burndown';
  return {
    name,
    columns,
    // eslint-disable-next-line @typescript-eslint/require-await
    async *pages() {
      if (report.rows.length > 0) yield report.rows;
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    async *linePages(): AsyncGenerator<CsvLinePage> {
      if (report.rows.length === 0) return;
      const money = columns.filter((c) => c.kind === 'money');
      const totals = Object.fromEntries(money.map((c) => [c.name, 0]));
      let text = '';
      for (const row of report.rows) {
        text += csvLine(
          columns.map((c) =>
            c.name === 'variance_percent'
              ? percentNumber(row.variancePercent)
              : formatCell(c.kind, c.value(row)),
          ),
        );
        for (const c of money) totals[c.name] += Number(c.value(row) ?? 0);
      }
      yield { text, rows: report.rows.length, totals };
    },
  };
}
