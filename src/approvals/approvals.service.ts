import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { User } from '../accounts/user.entity';
import { AuditService } from '../audit/audit.service';
import { nowIso } from '../common/database/columns';
import { ReadCache } from '../common/database/read-cache';
import { lockRows, WritePath } from '../common/database/write-path';
import { formatTimestamp } from '../common/dates';
import { EditConflictError, FormError } from '../common/forms';
import { Page, PAGE_SIZE, toPage } from '../common/pagination';
import { currentActor } from '../common/request-context';
import { Grant } from '../grants/grant.entity';
import { NotificationsService } from '../notifications/notifications.service';
import {
  ApprovalRequest,
  ApprovalRevision,
  RequestKindName,
  RequestStatus,
} from './approval-request.entity';
import { RequestChange, RequestedAction, RequestKinds } from './request-kinds';

/** What a feature hands over when its form becomes a request. */
export interface Submission {
  kind: RequestKindName;
  grantId: number;
  targetId?: number | null;
  /** The form's fields as typed (without the justification). */
  payload: Record<string, unknown>;
  summary: string;
  amountCents?: number;
  effectiveDate?: string | null;
  justification: string;
  /** The rejected request this submission revises (a new revision of it), if any. */
  revises?: number;
}

export interface RequestPermissions {
  /** An approving official, not its requester, while it is pending. */
  canDecide: boolean;
  /** An approving official looking at a pending request of their own. */
  ownRequest: boolean;
  canWithdraw: boolean;
  canRevise: boolean;
}

/** The rules' verdict on a pending request if it were approved now. */
export type Verdict = { ok: true } | { ok: false; messages: string[] };

export interface QueueFilter {
  view?: 'awaiting' | 'mine' | 'all';
  kind?: RequestKindName;
  status?: RequestStatus;
  grantId?: number;
  /** Pending for at least this many days. */
  olderThanDays?: number;
  page?: number;
}

export interface QueueRow {
  id: number;
  kind: RequestKindName;
  kindLabel: string;
  grantId: number;
  awardNumber: string;
  summary: string;
  amountCents: number;
  status: RequestStatus;
  revision: number;
  requestedBy: number;
  requesterName: string;
  requestedAt: string;
  decidedAt: string | null;
  deciderName: string | null;
  ageDays: number;
}

export interface PeopleNames {
  [userId: number]: { name: string; email: string };
}

const DAY_MS = 86_400_000;

/** The audit trail's action for each outcome. */
const DECISION_ACTIONS = {
  approved: 'approve',
  rejected: 'reject',
  withdrawn: 'withdraw',
} as const;

/** The inbox line of a request's revision waiting for a decision. */
const waitingKey = (request: Pick<ApprovalRequest, 'id' | 'revision'>) =>
  `request:${request.id}:r${request.revision}:waiting`;

/** Thrown inside a dry run's transaction so that it rolls back after the rules have spoken. */
class DryRun extends Error {}

/**
 * Requests and their decisions (GAO Green Book principle 10; 2 CFR 200.303). A request changes
 * nothing until a person other than its requester approves it; approving runs the feature's own
 * action in the approver's transaction, every rule checked again as of then. Pending requests hold
 * nothing: no headroom is reserved, so two may together exceed the ceiling, and the second approval
 * is refused. The database refuses a decision by the requester too (CHECK constraints).
 */
@Injectable()
export class ApprovalsService {
  constructor(
    @InjectRepository(ApprovalRequest) private readonly requests: Repository<ApprovalRequest>,
    @InjectRepository(ApprovalRevision) private readonly revisions: Repository<ApprovalRevision>,
    private readonly writes: WritePath,
    private readonly audit: AuditService,
    private readonly kinds: RequestKinds,
    private readonly cache: ReadCache,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Files a request, or a new revision of a rejected one. The rules are asked first, as if it were
   * approved now: what could never be approved is refused at once, with the form's own messages.
   * Not for use inside an open write transaction (the check runs in one of its own and rolls back),
   * except with `check: false`: the demo's story, which files and approves in one transaction, and
   * whose approval then runs every rule.
   */
  async submit(input: Submission, check = true): Promise<ApprovalRequest> {
    const actor = currentActor();
    if (actor.id === null) throw new Error('A request needs a signed-in requester');
    const action: RequestedAction = {
      grantId: input.grantId,
      targetId: input.targetId ?? null,
      payload: input.payload,
    };
    if (check) await this.dryRun(action, input.kind);
    const content = {
      summary: input.summary.slice(0, 500),
      amountCents: input.amountCents ?? 0,
      effectiveDate: input.effectiveDate ?? null,
      payload: JSON.stringify(input.payload),
      justification: input.justification,
    };
    return this.writes.transaction(async (manager) => {
      const now = nowIso();
      let request: ApprovalRequest;
      if (input.revises !== undefined) {
        const previous = await this.revisable(manager, input.revises, actor.id!);
        if (
          previous.kind !== input.kind ||
          previous.grantId !== input.grantId ||
          previous.targetId !== action.targetId
        ) {
          throw new FormError({
            justification: `Request #${previous.id} is a ${this.kinds.label(previous.kind).toLowerCase()} for another record; start a new request instead.`,
          });
        }
        request = await this.audit.update(
          manager,
          ApprovalRequest,
          'approval_request',
          previous.id,
          {
            ...content,
            revision: previous.revision + 1,
            status: 'pending',
            requestedAt: now,
            decidedBy: null,
            decidedAt: null,
            decisionNote: '',
          },
          { action: 'resubmit', expectedVersion: previous.version },
        );
      } else {
        request = await this.audit.insert(manager, ApprovalRequest, 'approval_request', {
          ...content,
          kind: input.kind,
          grantId: input.grantId,
          targetId: action.targetId,
          revision: 1,
          status: 'pending',
          requestedBy: actor.id!,
          requestedAt: now,
          decisionNote: '',
        });
      }
      await this.audit.insert(manager, ApprovalRevision, 'approval_revision', {
        ...content,
        requestId: request.id,
        revision: request.revision,
        submittedBy: actor.id!,
        submittedAt: now,
        note: '',
      });
      await this.notifications.notify(
        manager,
        await this.notifications.approversOf(manager, actor.id),
        {
          kind: 'request_waiting',
          title: `Request #${request.id} from ${actor.name} awaits your decision: ${request.summary}`,
          href: `/approvals/${request.id}`,
          dedupeKey: waitingKey(request),
        },
      );
      return request;
    });
  }

  /** What the rules say now about approving it: asked in a transaction that is rolled back. */
  async verdict(request: ApprovalRequest): Promise<Verdict> {
    try {
      await this.dryRun(this.actionOf(request), request.kind);
      return { ok: true };
    } catch (error) {
      if (error instanceof FormError) return { ok: false, messages: Object.values(error.errors) };
      if (error instanceof EditConflictError) return { ok: false, messages: [error.message] };
      throw error;
    }
  }

  changes(request: ApprovalRequest): Promise<RequestChange[]> {
    return this.kinds.get(request.kind).changes(this.actionOf(request));
  }

  revisePath(request: ApprovalRequest): string {
    return this.kinds.get(request.kind).revisePath({ ...this.actionOf(request), id: request.id });
  }

  /** Where what approving it created or changed is shown, once approved. */
  resultPath(request: ApprovalRequest): string | undefined {
    if (request.resultType === null || request.resultId === null) return undefined;
    return this.kinds.get(request.kind).resultPath(this.actionOf(request), {
      type: request.resultType,
      id: request.resultId,
    });
  }

  /** What `userId` may do with the request now: the rules the decision and withdraw forms obey. */
  permissions(request: ApprovalRequest, userId: number, approves: boolean): RequestPermissions {
    const pending = request.status === 'pending';
    const mine = request.requestedBy === userId;
    return {
      canDecide: pending && approves && !mine,
      ownRequest: pending && approves && mine,
      canWithdraw: this.withdrawProblem(request, userId) === null,
      canRevise: this.revisionProblem(request, userId) === null,
    };
  }

  /**
   * Approves the request and does what it asks, in one transaction: every rule is checked again
   * (the ceiling may have moved since it was made), and a refusal changes nothing.
   */
  approve(id: number, version: number, note: string): Promise<ApprovalRequest> {
    return this.writes.transaction(async (manager) => {
      const request = await this.pending(manager, id, version);
      const decider = this.decider(request);
      const effect = await this.kinds
        .get(request.kind)
        .apply(this.actionOf(request))
        .catch((error: unknown) => {
          if (error instanceof FormError) {
            throw new FormError({
              note: `It cannot be approved now: ${Object.values(error.errors).join(' ')} Nothing was changed.`,
            });
          }
          if (error instanceof EditConflictError) {
            throw new FormError({
              note: `It cannot be approved now: the record it changes was edited since the request was made (${error.message.replace(/ Nothing was saved.*$/, '')}). Reject it so that the requester can revise it.`,
            });
          }
          throw error;
        });
      return this.close(manager, request, 'approved', decider, note, effect);
    });
  }

  /** Rejects it with the approver's reason; the requester may revise and resubmit it. */
  reject(id: number, version: number, note: string): Promise<ApprovalRequest> {
    return this.writes.transaction(async (manager) => {
      const request = await this.pending(manager, id, version);
      if (note.trim() === '') {
        throw new FormError({
          note: 'Say why it is rejected, so that the requester can revise it.',
        });
      }
      return this.close(manager, request, 'rejected', this.decider(request), note);
    });
  }

  /** The requester takes back a pending or rejected request; it can no longer be approved. */
  withdraw(id: number, version: number): Promise<ApprovalRequest> {
    return this.writes.transaction(async (manager) => {
      await lockRows(manager, 'approval_requests', [id]);
      const request = await this.findIn(manager, id);
      const problem = this.withdrawProblem(request, currentActor().id);
      if (problem) throw new FormError({ withdraw: problem });
      return this.close(manager, request, 'withdrawn', null, '', undefined, version);
    });
  }

  async findOne(id: number): Promise<ApprovalRequest> {
    const request = await this.requests.findOneBy({ id });
    if (!request) throw new NotFoundException(`Request ${id} does not exist.`);
    return request;
  }

  /** Every submission of the request, oldest first, with its outcome. */
  revisionsOf(id: number): Promise<ApprovalRevision[]> {
    return this.revisions.find({ where: { requestId: id }, order: { revision: 'ASC' } });
  }

  /** The request the signed-in user may revise: theirs, and rejected. */
  async forRevision(id: number): Promise<ApprovalRequest> {
    const request = await this.findOne(id);
    const problem = this.revisionProblem(request, currentActor().id);
    if (problem) throw new FormError({ revises: problem });
    return request;
  }

  /**
   * The rejected request's form as it was typed, with its justification, to fill the feature's form
   * again for a revision (`?revise=`): only the requester's own rejected request of that kind.
   */
  async revisionValues(
    id: number,
    kind: RequestKindName,
    grantId: number,
  ): Promise<Record<string, unknown>> {
    const request = await this.forRevision(id);
    if (request.kind !== kind || request.grantId !== grantId) {
      throw new FormError({
        revises: `Request #${id} is a ${this.kinds.label(request.kind).toLowerCase()} for another record.`,
      });
    }
    return {
      ...this.payloadOf(request),
      justification: request.justification,
      revises: String(request.id),
    };
  }

  /** The payload of a request, to fill its feature's form again. */
  payloadOf(request: ApprovalRequest): Record<string, unknown> {
    return JSON.parse(request.payload) as Record<string, unknown>;
  }

  /** Names and e-mail addresses of the people on these requests and revisions. */
  async people(ids: Array<number | null>): Promise<PeopleNames> {
    const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
    if (wanted.length === 0) return {};
    const users = await this.requests.manager
      .createQueryBuilder(User, 'u')
      .select(['u.id', 'u.name', 'u.email'])
      .where('u.id IN (:...wanted)', { wanted })
      .getMany();
    return Object.fromEntries(users.map((u) => [u.id, { name: u.name, email: u.email }]));
  }

  /**
   * Pending requests on a grant, oldest first, with their kind's label: what the grant page lists
   * on every visit. Kept until a write to the requests (recording an expenditure does not end it);
   * frozen, so callers filter them and never change them.
   */
  pendingFor(grantId: number): Promise<ReadonlyArray<ApprovalRequest & { kindLabel: string }>> {
    return this.cache.get(['approval_requests'], `pending:${grantId}`, async () => {
      const pending = await this.requests.find({
        where: { grantId, status: 'pending' },
        order: { requestedAt: 'ASC', id: 'ASC' },
      });
      return pending.map((r) => Object.assign(r, { kindLabel: this.kinds.label(r.kind) }));
    });
  }

  /** For the header: requests awaiting this user's decision, and this user's own pending ones. */
  counts(userId: number, approves: boolean): Promise<{ awaiting: number; mine: number }> {
    return this.cache.get(['approval_requests'], `approvals:${userId}:${approves}`, async () => {
      const rows = await this.requests
        .createQueryBuilder('r')
        .select('SUM(CASE WHEN r.requested_by = :userId THEN 1 ELSE 0 END)', 'mine')
        .addSelect('SUM(CASE WHEN r.requested_by <> :userId THEN 1 ELSE 0 END)', 'others')
        .where('r.status = :status', { status: 'pending', userId })
        .getRawOne<{ mine: number | string | null; others: number | string | null }>();
      return {
        awaiting: approves ? Number(rows?.others ?? 0) : 0,
        mine: Number(rows?.mine ?? 0),
      };
    });
  }

  async queue(filter: QueueFilter, userId: number, now = Date.now()): Promise<Page<QueueRow>> {
    const page = filter.page ?? 1;
    const query = this.requests
      .createQueryBuilder('r')
      .innerJoin(Grant, 'g', 'g.id = r.grant_id')
      .innerJoin(User, 'u', 'u.id = r.requested_by')
      .leftJoin(User, 'd', 'd.id = r.decided_by')
      .select([
        'r.id AS "id"',
        'r.kind AS "kind"',
        'r.grant_id AS "grantId"',
        'g.award_number AS "awardNumber"',
        'r.summary AS "summary"',
        'r.amount_cents AS "amountCents"',
        'r.status AS "status"',
        'r.revision AS "revision"',
        'r.requested_by AS "requestedBy"',
        'u.name AS "requesterName"',
        'r.requested_at AS "requestedAt"',
        'r.decided_at AS "decidedAt"',
        'd.name AS "deciderName"',
      ]);
    if (filter.view === 'awaiting') {
      query.andWhere('r.status = :pending AND r.requested_by <> :userId', {
        pending: 'pending',
        userId,
      });
    } else if (filter.view === 'mine') {
      query.andWhere('r.requested_by = :userId', { userId });
    }
    if (filter.status) query.andWhere('r.status = :status', { status: filter.status });
    if (filter.kind) query.andWhere('r.kind = :kind', { kind: filter.kind });
    if (filter.grantId) query.andWhere('r.grant_id = :grantId', { grantId: filter.grantId });
    if (filter.olderThanDays !== undefined) {
      query.andWhere('r.status = :waiting AND r.requested_at <= :before', {
        waiting: 'pending',
        before: new Date(now - filter.olderThanDays * DAY_MS).toISOString(),
      });
    }
    const total = await query.getCount();
    const raw = await query
      .orderBy("CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END", 'ASC')
      .addOrderBy('r.requested_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .offset((page - 1) * PAGE_SIZE)
      .limit(PAGE_SIZE)
      .getRawMany<Omit<QueueRow, 'kindLabel' | 'ageDays'>>();
    const items = raw.map((row) => ({
      ...row,
      id: Number(row.id),
      grantId: Number(row.grantId),
      amountCents: Number(row.amountCents),
      revision: Number(row.revision),
      requestedBy: Number(row.requestedBy),
      kindLabel: this.kinds.label(row.kind),
      ageDays: Math.floor((now - Date.parse(row.requestedAt)) / DAY_MS),
    }));
    return toPage(items, total, page);
  }

  kindLabel(kind: RequestKindName): string {
    return this.kinds.label(kind);
  }

  /** Why the user may not revise the request, or null. */
  revisionProblem(request: ApprovalRequest, userId: number | null): string | null {
    if (request.requestedBy !== userId) return 'Only the person who made a request can revise it.';
    if (request.status !== 'rejected') {
      return `Request #${request.id} is ${request.status}: only a rejected request can be revised.`;
    }
    return null;
  }

  /** Why the user may not withdraw the request, or null: only its requester, while it is open. */
  private withdrawProblem(request: ApprovalRequest, userId: number | null): string | null {
    if (request.requestedBy !== userId)
      return 'Only the person who made a request can withdraw it.';
    if (request.status !== 'pending' && request.status !== 'rejected') {
      return `This request is already ${request.status}.`;
    }
    return null;
  }

  private actionOf(request: ApprovalRequest): RequestedAction {
    return {
      id: request.id,
      grantId: request.grantId,
      targetId: request.targetId,
      payload: this.payloadOf(request),
    };
  }

  /** Runs the kind's action and rolls it back: its FormError or EditConflictError comes out. */
  private async dryRun(action: RequestedAction, kind: RequestKindName): Promise<void> {
    try {
      await this.writes.transaction(async () => {
        await this.kinds.get(kind).apply(action);
        throw new DryRun();
      });
    } catch (error) {
      if (!(error instanceof DryRun)) throw error;
    }
  }

  private async findIn(manager: EntityManager, id: number): Promise<ApprovalRequest> {
    const request = await manager.findOneBy(ApprovalRequest, { id });
    if (!request) throw new NotFoundException(`Request ${id} does not exist.`);
    return request;
  }

  /** The request, locked, if it is still pending at the version the decision form was opened at. */
  private async pending(
    manager: EntityManager,
    id: number,
    version: number,
  ): Promise<ApprovalRequest> {
    await lockRows(manager, 'approval_requests', [id]);
    const request = await this.findIn(manager, id);
    if (request.status !== 'pending') {
      const names = await this.people([request.decidedBy]);
      const by = request.decidedBy ? ` by ${names[request.decidedBy]?.name ?? 'someone'}` : '';
      const at = request.decidedAt ? ` at ${formatTimestamp(request.decidedAt)}` : '';
      throw new FormError({ note: `This request was already ${request.status}${by}${at}.` });
    }
    if (request.version !== version) {
      throw await this.audit.conflictOn(manager, 'request', request.version, {
        entityType: 'approval_request',
        entityIds: [id],
      });
    }
    return request;
  }

  /** The signed-in approver, who must not be the requester (segregation of duties). */
  private decider(request: ApprovalRequest): number {
    const actor = currentActor();
    if (actor.id === null) throw new Error('A decision needs a signed-in approver');
    if (actor.id === request.requestedBy) {
      throw new FormError({
        note: 'You made this request, so you cannot decide it: another approving official must (segregation of duties, GAO Green Book principle 10).',
      });
    }
    return actor.id;
  }

  private async revisable(
    manager: EntityManager,
    id: number,
    userId: number,
  ): Promise<ApprovalRequest> {
    await lockRows(manager, 'approval_requests', [id]);
    const request = await this.findIn(manager, id);
    const problem = this.revisionProblem(request, userId);
    if (problem) throw new FormError({ justification: problem });
    return request;
  }

  private async close(
    manager: EntityManager,
    request: ApprovalRequest,
    outcome: 'approved' | 'rejected' | 'withdrawn',
    decidedBy: number | null,
    note: string,
    effect?: { type: string; id: number },
    version = request.version,
  ): Promise<ApprovalRequest> {
    const decidedAt = nowIso();
    const closed = await this.audit.update(
      manager,
      ApprovalRequest,
      'approval_request',
      request.id,
      outcome === 'withdrawn'
        ? { status: outcome, decidedAt } // who rejected it, if anyone, stays on the record
        : {
            status: outcome,
            decidedBy,
            decidedAt,
            decisionNote: note,
            ...(effect ? { resultType: effect.type, resultId: effect.id } : {}),
          },
      { action: DECISION_ACTIONS[outcome], expectedVersion: version },
    );
    // A rejected revision was closed when it was rejected; withdrawing it afterwards leaves it so.
    await manager
      .createQueryBuilder()
      .update(ApprovalRevision)
      .set({ outcome, decidedBy, decidedAt, note })
      .where('request_id = :id AND revision = :revision AND outcome IS NULL', {
        id: request.id,
        revision: request.revision,
      })
      .execute();
    await this.notifications.settle(manager, waitingKey(request));
    if (outcome !== 'withdrawn') {
      const by = currentActor().name;
      await this.notifications.notify(manager, [request.requestedBy], {
        kind: 'request_decided',
        title: `Request #${request.id} ${outcome} by ${by}: ${request.summary}${note.trim() ? ` — “${note.trim().slice(0, 200)}”` : ''}`,
        href: `/approvals/${request.id}`,
        dedupeKey: `request:${request.id}:r${request.revision}:${outcome}`,
      });
    }
    return closed;
  }
}
