import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { COST_CATEGORIES, CostCategory, Share, SHARES } from '../budgets/budget.constants';
import { centsTransformer, oneOf } from '../common/database/columns';
import { Grant } from '../grants/grant.entity';

/**
 * A ledger entry. Append-only: never updated or deleted (the database refuses both); a mistake is
 * corrected by a reversal, an entry with the opposite amount that points at the original.
 *
 * Reports are bitemporal: an entry counts for `asOf` when it was incurred on or before that day AND
 * recorded on or before it (`recorded_on`, the office's calendar day of `recorded_at`). The covering
 * indexes put both dates and the amount in the index so the monthly sums never touch the table.
 */
@Entity('expenditures')
@Unique(['reversalOf'])
@Index(['incurredOn', 'recordedOn', 'share', 'amountCents'])
// With each entry's budget period and category: a grant's cells are summed from the index alone.
@Index('IDX_expenditures_grant_dates_cells', [
  'grantId',
  'incurredOn',
  'recordedOn',
  'share',
  'amountCents',
  'budgetPeriod',
  'category',
])
@Index(['recordedOn'])
@Check('"budget_period" >= 1')
@Check(oneOf('category', COST_CATEGORIES))
@Check(oneOf('share', SHARES))
@Check('length("incurred_on") = 10')
@Check('length("recorded_on") = 10')
@Check('"amount_cents" <> 0')
@Check('("reversal_of" IS NULL) = ("amount_cents" > 0)')
export class Expenditure {
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

  @Column('varchar')
  incurredOn: string;

  /** Signed: an entry is positive, its reversal negative. */
  @Column('bigint', { transformer: centsTransformer })
  amountCents: number;

  @Column('varchar')
  share: Share;

  /** Invoice or draw-down number. */
  @Column('varchar')
  reference: string;

  @Column('text', { default: '' })
  memo: string;

  /** The entry this one reverses; unique, so an entry is reversed at most once. */
  @Column('integer', { nullable: true })
  reversalOf: number | null;

  @OneToOne(() => Expenditure)
  @JoinColumn({ name: 'reversal_of' })
  reversed?: Expenditure;

  /** The email of who recorded it (text: it must outlive the account). */
  @Column('varchar')
  recordedBy: string;

  /** UTC instant it was recorded. */
  @Column('varchar')
  recordedAt: string;

  /** The office's calendar day (APP_TIME_ZONE) of recordedAt: what the as-of filter compares. */
  @Column('varchar')
  recordedOn: string;
}
