import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { Amendment } from '../grants/amendment.entity';
import { BudgetPeriod } from '../grants/budget-period.entity';
import { Grant } from '../grants/grant.entity';
import { MilestonesModule } from '../milestones/milestones.module';
import { Program } from '../programs/program.entity';
import { Expenditure } from './expenditure.entity';
import { LedgerController } from './ledger.controller';
import { LedgerImportService } from './ledger-import.service';
import { LedgerListService } from './ledger-list.service';
import { LedgerService } from './ledger.service';

/**
 * The expenditure ledger. Grants are read through their repositories; the grant page
 * (GrantPageModule) imports this module (recent entries, spent to date).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Expenditure, Grant, BudgetPeriod, Amendment, Program]),
    AuditModule,
    MilestonesModule,
  ],
  controllers: [LedgerController],
  providers: [LedgerService, LedgerListService, LedgerImportService],
  exports: [LedgerService, LedgerListService],
})
export class LedgerModule {}
