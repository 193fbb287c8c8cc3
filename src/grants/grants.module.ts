import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApprovalsModule } from '../approvals/approvals.module';
import { AuditModule } from '../audit/audit.module';
import { BudgetsModule } from '../budgets/budgets.module';
import { MilestonesModule } from '../milestones/milestones.module';
import { ProgramsModule } from '../programs/programs.module';
import { AmendmentRequests } from './amendment-requests';
import { Amendment } from './amendment.entity';
import { AmendmentsService } from './amendments.service';
import { BudgetPeriod } from './budget-period.entity';
import { BudgetPeriodsService } from './budget-periods.service';
import { Grant } from './grant.entity';
import { GrantLookupModule } from './grant-lookup.module';
import { GrantsController } from './grants.controller';
import { GrantsService } from './grants.service';
import { Recipient } from './recipient.entity';
import { RecipientsController } from './recipients.controller';
import { RecipientsService } from './recipients.service';

/**
 * Grants, recipients, amendments and budget periods. Of the other features it needs only what its own
 * rules call: the go/no-go gate (amendments) and the planned-spend rebuild (budget periods, no-cost
 * extensions). The grant page, which shows every feature's figures, is GrantPageModule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Grant, Recipient, Amendment, BudgetPeriod]),
    ProgramsModule,
    AuditModule,
    MilestonesModule,
    BudgetsModule,
    GrantLookupModule,
    ApprovalsModule,
  ],
  controllers: [GrantsController, RecipientsController],
  providers: [
    GrantsService,
    RecipientsService,
    AmendmentsService,
    BudgetPeriodsService,
    AmendmentRequests,
  ],
  exports: [
    GrantsService,
    RecipientsService,
    AmendmentsService,
    BudgetPeriodsService,
    AmendmentRequests,
  ],
})
export class GrantsModule {}
