import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { rolesOf, User } from '../accounts/user.entity';
import { AuditService } from '../audit/audit.service';
import { expectedVersion, submitForm } from '../common/forms';
import { ApproverAccess, ManagerAccess, ReadAccess } from '../common/http/access.decorators';
import { FilterQuery } from '../common/http/filter-query';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { pageLinks } from '../common/pagination';
import { GrantLookup } from '../grants/grant-lookup';
import { REQUEST_KINDS, REQUEST_STATUSES } from './approval-request.entity';
import { ApprovalsService } from './approvals.service';
import { ApprovalQueueQueryDto, QUEUE_VIEWS } from './dto/approval-query.dto';
import { RequestDecisionDto, WithdrawRequestDto } from './dto/decision-form.dto';

type SignedIn = Request & { user: User };

/** The approvals queue and each request's page, where it is approved, rejected or withdrawn. */
@ReadAccess()
@Controller('approvals')
export class ApprovalsController {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly audit: AuditService,
    private readonly lookup: GrantLookup,
  ) {}

  @Get()
  async index(
    @FilterQuery() query: ApprovalQueueQueryDto,
    @Req() req: SignedIn,
    @Res() res: Response,
  ) {
    const approves = rolesOf(req.user).includes('approving_official');
    const view =
      query.view ?? (approves ? 'awaiting' : req.user.role === 'program_manager' ? 'mine' : 'all');
    const page = await this.approvals.queue(
      {
        view,
        kind: query.kind,
        status: query.status,
        grantId: query.grantId,
        olderThanDays: query.olderThan,
        page: query.page,
      },
      req.user.id,
    );
    const filters = {
      view,
      kind: query.kind,
      status: query.status,
      grantId: query.grantId,
      olderThan: query.olderThan,
    };
    res.render('approvals/index', {
      pageTitle: 'Approvals',
      page,
      query: { ...query, view },
      views: QUEUE_VIEWS.map((name) => ({
        name,
        label: { awaiting: 'Awaiting my decision', mine: 'Asked by me', all: 'All requests' }[name],
        href: `/approvals?view=${name}`,
        current: name === view,
      })),
      kinds: REQUEST_KINDS.map((kind) => ({ value: kind, label: this.approvals.kindLabel(kind) })),
      statuses: REQUEST_STATUSES,
      grants: await this.lookup.choices(),
      pager: pageLinks('/approvals', filters, page),
    });
  }

  @Get(':id')
  async show(@Param('id', ParseIdPipe) id: number, @Req() req: SignedIn, @Res() res: Response) {
    res.render('approvals/show', await this.showModel(id, req.user));
  }

  @Post(':id/approve')
  @ApproverAccess()
  approve(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Req() req: SignedIn,
    @Res() res: Response,
  ) {
    return this.decide(id, body, req.user, res, 'approve');
  }

  @Post(':id/reject')
  @ApproverAccess()
  reject(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Req() req: SignedIn,
    @Res() res: Response,
  ) {
    return this.decide(id, body, req.user, res, 'reject');
  }

  @Post(':id/withdraw')
  @ManagerAccess()
  async withdraw(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Req() req: SignedIn,
    @Res() res: Response,
  ) {
    await this.approvals.findOne(id);
    return submitForm(res, {
      dto: WithdrawRequestDto,
      body,
      view: 'approvals/show',
      model: () => this.showModel(id, req.user),
      save: () => this.approvals.withdraw(id, expectedVersion(body)),
      redirectTo: () => `/approvals/${id}`,
      flash: (request) => `Request #${request.id} withdrawn. Nothing was changed.`,
    });
  }

  /** Approve and reject share their form (the note) and their page. */
  private async decide(
    id: number,
    body: unknown,
    user: User,
    res: Response,
    decision: 'approve' | 'reject',
  ) {
    await this.approvals.findOne(id);
    return submitForm(res, {
      dto: RequestDecisionDto,
      body,
      view: 'approvals/show',
      model: () => this.showModel(id, user),
      save: (form) => this.approvals[decision](id, expectedVersion(body), form.note),
      redirectTo: () => `/approvals/${id}`,
      flash: (request) =>
        decision === 'approve'
          ? `Request #${request.id} approved: ${request.summary}`
          : `Request #${request.id} rejected; the requester can revise it.`,
    });
  }

  private async showModel(id: number, user: User) {
    const request = await this.approvals.findOne(id);
    const revisions = await this.approvals.revisionsOf(id);
    const grant = await this.lookup.grant(request.grantId);
    const people = await this.approvals.people([
      request.requestedBy,
      request.decidedBy,
      ...revisions.map((r) => r.decidedBy),
    ]);
    const pending = request.status === 'pending';
    const allowed = this.approvals.permissions(
      request,
      user.id,
      rolesOf(user).includes('approving_official'),
    );
    return {
      pageTitle: `Request #${request.id} — ${grant.awardNumber}`,
      request,
      kindLabel: this.approvals.kindLabel(request.kind),
      grant,
      requester: people[request.requestedBy],
      decider: request.decidedBy ? people[request.decidedBy] : undefined,
      revisions: revisions
        .map((r) => ({ ...r, decider: r.decidedBy ? people[r.decidedBy] : undefined }))
        .reverse(),
      changes: pending ? await this.approvals.changes(request) : [],
      verdict: pending ? await this.approvals.verdict(request) : undefined,
      pending,
      ...allowed,
      revisePath: allowed.canRevise ? this.approvals.revisePath(request) : undefined,
      resultPath: this.approvals.resultPath(request),
      history: await this.audit.describedHistory('approval_request', id),
      values: { version: request.version },
    };
  }
}
