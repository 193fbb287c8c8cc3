import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
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
    expect(await tables(dataSource)).toEqual([
      'amendments',
      'audit_events',
      'budget_lines',
      'budget_periods',
      'budgets',
      'expenditures',
      'grant_technologies',
      'grants',
      'ledger_imports',
      'milestones',
      'planned_spend',
      'programs',
      'recipients',
      'sessions',
      'technologies',
      'technology_elements',
      'trl_assessments',
      'users',
    ]);

    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
    expect(await tables(dataSource)).toEqual([]);

    await dataSource.runMigrations();
    expect(await tables(dataSource)).toHaveLength(18);
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
});
