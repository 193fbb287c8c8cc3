import { Module } from '@nestjs/common';
import { ApprovalsModule } from '../approvals/approvals.module';
import { AuditModule } from '../audit/audit.module';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { BudgetsModule } from '../budgets/budgets.module';
import { GrantLookupModule } from '../grants/grant-lookup.module';
import { GrantsModule } from '../grants/grants.module';
import { LedgerModule } from '../ledger/ledger.module';
import { MilestonesModule } from '../milestones/milestones.module';
import { TechnologiesModule } from '../technologies/technologies.module';
import { GrantPageController } from './grant-page.controller';
import { GrantPageService } from './grant-page.service';

/** The grant page: above the features whose figures it shows, as the dashboard is. */
@Module({
  imports: [
    GrantsModule,
    GrantLookupModule,
    BudgetsModule,
    LedgerModule,
    TechnologiesModule,
    MilestonesModule,
    AuditModule,
    ApprovalsModule,
    DeadlinesModule,
  ],
  controllers: [GrantPageController],
  providers: [GrantPageService],
})
export class GrantPageModule {}
