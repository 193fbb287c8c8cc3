import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { BudgetPeriod } from '../grants/budget-period.entity';
import { Grant } from '../grants/grant.entity';
import { GoNoGoGate } from './go-no-go.gate';
import { GrantMilestonesController } from './grant-milestones.controller';
import { MilestoneDashboardService } from './milestone-dashboard.service';
import { Milestone } from './milestone.entity';
import { MilestonesController } from './milestones.controller';
import { MilestonesService } from './milestones.service';

/**
 * Milestones and the go/no-go gate. Grants are read through their repositories, not GrantsModule:
 * GrantsModule imports this module (the gate for amendments).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Milestone, Grant, BudgetPeriod]), AuditModule],
  controllers: [MilestonesController, GrantMilestonesController],
  providers: [MilestonesService, MilestoneDashboardService, GoNoGoGate],
  exports: [MilestonesService, GoNoGoGate],
})
export class MilestonesModule {}
