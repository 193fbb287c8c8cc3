import { Controller, Get, Render } from '@nestjs/common';
import { ReadAccess } from '../common/http/access.decorators';
import { Clock } from '../common/clock';
import { GrantsService } from '../grants/grants.service';
import { ProgramsService } from '../programs/programs.service';
import { chartDescription } from '../reports/burndown-chart';
import { BurndownService } from '../reports/burndown.service';

@ReadAccess()
@Controller()
export class DashboardController {
  constructor(
    private readonly programs: ProgramsService,
    private readonly grants: GrantsService,
    private readonly burndown: BurndownService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Render('dashboard/index')
  async index() {
    const asOf = this.clock.today();
    const summaries = await this.programs.summaries();
    const programs = await Promise.all(
      summaries.map(async (summary) => {
        const id = summary.program.id;
        const list = await this.grants.list({ programId: id, sort: 'awardNumber' }, 500);
        // Every grant's burn in one grouped query; their sums are the program chart's figures.
        const indicators = await this.burndown.burnIndicators(id, asOf);
        const burnOf = new Map(indicators.map((i) => [i.grantId, i]));
        const sum = (pick: (i: (typeof indicators)[number]) => number) =>
          indicators.reduce((total, i) => total + pick(i), 0);
        const totals = {
          asOf,
          obligatedCents: sum((i) => i.obligatedCents),
          spentCents: sum((i) => i.spentCents),
          remainingCents: sum((i) => i.remainingCents),
          plannedToDateCents: sum((i) => i.plannedToDateCents),
        };
        return {
          ...summary,
          grants: list.items.map((grant) => ({ ...grant, burn: burnOf.get(grant.id) })),
          burndown: {
            href: `/reports/burndown?programId=${id}`,
            chartSrc: `/reports/burndown.svg?programId=${id}&asOf=${asOf}`,
            description: chartDescription(totals),
          },
        };
      }),
    );
    return { pageTitle: 'Dashboard', asOf, programs };
  }
}
