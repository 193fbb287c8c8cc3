import { createHash } from 'node:crypto';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntityTarget, In, ObjectLiteral, Repository } from 'typeorm';
import { nowIso } from '../common/database/columns';
import { formatTimestamp } from '../common/dates';
import { namedQuery } from '../common/database/named-query';
import { ADVISORY_LOCKS, noteAuditEvent, oneAtATime } from '../common/database/write-path';
import { EditConflictError } from '../common/forms';
import { Page, PAGE_SIZE, toPage } from '../common/pagination';
import { currentActor } from '../common/request-context';
import { AuditEvent, FieldChange } from './audit-event.entity';
import { describeEvents, EventView, namedGrantIds, RecordNames } from './audit-display';

export const GENESIS_HASH = '0'.repeat(64);

export type Changes = Record<string, FieldChange>;

export interface AuditFilter {
  entityType?: string;
  entityId?: number;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  page?: number;
}

export interface ChainCheck {
  intact: boolean;
  count: number;
  /** The hash of the newest event: kept outside the app, it also reveals events removed from the end. */
  lastHash: string;
  /** The first event whose stored hash does not match its content or its predecessor. */
  brokenAt?: { id: number; reason: string };
}

// Never copied into the trail.
const SECRET_FIELDS = new Set(['passwordHash']);
const BOOKKEEPING_FIELDS = new Set(['version', 'createdAt', 'updatedAt']);

/** Per transaction, the last append started on it: the next one waits for it (see record()). */
const appending = new WeakMap<EntityManager, Promise<unknown>>();

/** The content a hash covers, with keys in a fixed order so the same event always hashes the same. */
export function canonicalContent(event: Omit<AuditEvent, 'id' | 'prevHash' | 'hash'>): string {
  return JSON.stringify([
    event.occurredAt,
    event.actorId,
    event.actorEmail,
    event.actorRole,
    event.action,
    event.entityType,
    event.entityId,
    event.changes,
  ]);
}

export function chainHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(`${prevHash}\n${canonical}`).digest('hex');
}

function diff(before: ObjectLiteral | null, after: ObjectLiteral | null): Changes {
  const changes: Changes = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    if (SECRET_FIELDS.has(key) || BOOKKEEPING_FIELDS.has(key)) continue;
    const was: unknown = before?.[key] ?? null;
    const now: unknown = after?.[key] ?? null;
    if (typeof was === 'object' && was !== null) continue; // relations, not columns
    if (typeof now === 'object' && now !== null) continue;
    if (was !== now) changes[key] = { before: was, after: now };
  }
  return changes;
}

/**
 * The audit trail, and the audited ways to create, update and delete a record. Each event is written
 * in the caller's WritePath transaction, so it commits or rolls back with the change it records, and
 * is chained to the previous event by SHA-256.
 */
@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Appends one event to the chain. Calls on the same transaction run one after another, even when
   * started together (`Promise.all` over several inserts): each must read the head the previous one
   * wrote, or two events would point at the same predecessor (refused by the unique prev_hash).
   */
  record(
    manager: EntityManager,
    event: { action: string; entityType: string; entityId: number | null; changes?: Changes },
  ): Promise<AuditEvent> {
    const actor = currentActor();
    const previous = appending.get(manager) ?? Promise.resolve();
    const appended = previous.then(
      () => this.append(manager, event, actor),
      () => this.append(manager, event, actor),
    );
    appending.set(manager, appended);
    return appended;
  }

  private async append(
    manager: EntityManager,
    event: { action: string; entityType: string; entityId: number | null; changes?: Changes },
    actor: ReturnType<typeof currentActor>,
  ): Promise<AuditEvent> {
    // On PostgreSQL, transactions of several app processes append at once: each waits here for the
    // one before it to commit, then reads the head it wrote (READ COMMITTED reads the newest
    // committed rows at each statement). SQLite's write transaction already holds the database.
    await oneAtATime(manager, ADVISORY_LOCKS.auditChain);
    const last = await manager.findOne(AuditEvent, {
      select: { id: true, hash: true },
      where: {},
      order: { id: 'DESC' },
    });
    const content = {
      occurredAt: nowIso(),
      actorId: actor.id,
      actorEmail: actor.email,
      actorRole: actor.role,
      action: event.action,
      entityType: event.entityType,
      entityId: event.entityId,
      changes: JSON.stringify(event.changes ?? {}),
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    noteAuditEvent(this.dataSource);
    return manager.save(
      manager.create(AuditEvent, {
        ...content,
        prevHash,
        hash: chainHash(prevHash, canonicalContent(content)),
      }),
    );
  }

  /** Inserts a record and its `create` event. */
  async insert<T extends ObjectLiteral & { id: number }>(
    manager: EntityManager,
    entity: EntityTarget<T>,
    entityType: string,
    values: Partial<T>,
  ): Promise<T> {
    const meta = manager.connection.getMetadata(entity);
    const now = nowIso();
    const stamped = { ...values } as ObjectLiteral;
    if (meta.findColumnWithPropertyName('createdAt')) stamped.createdAt ??= now;
    if (meta.findColumnWithPropertyName('updatedAt')) stamped.updatedAt ??= now;
    const saved = await manager.save(manager.create(entity, stamped as T));
    await this.record(manager, {
      action: 'create',
      entityType,
      entityId: saved.id,
      changes: diff(null, saved),
    });
    return saved;
  }

  /**
   * Updates a record and writes an `update` event with each changed field's before and after. With
   * `expectedVersion` it is an optimistic-lock update (`UPDATE … WHERE id = ? AND version = ?`): a
   * stale version changes nothing and raises EditConflictError naming who changed it and when.
   */
  async update<T extends ObjectLiteral & { id: number }>(
    manager: EntityManager,
    entity: EntityTarget<T>,
    entityType: string,
    id: number,
    changes: Partial<T>,
    options: { expectedVersion?: number; action?: string } = {},
  ): Promise<T> {
    const meta = manager.connection.getMetadata(entity);
    const before = await manager.findOneBy(entity, { id } as never);
    if (!before) throw new NotFoundException(`No ${entityType} has the id ${id}.`);
    const set: ObjectLiteral = { ...changes };
    if (meta.findColumnWithPropertyName('version')) set.version = () => 'version + 1';
    if (meta.findColumnWithPropertyName('updatedAt')) set.updatedAt = nowIso();
    const query = manager.createQueryBuilder().update(entity).set(set).where('id = :id', { id });
    if (options.expectedVersion !== undefined) {
      query.andWhere('version = :version', { version: options.expectedVersion });
    }
    const result = await query.execute();
    if (result.affected !== 1) {
      throw await this.conflictOn(
        manager,
        entityType,
        (before as { version?: number }).version ?? 0,
        {
          entityType,
          entityIds: [id],
        },
      );
    }
    const after = (await manager.findOneBy(entity, { id } as never)) as T;
    await this.record(manager, {
      action: options.action ?? 'update',
      entityType,
      entityId: id,
      changes: diff(before, after),
    });
    return after;
  }

  /** Deletes a record and writes a `delete` event with the values it had. */
  async remove<T extends ObjectLiteral & { id: number }>(
    manager: EntityManager,
    entity: EntityTarget<T>,
    entityType: string,
    id: number,
  ): Promise<void> {
    const before = await manager.findOneBy(entity, { id } as never);
    if (!before) return;
    await manager.delete(entity, { id });
    await this.record(manager, {
      action: 'delete',
      entityType,
      entityId: id,
      changes: diff(before, null),
    });
  }

  /** A record's events, newest first, ready for the History partial. */
  async describedHistory(entityType: string, entityId: number): Promise<EventView[]> {
    return this.describe(await this.history(entityType, entityId));
  }

  /** Events as people read them, with the award numbers of the grants they name. */
  async describe(events: AuditEvent[]): Promise<EventView[]> {
    return describeEvents(events, await this.recordNames(events));
  }

  /** Award numbers of the grants the events name, and the grant of each budget they are about. */
  async recordNames(events: AuditEvent[]): Promise<RecordNames> {
    const grantIds = namedGrantIds(events);
    const budgetIds = [
      ...new Set(
        events
          .filter((e) => e.entityType === 'budget' && e.entityId !== null)
          .map((e) => e.entityId),
      ),
    ] as number[];
    const grants = grantIds.length
      ? await namedQuery<{ id: number; awardNumber: string }>(
          this.dataSource.manager,
          'SELECT g.id AS "id", g.award_number AS "awardNumber" FROM grants g WHERE g.id IN (:...ids)',
          { ids: grantIds },
        )
      : [];
    const budgets = budgetIds.length
      ? await namedQuery<{ id: number; grantId: number }>(
          this.dataSource.manager,
          'SELECT b.id AS "id", b.grant_id AS "grantId" FROM budgets b WHERE b.id IN (:...ids)',
          { ids: budgetIds },
        )
      : [];
    return {
      grants: new Map(grants.map((g) => [Number(g.id), g.awardNumber])),
      budgetGrants: new Map(budgets.map((b) => [Number(b.id), Number(b.grantId)])),
    };
  }

  history(entityType: string, entityId: number): Promise<AuditEvent[]> {
    return this.events.find({ where: { entityType, entityId }, order: { id: 'DESC' } });
  }

  async list(filter: AuditFilter, pageSize = PAGE_SIZE): Promise<Page<AuditEvent>> {
    const query = this.events.createQueryBuilder('e');
    if (filter.entityType)
      query.andWhere('e.entity_type = :entityType', { entityType: filter.entityType });
    if (filter.entityId) query.andWhere('e.entity_id = :entityId', { entityId: filter.entityId });
    if (filter.actor)
      query.andWhere('e.actor_email = :actor', { actor: filter.actor.toLowerCase() });
    if (filter.action) query.andWhere('e.action = :action', { action: filter.action });
    // Dates are calendar days in UTC: `to` includes the whole day.
    if (filter.from) query.andWhere('e.occurred_at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('e.occurred_at < :to', { to: `${filter.to}T24` });
    const page = filter.page ?? 1;
    const [items, total] = await query
      .orderBy('e.id', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return toPage(items, total, page, pageSize);
  }

  /** Recomputes the whole chain, a page at a time, and reports the first event that does not match. */
  async verify(): Promise<ChainCheck> {
    let prevHash = GENESIS_HASH;
    let lastId = 0;
    let count = 0;
    for (;;) {
      const batch = await this.events
        .createQueryBuilder('e')
        .where('e.id > :lastId', { lastId })
        .orderBy('e.id', 'ASC')
        .take(1000)
        .getMany();
      if (batch.length === 0) return { intact: true, count, lastHash: prevHash };
      for (const event of batch) {
        if (event.prevHash !== prevHash) {
          return {
            intact: false,
            count,
            lastHash: prevHash,
            brokenAt: {
              id: event.id,
              reason: 'it does not point at the previous event (an event was removed or reordered)',
            },
          };
        }
        if (chainHash(prevHash, canonicalContent(event)) !== event.hash) {
          return {
            intact: false,
            count,
            lastHash: prevHash,
            brokenAt: {
              id: event.id,
              reason: 'its content does not match its hash (it was altered)',
            },
          };
        }
        prevHash = event.hash;
        lastId = event.id;
        count += 1;
      }
    }
  }

  /** The newest event on any of these records (of these actions, when given): who changed them last. */
  lastChangeOf(
    manager: EntityManager,
    entityType: string,
    entityIds: number[],
    actions?: string[],
  ): Promise<AuditEvent | null> {
    if (entityIds.length === 0) return Promise.resolve(null);
    return manager.findOne(AuditEvent, {
      where: { entityType, entityId: In(entityIds), ...(actions ? { action: In(actions) } : {}) },
      order: { id: 'DESC' },
    });
  }

  /**
   * An edit conflict (409) on a record or on records edited together, naming who changed them last
   * and when. `currentVersion` is the record's version, or the contentVersion() of the records.
   */
  async conflictOn(
    manager: EntityManager,
    what: string,
    currentVersion: number | string,
    records: { entityType: string; entityIds: number[]; actions?: string[] },
  ): Promise<EditConflictError> {
    const last = await this.lastChangeOf(
      manager,
      records.entityType,
      records.entityIds,
      records.actions,
    );
    return new EditConflictError(
      what,
      currentVersion,
      last ? formatTimestamp(last.occurredAt) : 'an unknown time',
      last?.actorEmail ?? 'someone else',
    );
  }
}
