import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { Amendment } from '../grants/amendment.entity';
import { BudgetPeriod } from '../grants/budget-period.entity';
import { Grant } from '../grants/grant.entity';
import { Expenditure } from '../ledger/expenditure.entity';
import { Program } from '../programs/program.entity';
import { BudgetLine } from './budget-line.entity';
import { Budget } from './budget.entity';
import { BudgetsController, RebudgetController } from './budgets.controller';
import { BudgetsService } from './budgets.service';
import { PlannedSpend } from './planned-spend.entity';
import { PlannedSpendService } from './planned-spend.service';

/**
 * Budgets, planned spend and the rebudget flag. Grants are read through their repositories, not
 * GrantsModule: GrantsModule imports this module (PlannedSpendService when budget period dates
 * change).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      Budget,
      BudgetLine,
      PlannedSpend,
      Grant,
      BudgetPeriod,
      Program,
      Amendment,
      Expenditure,
    ]),
    AuditModule,
  ],
  controllers: [BudgetsController, RebudgetController],
  providers: [BudgetsService, PlannedSpendService],
  exports: [BudgetsService, PlannedSpendService],
})
export class BudgetsModule {}
