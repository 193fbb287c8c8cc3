import { formatDate } from '../common/dates';
import type { ReconciliationReport } from './reconciliation.service';

/** Where the page lives (`''`, `.csv`, `.manifest.json`) for the same asOf, optionally with a BOM. */
export function reconciliationPath(asOf: string, suffix = '', bom = false): string {
  const query = new URLSearchParams({ asOf });
  if (bom) query.set('bom', '1');
  return `/reports/reconciliation${suffix}?${query.toString()}`;
}

/** What views/reports/reconciliation.hbs shows. */
export function reconciliationPage(report: ReconciliationReport) {
  const { result } = report;
  return {
    pageTitle: `Reconciliation as of ${report.asOf}`,
    report,
    asOfLabel: formatDate(report.asOf),
    reconciled: result.reconciled,
    differenceCount: result.differences.length,
    differences: result.differences.map((d) => ({
      ...d,
      known: d.differenceCents !== null,
    })),
    rows: report.rows.map((row) => ({ ...row, isProgram: row.scope === 'program' })),
    links: {
      csv: reconciliationPath(report.asOf, '.csv'),
      csvBom: reconciliationPath(report.asOf, '.csv', true),
      manifest: reconciliationPath(report.asOf, '.manifest.json'),
      xlsx: reconciliationPath(report.asOf, '.xlsx'),
      xlsxManifest: reconciliationPath(report.asOf, '.xlsx.manifest.json'),
    },
  };
}
