import { formatDate } from '../common/dates';
import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import { FilterQuery } from '../common/http/filter-query';
import { AsOfQuery } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import type { Response } from 'express';
import { ManagerAccess, ReadAccess } from '../common/http/access.decorators';
import { AuditService } from '../audit/audit.service';
import { expectedVersion, submitForm } from '../common/forms';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { pageLinks } from '../common/pagination';
import { GrantLookup } from '../grants/grant-lookup';
import { ApprovalsService } from '../approvals/approvals.service';
import { requestedFlash, requestForm, ReviseQueryDto } from '../approvals/request-form';
import { DecisionRequests } from './decision-requests';
import { DecisionFormDto } from './dto/decision-form.dto';
import { MilestoneFormDto } from './dto/milestone-form.dto';
import { MilestoneListQueryDto, SHOWN_STATUS_FILTERS } from './dto/milestone-list-query.dto';
import { MilestoneDashboardService } from './milestone-dashboard.service';
import { MILESTONE_KINDS, MILESTONE_STATUSES } from './milestone.entity';
import { canMarkComplete, MilestonesService } from './milestones.service';
import { CompletionFormDto } from './dto/completion-form.dto';

const DecisionRequestDto = requestForm(DecisionFormDto);

/** Query parameters that have a value, for links that keep the current filters. */
function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  return search.toString();
}

@ReadAccess()
@Controller('milestones')
export class MilestonesController {
  constructor(
    private readonly milestones: MilestonesService,
    private readonly dashboard: MilestoneDashboardService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly lookup: GrantLookup,
    private readonly decisions: DecisionRequests,
    private readonly approvals: ApprovalsService,
  ) {}

  @Get()
  @Render('milestones/index')
  async index(@FilterQuery() query: MilestoneListQueryDto) {
    const asOf = query.asOf ?? this.clock.today();
    const page = await this.milestones.list(query, asOf);
    const filters = {
      grantId: query.grantId,
      kind: query.kind,
      status: query.status,
      budgetPeriod: query.budgetPeriod,
      dueFrom: query.dueFrom,
      dueTo: query.dueTo,
      asOf: query.asOf,
    };
    const flip = query.dir === 'desc' ? 'asc' : 'desc';
    return {
      pageTitle: 'Milestones',
      page,
      query,
      asOf,
      grants: await this.lookup.choices(),
      kinds: MILESTONE_KINDS,
      statuses: SHOWN_STATUS_FILTERS,
      sortDir: query.dir ?? 'asc',
      sortLink: `/milestones?${queryString({ ...filters, dir: flip })}`,
      pager: pageLinks('/milestones', { ...filters, dir: query.dir }, page),
    };
  }

  // Declared before ':id' so that "dashboard" is not taken for an id.
  @Get('dashboard')
  @Render('milestones/dashboard')
  async showDashboard(@FilterQuery() query: AsOfQuery) {
    const asOf = query.asOf ?? this.clock.today();
    return {
      pageTitle: `Milestone dashboard as of ${formatDate(asOf)}`,
      ...(await this.dashboard.build(asOf)),
    };
  }

  /** The milestone; `?revise=` fills the decision form with a rejected request to resubmit it. */
  @Get(':id')
  async show(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: ReviseQueryDto,
    @Res() res: Response,
  ) {
    const model = await this.showModel(id);
    const revising = query.revise
      ? await this.approvals.revisionValues(query.revise, 'go_no_go', model.milestone.grantId)
      : {};
    res.render('milestones/show', {
      ...model,
      values: { version: model.milestone.version, completedOn: model.today, ...revising },
    });
  }

  @Get(':id/edit')
  @ManagerAccess()
  @Render('milestones/edit')
  async editForm(@Param('id', ParseIdPipe) id: number) {
    const milestone = await this.milestones.findOne(id);
    return { ...(await this.editModel(id)), values: this.milestones.toFormValues(milestone) };
  }

  @Post(':id')
  @ManagerAccess()
  async update(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Res() res: Response) {
    await this.milestones.findOne(id);
    return submitForm(res, {
      dto: MilestoneFormDto,
      body,
      view: 'milestones/edit',
      model: () => this.editModel(id),
      save: (form) => this.milestones.update(id, expectedVersion(body), form),
      current: async () => this.milestones.toFormValues(await this.milestones.findOne(id)),
      redirectTo: () => `/milestones/${id}`,
      flash: (saved) => `Milestone “${saved.title}” saved.`,
    });
  }

  /** Sends a go/no-go decision for approval: it is recorded only when an approving official approves it. */
  @Post(':id/decision')
  @ManagerAccess()
  async decide(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Res() res: Response) {
    await this.milestones.findOne(id);
    return submitForm(res, {
      dto: DecisionRequestDto,
      body,
      view: 'milestones/show',
      model: () => this.showModel(id),
      save: (form) => this.decisions.submit(id, expectedVersion(body), form),
      redirectTo: (request) => `/approvals/${request.id}`,
      flash: requestedFlash,
    });
  }

  @Post(':id/complete')
  @ManagerAccess()
  async complete(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    await this.milestones.findOne(id);
    return submitForm(res, {
      dto: CompletionFormDto,
      body,
      view: 'milestones/show',
      model: () => this.showModel(id),
      save: (form) => this.milestones.complete(id, expectedVersion(body), form),
      redirectTo: () => `/milestones/${id}`,
      flash: (saved) =>
        `Milestone “${saved.title}” marked complete on ${formatDate(saved.completedOn)}.`,
    });
  }

  private async showModel(id: number) {
    const milestone = await this.milestones.findOne(id);
    const asOf = this.clock.today();
    const periods = await this.lookup.budgetPeriods(milestone.grantId);
    return {
      pageTitle: `${milestone.title} — ${milestone.grant?.awardNumber ?? ''}`,
      milestone: this.milestones.view(milestone, asOf),
      asOf,
      period: periods.find((p) => p.number === milestone.budgetPeriod) ?? null,
      isGate: milestone.kind === 'go_no_go',
      canDecide: milestone.kind === 'go_no_go' && milestone.decision === 'pending',
      pendingRequests: (await this.approvals.pendingFor(milestone.grantId)).filter(
        (r) => r.kind === 'go_no_go' && r.targetId === milestone.id,
      ),
      canComplete: canMarkComplete(milestone),
      today: asOf,
      history: await this.audit.describedHistory('milestone', id),
    };
  }

  private async editModel(id: number) {
    const milestone = await this.milestones.findOne(id);
    return {
      pageTitle: `Edit milestone — ${milestone.title}`,
      milestone,
      grant: milestone.grant,
      budgetPeriods: await this.lookup.budgetPeriods(milestone.grantId),
      kinds: MILESTONE_KINDS,
      statuses: MILESTONE_STATUSES,
      decided: milestone.kind === 'go_no_go' && milestone.decision !== 'pending',
    };
  }
}
