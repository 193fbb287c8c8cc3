import { Controller, Get, Render } from '@nestjs/common';
import { ReadAccess } from '../common/http/access.decorators';
import { Clock } from '../common/clock';
import { DashboardService } from './dashboard.service';
import { ProgramPages, ProgramPagesQuery } from './program-pages';

@ReadAccess()
@Controller()
export class DashboardController {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Render('dashboard/index')
  index(@ProgramPagesQuery() pages: ProgramPages) {
    return this.dashboard.page(this.clock.today(), pages);
  }
}
