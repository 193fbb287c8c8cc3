import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { VERSIONED } from '../migrations/1764748800000-RecordHistory';

const HISTORY_TABLES = VERSIONED.map(({ table }) => `${table}_history`);
import { dataSourceOptions, openDatabase } from '../src/database';
import { onPostgresServer, placeholders, postgresUrl, TEST_ENGINE } from './helpers/test-database';

const TABLES_SQL = {
  sqlite:
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'migrations' ORDER BY name",
  postgres:
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY table_name",
};
const tables = async (ds: DataSource) =>
  (await ds.query<{ name: string }[]>(TABLES_SQL[TEST_ENGINE])).map((t) => t.name);

/** SQLite's and PostgreSQL's words for a CHECK constraint that refused a row. */
const CHECK_FAILED = /CHECK constraint failed|violates check constraint/;

/** Runs `sql` with the history triggers recording at `at`, as the WritePath sets it on each engine. */
async function recordedAt(ds: DataSource, at: string, sql: string): Promise<void> {
  if (TEST_ENGINE === 'sqlite') {
    await ds.query(`INSERT INTO recording_clock (id, at) VALUES (1, '${at}')`);
    await ds.query(sql);
    await ds.query('DELETE FROM recording_clock');
    return;
  }
  await ds.transaction(async (m) => {
    await m.query(`SELECT set_config('tracker.recorded_at', '${at}', true)`);
    await m.query(sql);
  });
}

describe(`Migrations (${TEST_ENGINE})`, () => {
  let dir: string;
  let name: string;
  let dataSource: DataSource;

  // An empty database of its own: a new file, or a new database on the PostgreSQL test server.
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'grant-tracker-migrations-'));
    name = `gt_migrations_${process.pid}_${Date.now().toString(36)}`;
    if (TEST_ENGINE === 'postgres') {
      await onPostgresServer((client) => client.query(`CREATE DATABASE "${name}"`));
    }
    const location = TEST_ENGINE === 'postgres' ? postgresUrl(name) : join(dir, 'm.sqlite');
    dataSource = await new DataSource(dataSourceOptions(location)).initialize();
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
    if (TEST_ENGINE === 'postgres') {
      await onPostgresServer((client) => client.query(`DROP DATABASE "${name}" WITH (FORCE)`));
    }
  });

  it('should run the migrations once when several instances start on an empty database together', async () => {
    // Instances started together (a process manager's restart): one migrates, the others wait.
    const location = TEST_ENGINE === 'postgres' ? postgresUrl(name) : join(dir, 'm.sqlite');
    const opened = await Promise.all(
      // On SQLite one process serves a file (the instance lock); there the race is one opener.
      Array.from({ length: TEST_ENGINE === 'postgres' ? 3 : 1 }, () => openDatabase(location)),
    );
    try {
      const applied = await dataSource.query<{ name: string }[]>('SELECT name FROM migrations');
      expect(applied.map((m) => m.name).sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
      expect(await tables(dataSource)).toHaveLength(26 + HISTORY_TABLES.length);
    } finally {
      await Promise.all(opened.map((ds) => ds.destroy()));
    }
  });

  it('should list every migration file in migrations/index.ts', () => {
    const files = readdirSync(join(__dirname, '..', 'migrations')).filter((f) =>
      /^\d+-.+\.ts$/.test(f),
    );
    expect(MIGRATIONS.map((m) => `${m.name.replace(/^(\D+)(\d+)$/, '$2-$1')}.ts`).sort()).toEqual(
      files.sort(),
    );
  });

  it('should run every migration up and back down on a fresh database', async () => {
    const applied = await dataSource.runMigrations();
    expect(applied).toHaveLength(MIGRATIONS.length);
    expect(await tables(dataSource)).toEqual(
      [
        'amendments',
        'approval_requests',
        'approval_revisions',
        'audit_events',
        'budget_lines',
        'budget_periods',
        'budgets',
        'expenditures',
        'grant_technologies',
        'grants',
        'ledger_imports',
        'ledger_totals',
        'login_failures',
        'login_refusals',
        'milestones',
        'notifications',
        'planned_spend',
        'programs',
        'recipients',
        'recording_clock',
        'scheduled_runs',
        'sessions',
        'technologies',
        'technology_elements',
        'trl_assessments',
        'users',
        ...HISTORY_TABLES,
      ].sort(),
    );

    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
    expect(await tables(dataSource)).toEqual([]);

    await dataSource.runMigrations();
    expect(await tables(dataSource)).toHaveLength(26 + HISTORY_TABLES.length);
  });

  it('should leave nothing for migration:generate to find (entities and migrations agree)', async () => {
    await dataSource.runMigrations();
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('should enforce the money and date constraints in the schema itself', async () => {
    await dataSource.runMigrations();
    const insertProgram = (ceiling: number, start: string) =>
      dataSource.query(
        placeholders(`INSERT INTO programs (name, funding_opportunity, office, ceiling_cents, start_date, end_date, cost_share_percent, created_at, updated_at)
         VALUES ('P', 'DE-FOA-1', 'BES', ?, ?, '2030-01-01', 20, 'now', 'now')`),
        [ceiling, start],
      );
    await expect(insertProgram(-1, '2025-01-01')).rejects.toThrow(CHECK_FAILED);
    await expect(insertProgram(100, '2025-1-1')).rejects.toThrow(CHECK_FAILED);
    await expect(insertProgram(3_000_000_000, '2025-01-01')).resolves.toBeDefined();
    const [row] = await dataSource.query<{ ceiling_cents: number }[]>(
      'SELECT ceiling_cents FROM programs',
    );
    expect(row.ceiling_cents).toBe(3_000_000_000);
  });

  it('should keep a version of every change in the history, refusing to rewrite it', async () => {
    await dataSource.runMigrations();
    const versions = () =>
      dataSource.query<{ name: string; recorded_from: string; recorded_to: string | null }[]>(
        'SELECT name, recorded_from, recorded_to FROM programs_history ORDER BY history_id',
      );
    await dataSource.query(
      `INSERT INTO programs (name, funding_opportunity, office, ceiling_cents, start_date, end_date, cost_share_percent, created_at, updated_at)
       VALUES ('First', 'DE-FOA-1', 'BES', 100, '2025-01-01', '2030-01-01', 20, 'now', 'now')`,
    );
    await recordedAt(dataSource, '2031-05-06T07:08:09.010Z', "UPDATE programs SET name = 'Second'");
    await dataSource.query('DELETE FROM programs');

    const [first, second] = await versions();
    expect(first).toMatchObject({ name: 'First', recorded_to: '2031-05-06T07:08:09.010Z' });
    expect(first.recorded_from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(second).toMatchObject({ name: 'Second', recorded_from: '2031-05-06T07:08:09.010Z' });
    expect(second.recorded_to).not.toBeNull(); // closed by the delete, at the database's clock

    await expect(dataSource.query("UPDATE programs_history SET name = 'Forged'")).rejects.toThrow(
      /record history is append-only/,
    );
    await expect(dataSource.query('DELETE FROM programs_history')).rejects.toThrow(
      /record history is append-only/,
    );
    expect(await versions()).toHaveLength(2);
  });
});
