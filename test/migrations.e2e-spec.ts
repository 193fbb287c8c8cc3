import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { VERSIONED } from '../migrations/1764748800000-RecordHistory';

const HISTORY_TABLES = VERSIONED.map(({ table }) => `${table}_history`);
import { dataSourceOptions } from '../src/database';

const tables = async (ds: DataSource) =>
  (
    await ds.query<{ name: string }[]>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'migrations' ORDER BY name",
    )
  ).map((t) => t.name);

describe('Migrations', () => {
  let dir: string;
  let dataSource: DataSource;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'grant-tracker-migrations-'));
    dataSource = await new DataSource(dataSourceOptions(join(dir, 'm.sqlite'))).initialize();
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
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
        'audit_events',
        'budget_lines',
        'budget_periods',
        'budgets',
        'expenditures',
        'grant_technologies',
        'grants',
        'ledger_imports',
        'ledger_totals',
        'milestones',
        'planned_spend',
        'programs',
        'recipients',
        'recording_clock',
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
    expect(await tables(dataSource)).toHaveLength(20 + HISTORY_TABLES.length);
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
        `INSERT INTO programs (name, funding_opportunity, office, ceiling_cents, start_date, end_date, cost_share_percent, created_at, updated_at)
         VALUES ('P', 'DE-FOA-1', 'BES', ?, ?, '2030-01-01', 20, 'now', 'now')`,
        [ceiling, start],
      );
    await expect(insertProgram(-1, '2025-01-01')).rejects.toThrow(/CHECK constraint failed/);
    await expect(insertProgram(100, '2025-1-1')).rejects.toThrow(/CHECK constraint failed/);
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
    await dataSource.query(
      "INSERT INTO recording_clock (id, at) VALUES (1, '2031-05-06T07:08:09.010Z')",
    );
    await dataSource.query("UPDATE programs SET name = 'Second'");
    await dataSource.query('DELETE FROM recording_clock');
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
