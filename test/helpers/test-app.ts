import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { AppConfig } from '../../src/common/config';
import { WritePath } from '../../src/common/database/write-path';

export interface TestApp {
  app: NestExpressApplication;
  http: () => ReturnType<typeof request>;
  dataSource: DataSource;
  writes: WritePath;
  databasePath: string;
  close: () => Promise<void>;
}

/** The real app (real migrations, real wiring) on a fresh SQLite file of its own. */
export async function createTestApp(overrides: Partial<AppConfig> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'grant-tracker-'));
  const databasePath = join(dir, 'test.sqlite');
  const config = Object.assign(new AppConfig(), {
    DATABASE_PATH: databasePath,
    SEED_DEMO: false,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ...overrides,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApp(app);
  await app.init();
  return {
    app,
    http: () => request(app.getHttpServer()),
    dataSource: app.get(DataSource),
    writes: app.get(WritePath),
    databasePath,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads rows straight from the database, for assertions. */
export function rows<T = Record<string, unknown>>(
  t: TestApp,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return t.dataSource.query(sql, params);
}

/**
 * Gives every test in the enclosing describe a fresh app and closes it afterwards. The returned object
 * always stands for the current test's app.
 */
export function freshAppPerTest(overrides: Partial<AppConfig> = {}): TestApp {
  let current: TestApp | undefined;
  beforeEach(async () => {
    current = await createTestApp(overrides);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return new Proxy({} as TestApp, {
    get(_target, property: keyof TestApp) {
      if (!current) throw new Error('The test app exists only inside a test');
      return current[property];
    },
  });
}
