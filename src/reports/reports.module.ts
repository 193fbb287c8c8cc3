import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApprovalsModule } from '../approvals/approvals.module';
import { AuditModule } from '../audit/audit.module';
import { PlannedSpend } from '../budgets/planned-spend.entity';
import { Amendment } from '../grants/amendment.entity';
import { Grant } from '../grants/grant.entity';
import { GrantLookupModule } from '../grants/grant-lookup.module';
import { Expenditure } from '../ledger/expenditure.entity';
import { Program } from '../programs/program.entity';
import { ApprovalRegistersController } from './approval-registers.controller';
import { ApprovalRegistersService } from './approval-registers.service';
import { BurndownService } from './burndown.service';
import { DownloadsController } from './downloads.controller';
import { DownloadsService } from './downloads.service';
import { GrantBurndownController } from './grant-burndown.controller';
import { ProgramBurndownController } from './program-burndown.controller';
import { ProgramRegistersController } from './program-registers.controller';
import { ProgramRegistersService } from './program-registers.service';
import { ReconciliationController } from './reconciliation.controller';
import { ReconciliationPrecheck } from './reconciliation-precheck';
import { ReconciliationService } from './reconciliation.service';
import { Sf425Controller } from './sf425.controller';
import { Sf425Service } from './sf425.service';

/**
 * Reports read the features' tables through their own SQL (amendments, planned_spend, expenditures)
 * and depend on no feature module but GrantLookupModule (a grant by id, the grant pickers),
 * AuditModule (the trail's readable form) and ApprovalsModule (request kinds' labels); no
 * feature module may import this one (the dashboard may).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Grant, Program, Amendment, PlannedSpend, Expenditure]),
    GrantLookupModule,
    AuditModule,
    ApprovalsModule,
  ],
  controllers: [
    DownloadsController,
    ReconciliationController,
    Sf425Controller,
    ProgramBurndownController,
    GrantBurndownController,
    ProgramRegistersController,
    ApprovalRegistersController,
  ],
  providers: [
    DownloadsService,
    ReconciliationService,
    ReconciliationPrecheck,
    Sf425Service,
    BurndownService,
    ProgramRegistersService,
    ApprovalRegistersService,
  ],
  exports: [BurndownService],
})
export class ReportsModule {}
