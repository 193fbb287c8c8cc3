import { Module } from '@nestjs/common';
import { GrantLookupModule } from '../grants/grant-lookup.module';
import { DeadlinesController } from './deadlines.controller';
import { DeadlinesService } from './deadlines.service';

/**
 * The deadline engine and its page. It reads the records (grants, budget periods, milestones,
 * requests) straight from the database as of a date and depends on no feature module; the grant
 * page, the inbox, the digest and the calendar feed use DeadlinesService.
 */
@Module({
  imports: [GrantLookupModule],
  controllers: [DeadlinesController],
  providers: [DeadlinesService],
  exports: [DeadlinesService],
})
export class DeadlinesModule {}
