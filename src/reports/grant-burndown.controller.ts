import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AsOfBomQuery, AsOfQuery } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { ReadAccess } from '../common/http/access.decorators';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { renderBurndownSvg, sendChart } from './burndown-chart';
import { burndownCsv } from './burndown-csv';
import { burndownPage } from './burndown.page';
import { BurndownService } from './burndown.service';
import { ReportRoute, ServedReport } from './report-routes';

/**
 * A grant's burn-down: the page, its CSV and manifest, and its chart. Every path has a fixed last
 * segment, so none can be taken for a grant id by the grants controller's `:id` routes.
 */
@ReadAccess()
@Controller()
export class GrantBurndownController {
  constructor(
    private readonly burndown: BurndownService,
    private readonly clock: Clock,
  ) {}

  @ReportRoute({
    path: 'grants/:id/burndown',
    view: 'reports/burndown',
    query: AsOfBomQuery,
    pageQuery: AsOfQuery,
  })
  async report(query: AsOfQuery, grantId: number): Promise<ServedReport> {
    const report = await this.burndownOf(grantId, query);
    return {
      asOf: report.asOf,
      parameters: { grantId: String(grantId) },
      csv: burndownCsv(report),
      page: () => burndownPage(report),
    };
  }

  @Get('grants/:id/burndown.svg')
  async chart(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: AsOfQuery,
    @Res() res: Response,
  ) {
    const report = await this.burndownOf(id, query);
    sendChart(res, renderBurndownSvg(report));
  }

  private burndownOf(grantId: number, query: AsOfQuery) {
    return this.burndown.grantReport(grantId, query.asOf ?? this.clock.today());
  }
}
