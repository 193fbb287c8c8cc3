import { formatDate } from '../common/dates';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, QueryFailedError, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CostCategory, Share } from '../budgets/budget.constants';
import { Clock } from '../common/clock';
import { AppConfig, approvalThresholdCents } from '../common/config';
import { nowIso } from '../common/database/columns';
import { namedQuery } from '../common/database/named-query';
import { ReadCache } from '../common/database/read-cache';
import { lockRows, WritePath } from '../common/database/write-path';
import { FieldErrors, FormError } from '../common/forms';
import { formatMoney, toCents } from '../common/money';
import { currentActor } from '../common/request-context';
import { Grant, GrantStatus } from '../grants/grant.entity';
import { GrantLookup } from '../grants/grant-lookup';
import { GoNoGoGate } from '../milestones/go-no-go.gate';
import { ExpenditureFormDto } from './dto/expenditure-form.dto';
import { Expenditure } from './expenditure.entity';
import { LedgerBatch } from './ledger-checks';

/** An entry as the rules see it: the form's fields, the amount in cents. */
export interface EntryInput {
  grantId: number;
  budgetPeriod: number;
  category: CostCategory;
  incurredOn: string;
  amountCents: number;
  share: Share;
  reference: string;
  memo: string;
}

/** A ledger row for lists: the entry, its grant's award number and what reverses it, if anything. */
export interface LedgerRow extends EntryInput {
  id: number;
  awardNumber: string;
  reversalOf: number | null;
  reversedBy: number | null;
  recordedBy: string;
  recordedAt: string;
  recordedOn: string;
}

export interface SpentTotals {
  federalCents: number;
  costShareCents: number;
}

/** Grant statuses that take no new spending (DESIGN.md §3 and docs/ledger-import.md). */
const STATUS_REFUSALS: Record<Exclude<GrantStatus, 'active'>, string> = {
  draft: 'is a draft: it has no award yet, so nothing can be charged to it',
  suspended: 'is suspended: no expenditure can be recorded until it is active again',
  closed: 'is closed: its books are closed, so no expenditure can be recorded against it',
  terminated: 'is terminated: no expenditure can be recorded against it',
};

/** Corrections are allowed while a grant's books are open (active or suspended), not after. */
const CLOSED_BOOKS: GrantStatus[] = ['closed', 'terminated'];

const isUniqueViolation = (error: unknown) =>
  error instanceof QueryFailedError &&
  /UNIQUE constraint failed|duplicate key/i.test(error.message);

/**
 * The expenditure ledger: append-only entries, each checked against rules 3, 7 and 8 of DESIGN.md §3
 * inside its write transaction, and reversals that correct a mistake without erasing it.
 */
@Injectable()
export class LedgerService {
  constructor(
    @InjectRepository(Expenditure) private readonly entries: Repository<Expenditure>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly gate: GoNoGoGate,
    private readonly clock: Clock,
    private readonly cache: ReadCache,
    private readonly lookup: GrantLookup,
    private readonly config: AppConfig,
  ) {}

  /** Whether an entry of this amount waits for an approving official (above APPROVAL_THRESHOLD). */
  needsApproval(amountCents: number): boolean {
    return Math.abs(amountCents) > approvalThresholdCents(this.config);
  }

  /** A batch for `checkEntry`: one per form submission, one per import. */
  batch(manager: EntityManager): LedgerBatch {
    return new LedgerBatch(manager, this.clock.today(), this.cache, this.lookup);
  }

  /**
   * Every rule an entry must pass, each refusal keyed by the form field it belongs next to; empty when
   * the entry may be recorded. An accepted entry is added to the batch, so later entries of the same
   * batch count it toward the grant's obligations. The one code path for the form and the import.
   */
  async checkEntry(batch: LedgerBatch, entry: EntryInput): Promise<FieldErrors> {
    const errors: FieldErrors = {};
    if (entry.amountCents < 0) {
      errors.amount =
        'Enter the amount as a positive number. Corrections are reversals: reverse the original entry instead of recording a negative one.';
    } else if (entry.amountCents === 0) {
      errors.amount = 'Enter an amount above zero.';
    }

    const grant = await batch.grant(entry.grantId);
    if (!grant) return { ...errors, grantId: 'Choose an existing grant.' };
    if (grant.status !== 'active') {
      return { ...errors, grantId: `Grant ${grant.awardNumber} ${STATUS_REFUSALS[grant.status]}.` };
    }

    const periods = await batch.periodsOf(grant.id);
    const period = periods.find((p) => p.number === entry.budgetPeriod);
    if (periods.length === 0) {
      errors.budgetPeriod = `Grant ${grant.awardNumber} has no budget periods yet; set them up before recording spending.`;
    } else if (!period) {
      errors.budgetPeriod = `Budget period ${entry.budgetPeriod} does not exist on grant ${grant.awardNumber}; choose one of BP1–BP${periods.length}.`;
    }

    // Rule 3 (dates), then rule 7: one message for the date, the first that applies.
    if (entry.incurredOn > batch.today) {
      errors.incurredOn = `The date incurred cannot be in the future (today is ${formatDate(batch.today)}).`;
    } else if (entry.incurredOn < grant.startDate || entry.incurredOn > grant.endDate) {
      errors.incurredOn = `The date incurred must fall within the grant’s period of performance, ${formatDate(grant.startDate)} to ${formatDate(grant.endDate)}.`;
    } else if (
      period &&
      (entry.incurredOn < period.startDate || entry.incurredOn > period.endDate)
    ) {
      errors.incurredOn = `BP${period.number} runs ${formatDate(period.startDate)} to ${formatDate(period.endDate)}; the date incurred must fall within it, or choose another budget period.`;
    } else if (period) {
      const blocked = await this.gate.blockedBy(batch.manager, grant.id, entry.incurredOn, periods);
      if (blocked) errors.incurredOn = blocked;
    }

    // Rule 3 (money): federal spending never above what is obligated today.
    if (entry.share === 'federal' && !errors.amount) {
      const position = await batch.federalPosition(grant.id);
      const before = position.spentCents + position.pendingCents;
      if (before + entry.amountCents > position.obligatedCents) {
        const earlier =
          position.pendingRows > 0
            ? ` (counting ${position.pendingRows} earlier row${position.pendingRows === 1 ? '' : 's'} of this file)`
            : '';
        errors.amount = `This would bring federal spending on ${grant.awardNumber} to ${formatMoney(before + entry.amountCents)}, above the ${formatMoney(position.obligatedCents)} obligated as of ${formatDate(batch.today)}. Left to spend: ${formatMoney(Math.max(0, position.obligatedCents - before))}${earlier}.`;
      }
    }

    if (Object.keys(errors).length === 0) await batch.accept(entry);
    return errors;
  }

  /**
   * Records one entry from the form: checked and written, with its audit event, in one transaction.
   * An amount above APPROVAL_THRESHOLD is refused unless `approved` (ExpenditureRequests, when an
   * approving official approves its request).
   */
  async record(form: ExpenditureFormDto, approved = false): Promise<Expenditure> {
    if (!approved && this.needsApproval(toCents(form.amount))) {
      throw new FormError({
        justification: `An expenditure above ${formatMoney(approvalThresholdCents(this.config))} needs an approving official: say why it is needed, and it is recorded once approved.`,
      });
    }
    return this.writes.transaction(async (manager) => {
      // The grant's spending and obligations decide: another entry for it waits for this one.
      await lockRows(manager, 'grants', [form.grantId]);
      const entry = LedgerService.toEntry(form);
      const errors = await this.checkEntry(this.batch(manager), entry);
      if (Object.keys(errors).length > 0) throw new FormError(errors);
      return this.insert(manager, entry);
    });
  }

  /** Writes an entry already checked in this transaction. */
  insert(manager: EntityManager, entry: EntryInput): Promise<Expenditure> {
    const recordedAt = nowIso();
    return this.audit.insert(manager, Expenditure, 'expenditure', {
      ...entry,
      reversalOf: null,
      recordedBy: currentActor().email,
      recordedAt,
      recordedOn: this.clock.today(),
    });
  }

  /**
   * The entry to reverse, or FormError({ reason }) saying why it cannot be: a reversal, already
   * reversed, or its grant's books closed. The confirmation page asks it first (outside a
   * transaction, to show the refusal at once); reverse() asks again inside its own.
   */
  async reversible(manager: EntityManager, id: number): Promise<Expenditure> {
    const original = await manager.findOneBy(Expenditure, { id });
    if (!original) throw new NotFoundException(`Ledger entry ${id} does not exist.`);
    if (original.reversalOf !== null) {
      throw new FormError({
        reason: `Entry #${id} is itself the reversal of entry #${original.reversalOf}; a reversal cannot be reversed. Record the amount again as a new entry instead.`,
      });
    }
    const existing = await manager.findOneBy(Expenditure, { reversalOf: id });
    if (existing) throw new FormError({ reason: this.alreadyReversed(original, existing) });
    const grant = await manager.findOneByOrFail(Grant, { id: original.grantId });
    if (CLOSED_BOOKS.includes(grant.status)) {
      throw new FormError({
        reason: `Grant ${grant.awardNumber} is ${grant.status}: its books are closed, so its entries cannot be reversed.`,
      });
    }
    return original;
  }

  /** The reversible() check on the reading connection, for the confirmation page. */
  checkReversible(id: number): Promise<Expenditure> {
    return this.reversible(this.entries.manager, id);
  }

  /**
   * Corrects an entry by appending its opposite: same grant, budget period, category, share and date
   * incurred (so the correction lands in the original's month), recorded today, pointing at it.
   * Reports for a day before today still show the original alone, as the ledger stood then.
   */
  reverse(id: number, reason: string): Promise<Expenditure> {
    return this.writes.transaction(async (manager) => {
      const entry = await manager.findOneBy(Expenditure, { id });
      if (entry) await lockRows(manager, 'grants', [entry.grantId]);
      const original = await this.reversible(manager, id);
      try {
        return await this.audit.insert(manager, Expenditure, 'expenditure', {
          grantId: original.grantId,
          budgetPeriod: original.budgetPeriod,
          category: original.category,
          incurredOn: original.incurredOn,
          amountCents: -original.amountCents,
          share: original.share,
          reference: original.reference,
          memo: reason,
          reversalOf: original.id,
          recordedBy: currentActor().email,
          recordedAt: nowIso(),
          recordedOn: this.clock.today(),
        });
      } catch (error) {
        // Another instance reversed it between our check and our insert: the unique index decides.
        if (isUniqueViolation(error)) {
          throw new FormError({
            reason: `Entry #${id} was reversed by someone else a moment ago; nothing more was written.`,
          });
        }
        throw error;
      }
    });
  }

  async findOne(id: number): Promise<LedgerRow> {
    const [row] = await this.rows({ ids: [id] });
    if (!row) throw new NotFoundException(`Ledger entry ${id} does not exist.`);
    return row;
  }

  /** The entry that reverses `id`, or the one `id` reverses, for the entry page. */
  async related(row: LedgerRow): Promise<LedgerRow | null> {
    const otherId = row.reversalOf ?? row.reversedBy;
    return otherId === null ? null : this.findOne(otherId);
  }

  /** The last `limit` entries recorded for a grant, newest first (the grant page). */
  recentFor(grantId: number, limit = 5): Promise<LedgerRow[]> {
    return this.rows({ grantId, limit });
  }

  /**
   * How many entries the grant has, every share: the ledger is append-only (a reversal is an entry
   * of its own), so this grows with every entry recorded on the grant and is a version of all of
   * them. One primary-key read of ledger_totals, which the insert trigger keeps.
   */
  async entryCount(grantId: number): Promise<number> {
    const [row] = await namedQuery<{ n: number | string | null }>(
      this.entries.manager,
      'SELECT SUM(t.entry_count) AS "n" FROM ledger_totals t WHERE t.grant_id = :grantId',
      { grantId },
    );
    return Number(row?.n ?? 0);
  }

  /** What a grant has spent to date, reversals included, by share. */
  async spentFor(grantId: number): Promise<SpentTotals> {
    const row = await this.entries
      .createQueryBuilder('e')
      .select(
        "COALESCE(SUM(CASE WHEN e.share = 'federal' THEN e.amount_cents ELSE 0 END), 0)",
        'federal',
      )
      .addSelect(
        "COALESCE(SUM(CASE WHEN e.share = 'cost_share' THEN e.amount_cents ELSE 0 END), 0)",
        'costShare',
      )
      .where('e.grant_id = :grantId', { grantId })
      .getRawOne<{ federal: number | string; costShare: number | string }>();
    return { federalCents: Number(row?.federal ?? 0), costShareCents: Number(row?.costShare ?? 0) };
  }

  static toEntry(form: ExpenditureFormDto): EntryInput {
    return {
      grantId: form.grantId,
      budgetPeriod: form.budgetPeriod,
      category: form.category,
      incurredOn: form.incurredOn,
      amountCents: toCents(form.amount),
      share: form.share,
      reference: form.reference,
      memo: form.memo ?? '',
    };
  }

  private alreadyReversed(original: Expenditure, reversal: Expenditure): string {
    return `Entry #${original.id} was already reversed by entry #${reversal.id} on ${formatDate(reversal.recordedOn)} (${reversal.recordedBy}); an entry can be reversed once.`;
  }

  private async rows(filter: { ids?: number[]; grantId?: number; limit?: number }) {
    const query = this.entries
      .createQueryBuilder('e')
      .innerJoin(Grant, 'g', 'g.id = e.grant_id')
      .select([
        'e.id AS "id"',
        'e.grant_id AS "grantId"',
        'g.award_number AS "awardNumber"',
        'e.budget_period AS "budgetPeriod"',
        'e.category AS "category"',
        'e.incurred_on AS "incurredOn"',
        'e.amount_cents AS "amountCents"',
        'e.share AS "share"',
        'e.reference AS "reference"',
        'e.memo AS "memo"',
        'e.reversal_of AS "reversalOf"',
        'e.recorded_by AS "recordedBy"',
        'e.recorded_at AS "recordedAt"',
        'e.recorded_on AS "recordedOn"',
      ])
      .addSelect('(SELECT r.id FROM expenditures r WHERE r.reversal_of = e.id)', 'reversedBy')
      .orderBy('e.id', 'DESC');
    if (filter.ids) query.andWhere('e.id IN (:...ids)', { ids: filter.ids });
    if (filter.grantId) query.andWhere('e.grant_id = :grantId', { grantId: filter.grantId });
    if (filter.limit) query.limit(filter.limit);
    const raw = await query.getRawMany<
      Omit<LedgerRow, 'amountCents' | 'reversedBy' | 'reversalOf'> & {
        amountCents: number | string;
        reversedBy: number | string | null;
        reversalOf: number | string | null;
      }
    >();
    return raw.map(toLedgerRow);
  }
}

/** Raw SQL values to a row (PostgreSQL returns BIGINT and COUNT as strings). */
export function toLedgerRow<
  T extends {
    amountCents: number | string;
    reversedBy: number | string | null;
    reversalOf: number | string | null;
  },
>(
  raw: T,
): Omit<T, 'amountCents' | 'reversedBy' | 'reversalOf'> & {
  amountCents: number;
  reversedBy: number | null;
  reversalOf: number | null;
} {
  return {
    ...raw,
    amountCents: Number(raw.amountCents),
    reversedBy: raw.reversedBy === null ? null : Number(raw.reversedBy),
    reversalOf: raw.reversalOf === null ? null : Number(raw.reversalOf),
  };
}
