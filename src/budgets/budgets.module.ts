import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApprovalsModule } from '../approvals/approvals.module';
import { AuditModule } from '../audit/audit.module';
import { GrantLookupModule } from '../grants/grant-lookup.module';
import { BudgetLine } from './budget-line.entity';
import { BudgetRequests } from './budget-requests';
import { Budget } from './budget.entity';
import { BudgetsController, RebudgetController } from './budgets.controller';
import { BudgetsService } from './budgets.service';
import { PlannedSpend } from './planned-spend.entity';
import { PlannedSpendService } from './planned-spend.service';
import { RebudgetService } from './rebudget.service';

/**
 * Budgets, planned spend and the rebudget flag; a budget revision is a request (BudgetRequests). Grants are read through GrantLookupModule, not
 * GrantsModule: GrantsModule imports this module (PlannedSpendService when budget period dates
 * change).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Budget, BudgetLine, PlannedSpend]),
    AuditModule,
    GrantLookupModule,
    ApprovalsModule,
  ],
  controllers: [BudgetsController, RebudgetController],
  providers: [BudgetsService, PlannedSpendService, RebudgetService, BudgetRequests],
  exports: [BudgetsService, PlannedSpendService, RebudgetService],
})
export class BudgetsModule {}
