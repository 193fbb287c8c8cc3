import { Controller, Get, Param, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ReadAccess } from '../common/http/access.decorators';
import { AsOfQuery } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { renderBurndownSvg } from './burndown-chart';
import { burndownPage } from './burndown.page';
import { BurndownService } from './burndown.service';

/**
 * A grant's burn-down and its chart. Both paths have a fixed last segment (`burndown`,
 * `burndown.svg`), so neither can be taken for a grant id by the grants controller's `:id` routes.
 */
@ReadAccess()
@Controller('grants/:id')
export class GrantBurndownController {
  constructor(
    private readonly burndown: BurndownService,
    private readonly clock: Clock,
  ) {}

  @Get('burndown')
  @Render('reports/burndown')
  async show(@Param('id', ParseIdPipe) id: number, @Query() query: AsOfQuery) {
    return burndownPage(await this.burndown.grantReport(id, query.asOf ?? this.clock.today()));
  }

  @Get('burndown.svg')
  async chart(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: AsOfQuery,
    @Res() res: Response,
  ) {
    const report = await this.burndown.grantReport(id, query.asOf ?? this.clock.today());
    res.type('image/svg+xml').send(renderBurndownSvg(report));
  }
}
