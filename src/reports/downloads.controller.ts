import { Controller, Get, Render } from '@nestjs/common';
import { COST_CATEGORIES, SHARES } from '../budgets/budget.constants';
import { asOfOrToday } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { AppConfig } from '../common/config';
import type { CsvReport } from '../common/csv';
import { ReadAccess } from '../common/http/access.decorators';
import { DownloadsService } from './downloads.service';
import {
  catalogCard,
  downloadPage,
  firstRows,
  manifestFacts,
  officeTimestamp,
  queryString,
  registerPage,
  reportLinks,
  tableView,
} from './downloads.page';
import { LedgerReportQueryDto, ReportQueryDto } from './dto/download-query.dto';
import { LedgerFilters } from './ledger.report';
import { REPORT_CATALOG } from './report-catalog';
import { ReportRoute, ServedReport } from './report-routes';

/** Entries the ledger's HTML view shows at a time: it pages through them. */
const LEDGER_HTML_PAGE = 100;

const VIEW = 'reports/download';

/**
 * The /reports index and the downloads of issue 6: the ledger and the grants, amendments and budget
 * lines registers, each at /reports/<name> as HTML, CSV (`.csv`, `bom=1` for Excel) and manifest
 * (`.manifest.json`), all as of `asOf`. Read-only.
 */
@ReadAccess()
@Controller()
export class DownloadsController {
  constructor(
    private readonly downloads: DownloadsService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  @Get('reports')
  @Render('reports/index')
  async index() {
    const asOf = this.clock.today();
    const choices = await this.downloads.indexChoices();
    const manifest = await this.downloads.ledgerManifest(asOf);
    return {
      pageTitle: 'Reports',
      asOf,
      reports: REPORT_CATALOG.map((entry) => catalogCard(entry, asOf, choices)),
      manifest: manifestFacts(manifest),
      producedAt: officeTimestamp(new Date(), this.config.APP_TIME_ZONE),
      manifestLink: reportLinks('/reports/ledger', { asOf }).manifest,
    };
  }

  @ReportRoute({ path: 'reports/ledger', view: VIEW, query: LedgerReportQueryDto })
  async ledger(query: LedgerReportQueryDto): Promise<ServedReport> {
    const params: LedgerFilters = {
      asOf: asOfOrToday(query.asOf, this.clock.today()),
      grantId: query.grantId,
      from: query.from,
      to: query.to,
      category: query.category,
      share: query.share,
    };
    return {
      asOf: params.asOf,
      parameters: ledgerFilters(params),
      csv: await this.downloads.ledger(params),
      fileTags: await this.downloads.ledgerFileTags(params),
      page: () => this.ledgerView(params, query.after),
    };
  }

  @ReportRoute({ path: 'reports/grants', view: VIEW, query: ReportQueryDto })
  grants(query: ReportQueryDto): ServedReport {
    const asOf = asOfOrToday(query.asOf, this.clock.today());
    return registerDownload(this.downloads.grantsRegister(asOf), asOf);
  }

  @ReportRoute({ path: 'reports/amendments', view: VIEW, query: ReportQueryDto })
  amendments(query: ReportQueryDto): ServedReport {
    const asOf = asOfOrToday(query.asOf, this.clock.today());
    return registerDownload(this.downloads.amendments(asOf), asOf);
  }

  @ReportRoute({ path: 'reports/budget-lines', view: VIEW, query: ReportQueryDto })
  budgetLines(query: ReportQueryDto): ServedReport {
    const asOf = asOfOrToday(query.asOf, this.clock.today());
    return registerDownload(this.downloads.budgetLines(asOf), asOf);
  }

  /** One page of ledger entries (those after entry `after`), with the filters and the pager. */
  private async ledgerView(params: LedgerFilters, after: number | undefined) {
    const report = await this.downloads.ledger(params, { pageSize: LEDGER_HTML_PAGE, after });
    const { rows, more } = await firstRows(report, LEDGER_HTML_PAGE);
    const last = rows.at(-1) as { id: number } | undefined;
    const values = { asOf: params.asOf, ...ledgerFilters(params) };
    return {
      ...downloadPage('ledger', params.asOf, values),
      table: tableView(report.columns, rows),
      ledger: true,
      filters: values,
      grants: await this.downloads.grantChoices(),
      categories: COST_CATEGORIES,
      shares: SHARES,
      next: more && last ? `/reports/ledger${queryString({ ...values, after: last.id })}` : null,
      first: after ? `/reports/ledger${queryString(values)}` : null,
    };
  }
}

/** The ledger's filters as given, for its links and its manifest. */
function ledgerFilters(params: LedgerFilters): Record<string, string> {
  const filters: Record<string, string> = {};
  if (params.grantId !== undefined) filters.grantId = String(params.grantId);
  for (const key of ['from', 'to', 'category', 'share'] as const) {
    if (params[key]) filters[key] = params[key];
  }
  return filters;
}

/** A register of issue 6: asOf is all it takes. */
function registerDownload(report: CsvReport<unknown>, asOf: string): ServedReport {
  return {
    asOf,
    parameters: {},
    csv: report,
    page: () => registerPage(report, asOf),
  };
}
