import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { centsTransformer, oneOf } from '../common/database/columns';
import { Grant } from '../grants/grant.entity';
import { COST_CATEGORIES, CostCategory } from './budget.constants';

/**
 * The budget spread over calendar months (DESIGN.md §4: each line straight-line over the days of its
 * budget period, largest remainder so a line's months add up to it exactly). Derived from the budget
 * lines and budget period dates, rebuilt in the same transaction whenever either changes, so the
 * burn-down's planned figures are one indexed SUM … GROUP BY month.
 */
@Entity('planned_spend')
@Index(['month', 'federalCents'])
@Check(oneOf('category', COST_CATEGORIES))
@Check('length("month") = 7')
export class PlannedSpend {
  @PrimaryColumn('integer')
  grantId: number;

  @PrimaryColumn('integer')
  budgetPeriod: number;

  @PrimaryColumn('varchar')
  category: CostCategory;

  /** `YYYY-MM`. */
  @PrimaryColumn('varchar')
  month: string;

  @ManyToOne(() => Grant)
  @JoinColumn({ name: 'grant_id' })
  grant?: Grant;

  @Column('bigint', { transformer: centsTransformer })
  federalCents: number;

  @Column('bigint', { transformer: centsTransformer })
  costShareCents: number;
}
