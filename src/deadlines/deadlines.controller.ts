import { Controller, Get, Render } from '@nestjs/common';
import { asOfOrToday } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { formatDate } from '../common/dates';
import { ReadAccess } from '../common/http/access.decorators';
import { FilterQuery } from '../common/http/filter-query';
import { GrantLookup } from '../grants/grant-lookup';
import { DeadlinesService } from './deadlines.service';
import { DeadlinesQueryDto } from './dto/deadlines-query.dto';

/** Every date the program office must meet: overdue, and due in the next 30, 60 and 90 days. */
@ReadAccess()
@Controller('deadlines')
export class DeadlinesController {
  constructor(
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
    private readonly lookup: GrantLookup,
  ) {}

  @Get()
  @Render('deadlines/index')
  async index(@FilterQuery() query: DeadlinesQueryDto) {
    const asOf = asOfOrToday(query.asOf, this.clock.today());
    const buckets = await this.deadlines.buckets(asOf, query.grantId);
    return {
      pageTitle: `Deadlines as of ${formatDate(asOf)}`,
      asOf,
      query,
      grants: await this.lookup.choices(),
      sections: [
        { id: 'overdue', title: 'Overdue', lines: buckets.overdue },
        { id: 'next30', title: 'Due in the next 30 days', lines: buckets.next30 },
        { id: 'next60', title: 'Due in 31 to 60 days', lines: buckets.next60 },
        { id: 'next90', title: 'Due in 61 to 90 days', lines: buckets.next90 },
      ],
    };
  }
}
