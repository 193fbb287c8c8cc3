import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Clock } from '../common/clock';
import { ReadAccess } from '../common/http/access.decorators';
import { renderBurndownSvg, sendChart } from './burndown-chart';
import { burndownCsv } from './burndown-csv';
import { burndownPage } from './burndown.page';
import { BurndownService } from './burndown.service';
import { ProgramBurndownBomQueryDto, ProgramBurndownQueryDto } from './dto/burndown-query.dto';
import { ReportRoute, ServedReport } from './report-routes';

/** The program's burn-down: the page, its CSV and manifest, and its chart. */
@ReadAccess()
@Controller()
export class ProgramBurndownController {
  constructor(
    private readonly burndown: BurndownService,
    private readonly clock: Clock,
  ) {}

  @ReportRoute({
    path: 'reports/burndown',
    view: 'reports/burndown',
    query: ProgramBurndownBomQueryDto,
    pageQuery: ProgramBurndownQueryDto,
  })
  async report(query: ProgramBurndownQueryDto): Promise<ServedReport> {
    const report = await this.burndownOf(query);
    return {
      asOf: report.asOf,
      parameters: { programId: String(report.id) },
      csv: burndownCsv(report),
      page: async () => ({
        ...burndownPage(report),
        programs: await this.burndown.programList(report.asOf),
        grantLinks: await this.burndown.grantsOf(report.id, report.asOf),
      }),
    };
  }

  @Get('reports/burndown.svg')
  async chart(@Query() query: ProgramBurndownQueryDto, @Res() res: Response) {
    const report = await this.burndownOf(query);
    sendChart(res, renderBurndownSvg(report));
  }

  private burndownOf(query: ProgramBurndownQueryDto) {
    return this.burndown.programReport(query.programId, query.asOf ?? this.clock.today());
  }
}
