import { formatDate } from '../common/dates';
import type { Sf425Report } from './sf425.service';
import { FINAL_DUE_DAYS, QUARTERLY_DUE_DAYS } from './sf425.rules';

/** Where the report lives (`''`, `.csv`, `.manifest.json`) for the same asOf, optionally with a BOM. */
export function sf425Path(report: Sf425Report, suffix = '', bom = false): string {
  const query = new URLSearchParams({ asOf: report.asOf });
  if (bom) query.set('bom', '1');
  return `/grants/${report.grant.id}/sf425${suffix}?${query.toString()}`;
}

/** What views/reports/sf425.hbs shows. */
export function sf425Page(report: Sf425Report) {
  return {
    pageTitle: `SF-425 — ${report.grant.awardNumber} as of ${formatDate(report.asOf)}`,
    report,
    asOfLabel: formatDate(report.asOf),
    startLabel: formatDate(report.grant.startDate),
    endLabel: formatDate(report.grant.endDate),
    rows: report.rows.map((row) => ({
      ...row,
      periodEndLabel: formatDate(row.periodEnd),
      dueLabel: formatDate(row.dueDate),
      overdue: row.dueDate < report.asOf,
    })),
    links: {
      csv: sf425Path(report, '.csv'),
      csvBom: sf425Path(report, '.csv', true),
      manifest: sf425Path(report, '.manifest.json'),
      xlsx: sf425Path(report, '.xlsx'),
      xlsxManifest: sf425Path(report, '.xlsx.manifest.json'),
    },
    quarterlyDueDays: QUARTERLY_DUE_DAYS,
    finalDueDays: FINAL_DUE_DAYS,
  };
}
