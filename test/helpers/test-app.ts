import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { AppConfig } from '../../src/common/config';
import { ReadCache } from '../../src/common/database/read-cache';
import { WritePath } from '../../src/common/database/write-path';
import type { Role } from '../../src/accounts/user.entity';
import { AuditService } from '../../src/audit/audit.service';
import { FreshDatabase, freshTestDatabase, placeholders, TEST_ENGINE } from './test-database';
import { makeUser, TEST_PASSWORD } from './users';

export type Agent = ReturnType<typeof request.agent>;

export const TEST_EMAILS: Record<Role, string> = {
  admin: 'admin@example.gov',
  program_manager: 'manager@example.gov',
  approving_official: 'approver@example.gov',
  auditor: 'auditor@example.gov',
};

/** The app's database and the services that write it: what factories and row assertions need. */
export interface TestDatabase {
  /** The application (HTTP) or, in a service spec, the application context (no HTTP). */
  app: INestApplicationContext;
  dataSource: DataSource;
  writes: WritePath;
  audit: AuditService;
  /** The SQLite file, or on PostgreSQL the database's URL. */
  databasePath: string;
  close: () => Promise<void>;
}

export interface TestApp extends TestDatabase {
  app: NestExpressApplication;
  /** A program manager's signed-in session, sending its CSRF token with every request. */
  http: () => Agent;
  /** An approving official's signed-in session, kept like the manager's. */
  approver: () => Agent;
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

/** A database of its own (SQLite file or PostgreSQL database), and the configuration for it. */
async function freshDatabase(overrides: Partial<AppConfig>) {
  const database = await freshTestDatabase();
  const location =
    TEST_ENGINE === 'postgres'
      ? { DATABASE_URL: database.location }
      : { DATABASE_PATH: database.location };
  const config = Object.assign(new AppConfig(), {
    ...location,
    SEED_DEMO: false,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ...overrides,
  });
  return { database, config };
}

/** The database side of a test app or context, with its snapshot and reset. */
async function databaseOf(
  app: INestApplicationContext,
  database: FreshDatabase,
): Promise<TestDatabase & Resettable> {
  const writes = app.get(WritePath);
  const audit = app.get(AuditService);
  const dataSource = app.get(DataSource);
  for (const [role, email] of Object.entries(TEST_EMAILS) as [Role, string][]) {
    await makeUser({ writes, audit }, { role, email });
  }
  return {
    app,
    dataSource,
    writes,
    audit,
    databasePath: database.location,
    close: async () => {
      await app.close();
      await database.drop();
    },
    snapshot: () => database.snapshot(dataSource),
    // The database put back as it was, and everything kept in memory dropped.
    reset: async () => {
      await database.restore(dataSource);
      app.get(ReadCache).clear();
      jest.restoreAllMocks();
    },
  };
}

async function createResettableApp(overrides: Partial<AppConfig>): Promise<TestApp & Resettable> {
  const { database, config } = await freshDatabase(overrides);
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureApp(app);
  await app.init();
  const tested = await databaseOf(app, database);
  // Over plain HTTP a Secure cookie never comes back, so such an app starts without a manager session.
  const manager = config.COOKIE_SECURE ? undefined : await signIn(app, TEST_EMAILS.program_manager);
  const approver = config.COOKIE_SECURE
    ? undefined
    : await signIn(app, TEST_EMAILS.approving_official);
  return {
    ...tested,
    app,
    http: () => {
      if (!manager) throw new Error('No manager session: this test app uses Secure cookies');
      return manager;
    },
    approver: () => {
      if (!approver) throw new Error('No approver session: this test app uses Secure cookies');
      return approver;
    },
    as: (role) => signIn(app, TEST_EMAILS[role]),
    anonymous: () => request(app.getHttpServer()),
  };
}

async function createResettableContext(
  overrides: Partial<AppConfig>,
): Promise<TestDatabase & Resettable> {
  const { database, config } = await freshDatabase(overrides);
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return databaseOf(moduleRef, database);
}

/** Reads rows straight from the database, for assertions. */
export function rows<T = Record<string, unknown>>(
  t: Pick<TestDatabase, 'dataSource'>,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return t.dataSource.query(placeholders(sql), params);
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
 * and whose in-memory state (read cache, spies) is dropped before each later test.
 */
export function freshAppPerTest(overrides: Partial<AppConfig> = {}): TestApp & Resettable {
  return perDescribe(() => createResettableApp(overrides));
}

/** The same for a service spec: the modules without HTTP (createServiceContext), reset per test. */
export function freshContextPerTest(overrides: Partial<AppConfig> = {}): TestDatabase {
  return perDescribe(() => createResettableContext(overrides));
}
