import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import * as sqlite3 from 'sqlite3';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { MIGRATIONS } from '../migrations';
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
];

/**
 * TypeORM always calls sqlite3.verbose(), which wraps every query to capture a stack trace (measured:
 * about 7 % of a page's CPU under load). The driver handed over here returns itself instead.
 */
const QUIET_SQLITE3 = { ...sqlite3, verbose: () => sqlite3 };

/** The one description of the database, used by the app, the tests and the TypeORM CLI. */
export function dataSourceOptions(databasePath: string): DataSourceOptions {
  if (databasePath !== ':memory:') mkdirSync(dirname(databasePath), { recursive: true });
  return {
    type: 'sqlite',
    driver: QUIET_SQLITE3,
    database: databasePath,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'all',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    enableWAL: true,
    busyTimeout: 5000,
  };
}

/** Opens the database, brings its schema up to date and sets the durability pragmas. */
export async function openDatabase(databasePath: string): Promise<DataSource> {
  const dataSource = await new DataSource(dataSourceOptions(databasePath)).initialize();
  await dataSource.query('PRAGMA synchronous = FULL');
  await dataSource.runMigrations();
  return dataSource;
}
