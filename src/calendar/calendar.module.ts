import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { User } from '../accounts/user.entity';
import { AuditModule } from '../audit/audit.module';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { ProgramsModule } from '../programs/programs.module';
import { CalendarController } from './calendar.controller';
import { CalendarService } from './calendar.service';

/** Each user's iCalendar feed of the program's deadlines (DeadlinesService), and its page. */
@Module({
  imports: [TypeOrmModule.forFeature([User]), AuditModule, DeadlinesModule, ProgramsModule],
  controllers: [CalendarController],
  providers: [CalendarService],
})
export class CalendarModule {}
