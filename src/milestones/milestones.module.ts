import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApprovalsModule } from '../approvals/approvals.module';
import { AuditModule } from '../audit/audit.module';
import { GrantLookupModule } from '../grants/grant-lookup.module';
import { DecisionRequests } from './decision-requests';
import { GoNoGoGate } from './go-no-go.gate';
import { GrantMilestonesController } from './grant-milestones.controller';
import { MilestoneDashboardService } from './milestone-dashboard.service';
import { Milestone } from './milestone.entity';
import { MilestonesController } from './milestones.controller';
import { MilestonesService } from './milestones.service';

/**
 * Milestones and the go/no-go gate; a go/no-go decision is a request (DecisionRequests). Grants are read through GrantLookupModule, not GrantsModule:
 * GrantsModule imports this module (the gate for amendments).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Milestone]), AuditModule, GrantLookupModule, ApprovalsModule],
  controllers: [MilestonesController, GrantMilestonesController],
  providers: [MilestonesService, MilestoneDashboardService, GoNoGoGate, DecisionRequests],
  exports: [MilestonesService, GoNoGoGate],
})
export class MilestonesModule {}
