import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../common/config';
import { WritePath } from '../common/database/write-path';
import { AccessGuard } from './access.guard';
import { AdminUsersController } from './admin-users.controller';
import { AuthController } from './auth.controller';
import { CurrentUserMiddleware } from './current-user.middleware';
import { LoginThrottle } from './login-throttle';
import { SessionRecord } from './session.entity';
import { DatabaseSessionStore } from './session.store';
import { SignInService } from './sign-in.service';
import { User } from './user.entity';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User, SessionRecord]), AuditModule],
  controllers: [AuthController, AdminUsersController],
  providers: [
    UsersService,
    SignInService,
    {
      provide: LoginThrottle,
      inject: [WritePath, AppConfig],
      useFactory: (writes: WritePath, config: AppConfig) =>
        new LoginThrottle(writes, config.LOGIN_MAX_FAILURES, config.LOGIN_WINDOW_MINUTES * 60_000),
    },
    DatabaseSessionStore,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [UsersService, DatabaseSessionStore],
})
export class AccountsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CurrentUserMiddleware).forRoutes('*');
  }
}
