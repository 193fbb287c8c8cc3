import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module';
import { ProgramsModule } from '../programs/programs.module';
import { DemoSeedService } from './demo-seed.service';

@Module({
  imports: [ProgramsModule, GrantsModule],
  providers: [DemoSeedService],
  exports: [DemoSeedService],
})
export class DemoModule {}
