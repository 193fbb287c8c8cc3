import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApprovalsModule } from '../approvals/approvals.module';
import { AuditModule } from '../audit/audit.module';
import { GrantLookupModule } from '../grants/grant-lookup.module';
import { MilestonesModule } from '../milestones/milestones.module';
import { Expenditure } from './expenditure.entity';
import { ExpenditureRequests } from './expenditure-requests';
import { ImportRequests } from './import-requests';
import { LedgerController } from './ledger.controller';
import { LedgerImportService } from './ledger-import.service';
import { LedgerListService } from './ledger-list.service';
import { LedgerService } from './ledger.service';

/**
 * The expenditure ledger; an expenditure above APPROVAL_THRESHOLD is a request. Grants are read through GrantLookup; the grant page (GrantPageModule)
 * imports this module (recent entries, spent to date).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Expenditure]),
    AuditModule,
    MilestonesModule,
    GrantLookupModule,
    ApprovalsModule,
  ],
  controllers: [LedgerController],
  providers: [
    LedgerService,
    LedgerListService,
    LedgerImportService,
    ExpenditureRequests,
    ImportRequests,
  ],
  exports: [LedgerService, LedgerListService],
})
export class LedgerModule {}
