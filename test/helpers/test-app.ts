import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { AppConfig } from '../../src/common/config';
import { ReadCache } from '../../src/common/database/read-cache';
import { whileNoTransaction, WritePath } from '../../src/common/database/write-path';
import { LoginThrottle } from '../../src/accounts/login-throttle';
import type { Role } from '../../src/accounts/user.entity';
import { AuditService } from '../../src/audit/audit.service';
import { openDatabase } from '../../src/database';
import { makeUser, TEST_PASSWORD } from './users';

export type Agent = ReturnType<typeof request.agent>;

export const TEST_EMAILS: Record<Role, string> = {
  admin: 'admin@example.gov',
  program_manager: 'manager@example.gov',
  auditor: 'auditor@example.gov',
};

/** The app's database and the services that write it: what factories and row assertions need. */
export interface TestDatabase {
  /** The application (HTTP) or, in a service spec, the application context (no HTTP). */
  app: INestApplicationContext;
  dataSource: DataSource;
  writes: WritePath;
  audit: AuditService;
  databasePath: string;
  close: () => Promise<void>;
}

export interface TestApp extends TestDatabase {
  app: NestExpressApplication;
  /** A program manager's signed-in session, sending its CSRF token with every request. */
  http: () => Agent;
  /** A signed-in session for another role (or a fresh one for the same role). */
  as: (role: Role) => Promise<Agent>;
  /** No session at all. */
  anonymous: () => ReturnType<typeof request>;
}

/** Goes back to how it was when `snapshot()` was taken, much faster than building it again. */
export interface Resettable {
  snapshot: () => Promise<void>;
  reset: () => Promise<void>;
}

/** The hidden _csrf field of the first form on a page. */
export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('No CSRF token on the page');
  return match[1];
}

/** Signs in through the real login form; returns the agent and its session's CSRF token. */
export async function signInSession(
  app: NestExpressApplication,
  email: string,
  password = TEST_PASSWORD,
): Promise<{ agent: Agent; token: string }> {
  const agent = request.agent(app.getHttpServer());
  const form = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ email, password, _csrf: csrfTokenIn(form.text) });
  if (res.status !== 303) throw new Error(`Sign-in as ${email} failed with ${res.status}`);
  const page = await agent.get('/');
  return { agent, token: csrfTokenIn(page.text) };
}

/** A signed-in agent that sends its CSRF token (X-CSRF-Token) with every request. */
export async function signIn(
  app: NestExpressApplication,
  email: string,
  password = TEST_PASSWORD,
): Promise<Agent> {
  const { agent, token } = await signInSession(app, email, password);
  agent.set('X-CSRF-Token', token);
  return agent;
}

let template: Promise<string> | undefined;

/**
 * An empty database built by the real migrations, once per test process: each test app starts from a
 * copy of it (its own migrations then find nothing to run), instead of creating 17 tables every time.
 */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grant-tracker-template-'));
    const path = join(dir, 'template.sqlite');
    const dataSource = await openDatabase(path);
    await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
    await dataSource.query('PRAGMA journal_mode = DELETE');
    await dataSource.destroy();
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return path;
  })();
  return template;
}

/** The real app (real migrations, real wiring) on a fresh SQLite file of its own. */
export async function createTestApp(overrides: Partial<AppConfig> = {}): Promise<TestApp> {
  return createResettableApp(overrides);
}

/**
 * The application's modules on a fresh SQLite file, without HTTP (the medium tier): for specs of a
 * service's rules on a real migrated database. It has the same three users as the test app.
 */
export async function createServiceContext(
  overrides: Partial<AppConfig> = {},
): Promise<TestDatabase> {
  return createResettableContext(overrides);
}

/** A fresh file copied from the migrated template, and the configuration that points at it. */
async function freshDatabase(overrides: Partial<AppConfig>) {
  const dir = mkdtempSync(join(tmpdir(), 'grant-tracker-'));
  const databasePath = join(dir, 'test.sqlite');
  const source = await migratedTemplate();
  if (existsSync(source)) copyFileSync(source, databasePath);
  const config = Object.assign(new AppConfig(), {
    DATABASE_PATH: databasePath,
    SEED_DEMO: false,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ...overrides,
  });
  return { dir, databasePath, config };
}

/** The database side of a test app or context, with its snapshot and reset. */
async function databaseOf(
  app: INestApplicationContext,
  dir: string,
  databasePath: string,
): Promise<TestDatabase & Resettable> {
  const writes = app.get(WritePath);
  const audit = app.get(AuditService);
  const dataSource = app.get(DataSource);
  for (const [role, email] of Object.entries(TEST_EMAILS) as [Role, string][]) {
    await makeUser({ writes, audit }, { role, email });
  }
  const snapshotPath = join(dir, 'snapshot.sqlite');
  const driver = dataSource.driver as unknown as {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
  };
  return {
    app,
    dataSource,
    writes,
    audit,
    databasePath,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
    // The database file as it is now, with nothing left in WAL (closing the connections checkpoints).
    snapshot: () =>
      whileNoTransaction(dataSource, async () => {
        await driver.disconnect();
        copyFileSync(databasePath, snapshotPath);
        await driver.connect();
      }),
    // The file copied back with the app's connections closed, and everything kept in memory dropped.
    reset: async () => {
      await whileNoTransaction(dataSource, async () => {
        await driver.disconnect();
        for (const suffix of ['-wal', '-shm']) rmSync(databasePath + suffix, { force: true });
        copyFileSync(snapshotPath, databasePath);
        await driver.connect();
      });
      app.get(ReadCache).clear();
      app.get(LoginThrottle).clear();
      jest.restoreAllMocks();
    },
  };
}

async function createResettableApp(overrides: Partial<AppConfig>): Promise<TestApp & Resettable> {
  const { dir, databasePath, config } = await freshDatabase(overrides);
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApp(app);
  await app.init();
  const database = await databaseOf(app, dir, databasePath);
  // Over plain HTTP a Secure cookie never comes back, so such an app starts without a manager session.
  const manager = config.COOKIE_SECURE ? undefined : await signIn(app, TEST_EMAILS.program_manager);
  return {
    ...database,
    app,
    http: () => {
      if (!manager) throw new Error('No manager session: this test app uses Secure cookies');
      return manager;
    },
    as: (role) => signIn(app, TEST_EMAILS[role]),
    anonymous: () => request(app.getHttpServer()),
  };
}

async function createResettableContext(
  overrides: Partial<AppConfig>,
): Promise<TestDatabase & Resettable> {
  const { dir, databasePath, config } = await freshDatabase(overrides);
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return databaseOf(moduleRef, dir, databasePath);
}

/** Reads rows straight from the database, for assertions. */
export function rows<T = Record<string, unknown>>(
  t: Pick<TestDatabase, 'dataSource'>,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return t.dataSource.query(sql, params);
}

/**
 * One app or context per describe, built once and reset before each test after the first, behind a
 * proxy that always stands for it.
 */
function perDescribe<T extends object>(create: () => Promise<T & Resettable>): T & Resettable {
  let current: (T & Resettable) | undefined;
  let used = false;
  beforeAll(async () => {
    current = await create();
    await current.snapshot();
  });
  beforeEach(async () => {
    if (used) await current?.reset();
    used = true;
  });
  afterAll(async () => {
    await (current as TestDatabase | undefined)?.close();
    current = undefined;
  });
  return new Proxy({} as T & Resettable, {
    get(_target, property) {
      if (!current) throw new Error('The test app exists only inside a test');
      return Reflect.get(current, property) as unknown;
    },
  });
}

/**
 * Gives every test in the enclosing describe the app as it was when the describe began: one app per
 * describe (built, users made and the manager signed in once), whose database file is copied back
 * and whose in-memory state (read cache, login throttle, spies) is dropped before each later test.
 */
export function freshAppPerTest(overrides: Partial<AppConfig> = {}): TestApp & Resettable {
  return perDescribe(() => createResettableApp(overrides));
}

/** The same for a service spec: the modules without HTTP (createServiceContext), reset per test. */
export function freshContextPerTest(overrides: Partial<AppConfig> = {}): TestDatabase {
  return perDescribe(() => createResettableContext(overrides));
}
