import { Injectable, OnModuleInit } from '@nestjs/common';
import { ApprovalRequest } from '../approvals/approval-request.entity';
import { ApprovalsService } from '../approvals/approvals.service';
import {
  RequestChange,
  RequestedAction,
  RequestKind,
  RequestKinds,
} from '../approvals/request-kinds';
import { RequestFields, splitRequest } from '../approvals/request-form';
import { formatDate } from '../common/dates';
import { validFormOrThrow } from '../common/forms';
import { formatMoney, parseMoney } from '../common/money';
import { humanize } from '../common/views';
import { ProgramsService } from '../programs/programs.service';
import { AmendmentsService } from './amendments.service';
import { AmendmentFormDto } from './dto/amendment-form.dto';
import { GrantLookup } from './grant-lookup';
import { GrantsService } from './grants.service';

/**
 * Every amendment — the original award, incremental funding, a deobligation, a no-cost extension, a
 * rebudget — is a request first: AmendmentsService.add runs when an approving official approves it.
 */
@Injectable()
export class AmendmentRequests implements RequestKind, OnModuleInit {
  readonly name = 'amendment' as const;
  readonly label = 'Amendment';

  constructor(
    private readonly kinds: RequestKinds,
    private readonly approvals: ApprovalsService,
    private readonly amendments: AmendmentsService,
    private readonly grants: GrantsService,
    private readonly programs: ProgramsService,
    private readonly lookup: GrantLookup,
  ) {}

  onModuleInit(): void {
    this.kinds.register(this);
  }

  /**
   * Files the typed amendment form as a request (or a revision of a rejected one); `check: false`
   * only for the demo's story (see ApprovalsService.submit).
   */
  submit(
    grantId: number,
    value: AmendmentFormDto & RequestFields,
    check = true,
  ): Promise<ApprovalRequest> {
    const { form, justification, revises } = splitRequest(value);
    const change = parseMoney(value.federalChange);
    return this.approvals.submit(
      {
        kind: this.name,
        grantId,
        payload: form,
        summary: this.summary(value),
        amountCents: change.ok ? change.cents : 0,
        effectiveDate: value.effectiveDate,
        justification,
        revises,
      },
      check,
    );
  }

  async apply(action: RequestedAction) {
    const form = await this.form(action);
    const amendment = await this.amendments.add(action.grantId, form);
    return { type: 'amendment', id: amendment.id };
  }

  async changes(action: RequestedAction): Promise<RequestChange[]> {
    const form = action.payload as unknown as AmendmentFormDto;
    const parsed = parseMoney(String(form.federalChange ?? ''));
    const change = parsed.ok ? parsed.cents : 0;
    const grant = await this.lookup.grant(action.grantId);
    const program = await this.programs.findOne(grant.programId);
    const programObligated = await this.programs.obligatedCents(program.id);
    const grantObligated = await this.grants.obligatedCents(grant.id);
    const rows: RequestChange[] = [
      {
        label: `Obligated to ${grant.awardNumber}`,
        before: formatMoney(grantObligated),
        after: formatMoney(grantObligated + change),
      },
      {
        label: 'Program obligations',
        before: formatMoney(programObligated),
        after: formatMoney(programObligated + change),
      },
      {
        label: `Headroom under the ${formatMoney(program.ceilingCents)} ceiling`,
        before: formatMoney(program.ceilingCents - programObligated),
        after: formatMoney(program.ceilingCents - programObligated - change),
      },
    ];
    if (form.kind === 'no_cost_extension' && form.newEndDate) {
      rows.push({
        label: 'End of the period of performance',
        before: formatDate(grant.endDate),
        after: formatDate(form.newEndDate),
      });
    }
    return rows;
  }

  revisePath(action: RequestedAction & { id: number }): string {
    return `/grants/${action.grantId}/amendments/new?revise=${action.id}`;
  }

  resultPath(action: RequestedAction): string {
    return `/grants/${action.grantId}#amendments`;
  }

  private summary(form: AmendmentFormDto): string {
    const parsed = parseMoney(form.federalChange);
    // "Deobligation of $150,000.00": the kind says which way the money goes.
    const money =
      parsed.ok && parsed.cents !== 0 ? ` of ${formatMoney(Math.abs(parsed.cents))}` : '';
    const end =
      form.kind === 'no_cost_extension' && form.newEndDate
        ? `, to ${formatDate(form.newEndDate)}`
        : '';
    return `${humanize(form.kind)}${money}${end}, effective ${formatDate(form.effectiveDate)}`;
  }

  private async form(action: RequestedAction): Promise<AmendmentFormDto> {
    return validFormOrThrow(AmendmentFormDto, action.payload);
  }
}
