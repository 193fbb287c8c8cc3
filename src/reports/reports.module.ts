import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PlannedSpend } from '../budgets/planned-spend.entity';
import { Amendment } from '../grants/amendment.entity';
import { Grant } from '../grants/grant.entity';
import { Expenditure } from '../ledger/expenditure.entity';
import { Program } from '../programs/program.entity';
import { BurndownService } from './burndown.service';
import { GrantBurndownController } from './grant-burndown.controller';
import { ReportsController } from './reports.controller';

/**
 * Reports read the features' tables through their own SQL (amendments, planned_spend, expenditures)
 * and depend on no feature module; no feature module may import this one (the dashboard may).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Grant, Program, Amendment, PlannedSpend, Expenditure])],
  controllers: [ReportsController, GrantBurndownController],
  providers: [BurndownService],
  exports: [BurndownService],
})
export class ReportsModule {}
