import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../common/config';
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
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new LoginThrottle(config.LOGIN_MAX_FAILURES, config.LOGIN_WINDOW_MINUTES * 60_000),
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
