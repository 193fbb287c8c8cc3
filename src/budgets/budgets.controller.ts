import { formatDate } from '../common/dates';
import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import { FilterQuery } from '../common/http/filter-query';
import type { Response } from 'express';
import { ManagerAccess, ReadAccess } from '../common/http/access.decorators';
import { AuditService } from '../audit/audit.service';
import { AsOfQuery } from '../common/as-of-query.dto';
import { Clock } from '../common/clock';
import { fieldId, submitForm } from '../common/forms';
import { ApprovalsService } from '../approvals/approvals.service';
import { requestedFlash, requestForm, ReviseQueryDto } from '../approvals/request-form';
import { formatMoney, parseMoney } from '../common/money';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { BudgetPeriod } from '../grants/budget-period.entity';
import { GrantLookup } from '../grants/grant-lookup';
import { COST_CATEGORIES } from './budget.constants';
import {
  CELL_SHARES,
  CellShare,
  cellKey,
  cellLabel,
  categoryLabel,
  formVersion,
  GridValues,
  savedValues,
  typedValues,
} from './budget-grid';
import { BudgetRequests } from './budget-requests';
import { BudgetsService } from './budgets.service';
import { RebudgetService } from './rebudget.service';
import { BudgetFormDto } from './dto/budget-form.dto';

const BudgetRequestDto = requestForm(BudgetFormDto);

/** The cents a cell's text stands for (blank is zero), or null when it is not an amount. */
function textCents(text: string): number | null {
  if (text.trim() === '') return 0;
  const parsed = parseMoney(text);
  return parsed.ok ? parsed.cents : null;
}

/**
 * The grid's inputs, categories as rows and for each budget period a federal and a cost-share field.
 * Each input also carries the saved amount and whether the shown value differs from it: after a 409
 * the form keeps what the user typed, and the view marks the cells someone else's save changed.
 */
export function formRows(periods: BudgetPeriod[], values: GridValues, saved: GridValues) {
  const input = (bp: number, category: (typeof COST_CATEGORIES)[number], share: CellShare) => {
    const value = values[bp]?.[category]?.[share] ?? '';
    const savedCents = textCents(saved[bp]?.[category]?.[share] ?? '') ?? 0;
    return {
      id: fieldId(cellKey(bp, category, share)),
      name: `lines[${bp}][${category}][${share}]`,
      key: cellKey(bp, category, share),
      label: cellLabel(bp, category, share),
      value,
      savedText: formatMoney(savedCents),
      differsFromSaved: textCents(value) !== savedCents,
    };
  };
  return COST_CATEGORIES.map((category) => ({
    category,
    label: categoryLabel(category),
    cells: periods.map((p) => ({
      bp: p.number,
      ...Object.fromEntries(CELL_SHARES.map((share) => [share, input(p.number, category, share)])),
    })),
  }));
}

/**
 * What the grid's federal total should reach: the amount obligated, and how far the saved federal
 * total is from it. Figures of the saved state (the page has no script to total what is typed).
 */
export function obligatedTarget(federalBudgetCents: number, obligatedCents: number) {
  const differenceCents = federalBudgetCents - obligatedCents;
  return {
    obligatedCents,
    federalBudgetCents,
    differenceCents,
    matches: differenceCents === 0,
    difference:
      differenceCents === 0
        ? 'equal to the amount obligated'
        : `${formatMoney(Math.abs(differenceCents))} ${differenceCents > 0 ? 'above' : 'below'} the amount obligated`,
  };
}

/** A grant's budget: the grid with its totals, and the form that saves it all at once. */
@ReadAccess()
@Controller('grants/:id/budget')
export class BudgetsController {
  constructor(
    private readonly budgets: BudgetsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly lookup: GrantLookup,
    private readonly requests: BudgetRequests,
    private readonly approvals: ApprovalsService,
  ) {}

  @Get()
  @Render('budgets/show')
  async show(@Param('id', ParseIdPipe) id: number, @FilterQuery() query: AsOfQuery) {
    const grant = await this.lookup.grant(id);
    const asOf = query.asOf ?? this.clock.today();
    const budget = await this.budgets.budgetOf(id);
    return {
      pageTitle: `Budget — ${grant.awardNumber}`,
      grant,
      asOf,
      grid: await this.budgets.grid(id, query.asOf),
      summary: await this.budgets.summaryFor(id, query.asOf),
      pendingRequests: query.asOf
        ? []
        : (await this.approvals.pendingFor(id)).filter((r) => r.kind === 'budget_revision'),
      history: budget ? await this.audit.describedHistory('budget', budget.id) : [],
    };
  }

  /** The grid as saved, or (`?revise=`) as typed in the rejected request being revised. */
  @Get('edit')
  @ManagerAccess()
  @Render('budgets/edit')
  async editForm(@Param('id', ParseIdPipe) id: number, @Query() query: ReviseQueryDto) {
    const periods = await this.lookup.budgetPeriods(id);
    const numbers = periods.map((p) => p.number);
    if (query.revise) {
      const revising = await this.approvals.revisionValues(query.revise, 'budget_revision', id);
      return {
        ...(await this.formModel(id, typedValues(revising.lines, numbers))),
        values: revising,
      };
    }
    const values = savedValues(await this.budgets.linesOf(id), numbers);
    const budget = await this.budgets.budgetOf(id);
    return { ...(await this.formModel(id, values)), values: { version: budget?.version ?? 0 } };
  }

  /** Sends the whole grid for approval: nothing in the budget changes until it is approved. */
  @Post()
  @ManagerAccess()
  async request(@Param('id', ParseIdPipe) id: number, @Body() body: unknown, @Res() res: Response) {
    await this.lookup.grant(id);
    const periods = await this.lookup.budgetPeriods(id);
    const version = formVersion(body);
    const lines =
      body && typeof body === 'object' ? (body as { lines?: unknown }).lines : undefined;
    const typed = typedValues(
      lines,
      periods.map((p) => p.number),
    );
    const { justification, revises } = (body ?? {}) as Record<string, unknown>;
    return submitForm(res, {
      dto: BudgetRequestDto,
      body,
      values: { version, justification, revises },
      view: 'budgets/edit',
      model: () => this.formModel(id, typed),
      save: (form) => this.requests.submit(id, form),
      redirectTo: (request) => `/approvals/${request.id}`,
      flash: requestedFlash,
    });
  }

  private async formModel(id: number, values: GridValues) {
    const grant = await this.lookup.grant(id);
    const grid = await this.budgets.grid(id);
    const budget = await this.budgets.budgetOf(id);
    const saved = savedValues(
      await this.budgets.linesOf(id),
      grid.periods.map((p) => p.number),
    );
    const summary = await this.budgets.summaryFor(id);
    return {
      pageTitle: `Edit budget — ${grant.awardNumber}`,
      grant,
      grid,
      savedVersion: budget?.version ?? 0,
      rows: formRows(grid.periods, values, saved),
      target: obligatedTarget(summary.federalBudgetCents, summary.obligatedCents),
    };
  }
}

/** Rule 6 across the program: grants flagged "prior approval required", and those nearing it. */
@ReadAccess()
@Controller('budgets')
export class RebudgetController {
  constructor(
    private readonly rebudget: RebudgetService,
    private readonly clock: Clock,
  ) {}

  @Get('rebudget')
  @Render('budgets/rebudget')
  async index(@FilterQuery() query: AsOfQuery) {
    const asOf = query.asOf ?? this.clock.today();
    const all = await this.rebudget.rebudgetAll(query.asOf);
    const byShare = (a: { percent: number | null }, b: { percent: number | null }) =>
      (b.percent ?? 0) - (a.percent ?? 0);
    return {
      pageTitle: `Rebudget flags as of ${formatDate(asOf)}`,
      asOf,
      flagged: all.filter((f) => f.flagged).sort(byShare),
      near: all.filter((f) => f.nearThreshold).sort(byShare),
      checked: all.filter((f) => f.totalBudgetCents > 0).length,
      noBudget: all.filter((f) => f.totalBudgetCents === 0),
    };
  }
}
