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
import { expectedVersion, validFormOrThrow } from '../common/forms';
import { humanize } from '../common/views';
import { DecisionFormDto } from './dto/decision-form.dto';
import { MilestonesService } from './milestones.service';

const DECISION_WORDS = { go: 'Go', no_go: 'No-go' } as const;

/**
 * Every go/no-go decision is a request: MilestonesService.decide runs when an approving official
 * approves it, so the next budget period's money is released (or stopped) by two people. Two requests
 * for one gate may both be pending; once one is approved the other is refused (a decision is final).
 */
@Injectable()
export class DecisionRequests implements RequestKind, OnModuleInit {
  readonly name = 'go_no_go' as const;
  readonly label = 'Go/no-go decision';

  constructor(
    private readonly kinds: RequestKinds,
    private readonly approvals: ApprovalsService,
    private readonly milestones: MilestonesService,
  ) {}

  onModuleInit(): void {
    this.kinds.register(this);
  }

  /** Files the typed decision as a request (or a revision of a rejected one). */
  async submit(
    milestoneId: number,
    version: number,
    value: DecisionFormDto & RequestFields,
  ): Promise<ApprovalRequest> {
    const milestone = await this.milestones.findOne(milestoneId);
    const { form, justification, revises } = splitRequest(value);
    return this.approvals.submit({
      kind: this.name,
      grantId: milestone.grantId,
      targetId: milestone.id,
      payload: { ...form, version: String(version) },
      summary: `${DECISION_WORDS[value.decision]} on “${milestone.title}” (BP${milestone.budgetPeriod}), decided ${formatDate(value.decidedOn)}`,
      effectiveDate: value.decidedOn,
      justification,
      revises,
    });
  }

  async apply(action: RequestedAction) {
    const value = await validFormOrThrow(DecisionFormDto, action.payload);
    const milestone = await this.milestones.decide(
      this.milestoneId(action),
      expectedVersion(action.payload),
      value,
    );
    return { type: 'milestone', id: milestone.id };
  }

  async changes(action: RequestedAction): Promise<RequestChange[]> {
    const milestone = await this.milestones.findOne(this.milestoneId(action));
    const form = action.payload as unknown as DecisionFormDto;
    const decision = DECISION_WORDS[form.decision] ?? String(form.decision);
    const next = milestone.budgetPeriod + 1;
    return [
      {
        label: `Decision on “${milestone.title}”`,
        before: humanize(milestone.decision ?? 'pending'),
        after: decision,
      },
      { label: 'Milestone status', before: humanize(milestone.status), after: 'Complete' },
      {
        label: `Funding and charges in BP${next}`,
        before: milestone.decision === 'go' ? 'Allowed' : 'Held until a go decision',
        after: form.decision === 'go' ? 'Allowed' : 'Not funded (no-go)',
      },
    ];
  }

  revisePath(action: RequestedAction & { id: number }): string {
    return `/milestones/${this.milestoneId(action)}?revise=${action.id}#decision`;
  }

  resultPath(action: RequestedAction): string {
    return `/milestones/${this.milestoneId(action)}#decision`;
  }

  private milestoneId(action: RequestedAction): number {
    if (action.targetId === null) throw new Error('A go/no-go request names its milestone');
    return action.targetId;
  }
}
