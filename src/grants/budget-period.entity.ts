import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('budget_periods')
export class BudgetPeriod {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  grantId: number;

  /** 1, 2, … in date order; a go/no-go decision separates consecutive periods. */
  @Column('integer')
  number: number;

  @Column('varchar')
  startDate: string;

  @Column('varchar')
  endDate: string;
}
