import { Injectable, OnModuleInit } from '@nestjs/common';
import { ApprovalRequest } from '../approvals/approval-request.entity';
import { ApprovalsService } from '../approvals/approvals.service';
import { RequestFields, splitRequest } from '../approvals/request-form';
import {
  RequestChange,
  RequestedAction,
  RequestKind,
  RequestKinds,
} from '../approvals/request-kinds';
import { formatMoney } from '../common/money';
import { GrantLookup } from '../grants/grant-lookup';
import { COST_CATEGORIES } from './budget.constants';
import { CELL_SHARES, cellLabel, formVersion, GridCents, readGrid } from './budget-grid';

import { BudgetsService } from './budgets.service';
import { BudgetFormDto } from './dto/budget-form.dto';

/** One changed cell of a revision: the saved amount and the requested one. */
interface CellChange {
  label: string;
  share: (typeof CELL_SHARES)[number];
  beforeCents: number;
  afterCents: number;
}

/** How much the revision moves the federal total (cost share aside). */
const federalChange = (cells: CellChange[]) =>
  cells
    .filter((c) => c.share === 'federal')
    .reduce((sum, c) => sum + c.afterCents - c.beforeCents, 0);

/**
 * Every budget revision — the first budget too — is a request: BudgetsService.save runs when an
 * approving official approves it, at the budget version the form was opened at, so a revision approved
 * after another one was approved is refused (409 wording) rather than silently undoing it.
 */
@Injectable()
export class BudgetRequests implements RequestKind, OnModuleInit {
  readonly name = 'budget_revision' as const;
  readonly label = 'Budget revision';

  constructor(
    private readonly kinds: RequestKinds,
    private readonly approvals: ApprovalsService,
    private readonly budgets: BudgetsService,
    private readonly lookup: GrantLookup,
  ) {}

  onModuleInit(): void {
    this.kinds.register(this);
  }

  /** Files the typed grid as a request (or a revision of a rejected one). */
  async submit(grantId: number, value: BudgetFormDto & RequestFields): Promise<ApprovalRequest> {
    const { form, justification, revises } = splitRequest(value);
    const payload = { lines: form.lines ?? null, version: String(formVersion(form)) };
    const cells = await this.cellChanges(grantId, payload.lines);
    const change = federalChange(cells);
    return this.approvals.submit({
      kind: this.name,
      grantId,
      payload,
      summary: this.summary(cells.length, change),
      amountCents: change,
      justification,
      revises,
    });
  }

  async apply(action: RequestedAction) {
    const { budget } = await this.budgets.save(
      action.grantId,
      formVersion(action.payload),
      action.payload.lines,
    );
    return { type: 'budget', id: budget.id };
  }

  async changes(action: RequestedAction): Promise<RequestChange[]> {
    const cells = await this.cellChanges(action.grantId, action.payload.lines);
    const summary = await this.budgets.summaryFor(action.grantId);
    const after = summary.federalBudgetCents + federalChange(cells);
    return [
      ...cells.map((c) => ({
        label: c.label,
        before: formatMoney(c.beforeCents),
        after: formatMoney(c.afterCents),
      })),
      {
        label: 'Federal budget, all budget periods',
        before: formatMoney(summary.federalBudgetCents),
        after: formatMoney(after),
      },
      {
        label: `Federal budget against the ${formatMoney(summary.obligatedCents)} obligated`,
        before: this.difference(summary.federalBudgetCents - summary.obligatedCents),
        after: this.difference(after - summary.obligatedCents),
      },
    ];
  }

  revisePath(action: RequestedAction & { id: number }): string {
    return `/grants/${action.grantId}/budget/edit?revise=${action.id}`;
  }

  resultPath(action: RequestedAction): string {
    return `/grants/${action.grantId}/budget`;
  }

  /** The cells the grid would change, against the budget saved now (none when it does not read). */
  private async cellChanges(grantId: number, lines: unknown): Promise<CellChange[]> {
    const periods = await this.lookup.budgetPeriods(grantId);
    const { cents, errors } = readGrid(
      lines,
      periods.map((p) => p.number),
    );
    if (Object.keys(errors).length > 0) return [];
    const saved = await this.budgets.linesOf(grantId);
    const changes: CellChange[] = [];
    for (const bp of periods.map((p) => p.number)) {
      for (const category of COST_CATEGORIES) {
        const line = saved.find((l) => l.budgetPeriod === bp && l.category === category);
        for (const share of CELL_SHARES) {
          const beforeCents =
            (share === 'federal' ? line?.federalCents : line?.costShareCents) ?? 0;
          const afterCents = typedCents(cents, bp, category, share);
          if (beforeCents !== afterCents) {
            changes.push({ label: cellLabel(bp, category, share), share, beforeCents, afterCents });
          }
        }
      }
    }
    return changes;
  }

  private summary(changedCells: number, federalChange: number): string {
    const cells = `${changedCells} ${changedCells === 1 ? 'amount' : 'amounts'} changed`;
    const federal =
      federalChange === 0
        ? 'federal total unchanged'
        : `federal total ${federalChange > 0 ? 'up' : 'down'} ${formatMoney(Math.abs(federalChange))}`;
    return `Budget revision: ${cells}, ${federal}`;
  }

  private difference(cents: number): string {
    if (cents === 0) return 'equal';
    return `${formatMoney(Math.abs(cents))} ${cents > 0 ? 'above' : 'below'}`;
  }
}

function typedCents(
  cents: GridCents,
  bp: number,
  category: (typeof COST_CATEGORIES)[number],
  share: (typeof CELL_SHARES)[number],
): number {
  const cell = cents.get(bp)?.get(category);
  return (share === 'federal' ? cell?.federalCents : cell?.costShareCents) ?? 0;
}
