import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module';
import { ProgramsModule } from '../programs/programs.module';
import { ReportsModule } from '../reports/reports.module';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';

@Module({
  imports: [ProgramsModule, GrantsModule, ReportsModule],
  controllers: [DashboardController],
  providers: [DashboardService],
})
export class DashboardModule {}
