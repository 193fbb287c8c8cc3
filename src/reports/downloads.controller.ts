import { Controller, Get, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { COST_CATEGORIES, SHARES } from '../budgets/budget.constants';
import { asOfOrToday, futureAsOfMessage } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import type { CsvReport } from '../common/csv';
import { ReadAccess } from '../common/http/access.decorators';
import {
  FilterQuery,
  FilterRefusal,
  filtersRefused,
  refuseFilter,
  typedValues,
} from '../common/http/filter-query';
import { DownloadsService } from './downloads.service';
import {
  catalogCard,
  downloadPage,
  firstRows,
  queryString,
  registerPage,
  reportLinks,
  tableView,
} from './downloads.page';
import {
  DOWNLOAD_FORMATS,
  GrantDownloadQueryDto,
  LedgerReportQueryDto,
  ReportQueryDto,
  ReportsIndexQueryDto,
} from './dto/download-query.dto';
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
  ) {}

  @Get('reports')
  @Render('reports/index')
  async index(
    @FilterQuery() query: ReportsIndexQueryDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.indexModel(query.programId, res);
  }

  /**
   * The index's form for a report of one grant: a redirect to it (`/grants/<id>/burndown.csv?…`),
   * or the index again, 400, with the refusal in that report's form.
   */
  @Get('reports/for-grant')
  async forGrant(
    @FilterQuery() query: GrantDownloadQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const grant = query.grantId === undefined ? null : await this.downloads.grantOf(query.grantId);
    if (query.grantId !== undefined && !grant) {
      refuseFilter(
        res,
        'grantId',
        `Grant ${query.grantId} does not exist: choose one from the list.`,
        String(query.grantId),
      );
    }
    const future = futureAsOfMessage(query.asOf, this.clock.today());
    if (future) refuseFilter(res, 'asOf', future, query.asOf ?? '');
    const entry = REPORT_CATALOG.find((e) => e.name === query.report);
    if (!filtersRefused(res) && grant && entry) {
      const links = reportLinks(entry.path.replace(':id', String(grant.id)), {
        asOf: query.asOf ?? this.clock.today(),
      });
      res.redirect(303, links[DOWNLOAD_FORMATS[query.format ?? 'html']]);
      return;
    }
    const programId = query.programId ?? grant?.programId;
    const model = await this.indexModel(programId, res, {
      report: typedValues(req.query).report,
      values: typedValues(req.query),
    });
    res.status(400).render('reports/index', model);
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

  /**
   * The index: every catalog entry with its form and today's links. Grant selects list the grants
   * of `programId`, or of the only program; no manifest is computed here (each is a download).
   */
  private async indexModel(
    programId: number | undefined,
    res: Response,
    refused?: { report?: string; values: Record<string, string> },
  ) {
    const asOf = this.clock.today();
    let choices = await this.downloads.indexChoices(programId);
    if (!choices) {
      refuseFilter(
        res,
        'programId',
        `Program ${programId} does not exist: choose one from the list.`,
        String(programId),
      );
      choices = (await this.downloads.indexChoices(undefined))!;
    }
    // A refused per-grant form: the fields' messages beside them in its card, the others (report,
    // format) at the top, once each.
    const errors = (res.locals as Partial<FilterRefusal>).filterErrors ?? {};
    const refusedEntry = REPORT_CATALOG.find(
      (e) => e.name === refused?.report && e.path.includes(':id'),
    );
    const shownInForms = ['programId', ...(refusedEntry ? ['grantId', 'asOf'] : [])];
    const messages = Object.entries(errors)
      .filter(([field]) => !shownInForms.includes(field))
      .map(([, message]) => message);
    return {
      pageTitle: 'Reports',
      asOf,
      programs: choices.programs,
      program: choices.program,
      refusal:
        refused !== undefined && Object.keys(errors).length > 0
          ? { name: refusedEntry?.name, title: refusedEntry?.title, messages }
          : undefined,
      reports: REPORT_CATALOG.map((entry) => ({
        ...catalogCard(entry, asOf, choices),
        ...(entry === refusedEntry ? { errors, values: refused?.values } : {}),
      })),
      manifestLink: reportLinks('/reports/ledger', { asOf }).manifest,
    };
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
