import { Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApprovalsService } from '../approvals/approvals.service';
import { Clock } from '../common/clock';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { AsOfQuery } from '../common/as-of-query.dto';
import { ManagerAccess, ReadAccess } from '../common/http/access.decorators';
import { setFlash } from '../common/flash';
import { FormError } from '../common/forms';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { GrantsService } from '../grants/grants.service';
import { grantPage } from './grant.page';
import { GrantPageService } from './grant-page.service';

/**
 * The grant page, and deleting a draft from it (a refused delete shows the page again with the
 * reason). Its `:id` routes take one path segment, so GrantsController's `new` must be registered
 * first: GrantPageModule comes after GrantsModule in AppModule.
 */
@ReadAccess()
@Controller('grants')
export class GrantPageController {
  constructor(
    private readonly page: GrantPageService,
    private readonly grants: GrantsService,
    private readonly approvals: ApprovalsService,
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
  ) {}

  /** The grant as it is now, or with `?asOf=` as the records stood at the end of that day. */
  @Get(':id')
  async show(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: AsOfQuery,
    @Res() res: Response,
  ) {
    res.render('grants/show', {
      ...grantPage(await this.page.figures(id, query.asOf)),
      // What waits for approval is today's news: a page as of a past date shows the records alone.
      pendingRequests: query.asOf ? [] : await this.approvals.pendingFor(id),
      deadlines: await this.deadlinesOf(id, query.asOf ?? this.clock.today()),
    });
  }

  /** The grant's overdue deadlines and those due in the next 90 days, as of the page's date. */
  private async deadlinesOf(id: number, asOf: string) {
    const { overdue, next30, next60, next90 } = await this.deadlines.buckets(asOf, id);
    return { overdue, upcoming: [...next30, ...next60, ...next90] };
  }

  @Post(':id/delete')
  @ManagerAccess()
  async remove(@Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    try {
      const grant = await this.grants.remove(id);
      setFlash(res, `Draft grant ${grant.awardNumber} deleted.`);
      res.redirect(303, '/grants');
    } catch (error) {
      if (!(error instanceof FormError)) throw error;
      res.status(409).render('grants/show', {
        ...grantPage(await this.page.figures(id)),
        deleteError: error.errors.delete,
      });
    }
  }
}
