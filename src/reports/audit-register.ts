import type { EntityManager } from 'typeorm';
import { namedQuery } from '../common/database/named-query';
import { Key, keyParams, register, Register } from './keyset';
import { endOfDayUtc, startOfDayUtc } from '../common/office-day';

export interface AuditRegisterRow {
  id: number;
  occurredAt: string;
  actorEmail: string;
  actorRole: string;
  action: string;
  entityType: string;
  entityId: number | null;
  /** The JSON text exactly as stored (it is what the hash covers). */
  changes: string;
  prevHash: string;
  hash: string;
}

export interface AuditRegisterParams {
  asOf: string;
  /** The office's IANA time zone: from, to and asOf are its calendar days. */
  timeZone: string;
  from?: string;
  to?: string;
  entityType?: string;
  entityId?: number;
  /** An email, matched without regard to case (the trail stores them lower-case). */
  actor?: string;
}

type Raw = Omit<AuditRegisterRow, 'id' | 'entityId'> & {
  id: number | string;
  entityId: number | string | null;
};

/**
 * The audit trail in id order (the order of its hash chain). Events count up to the end of asOf;
 * `from` and `to` select whole calendar days. Days are the office's (APP_TIME_ZONE, like "today"),
 * turned into UTC instants here because occurred_at is stored as UTC ISO-8601.
 */
export function auditRegister(
  manager: EntityManager,
  params: AuditRegisterParams,
): Register<AuditRegisterRow> {
  const { timeZone } = params;
  const where = ['e.occurred_at < :endOfAsOf'];
  const values: Record<string, unknown> = { endOfAsOf: endOfDayUtc(params.asOf, timeZone) };
  if (params.from) {
    where.push('e.occurred_at >= :fromAt');
    values.fromAt = startOfDayUtc(params.from, timeZone);
  }
  if (params.to) {
    where.push('e.occurred_at < :toAt');
    values.toAt = endOfDayUtc(params.to, timeZone);
  }
  if (params.entityType) {
    where.push('e.entity_type = :entityType');
    values.entityType = params.entityType;
  }
  if (params.entityId !== undefined) {
    where.push('e.entity_id = :entityId');
    values.entityId = params.entityId;
  }
  if (params.actor) {
    where.push('e.actor_email = :actor');
    values.actor = params.actor.toLowerCase();
  }
  const fetch = async (after: Key | null, limit: number) => {
    const conditions = [...where];
    const all: Record<string, unknown> = { ...values, limit };
    if (after) {
      const { placeholders, params: keyValues } = keyParams(after);
      conditions.push(`(e.id) > ${placeholders}`);
      Object.assign(all, keyValues);
    }
    const raw = await namedQuery<Raw>(
      manager,
      `SELECT e.id AS "id", e.occurred_at AS "occurredAt", e.actor_email AS "actorEmail",
              e.actor_role AS "actorRole", e.action AS "action", e.entity_type AS "entityType",
              e.entity_id AS "entityId", e.changes AS "changes", e.prev_hash AS "prevHash",
              e.hash AS "hash"
         FROM audit_events e
        WHERE ${conditions.join(' AND ')}
        ORDER BY e.id
        LIMIT :limit`,
      all,
    );
    return raw.map((r) => ({
      ...r,
      id: Number(r.id),
      entityId: r.entityId === null ? null : Number(r.entityId),
    }));
  };
  return register(
    'audit',
    [
      { name: 'id', kind: 'integer', value: (r) => r.id },
      { name: 'occurred_at', kind: 'timestamp', value: (r) => r.occurredAt },
      { name: 'actor_email', kind: 'text', value: (r) => r.actorEmail },
      { name: 'actor_role', kind: 'text', value: (r) => r.actorRole },
      { name: 'action', kind: 'text', value: (r) => r.action },
      { name: 'entity_type', kind: 'text', value: (r) => r.entityType },
      { name: 'entity_id', kind: 'integer', value: (r) => r.entityId },
      { name: 'changes', kind: 'text', value: (r) => r.changes },
      { name: 'prev_hash', kind: 'text', value: (r) => r.prevHash },
      { name: 'hash', kind: 'text', value: (r) => r.hash },
    ],
    (r) => [r.id],
    fetch,
  );
}

export const AUDIT_KEY_SHAPE: ('string' | 'number')[] = ['number'];
