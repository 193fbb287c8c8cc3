import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BudgetPeriod } from './budget-period.entity';
import { Grant } from './grant.entity';
import { GrantLookup } from './grant-lookup';

/**
 * GrantLookup alone, importing no feature: budgets, milestones, technologies, the ledger and the
 * reports read grants through it, and GrantsModule (which imports budgets and milestones) does too.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Grant, BudgetPeriod])],
  providers: [GrantLookup],
  exports: [GrantLookup],
})
export class GrantLookupModule {}
