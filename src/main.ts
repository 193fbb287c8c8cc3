import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { UsersService } from './accounts/users.service';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigError, loadConfig } from './common/config';
import { InstanceLockedError, lockDatabaseFile } from './common/database/instance-lock';
import { compileViews } from './common/views';
import { FormError } from './common/forms';
import { DemoSeedService } from './demo/demo-seed.service';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  // One app process per SQLite file, held until the process exits, however it exits (the operating
  // system releases it). PostgreSQL serves any number of app processes.
  try {
    if (!config.DATABASE_URL) await lockDatabaseFile(config.DATABASE_PATH);
  } catch (error) {
    if (error instanceof InstanceLockedError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  configureApp(app);
  app.enableShutdownHooks();
  // Modules initialise first: the features register their kinds of request, which the demo files.
  await app.init();
  try {
    if (config.SEED_DEMO) await app.get(DemoSeedService).seedIfEmpty();
    if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
      const admin = await app
        .get(UsersService)
        .ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
      if (admin) app.get(Logger).log(`Created the admin account ${admin.email}.`);
    }
  } catch (error) {
    if (!(error instanceof FormError)) throw error;
    // A password that fails the policy (DEMO_PASSWORD, ADMIN_PASSWORD): say which rule, then stop.
    console.error(`Start-up stopped: ${Object.values(error.errors).join(' ')}`);
    await app.close();
    process.exit(1);
  }
  if (config.NODE_ENV === 'production') await compileViews(app, ['dashboard/index', 'grants/show']);
  await app.listen(config.PORT, config.HOST);
  app.get(Logger).log(`Grant tracker listening on http://${config.HOST}:${config.PORT}`);
}

void bootstrap();
