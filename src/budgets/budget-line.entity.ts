import {
  Check,
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { centsTransformer, oneOf } from '../common/database/columns';
import { Grant } from '../grants/grant.entity';
import { COST_CATEGORIES, CostCategory } from './budget.constants';

/** One cell pair of the SF-424A grid: a category in a budget period, federal and cost-share cents. */
@Entity('budget_lines')
@Unique(['grantId', 'budgetPeriod', 'category'])
@Check('"budget_period" >= 1')
@Check(oneOf('category', COST_CATEGORIES))
@Check('"federal_cents" >= 0')
@Check('"cost_share_cents" >= 0')
export class BudgetLine {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  grantId: number;

  @ManyToOne(() => Grant)
  @JoinColumn({ name: 'grant_id' })
  grant?: Grant;

  @Column('integer')
  budgetPeriod: number;

  @Column('varchar')
  category: CostCategory;

  @Column('bigint', { transformer: centsTransformer })
  federalCents: number;

  @Column('bigint', { transformer: centsTransformer })
  costShareCents: number;
}
