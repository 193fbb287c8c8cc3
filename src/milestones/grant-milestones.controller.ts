import { Body, Controller, Get, Param, Post, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ManagerAccess, ReadAccess } from '../common/http/access.decorators';
import { Clock } from '../common/clock';
import { submitForm } from '../common/forms';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { GrantLookup } from '../grants/grant-lookup';
import { MilestoneFormDto } from './dto/milestone-form.dto';
import { MILESTONE_KINDS, MILESTONE_STATUSES } from './milestone.entity';
import { MilestonesService } from './milestones.service';

/** A grant's milestones, and adding one (child records hang under their parent). */
@ReadAccess()
@Controller('grants/:id/milestones')
export class GrantMilestonesController {
  constructor(
    private readonly milestones: MilestonesService,
    private readonly clock: Clock,
    private readonly lookup: GrantLookup,
  ) {}

  @Get()
  @Render('milestones/grant-index')
  async index(@Param('id', ParseIdPipe) id: number) {
    const grant = await this.lookup.grant(id);
    const asOf = this.clock.today();
    return {
      pageTitle: `Milestones — ${grant.awardNumber}`,
      grant,
      asOf,
      groups: await this.milestones.forGrant(id, asOf),
      hasBudgetPeriods: (await this.lookup.budgetPeriods(id)).length > 0,
    };
  }

  @Get('new')
  @ManagerAccess()
  @Render('milestones/new')
  async newForm(@Param('id', ParseIdPipe) id: number) {
    const model = await this.formModel(id);
    const today = this.clock.today();
    const current = model.budgetPeriods.find((p) => p.startDate <= today && today <= p.endDate);
    return {
      ...model,
      values: {
        kind: 'deliverable',
        status: 'planned',
        budgetPeriod: current?.number ?? model.budgetPeriods[0]?.number,
      },
    };
  }

  @Post()
  @ManagerAccess()
  async create(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Res() res: Response) {
    await this.lookup.grant(id);
    return submitForm(res, {
      dto: MilestoneFormDto,
      body,
      view: 'milestones/new',
      model: () => this.formModel(id),
      save: (form) => this.milestones.create(id, form),
      redirectTo: (milestone) => `/milestones/${milestone.id}`,
      flash: (milestone) => `Milestone “${milestone.title}” added.`,
    });
  }

  private async formModel(id: number) {
    const grant = await this.lookup.grant(id);
    return {
      pageTitle: `New milestone — ${grant.awardNumber}`,
      grant,
      budgetPeriods: await this.lookup.budgetPeriods(id),
      kinds: MILESTONE_KINDS,
      statuses: MILESTONE_STATUSES,
    };
  }
}
