import { Controller, Get, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ReadAccess } from '../common/http/access.decorators';
import { Clock } from '../common/clock';
import { renderBurndownSvg } from './burndown-chart';
import { burndownPage } from './burndown.page';
import { BurndownService } from './burndown.service';
import { ProgramBurndownQueryDto } from './dto/burndown-query.dto';

/** Program-wide reports. */
@ReadAccess()
@Controller('reports')
export class ReportsController {
  constructor(
    private readonly burndown: BurndownService,
    private readonly clock: Clock,
  ) {}

  @Get('burndown')
  @Render('reports/burndown')
  async programBurndown(@Query() query: ProgramBurndownQueryDto) {
    const report = await this.burndown.programReport(
      query.programId,
      query.asOf ?? this.clock.today(),
    );
    return {
      ...burndownPage(report),
      programs: await this.burndown.programList(),
      grantLinks: await this.burndown.grantsOf(report.id),
    };
  }

  @Get('burndown.svg')
  async programChart(@Query() query: ProgramBurndownQueryDto, @Res() res: Response) {
    const report = await this.burndown.programReport(
      query.programId,
      query.asOf ?? this.clock.today(),
    );
    res.type('image/svg+xml').send(renderBurndownSvg(report));
  }
}
