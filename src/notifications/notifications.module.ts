import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { User } from '../accounts/user.entity';
import { AuditModule } from '../audit/audit.module';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { DigestService } from './digest.service';
import { InboxController } from './inbox.controller';
import { Notification, ScheduledRun } from './notification.entity';
import { NotificationsHeaderMiddleware } from './notifications-header.middleware';
import { NotificationsService } from './notifications.service';
import { PreferencesService } from './preferences.service';

/**
 * Inboxes, the header's unread count and the daily digest. Approvals writes its lines
 * (NotificationsService.notify) in the request's or decision's own transaction.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Notification, ScheduledRun, User]),
    AuditModule,
    DeadlinesModule,
  ],
  controllers: [InboxController],
  providers: [NotificationsService, DigestService, PreferencesService],
  exports: [NotificationsService, DigestService],
})
export class NotificationsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(NotificationsHeaderMiddleware).exclude('assets/*path').forRoutes('*');
  }
}
