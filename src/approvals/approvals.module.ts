import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { GrantLookupModule } from '../grants/grant-lookup.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ApprovalRequest, ApprovalRevision } from './approval-request.entity';
import { ApprovalsController } from './approvals.controller';
import { ApprovalsHeaderMiddleware } from './approvals-header.middleware';
import { ApprovalsService } from './approvals.service';
import { RequestKinds } from './request-kinds';

/**
 * Requests, the queue and decisions. It imports no feature: each feature registers its kinds of
 * request (RequestKinds) and files them (ApprovalsService.submit) from its own forms.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ApprovalRequest, ApprovalRevision]),
    AuditModule,
    GrantLookupModule,
    NotificationsModule,
  ],
  controllers: [ApprovalsController],
  providers: [ApprovalsService, RequestKinds],
  exports: [ApprovalsService, RequestKinds],
})
export class ApprovalsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ApprovalsHeaderMiddleware).exclude('assets/*path').forRoutes('*');
  }
}
