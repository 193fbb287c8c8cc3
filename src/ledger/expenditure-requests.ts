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
import { formatDate } from '../common/dates';
import { validFormOrThrow } from '../common/forms';
import { formatMoney, parseMoney, toCents } from '../common/money';
import { humanize } from '../common/views';
import { GrantLookup } from '../grants/grant-lookup';
import { ExpenditureFormDto } from './dto/expenditure-form.dto';
import { LedgerService } from './ledger.service';

/**
 * An expenditure above APPROVAL_THRESHOLD is a request: LedgerService.record runs when an approving
 * official approves it, with every ledger rule (obligation, budget period, go/no-go gate) checked
 * again then. Smaller ones post at once, as the form always did.
 */
@Injectable()
export class ExpenditureRequests implements RequestKind, OnModuleInit {
  readonly name = 'expenditure' as const;
  readonly label = 'Expenditure';

  constructor(
    private readonly kinds: RequestKinds,
    private readonly approvals: ApprovalsService,
    private readonly ledger: LedgerService,
    private readonly lookup: GrantLookup,
  ) {}

  onModuleInit(): void {
    this.kinds.register(this);
  }

  /** Whether the form's amount, as typed, is above the threshold (a request, not an entry). */
  needsApproval(body: unknown): boolean {
    const amount =
      body && typeof body === 'object' ? (body as Record<string, unknown>).amount : undefined;
    if (typeof amount !== 'string') return false;
    const parsed = parseMoney(amount);
    return parsed.ok && this.ledger.needsApproval(parsed.cents);
  }

  async submit(value: ExpenditureFormDto & RequestFields): Promise<ApprovalRequest> {
    const { form, justification, revises } = splitRequest(value);
    const grant = await this.lookup.grant(value.grantId);
    const share = value.share === 'federal' ? 'federal' : 'cost share';
    return this.approvals.submit({
      kind: this.name,
      grantId: value.grantId,
      payload: form,
      summary: `${formatMoney(toCents(value.amount))} ${share}, ${humanize(value.category)}, BP${value.budgetPeriod}, incurred ${formatDate(value.incurredOn)}, reference ${value.reference} (${grant.awardNumber})`,
      amountCents: toCents(value.amount),
      effectiveDate: value.incurredOn,
      justification,
      revises,
    });
  }

  async apply(action: RequestedAction) {
    const value = await validFormOrThrow(ExpenditureFormDto, action.payload);
    const entry = await this.ledger.record(value, true);
    return { type: 'expenditure', id: entry.id };
  }

  async changes(action: RequestedAction): Promise<RequestChange[]> {
    const form = action.payload as unknown as ExpenditureFormDto;
    const parsed = parseMoney(String(form.amount ?? ''));
    const amount = parsed.ok ? parsed.cents : 0;
    const spent = await this.ledger.spentFor(action.grantId);
    const grant = await this.lookup.grant(action.grantId);
    const federal = form.share === 'federal';
    const before = federal ? spent.federalCents : spent.costShareCents;
    return [
      {
        label: `${federal ? 'Federal spending' : 'Cost share met'} on ${grant.awardNumber}`,
        before: formatMoney(before),
        after: formatMoney(before + amount),
      },
    ];
  }

  revisePath(action: RequestedAction & { id: number }): string {
    return `/ledger/new?grantId=${action.grantId}&revise=${action.id}`;
  }

  resultPath(_action: RequestedAction, effect: { id: number }): string {
    return `/ledger/${effect.id}`;
  }
}
