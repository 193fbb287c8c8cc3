import { formatDate } from '../common/dates';
import { pageLinks, toPage } from '../common/pagination';
import type { ReconciliationShow } from './dto/reconciliation-query.dto';
import type { ReconciliationReport, ReconciliationRow } from './reconciliation.service';

/** Grants in the per-grant detail per page: the summary above it covers all of them. */
export const RECONCILIATION_PAGE_SIZE = 50;
/** Differences listed in the summary; the rest are in the per-grant detail and the CSV. */
export const DIFFERENCES_SHOWN = 100;

/** Where the page lives (`''`, `.csv`, `.manifest.json`) for the same asOf, optionally with a BOM. */
export function reconciliationPath(asOf: string, suffix = '', bom = false): string {
  const query = new URLSearchParams({ asOf });
  if (bom) query.set('bom', '1');
  return `/reports/reconciliation${suffix}?${query.toString()}`;
}

export interface ReconciliationView {
  /** Every grant, or only those with a difference. */
  show?: ReconciliationShow;
  /** The page of the per-grant detail, from 1; past the last page shows the last. */
  page?: number;
}

const viewRow = (row: ReconciliationRow) => ({ ...row, isProgram: row.scope === 'program' });

/**
 * What views/reports/reconciliation.hbs shows: the verdict and the differences, every program's
 * total, and one page of the grants, those that differ first (in the CSV's order otherwise).
 */
export function reconciliationPage(report: ReconciliationReport, view: ReconciliationView = {}) {
  const { result } = report;
  const show = view.show ?? 'all';
  const grants = report.rows.filter((row) => row.scope === 'grant');
  const differing = grants.filter((row) => !row.agrees);
  const listed =
    show === 'differences' ? differing : [...differing, ...grants.filter((row) => row.agrees)];
  const pageCount = Math.max(1, Math.ceil(listed.length / RECONCILIATION_PAGE_SIZE));
  const number = Math.min(view.page ?? 1, pageCount);
  const start = (number - 1) * RECONCILIATION_PAGE_SIZE;
  const page = toPage(
    listed.slice(start, start + RECONCILIATION_PAGE_SIZE).map(viewRow),
    listed.length,
    number,
    RECONCILIATION_PAGE_SIZE,
  );
  const keep = { asOf: report.asOf, show: show === 'all' ? undefined : show };
  return {
    pageTitle: `Reconciliation as of ${formatDate(report.asOf)}`,
    report,
    asOfLabel: formatDate(report.asOf),
    reconciled: result.reconciled,
    differenceCount: result.differences.length,
    differences: result.differences.slice(0, DIFFERENCES_SHOWN).map((d) => ({
      ...d,
      known: d.differenceCents !== null,
    })),
    differencesCut: Math.max(0, result.differences.length - DIFFERENCES_SHOWN),
    programs: report.rows.filter((row) => row.scope === 'program').map(viewRow),
    grantCount: grants.length,
    differingCount: differing.length,
    onlyDifferences: show === 'differences',
    page,
    pageSize: RECONCILIATION_PAGE_SIZE,
    multiplePages: page.pageCount > 1,
    pager: pageLinks('/reports/reconciliation', keep, page),
    links: {
      csv: reconciliationPath(report.asOf, '.csv'),
      csvBom: reconciliationPath(report.asOf, '.csv', true),
      manifest: reconciliationPath(report.asOf, '.manifest.json'),
      xlsx: reconciliationPath(report.asOf, '.xlsx'),
      xlsxManifest: reconciliationPath(report.asOf, '.xlsx.manifest.json'),
      differences: `/reports/reconciliation?${new URLSearchParams({ asOf: report.asOf, show: 'differences' }).toString()}`,
    },
  };
}
