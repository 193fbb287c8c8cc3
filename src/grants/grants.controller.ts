import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import { FilterQuery } from '../common/http/filter-query';
import { ManagerAccess, ReadAccess } from '../common/http/access.decorators';
import type { Response } from 'express';
import { expectedContentVersion, expectedVersion, submitForm } from '../common/forms';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { centsToDecimal } from '../common/money';
import { pageLinks } from '../common/pagination';
import { ProgramsService } from '../programs/programs.service';
import { AMENDMENT_KINDS } from './amendment.entity';
import { AmendmentRequests } from './amendment-requests';
import { BudgetPeriodsService, scheduleVersion } from './budget-periods.service';
import { AmendmentFormDto } from './dto/amendment-form.dto';
import { requestedFlash, requestForm, ReviseQueryDto } from '../approvals/request-form';
import { ApprovalsService } from '../approvals/approvals.service';
import { BudgetPeriodsFormDto } from './dto/budget-periods-form.dto';
import { GrantFormDto } from './dto/grant-form.dto';
import { GRANT_SORTS, GrantListQueryDto } from './dto/grant-list-query.dto';
import { GRANT_STATUSES } from './grant.entity';
import { GrantLookup } from './grant-lookup';
import { GrantsService } from './grants.service';
import { RecipientsService } from './recipients.service';

const AmendmentRequestDto = requestForm(AmendmentFormDto);

@ReadAccess()
@Controller('grants')
export class GrantsController {
  constructor(
    private readonly grants: GrantsService,
    private readonly amendmentRequests: AmendmentRequests,
    private readonly approvals: ApprovalsService,
    private readonly budgetPeriods: BudgetPeriodsService,
    private readonly recipients: RecipientsService,
    private readonly programs: ProgramsService,
    private readonly lookup: GrantLookup,
  ) {}

  @Get()
  @Render('grants/index')
  async index(@FilterQuery() query: GrantListQueryDto) {
    const page = await this.grants.list(query);
    const sortLinks = Object.fromEntries(
      GRANT_SORTS.map((column) => {
        const dir = query.sort === column && query.dir !== 'desc' ? 'desc' : 'asc';
        const params = new URLSearchParams({ ...this.filters(query), sort: column, dir });
        return [column, `/grants?${params.toString()}`];
      }),
    );
    return {
      pageTitle: 'Grants',
      page,
      query,
      statuses: GRANT_STATUSES,
      programs: await this.programs.list(),
      sortLinks,
      sortedBy: query.sort ?? 'awardNumber',
      sortDir: query.dir ?? 'asc',
      pager: pageLinks(
        '/grants',
        { ...this.filters(query), sort: query.sort, dir: query.dir },
        page,
      ),
    };
  }

  @Get('new')
  @ManagerAccess()
  @Render('grants/new')
  async newForm() {
    const model = await this.formModel('New grant');
    const values = {
      status: 'draft',
      programId: model.programs[0]?.id,
      costShareCommitted: '0.00',
    };
    return { ...model, values };
  }

  @Post()
  @ManagerAccess()
  create(@Body() body: unknown, @Res() res: Response) {
    return submitForm(res, {
      dto: GrantFormDto,
      body,
      view: 'grants/new',
      model: () => this.formModel('New grant'),
      save: (form) => this.grants.create(form),
      redirectTo: (grant) => `/grants/${grant.id}`,
      flash: (grant) => `Grant ${grant.awardNumber} created.`,
    });
  }

  @Get(':id/edit')
  @ManagerAccess()
  @Render('grants/edit')
  async editForm(@Param('id', ParseIdPipe) id: number) {
    const grant = await this.grants.findOne(id);
    return {
      ...(await this.formModel(`Edit ${grant.awardNumber}`)),
      grant,
      values: this.grants.toFormValues(grant),
    };
  }

  @Post(':id')
  @ManagerAccess()
  async update(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Res() res: Response) {
    const grant = await this.grants.findOne(id);
    return submitForm(res, {
      dto: GrantFormDto,
      body,
      view: 'grants/edit',
      model: async () => ({ ...(await this.formModel(`Edit ${grant.awardNumber}`)), grant }),
      save: (form) => this.grants.update(id, expectedVersion(body), form),
      current: async () => this.grants.toFormValues(await this.grants.findOne(id)),
      redirectTo: () => `/grants/${id}`,
      flash: (saved) => `Grant ${saved.awardNumber} saved.`,
    });
  }

  @Get(':id/amendments/new')
  @ManagerAccess()
  @Render('grants/amendment-new')
  async newAmendment(@Param('id', ParseIdPipe) id: number, @Query() query: ReviseQueryDto) {
    const model = await this.amendmentModel(id);
    if (query.revise)
      return {
        ...model,
        values: await this.approvals.revisionValues(query.revise, 'amendment', id),
      };
    return {
      ...model,
      values: { kind: model.amendments.length === 0 ? 'initial' : 'incremental_funding' },
    };
  }

  @Post(':id/amendments')
  @ManagerAccess()
  async addAmendment(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    await this.grants.findOne(id);
    return submitForm(res, {
      dto: AmendmentRequestDto,
      body,
      view: 'grants/amendment-new',
      model: () => this.amendmentModel(id),
      save: (form) => this.amendmentRequests.submit(id, form),
      redirectTo: (request) => `/approvals/${request.id}`,
      flash: requestedFlash,
    });
  }

  @Get(':id/budget-periods/edit')
  @ManagerAccess()
  @Render('grants/budget-periods')
  async editBudgetPeriods(@Param('id', ParseIdPipe) id: number) {
    const model = await this.budgetPeriodModel(id);
    const periods = await this.lookup.budgetPeriods(id);
    const rows = periods.map((p) => ({ startDate: p.startDate, endDate: p.endDate }));
    return {
      ...model,
      values: {
        periods: [...rows, { startDate: '', endDate: '' }],
        version: scheduleVersion(periods),
      },
    };
  }

  @Post(':id/budget-periods')
  @ManagerAccess()
  async saveBudgetPeriods(
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    await this.grants.findOne(id);
    const version = expectedContentVersion(body);
    return submitForm(res, {
      dto: BudgetPeriodsFormDto,
      body,
      view: 'grants/budget-periods',
      model: () => this.budgetPeriodModel(id),
      save: (form) => this.budgetPeriods.replace(id, form.periods, version),
      current: async () => ({ periods: await this.lookup.budgetPeriods(id) }),
      redirectTo: () => `/grants/${id}#budget-periods`,
      flash: (periods) => `Budget periods saved (${periods.length}).`,
    });
  }

  private filters(query: GrantListQueryDto): Record<string, string> {
    const out: Record<string, string> = {};
    if (query.q) out.q = query.q;
    if (query.status) out.status = query.status;
    if (query.programId) out.programId = String(query.programId);
    return out;
  }

  private async formModel(pageTitle: string) {
    return {
      pageTitle,
      statuses: GRANT_STATUSES,
      programs: await this.programs.list(),
      recipients: await this.recipients.options(),
    };
  }

  private async amendmentModel(id: number) {
    const grant = await this.grants.findOne(id);
    const amendments = await this.grants.amendmentsOf(id);
    const obligatedCents = await this.grants.obligatedCents(id);
    return {
      pageTitle: `New amendment — ${grant.awardNumber}`,
      grant,
      amendments,
      obligatedCents,
      obligatedDecimal: centsToDecimal(obligatedCents),
      kinds: AMENDMENT_KINDS,
      requestForm: true,
    };
  }

  private async budgetPeriodModel(id: number) {
    const grant = await this.grants.findOne(id);
    return { pageTitle: `Budget periods — ${grant.awardNumber}`, grant };
  }
}
