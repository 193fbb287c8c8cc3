import { Controller, Get, Render } from '@nestjs/common';
import { ReadAccess } from '../accounts/access.decorators';
import { GrantsService } from '../grants/grants.service';
import { ProgramsService } from '../programs/programs.service';

@ReadAccess()
@Controller()
export class DashboardController {
  constructor(
    private readonly programs: ProgramsService,
    private readonly grants: GrantsService,
  ) {}

  @Get()
  @Render('dashboard/index')
  async index() {
    const summaries = await this.programs.summaries();
    const programs = await Promise.all(
      summaries.map(async (summary) => ({
        ...summary,
        grants: (
          await this.grants.list({ programId: summary.program.id, sort: 'awardNumber' }, 500)
        ).items,
      })),
    );
    return { pageTitle: 'Dashboard', programs };
  }
}
