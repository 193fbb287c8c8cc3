import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ApprovalsModule } from '../approvals/approvals.module';
import { AuditModule } from '../audit/audit.module';
import { BudgetsModule } from '../budgets/budgets.module';
import { GrantsModule } from '../grants/grants.module';
import { LedgerModule } from '../ledger/ledger.module';
import { MilestonesModule } from '../milestones/milestones.module';
import { ProgramsModule } from '../programs/programs.module';
import { TechnologiesModule } from '../technologies/technologies.module';
import { DemoSeedService } from './demo-seed.service';

@Module({
  imports: [
    ProgramsModule,
    GrantsModule,
    TechnologiesModule,
    MilestonesModule,
    BudgetsModule,
    LedgerModule,
    AuditModule,
    AccountsModule,
    ApprovalsModule,
  ],
  providers: [DemoSeedService],
  exports: [DemoSeedService],
})
export class DemoModule {}
