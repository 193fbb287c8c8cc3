import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { GrantsModule } from '../grants/grants.module';
import { ProgramsModule } from '../programs/programs.module';
import { DemoSeedService } from './demo-seed.service';

@Module({
  imports: [ProgramsModule, GrantsModule, AuditModule, AccountsModule],
  providers: [DemoSeedService],
  exports: [DemoSeedService],
})
export class DemoModule {}
