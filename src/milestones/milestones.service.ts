import { formatDate } from '../common/dates';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Not, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { asOfParams, recordedAsOf } from '../common/as-of';
import { Clock } from '../common/clock';
import { AppConfig } from '../common/config';
import { namedQuery } from '../common/database/named-query';
import { WritePath } from '../common/database/write-path';
import { FieldErrors, FormError } from '../common/forms';
import { Page, PAGE_SIZE, toPage } from '../common/pagination';
import { currentActor } from '../common/request-context';
import { BudgetPeriod } from '../grants/budget-period.entity';
import { Grant } from '../grants/grant.entity';
import { GrantLookup } from '../grants/grant-lookup';
import { CompletionFormDto } from './dto/completion-form.dto';
import { DecisionFormDto } from './dto/decision-form.dto';
import { MilestoneFormDto } from './dto/milestone-form.dto';
import { MilestoneListQueryDto } from './dto/milestone-list-query.dto';
import { Decision, Milestone } from './milestone.entity';
import { OVERDUE_SQL, SHOWN_STATUS_SQL, ShownStatus, shownStatus } from './milestone-status';

/** A milestone with what it is shown as on the report's day. */
export type MilestoneView = Milestone & {
  shown: ShownStatus;
  /** Whether "Mark complete" applies (not a go/no-go, not already complete). */
  canComplete: boolean;
};

export interface BudgetPeriodGroup {
  number: number;
  /** Null when the milestone names a budget period the grant does not (or no longer) have. */
  period: BudgetPeriod | null;
  milestones: MilestoneView[];
}

export interface MilestoneRow {
  id: number;
  grantId: number;
  awardNumber: string;
  budgetPeriod: number;
  title: string;
  kind: Milestone['kind'];
  dueDate: string;
  status: Milestone['status'];
  completedOn: string | null;
  decision: Decision | null;
  shown: ShownStatus;
}

const DECISION_WORDS: Record<Decision, string> = { pending: 'pending', go: 'go', no_go: 'no-go' };
const KIND_WORDS: Record<Milestone['kind'], string> = {
  deliverable: 'a deliverable',
  report: 'a report',
  go_no_go: 'a go/no-go milestone',
};

/** Why this milestone cannot be marked complete on `completedOn`; empty when it can. */
export function completionErrors(
  milestone: Pick<Milestone, 'kind' | 'status' | 'completedOn'>,
  completedOn: string,
  today: string,
  grant: Pick<Grant, 'startDate'>,
): FieldErrors {
  if (milestone.kind === 'go_no_go') {
    return {
      completedOn:
        'A go/no-go milestone is completed by its decision: record the decision instead.',
    };
  }
  if (milestone.status === 'complete') {
    return {
      completedOn: `This milestone was already marked complete on ${milestone.completedOn ? formatDate(milestone.completedOn) : 'an unknown date'}; nothing was changed.`,
    };
  }
  if (completedOn > today) {
    return {
      completedOn: `The completed date cannot be in the future (today is ${formatDate(today)}).`,
    };
  }
  if (completedOn < grant.startDate) {
    return {
      completedOn: `The completed date cannot be before the grant’s period of performance starts, ${formatDate(grant.startDate)}.`,
    };
  }
  return {};
}

/** Whether the one-click "Mark complete" applies: not a go/no-go milestone, not complete yet. */
export const canMarkComplete = (milestone: Pick<Milestone, 'kind' | 'status'>) =>
  milestone.kind !== 'go_no_go' && milestone.status !== 'complete';

/** Why a decision cannot be recorded on this milestone; empty when it can. */
export function decisionErrors(
  milestone: Pick<Milestone, 'kind' | 'decision' | 'decidedOn' | 'decidedBy'>,
  form: Pick<DecisionFormDto, 'decidedOn'>,
  today: string,
): FieldErrors {
  if (milestone.kind !== 'go_no_go') {
    return {
      decision: `Only a go/no-go milestone takes a decision; this one is ${KIND_WORDS[milestone.kind]}.`,
    };
  }
  if (milestone.decision && milestone.decision !== 'pending') {
    return {
      decision: `This milestone was already decided ${DECISION_WORDS[milestone.decision]} on ${formatDate(milestone.decidedOn)} by ${milestone.decidedBy ?? 'an unknown user'}. A recorded decision is final: correcting one is out of scope for this tracker, so nothing was changed.`,
    };
  }
  if (form.decidedOn > today) {
    return {
      decidedOn: `The decision date cannot be in the future (today is ${formatDate(today)}).`,
    };
  }
  return {};
}

@Injectable()
export class MilestonesService {
  constructor(
    @InjectRepository(Milestone) private readonly milestones: Repository<Milestone>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly lookup: GrantLookup,
    private readonly config: AppConfig,
  ) {}

  async findOne(id: number): Promise<Milestone> {
    const milestone = await this.milestones.findOne({ where: { id }, relations: { grant: true } });
    if (!milestone) throw new NotFoundException(`Milestone ${id} does not exist.`);
    return milestone;
  }

  view(milestone: Milestone, asOf: string): MilestoneView {
    return {
      ...milestone,
      shown: shownStatus(milestone, asOf),
      canComplete: canMarkComplete(milestone),
    };
  }

  /**
   * The grant's milestones as of `asOf`, grouped by budget period and sorted by due date. With
   * `recorded`, the milestones and budget periods as the records stood at the end of asOf (DESIGN.md
   * §4): one added, edited or decided later is shown as it was then.
   */
  async forGrant(grantId: number, asOf: string, recorded = false): Promise<BudgetPeriodGroup[]> {
    const [periods, milestones] = recorded
      ? await this.recordedOf(grantId, asOf)
      : await Promise.all([
          this.lookup.budgetPeriods(grantId),
          this.milestones.find({
            where: { grantId },
            order: { budgetPeriod: 'ASC', dueDate: 'ASC', id: 'ASC' },
          }),
        ]);
    const groups = new Map<number, BudgetPeriodGroup>();
    for (const milestone of milestones) {
      const number = milestone.budgetPeriod;
      if (!groups.has(number)) {
        const period = periods.find((p) => p.number === number) ?? null;
        groups.set(number, { number, period, milestones: [] });
      }
      groups.get(number)!.milestones.push(this.view(milestone, asOf));
    }
    return [...groups.values()];
  }

  /** The grant's budget periods and milestones as recorded at the end of asOf (two indexed reads). */
  private async recordedOf(grantId: number, asOf: string): Promise<[BudgetPeriod[], Milestone[]]> {
    const params = { grantId, ...asOfParams(asOf, this.config.APP_TIME_ZONE) };
    const manager = this.milestones.manager;
    const [periods, milestones] = await Promise.all([
      namedQuery<Record<string, unknown>>(
        manager,
        `SELECT p.id AS "id", p.grant_id AS "grantId", p.number AS "number",
                p.start_date AS "startDate", p.end_date AS "endDate"
           FROM ${recordedAsOf('budget_periods')} p WHERE p.grant_id = :grantId
          ORDER BY p.number`,
        params,
      ),
      namedQuery<Record<string, unknown>>(
        manager,
        `SELECT m.id AS "id", m.version AS "version", m.created_at AS "createdAt",
                m.updated_at AS "updatedAt", m.grant_id AS "grantId",
                m.budget_period AS "budgetPeriod", m.title AS "title", m.kind AS "kind",
                m.due_date AS "dueDate", m.status AS "status", m.completed_on AS "completedOn",
                m.notes AS "notes", m.decision AS "decision", m.decided_on AS "decidedOn",
                m.rationale AS "rationale", m.decided_by AS "decidedBy"
           FROM ${recordedAsOf('milestones')} m WHERE m.grant_id = :grantId
          ORDER BY m.budget_period, m.due_date, m.id`,
        params,
      ),
    ]);
    const numbers = (row: Record<string, unknown>, keys: string[]) =>
      Object.fromEntries(keys.map((k) => [k, Number(row[k])]));
    return [
      periods.map((r) =>
        Object.assign(new BudgetPeriod(), r, numbers(r, ['id', 'grantId', 'number'])),
      ),
      milestones.map((r) =>
        Object.assign(new Milestone(), r, numbers(r, ['id', 'version', 'grantId', 'budgetPeriod'])),
      ),
    ];
  }

  /** The program-wide list: filtered and counted in SQL, one page of rows loaded. */
  async list(
    query: MilestoneListQueryDto,
    asOf: string,
    pageSize = PAGE_SIZE,
  ): Promise<Page<MilestoneRow>> {
    const page = query.page ?? 1;
    const base = this.milestones.manager
      .createQueryBuilder()
      .from('milestones', 'm')
      .innerJoin('grants', 'g', 'g.id = m.grant_id')
      .setParameter('asOf', asOf);
    if (query.grantId) base.andWhere('m.grant_id = :grantId', { grantId: query.grantId });
    if (query.kind) base.andWhere('m.kind = :kind', { kind: query.kind });
    if (query.budgetPeriod) base.andWhere('m.budget_period = :bp', { bp: query.budgetPeriod });
    if (query.dueFrom) base.andWhere('m.due_date >= :dueFrom', { dueFrom: query.dueFrom });
    if (query.dueTo) base.andWhere('m.due_date <= :dueTo', { dueTo: query.dueTo });
    if (query.status === 'overdue') base.andWhere(OVERDUE_SQL);
    else if (query.status) base.andWhere(`${SHOWN_STATUS_SQL} = :shown`, { shown: query.status });

    const total = Number(
      (await base.clone().select('COUNT(*)', 'n').getRawOne<{ n: number | string }>())?.n ?? 0,
    );
    const direction = query.dir === 'desc' ? 'DESC' : 'ASC';
    const raw = await base
      .select([
        'm.id AS "id"',
        'm.grant_id AS "grantId"',
        'g.award_number AS "awardNumber"',
        'm.budget_period AS "budgetPeriod"',
        'm.title AS "title"',
        'm.kind AS "kind"',
        'm.due_date AS "dueDate"',
        'm.status AS "status"',
        'm.completed_on AS "completedOn"',
        'm.decision AS "decision"',
      ])
      .orderBy('m.due_date', direction)
      .addOrderBy('m.id', direction)
      .offset((page - 1) * pageSize)
      .limit(pageSize)
      .getRawMany<Omit<MilestoneRow, 'shown'>>();
    const items = raw.map((row) => ({ ...row, shown: shownStatus(row, asOf) }));
    return toPage(items, total, page, pageSize);
  }

  create(grantId: number, form: MilestoneFormDto): Promise<Milestone> {
    return this.writes.transaction(async (manager) => {
      const grant = await this.lookup.grant(grantId);
      await this.checkForm(manager, grant, form);
      const gate = form.kind === 'go_no_go';
      return this.audit.insert(manager, Milestone, 'milestone', {
        grantId,
        ...this.fields(form),
        decision: gate ? 'pending' : null,
        decidedOn: null,
        rationale: '',
        decidedBy: null,
      });
    });
  }

  /** The edit form never records a decision; it only keeps `decision` in step with a kind change. */
  update(id: number, version: number, form: MilestoneFormDto): Promise<Milestone> {
    return this.writes.transaction(async (manager) => {
      const existing = await manager.findOneBy(Milestone, { id });
      if (!existing) throw new NotFoundException(`Milestone ${id} does not exist.`);
      const grant = await manager.findOneByOrFail(Grant, { id: existing.grantId });
      await this.checkForm(manager, grant, form, existing);
      const changes: Partial<Milestone> = this.fields(form);
      if (existing.kind !== 'go_no_go' && form.kind === 'go_no_go') changes.decision = 'pending';
      if (existing.kind === 'go_no_go' && form.kind !== 'go_no_go') changes.decision = null;
      return this.audit.update(manager, Milestone, 'milestone', id, changes, {
        expectedVersion: version,
      });
    });
  }

  /** Records a go/no-go decision: final, and it completes the milestone on the decision date. */
  decide(id: number, version: number, form: DecisionFormDto): Promise<Milestone> {
    return this.writes.transaction(async (manager) => {
      const milestone = await manager.findOneBy(Milestone, { id });
      if (!milestone) throw new NotFoundException(`Milestone ${id} does not exist.`);
      const errors = decisionErrors(milestone, form, this.clock.today());
      if (Object.keys(errors).length > 0) throw new FormError(errors);
      return this.audit.update(
        manager,
        Milestone,
        'milestone',
        id,
        {
          decision: form.decision,
          decidedOn: form.decidedOn,
          rationale: form.rationale,
          decidedBy: currentActor().email,
          status: 'complete',
          completedOn: form.decidedOn,
        },
        { expectedVersion: version, action: 'decision' },
      );
    });
  }

  /**
   * The one-click "Mark complete" of a milestone that is not a go/no-go one (a decision completes
   * those): status complete on `completedOn`, not in the future nor before the grant starts. The
   * version is checked first, so a page opened before someone else's change gets the 409.
   */
  complete(id: number, version: number, form: CompletionFormDto): Promise<Milestone> {
    return this.writes.transaction(async (manager) => {
      const milestone = await manager.findOneBy(Milestone, { id });
      if (!milestone) throw new NotFoundException(`Milestone ${id} does not exist.`);
      if (milestone.version !== version) {
        throw await this.audit.conflictOn(manager, 'milestone', milestone.version, {
          entityType: 'milestone',
          entityIds: [id],
        });
      }
      const grant = await manager.findOneByOrFail(Grant, { id: milestone.grantId });
      const errors = completionErrors(milestone, form.completedOn, this.clock.today(), grant);
      if (Object.keys(errors).length > 0) throw new FormError(errors);
      return this.audit.update(
        manager,
        Milestone,
        'milestone',
        id,
        { status: 'complete', completedOn: form.completedOn },
        { expectedVersion: version, action: 'complete' },
      );
    });
  }

  toFormValues(milestone: Milestone): Record<string, string | number> {
    return {
      title: milestone.title,
      kind: milestone.kind,
      budgetPeriod: milestone.budgetPeriod,
      dueDate: milestone.dueDate,
      status: milestone.status,
      completedOn: milestone.completedOn ?? '',
      notes: milestone.notes,
      version: milestone.version,
    };
  }

  private fields(form: MilestoneFormDto) {
    return {
      title: form.title,
      kind: form.kind,
      budgetPeriod: form.budgetPeriod,
      dueDate: form.dueDate,
      status: form.status,
      completedOn: form.completedOn,
      notes: form.notes ?? '',
    };
  }

  private async checkForm(
    manager: EntityManager,
    grant: Grant,
    form: MilestoneFormDto,
    existing?: Milestone,
  ): Promise<void> {
    const errors: FieldErrors = {};
    const today = this.clock.today();
    const periods = await this.lookup.budgetPeriods(grant.id);
    const period = periods.find((p) => p.number === form.budgetPeriod);
    if (periods.length === 0) {
      errors.budgetPeriod = 'Set up the grant’s budget periods first.';
    } else if (!period) {
      errors.budgetPeriod = `Budget period ${form.budgetPeriod} does not exist on this grant; choose one of BP1–BP${periods.length}.`;
    }

    if (form.dueDate < grant.startDate || form.dueDate > grant.endDate) {
      errors.dueDate = `The due date must fall within the grant’s period of performance, ${formatDate(grant.startDate)} to ${formatDate(grant.endDate)}.`;
    } else if (period && (form.dueDate < period.startDate || form.dueDate > period.endDate)) {
      errors.dueDate = `BP${period.number} runs ${formatDate(period.startDate)} to ${formatDate(period.endDate)}; the due date must fall within it, or choose another budget period.`;
    }

    const decided = existing?.kind === 'go_no_go' && existing.decision !== 'pending';
    if (existing && decided) {
      const what = `decided ${DECISION_WORDS[existing.decision!]} on ${formatDate(existing.decidedOn)}`;
      if (form.kind !== 'go_no_go') {
        errors.kind = `This go/no-go milestone was ${what}; its kind cannot change.`;
      }
      if (form.budgetPeriod !== existing.budgetPeriod && !errors.budgetPeriod) {
        errors.budgetPeriod = `This go/no-go milestone was ${what}; it stays in BP${existing.budgetPeriod}, the budget period it closed.`;
      }
      if (form.status !== existing.status || form.completedOn !== existing.completedOn) {
        errors.status = `This go/no-go milestone was ${what}; its status and completed date follow the decision and cannot be changed here.`;
      }
    } else {
      if (form.kind === 'go_no_go' && form.status === 'complete') {
        errors.status = 'Record the go/no-go decision to complete it.';
      } else if (
        form.kind === 'go_no_go' &&
        form.status !== 'planned' &&
        form.status !== 'in_progress'
      ) {
        errors.status =
          'A go/no-go milestone stays planned or in progress until its decision is recorded (past due, it is shown as missed automatically).';
      } else if (form.status === 'complete' && !form.completedOn) {
        errors.completedOn = 'A complete milestone needs its completed date.';
      }
      if (form.completedOn && form.status !== 'complete') {
        errors.completedOn =
          'Only a complete milestone has a completed date: set the status to Complete, or clear the date.';
      } else if (form.completedOn && form.completedOn > today) {
        errors.completedOn = `The completed date cannot be in the future (today is ${formatDate(today)}).`;
      } else if (form.completedOn && form.completedOn < grant.startDate) {
        errors.completedOn = `The completed date cannot be before the grant’s period of performance starts, ${formatDate(grant.startDate)}.`;
      }
    }

    if (form.kind === 'go_no_go' && period) {
      const other = await manager.findOne(Milestone, {
        where: {
          grantId: grant.id,
          budgetPeriod: period.number,
          kind: 'go_no_go',
          ...(existing ? { id: Not(existing.id) } : {}),
        },
        order: { id: 'ASC' },
      });
      if (other) {
        errors.kind = `BP${period.number} already has a go/no-go milestone, “${other.title}” (due ${formatDate(other.dueDate)}); a budget period is closed by one go/no-go decision.`;
      }
    }
    if (Object.keys(errors).length > 0) throw new FormError(errors);
  }
}
