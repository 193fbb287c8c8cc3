import { Controller, Get, Header, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { COST_CATEGORIES, SHARES } from '../budgets/budget.constants';
import { ReadAccess } from '../common/http/access.decorators';
import type { User } from '../accounts/user.entity';
import { Clock } from '../common/clock';
import { CsvLines, csvManifest, CsvManifest, CsvReport, sendCsv } from '../common/csv';
import { formatDate } from '../common/dates';
import { DownloadsService } from './downloads.service';
import { catalogCard, firstRows, queryString, reportLinks, tableView } from './downloads.page';
import { LedgerReportQueryDto, ReportQueryDto } from './dto/download-query.dto';
import { LedgerReportParams } from './ledger.report';
import { REPORT_CATALOG } from './report-catalog';

type AuthedRequest = Request & { user?: User };

/** Rows an HTML view shows: the ledger pages through them; a register shows its first ones. */
const LEDGER_HTML_PAGE = 100;
const REGISTER_HTML_LIMIT = 1_000;

/**
 * The /reports index and the downloads (issue 6): each report at /reports/<name> as HTML, CSV
 * (`.csv`, `bom=1` for Excel) and manifest (`.manifest.json`), all as of `asOf`. Read-only.
 */
@ReadAccess()
@Controller('reports')
export class DownloadsController {
  constructor(
    private readonly downloads: DownloadsService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Render('reports/index')
  async index(@Req() req: AuthedRequest) {
    const asOf = this.clock.today();
    const grants = await this.downloads.grantChoices();
    const manifest = await this.downloads.ledgerManifest(asOf, req.user?.email ?? 'unknown');
    return {
      pageTitle: 'Reports',
      asOf,
      reports: REPORT_CATALOG.map((entry) => catalogCard(entry, asOf, grants)),
      manifest,
      manifestLink: reportLinks('/reports/ledger', { asOf }).manifest,
    };
  }

  // ---- The expenditure ledger ----

  @Get('ledger')
  @Render('reports/download')
  async ledgerPage(@Query() query: LedgerReportQueryDto) {
    const params = this.ledgerParams(query);
    const report = await this.downloads.ledger(params, {
      pageSize: LEDGER_HTML_PAGE,
      after: query.after,
    });
    const { rows, more } = await firstRows(report, LEDGER_HTML_PAGE);
    const last = rows.at(-1) as { id: number } | undefined;
    const values = { ...this.ledgerValues(params) };
    return {
      ...this.page('ledger', 'Expenditure ledger', params.asOf, values),
      table: tableView(report.columns, rows),
      ledger: true,
      filters: values,
      grants: await this.downloads.grantChoices(),
      categories: COST_CATEGORIES,
      shares: SHARES,
      next: more && last ? `/reports/ledger${queryString({ ...values, after: last.id })}` : null,
      first: query.after ? `/reports/ledger${queryString(values)}` : null,
    };
  }

  @Get('ledger.csv')
  async ledgerCsv(@Query() query: LedgerReportQueryDto, @Res() res: Response) {
    const params = this.ledgerParams(query);
    await sendCsv(res, await this.downloads.ledger(params), {
      asOf: params.asOf,
      bom: query.bom === '1',
    });
  }

  @Get('ledger.manifest.json')
  @Header('Cache-Control', 'no-store')
  async ledgerManifest(@Query() query: LedgerReportQueryDto, @Req() req: AuthedRequest) {
    const params = this.ledgerParams(query);
    const { asOf: _asOf, ...filters } = this.ledgerValues(params);
    void _asOf;
    return this.manifestOf(
      await this.downloads.ledger(params),
      params.asOf,
      query.bom === '1',
      filters,
      req,
    );
  }

  // ---- Grants register, amendments, budget lines ----

  @Get('grants')
  @Render('reports/download')
  grantsPage(@Query() query: ReportQueryDto) {
    return this.registerPage('grants', 'Grants register', query, (asOf) =>
      this.downloads.grantsRegister(asOf),
    );
  }

  @Get('grants.csv')
  grantsCsv(@Query() query: ReportQueryDto, @Res() res: Response) {
    const asOf = this.asOf(query);
    return sendCsv(res, this.downloads.grantsRegister(asOf), { asOf, bom: query.bom === '1' });
  }

  @Get('grants.manifest.json')
  @Header('Cache-Control', 'no-store')
  grantsManifest(@Query() query: ReportQueryDto, @Req() req: AuthedRequest) {
    const asOf = this.asOf(query);
    return this.manifestOf(this.downloads.grantsRegister(asOf), asOf, query.bom === '1', {}, req);
  }

  @Get('amendments')
  @Render('reports/download')
  amendmentsPage(@Query() query: ReportQueryDto) {
    return this.registerPage('amendments', 'Amendments', query, (asOf) =>
      this.downloads.amendments(asOf),
    );
  }

  @Get('amendments.csv')
  amendmentsCsv(@Query() query: ReportQueryDto, @Res() res: Response) {
    const asOf = this.asOf(query);
    return sendCsv(res, this.downloads.amendments(asOf), { asOf, bom: query.bom === '1' });
  }

  @Get('amendments.manifest.json')
  @Header('Cache-Control', 'no-store')
  amendmentsManifest(@Query() query: ReportQueryDto, @Req() req: AuthedRequest) {
    const asOf = this.asOf(query);
    return this.manifestOf(this.downloads.amendments(asOf), asOf, query.bom === '1', {}, req);
  }

  @Get('budget-lines')
  @Render('reports/download')
  budgetLinesPage(@Query() query: ReportQueryDto) {
    return this.registerPage('budget-lines', 'Budget lines', query, (asOf) =>
      this.downloads.budgetLines(asOf),
    );
  }

  @Get('budget-lines.csv')
  budgetLinesCsv(@Query() query: ReportQueryDto, @Res() res: Response) {
    const asOf = this.asOf(query);
    return sendCsv(res, this.downloads.budgetLines(asOf), { asOf, bom: query.bom === '1' });
  }

  @Get('budget-lines.manifest.json')
  @Header('Cache-Control', 'no-store')
  budgetLinesManifest(@Query() query: ReportQueryDto, @Req() req: AuthedRequest) {
    const asOf = this.asOf(query);
    return this.manifestOf(this.downloads.budgetLines(asOf), asOf, query.bom === '1', {}, req);
  }

  // ---- helpers ----

  private asOf(query: ReportQueryDto): string {
    return query.asOf ?? this.clock.today();
  }

  private ledgerParams(query: LedgerReportQueryDto): LedgerReportParams {
    return {
      asOf: this.asOf(query),
      grantId: query.grantId,
      from: query.from,
      to: query.to,
      category: query.category,
      share: query.share,
    };
  }

  private ledgerValues(params: LedgerReportParams): Record<string, string> {
    const values: Record<string, string> = { asOf: params.asOf };
    if (params.grantId !== undefined) values.grantId = String(params.grantId);
    for (const key of ['from', 'to', 'category', 'share'] as const) {
      if (params[key]) values[key] = params[key];
    }
    return values;
  }

  private page(name: string, title: string, asOf: string, values: Record<string, string>) {
    const entry = REPORT_CATALOG.find((e) => e.name === name);
    return {
      pageTitle: title,
      title,
      name,
      path: `/reports/${name}`,
      description: entry?.description ?? '',
      asOf,
      asOfLabel: formatDate(asOf),
      links: reportLinks(`/reports/${name}`, values),
      budgetNote: name === 'budget-lines',
    };
  }

  private async registerPage(
    name: string,
    title: string,
    query: ReportQueryDto,
    build: (asOf: string) => CsvReport<unknown>,
  ) {
    const asOf = this.asOf(query);
    const report = build(asOf);
    const { rows, more } = await firstRows(report, REGISTER_HTML_LIMIT);
    return {
      ...this.page(name, title, asOf, { asOf }),
      table: tableView(report.columns, rows),
      truncated: more ? REGISTER_HTML_LIMIT : null,
    };
  }

  private manifestOf(
    report: CsvReport<unknown> & CsvLines,
    asOf: string,
    bom: boolean,
    parameters: Record<string, string>,
    req: AuthedRequest,
  ): Promise<CsvManifest> {
    return csvManifest(report, {
      asOf,
      bom,
      parameters: bom ? { ...parameters, bom: '1' } : parameters,
      generatedBy: req.user?.email ?? 'unknown',
    });
  }
}
