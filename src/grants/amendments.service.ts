import { formatDate } from '../common/dates';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { spanTooLong } from '../common/award-period';
import { PlannedSpendService } from '../budgets/planned-spend.service';
import { lockRows, WritePath } from '../common/database/write-path';
import { FieldErrors, FormError } from '../common/forms';
import { formatMoney, toCents } from '../common/money';
import { Expenditure } from '../ledger/expenditure.entity';
import { GoNoGoGate } from '../milestones/go-no-go.gate';
import { Program } from '../programs/program.entity';
import { ProgramsService } from '../programs/programs.service';
import { Amendment } from './amendment.entity';
import { BudgetPeriod } from './budget-period.entity';
import { AmendmentFormDto } from './dto/amendment-form.dto';
import { Grant } from './grant.entity';
import { GrantLookup } from './grant-lookup';
import { GrantsService } from './grants.service';

/**
 * Amendments are the only way money is obligated. They are appended, never edited or deleted, and each
 * one is checked against the program ceiling inside the write transaction, so two amendments submitted
 * at the same moment cannot both squeeze under it.
 */
@Injectable()
export class AmendmentsService {
  // The sums run inside the write transaction: the injected repositories join it.
  constructor(
    private readonly writes: WritePath,
    private readonly programs: ProgramsService,
    private readonly grants: GrantsService,
    private readonly audit: AuditService,
    private readonly gate: GoNoGoGate,
    private readonly plannedSpend: PlannedSpendService,
    private readonly lookup: GrantLookup,
  ) {}

  add(grantId: number, form: AmendmentFormDto): Promise<Amendment> {
    return this.writes.transaction(async (manager) => {
      // The program's ceiling and the grant's obligations decide: an amendment arriving meanwhile
      // (another request, another app instance) waits until this one commits, then counts it.
      const { programId } = await this.lookup.grant(grantId);
      await lockRows(manager, 'programs', [programId]);
      await lockRows(manager, 'grants', [grantId]);
      const grant = await this.lookup.grant(grantId);
      const change = toCents(form.federalChange);
      const previous = await manager.findOne(Amendment, {
        where: { grantId },
        order: { number: 'DESC' },
      });
      this.checkKind(form, change, grant, previous);
      await this.checkGate(manager, grant, form.effectiveDate, change);
      await this.checkMoney(manager, grant, change);

      if (form.kind === 'no_cost_extension' && form.newEndDate) {
        await this.extend(manager, grant, form.newEndDate);
      }
      return this.audit.insert(manager, Amendment, 'amendment', {
        grantId,
        number: previous ? previous.number + 1 : 0,
        effectiveDate: form.effectiveDate,
        kind: form.kind,
        federalChangeCents: change,
        newEndDate: form.kind === 'no_cost_extension' ? form.newEndDate : null,
        note: form.note ?? '',
      });
    });
  }

  private checkKind(
    form: AmendmentFormDto,
    change: number,
    grant: Grant,
    previous: Amendment | null,
  ): void {
    const errors: FieldErrors = {};
    if (!previous && form.kind !== 'initial') {
      errors.kind = 'The first amendment of a grant is its original award: choose “Initial”.';
    }
    if (previous && form.kind === 'initial') {
      errors.kind = `This grant already has its original award (amendment 0); choose another kind.`;
    }
    if (previous && form.effectiveDate < previous.effectiveDate) {
      errors.effectiveDate = `Amendment ${previous.number} is effective ${formatDate(previous.effectiveDate)}; a later amendment cannot take effect before it.`;
    }
    if ((form.kind === 'initial' || form.kind === 'incremental_funding') && change <= 0) {
      errors.federalChange =
        'An award or incremental funding adds money: enter an amount above zero.';
    }
    if (form.kind === 'deobligation' && change >= 0) {
      errors.federalChange =
        'A deobligation removes money: enter a negative amount, e.g. -25,000.00.';
    }
    if ((form.kind === 'no_cost_extension' || form.kind === 'rebudget') && change !== 0) {
      errors.federalChange = `A ${form.kind === 'rebudget' ? 'rebudget' : 'no-cost extension'} does not change the federal amount: enter 0.`;
    }
    if (form.kind === 'no_cost_extension') {
      if (!form.newEndDate) errors.newEndDate = 'A no-cost extension needs the new end date.';
      else if (form.newEndDate <= grant.endDate) {
        errors.newEndDate = `The new end date must be after the current end date, ${formatDate(grant.endDate)}.`;
      } else {
        const tooLong = spanTooLong('period of performance', grant.startDate, form.newEndDate);
        if (tooLong) errors.newEndDate = tooLong;
      }
    } else if (form.newEndDate) {
      errors.newEndDate = 'Only a no-cost extension changes the end date; leave this blank.';
    }
    if (change > 0 && form.effectiveDate > grant.endDate) {
      errors.effectiveDate = `The period of performance ended ${formatDate(grant.endDate)}; money cannot be obligated after it.`;
    }
    if (change > 0 && (grant.status === 'closed' || grant.status === 'terminated')) {
      errors.federalChange = `Grant ${grant.awardNumber} is ${grant.status}; no new money can be obligated to it.`;
    }
    if (Object.keys(errors).length > 0) throw new FormError(errors);
  }

  /** Rule 7: money for budget period N+1 waits for the `go` that closes budget period N. */
  private async checkGate(
    manager: EntityManager,
    grant: Grant,
    effectiveDate: string,
    change: number,
  ): Promise<void> {
    if (change <= 0) return;
    const blocked = await this.gate.blockedBy(manager, grant.id, effectiveDate);
    if (blocked) throw new FormError({ effectiveDate: blocked });
  }

  /** Rule 1: the program's obligations never exceed its ceiling; a grant's never go below zero. */
  private async checkMoney(manager: EntityManager, grant: Grant, change: number): Promise<void> {
    const program = await manager.findOneByOrFail(Program, { id: grant.programId });
    const programObligated = await this.programs.obligatedCents(program.id);
    const headroom = program.ceilingCents - programObligated;
    if (change > headroom) {
      throw new FormError({
        federalChange: `This would obligate ${formatMoney(programObligated + change)}, above the program ceiling of ${formatMoney(program.ceilingCents)}. Headroom left: ${formatMoney(headroom)}.`,
      });
    }
    const grantObligated = await this.grants.obligatedCents(grant.id);
    if (grantObligated + change < 0) {
      throw new FormError({
        federalChange: `The grant has ${formatMoney(grantObligated)} obligated; it cannot deobligate more than that.`,
      });
    }
    // Rule 2: never below what the grant has already spent of its federal share.
    const spent = await this.federalSpentCents(manager, grant.id);
    if (change < 0 && grantObligated + change < spent) {
      throw new FormError({
        federalChange: `The grant has already spent ${formatMoney(spent)} of its ${formatMoney(grantObligated)} federal obligation; it can deobligate at most ${formatMoney(grantObligated - spent)}.`,
      });
    }
  }

  private async federalSpentCents(manager: EntityManager, grantId: number): Promise<number> {
    const row = await manager
      .createQueryBuilder(Expenditure, 'e')
      .select('COALESCE(SUM(e.amount_cents), 0)', 'spent')
      .where('e.grant_id = :grantId AND e.share = :share', { grantId, share: 'federal' })
      .getRawOne<{ spent: number | string }>();
    return Number(row?.spent ?? 0);
  }

  /** A no-cost extension moves the period of performance and the final budget period with it. */
  private async extend(manager: EntityManager, grant: Grant, newEndDate: string): Promise<void> {
    await this.audit.update(
      manager,
      Grant,
      'grant',
      grant.id,
      { endDate: newEndDate },
      { action: 'no_cost_extension' },
    );
    const last = await manager.findOne(BudgetPeriod, {
      where: { grantId: grant.id },
      order: { number: 'DESC' },
    });
    if (last)
      await this.audit.update(manager, BudgetPeriod, 'budget_period', last.id, {
        endDate: newEndDate,
      });
    await this.plannedSpend.rebuild(manager, grant.id);
  }
}
