import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { VersionedRecord } from '../common/database/versioned-record';
import { Grant } from '../grants/grant.entity';
import { oneOf } from '../common/database/columns';

export const MILESTONE_KINDS = ['deliverable', 'go_no_go', 'report'] as const;
export type MilestoneKind = (typeof MILESTONE_KINDS)[number];

export const MILESTONE_STATUSES = [
  'planned',
  'in_progress',
  'complete',
  'missed',
  'waived',
] as const;
export type MilestoneStatus = (typeof MILESTONE_STATUSES)[number];

export const DECISIONS = ['pending', 'go', 'no_go'] as const;
export type Decision = (typeof DECISIONS)[number];

/**
 * A dated commitment of a grant within one of its budget periods. A `go_no_go` milestone closes its
 * budget period and carries the decision that gates the next one (DESIGN.md §3 rule 7).
 */
@Entity('milestones')
@Index(['grantId', 'budgetPeriod'])
@Index(['dueDate'])
@Check('"budget_period" >= 1')
@Check(oneOf('kind', MILESTONE_KINDS))
@Check(oneOf('status', MILESTONE_STATUSES))
@Check('length("due_date") = 10')
@Check('"completed_on" IS NULL OR length("completed_on") = 10')
@Check(`"status" <> 'complete' OR "completed_on" IS NOT NULL`)
@Check(`("kind" = 'go_no_go') = ("decision" IS NOT NULL)`)
@Check(`"decision" IS NULL OR ${oneOf('decision', DECISIONS)}`)
@Check(`"decision" IS NULL OR "decision" = 'pending' OR "decided_on" IS NOT NULL`)
export class Milestone extends VersionedRecord {
  @Column('integer')
  grantId: number;

  @ManyToOne(() => Grant)
  @JoinColumn({ name: 'grant_id' })
  grant?: Grant;

  /** The budget period's number (1, 2, …) within the grant. */
  @Column('integer')
  budgetPeriod: number;

  @Column('varchar')
  title: string;

  @Column('varchar')
  kind: MilestoneKind;

  @Column('varchar')
  dueDate: string;

  /** As recorded; a past-due milestone that is not complete is shown as missed without rewriting it. */
  @Column('varchar')
  status: MilestoneStatus;

  @Column('varchar', { nullable: true })
  completedOn: string | null;

  @Column('text', { default: '' })
  notes: string;

  /** Go/no-go only (null for other kinds); recorded by its own action. */
  @Column('varchar', { nullable: true })
  decision: Decision | null;

  @Column('varchar', { nullable: true })
  decidedOn: string | null;

  @Column('text', { default: '' })
  rationale: string;

  @Column('varchar', { nullable: true })
  decidedBy: string | null;
}
