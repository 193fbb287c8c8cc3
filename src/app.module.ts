import {
  DynamicModule,
  MiddlewareConsumer,
  Module,
  NestModule,
  ValidationPipe,
} from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AccountsModule } from './accounts/accounts.module';
import { ApprovalsModule } from './approvals/approvals.module';
import { AuditModule } from './audit/audit.module';
import { BudgetsModule } from './budgets/budgets.module';
import { CalendarModule } from './calendar/calendar.module';
import { AppConfig } from './common/config';
import { ConfigModule } from './common/config.module';
import { DatabaseModule } from './common/database/database.module';
import { validationException } from './common/http/filter-query';
import { HtmlExceptionFilter } from './common/http/html-exception.filter';
import { DashboardModule } from './dashboard/dashboard.module';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { DemoModule } from './demo/demo.module';
import { NotificationsModule } from './notifications/notifications.module';
import { GrantPageModule } from './grant-page/grant-page.module';
import { GrantsModule } from './grants/grants.module';
import { LedgerModule } from './ledger/ledger.module';
import { MilestonesModule } from './milestones/milestones.module';
import { HeaderMiddleware } from './programs/header.middleware';
import { ProgramsModule } from './programs/programs.module';
import { ReportsModule } from './reports/reports.module';
import { TechnologiesModule } from './technologies/technologies.module';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            // Health of the request, not its body: form posts carry money and personal data.
            serializers: {
              req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/assets/') },
          },
        }),
        DatabaseModule,
        AuditModule,
        AccountsModule,
        ProgramsModule,
        GrantsModule,
        BudgetsModule,
        TechnologiesModule,
        MilestonesModule,
        LedgerModule,
        ReportsModule,
        ApprovalsModule,
        DeadlinesModule,
        NotificationsModule,
        CalendarModule,
        // After GrantsModule: Nest registers routes module by module, and GET /grants/:id must not
        // take /grants/new.
        GrantPageModule,
        DashboardModule,
        DemoModule,
      ],
      providers: [
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            transform: true,
            whitelist: true,
            forbidUnknownValues: false,
            exceptionFactory: validationException,
          }),
        },
        { provide: APP_FILTER, useClass: HtmlExceptionFilter },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HeaderMiddleware).exclude('assets/*path').forRoutes('*');
  }
}
