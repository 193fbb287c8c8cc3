import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { User } from '../accounts/user.entity';
import { Grant } from '../grants/grant.entity';
import { centsTransformer, oneOf } from '../common/database/columns';
import { VersionedRecord } from '../common/database/versioned-record';

export const REQUEST_KINDS = [
  'amendment',
  'budget_revision',
  'go_no_go',
  'expenditure',
  'import',
] as const;
export type RequestKindName = (typeof REQUEST_KINDS)[number];

export const REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/**
 * What a program manager asked for, which changes nothing until a person other than the requester
 * approves it (GAO Green Book principle 10; 2 CFR 200.303). `payload` is the form as it was typed
 * (JSON); approving validates it again and runs the same service the form used to call, inside the
 * approver's transaction, so every rule is checked as of the approval. The row holds the current
 * revision; each submission is also kept as an ApprovalRevision.
 */
@Entity('approval_requests')
@Index(['status', 'requestedAt'])
@Index(['grantId', 'status'])
@Index(['requestedBy', 'status'])
@Index(['resultType', 'resultId'])
@Check(oneOf('kind', REQUEST_KINDS))
@Check(oneOf('status', REQUEST_STATUSES))
@Check(
  `"status" NOT IN ('approved', 'rejected') OR ("decided_by" IS NOT NULL AND "decided_by" <> "requested_by")`,
)
export class ApprovalRequest extends VersionedRecord {
  @Column('varchar')
  kind: RequestKindName;

  @Column('integer')
  grantId: number;

  @ManyToOne(() => Grant)
  @JoinColumn({ name: 'grant_id' })
  grant?: Grant;

  /** The record the request acts on besides its grant: the milestone of a go/no-go decision. */
  @Column('integer', { nullable: true })
  targetId: number | null;

  /** 1 for the first submission, then one more for each resubmission after a rejection. */
  @Column('integer', { default: 1 })
  revision: number;

  @Column('varchar')
  status: RequestStatus;

  /** One line saying what it would do, e.g. "Incremental funding of $500,000.00, effective …". */
  @Column('varchar', { length: 500 })
  summary: string;

  /** The money it moves (federal change, expenditure amount, import total); 0 when none. */
  @Column('bigint', { transformer: centsTransformer, default: 0 })
  amountCents: number;

  @Column('varchar', { nullable: true })
  effectiveDate: string | null;

  @Column('text')
  payload: string;

  @Column('text')
  justification: string;

  @Column('integer')
  requestedBy: number;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'requested_by' })
  requester?: User;

  @Column('varchar')
  requestedAt: string;

  @Column('integer', { nullable: true })
  decidedBy: number | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'decided_by' })
  decider?: User;

  @Column('varchar', { nullable: true })
  decidedAt: string | null;

  @Column('text', { default: '' })
  decisionNote: string;

  /** What approving it created or changed: `amendment` 12, `budget` 3, `milestone` 8, … */
  @Column('varchar', { nullable: true })
  resultType: string | null;

  @Column('integer', { nullable: true })
  resultId: number | null;
}

/** One submission of a request and what became of it. Append-only (triggers), decided once. */
@Entity('approval_revisions')
@Unique(['requestId', 'revision'])
@Check(`"outcome" IS NULL OR "outcome" IN ('approved', 'rejected', 'withdrawn')`)
@Check(
  `"outcome" IS NULL OR "outcome" = 'withdrawn' OR ("decided_by" IS NOT NULL AND "decided_by" <> "submitted_by")`,
)
export class ApprovalRevision {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  requestId: number;

  @ManyToOne(() => ApprovalRequest)
  @JoinColumn({ name: 'request_id' })
  request?: ApprovalRequest;

  @Column('integer')
  revision: number;

  @Column('varchar', { length: 500 })
  summary: string;

  @Column('bigint', { transformer: centsTransformer, default: 0 })
  amountCents: number;

  @Column('varchar', { nullable: true })
  effectiveDate: string | null;

  @Column('text')
  payload: string;

  @Column('text')
  justification: string;

  @Column('integer')
  submittedBy: number;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'submitted_by' })
  submitter?: User;

  @Column('varchar')
  submittedAt: string;

  @Column('varchar', { nullable: true })
  outcome: 'approved' | 'rejected' | 'withdrawn' | null;

  @Column('integer', { nullable: true })
  decidedBy: number | null;

  @ManyToOne(() => User)
  @JoinColumn({ name: 'decided_by' })
  decider?: User;

  @Column('varchar', { nullable: true })
  decidedAt: string | null;

  @Column('text', { default: '' })
  note: string;
}
