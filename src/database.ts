import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import * as sqlite3 from 'sqlite3';
import { types as pgTypes } from 'pg';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { MIGRATIONS } from '../migrations';
import { ApprovalRequest, ApprovalRevision } from './approvals/approval-request.entity';
import { Notification, ScheduledRun } from './notifications/notification.entity';
import { ADVISORY_LOCKS } from './common/database/write-path';
import { SessionRecord } from './accounts/session.entity';
import { User } from './accounts/user.entity';
import { AuditEvent } from './audit/audit-event.entity';
import { BudgetLine } from './budgets/budget-line.entity';
import { Budget } from './budgets/budget.entity';
import { PlannedSpend } from './budgets/planned-spend.entity';
import { Amendment } from './grants/amendment.entity';
import { Expenditure } from './ledger/expenditure.entity';
import { LedgerImport } from './ledger/ledger-import.entity';
import { BudgetPeriod } from './grants/budget-period.entity';
import { Grant } from './grants/grant.entity';
import { Recipient } from './grants/recipient.entity';
import { Milestone } from './milestones/milestone.entity';
import { Program } from './programs/program.entity';
import { GrantTechnology } from './technologies/grant-technology.entity';
import { TechnologyElement } from './technologies/technology-element.entity';
import { Technology } from './technologies/technology.entity';
import { TrlAssessment } from './technologies/trl-assessment.entity';

export const ENTITIES = [
  Program,
  Recipient,
  Grant,
  BudgetPeriod,
  Amendment,
  Budget,
  BudgetLine,
  PlannedSpend,
  Expenditure,
  LedgerImport,
  Technology,
  TechnologyElement,
  TrlAssessment,
  GrantTechnology,
  Milestone,
  User,
  SessionRecord,
  AuditEvent,
  ApprovalRequest,
  ApprovalRevision,
  Notification,
  ScheduledRun,
];

/**
 * TypeORM always calls sqlite3.verbose(), which wraps every query to capture a stack trace (measured:
 * about 7 % of a page's CPU under load). The driver handed over here returns itself instead.
 */
const QUIET_SQLITE3 = { ...sqlite3, verbose: () => sqlite3 };

/** Where the data lives: a PostgreSQL URL (DATABASE_URL) or an SQLite file (DATABASE_PATH). */
export type DatabaseEngine = 'sqlite' | 'postgres';

/** Whether `location` names a PostgreSQL database (postgres:// or postgresql://). */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

/** The engine a location selects: PostgreSQL for a URL, SQLite for anything else (a file path). */
export const engineOf = (location: string): DatabaseEngine =>
  isPostgresUrl(location) ? 'postgres' : 'sqlite';

/** The database the app runs on: DATABASE_URL when it is set, else the SQLite file DATABASE_PATH. */
export const databaseLocation = (config: {
  DATABASE_URL?: string;
  DATABASE_PATH: string;
}): string => config.DATABASE_URL || config.DATABASE_PATH;

/** Connections each app process keeps to PostgreSQL: requests take one per transaction or read. */
export const POSTGRES_POOL_SIZE = 10;

// PostgreSQL returns BIGINT (COUNT, SUM of integers) and NUMERIC (SUM of BIGINT) as strings, to
// keep their precision; every such figure here is integer cents or a count, exact as a JavaScript
// number below 2^53. Converted in this one place for every query, raw or through an entity.
pgTypes.setTypeParser(pgTypes.builtins.INT8, (value) => Number(value));
pgTypes.setTypeParser(pgTypes.builtins.NUMERIC, (value) => Number(value));

/**
 * The one description of the database, used by the app, the tests and the TypeORM CLI: SQLite at a
 * file path (the embedded default), or PostgreSQL at a postgres:// URL.
 */
export function dataSourceOptions(location: string): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'all' as const,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
  };
  if (isPostgresUrl(location)) {
    return {
      ...common,
      type: 'postgres',
      url: location,
      applicationName: 'grant-tracker',
      extra: { max: POSTGRES_POOL_SIZE },
    };
  }
  if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
  return {
    ...common,
    type: 'sqlite',
    driver: QUIET_SQLITE3,
    database: location,
    enableWAL: true,
    busyTimeout: 5000,
  };
}

/** Opens the database, brings its schema up to date and (SQLite) sets the durability pragmas. */
export async function openDatabase(location: string): Promise<DataSource> {
  const dataSource = await new DataSource(dataSourceOptions(location)).initialize();
  if (dataSource.options.type === 'sqlite') {
    await dataSource.query('PRAGMA synchronous = FULL');
    await dataSource.runMigrations();
    return dataSource;
  }
  // Instances started together on PostgreSQL: one runs the migrations, the others wait, then find
  // nothing left to run. The lock is held by a connection of its own for the whole run.
  const holder = dataSource.createQueryRunner();
  await holder.connect();
  try {
    await holder.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCKS.migrations]);
    await dataSource.runMigrations();
  } finally {
    await holder
      .query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCKS.migrations])
      .catch(() => undefined);
    await holder.release();
  }
  return dataSource;
}
