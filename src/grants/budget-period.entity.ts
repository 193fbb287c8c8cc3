import {
  Check,
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { Grant } from './grant.entity';

@Entity('budget_periods')
@Unique(['grantId', 'number'])
@Check('"number" >= 1')
@Check('length("start_date") = 10')
@Check('length("end_date") = 10')
@Check('"start_date" <= "end_date"')
export class BudgetPeriod {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  grantId: number;

  @ManyToOne(() => Grant)
  @JoinColumn({ name: 'grant_id' })
  grant?: Grant;

  /** 1, 2, … in date order; a go/no-go decision separates consecutive periods. */
  @Column('integer')
  number: number;

  @Column('varchar')
  startDate: string;

  @Column('varchar')
  endDate: string;
}
