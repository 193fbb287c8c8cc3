import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export interface FieldChange {
  before: unknown;
  after: unknown;
}

/** One change or security event. Append-only: database triggers refuse UPDATE and DELETE. */
@Entity('audit_events')
@Index(['entityType', 'entityId'])
export class AuditEvent {
  @PrimaryGeneratedColumn()
  id: number;

  /** UTC ISO-8601. */
  @Index()
  @Column('varchar')
  occurredAt: string;

  @Index()
  @Column('integer', { nullable: true })
  actorId: number | null;

  @Column('varchar')
  actorEmail: string;

  @Column('varchar')
  actorRole: string;

  @Column('varchar')
  action: string;

  @Column('varchar')
  entityType: string;

  @Column('integer', { nullable: true })
  entityId: number | null;

  /** JSON: `{ field: { before, after } }`. */
  @Column('text')
  changes: string;

  /** Unique: each event has exactly one successor, so a second writer cannot fork the chain. */
  @Index('UQ_audit_events_prev_hash', { unique: true })
  @Column('varchar')
  prevHash: string;

  /** SHA-256 over prevHash and this event's canonical content. */
  @Column('varchar')
  hash: string;
}
