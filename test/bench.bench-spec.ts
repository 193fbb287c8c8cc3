import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import * as sqlite3 from 'sqlite3';
import { buildDataset, SIZES } from '../scripts/bench/dataset';
import {
  BenchReport,
  EnginesReport,
  ENGINE_PARTS,
  runBenchmark,
  runEngineComparison,
} from '../scripts/bench/bench';

/** The project's PostgreSQL test server (see test/helpers/test-database.ts); unset, SQLite only. */
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
/** Registered only with a PostgreSQL server to run on, as describeSqlite is only without one. */
const describePostgres = (name: string, body: () => void): void => {
  if (TEST_DATABASE_URL) describe(name, body);
};

/**
 * The benchmark harness (npm run bench) at a tiny size: it must build its data, start the app, run
 * every measure and find every acknowledged write. Timings are printed, never asserted here.
 */
describe('npm run bench at a tiny size', () => {
  let out: string;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'bench-spec-'));
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs every measure against their references and writes the table', async () => {
    const report = await runBenchmark({
      size: SIZES.tiny,
      seconds: 1,
      samples: 5,
      csvRuns: 1,
      out,
      log: () => undefined,
    });

    expect(report.failures).toEqual([]);
    expect(report.measures.map((m) => m.id)).toEqual([
      'dashboard',
      'reconciliation',
      'reports_index',
      'ledger_page',
      'ledger_csv',
      'ledger_xlsx',
      'program_burndown',
      'grant_burndown',
      'grants_list',
      'expenditures',
      'mixed_reads',
      'mixed_repeat_reads',
    ]);
    const byId = Object.fromEntries(report.measures.map((m) => [m.id, m.numbers]));
    expect(byId.ledger_csv.rows).toBe(report.dataset.ledgerRows);
    expect(byId.ledger_csv.cliMs).toBeGreaterThan(0);
    expect(byId.program_burndown.samples).toBe(5);
    expect(byId.grants_list.errors).toBe(0);
    expect(byId.grants_list.helloRps).toBeGreaterThan(0);
    expect(byId.expenditures.acknowledged).toBeGreaterThan(0);
    expect(byId.expenditures).toMatchObject({
      errors: 0,
      lost: 0,
      unacknowledged: 0,
      totalsMatch: 1,
    });

    expect(byId.mixed_reads.reads).toBeGreaterThan(0);
    expect(byId.mixed_reads).toMatchObject({ errors: 0, lost: 0 });
    expect(byId.mixed_repeat_reads.reads).toBeGreaterThan(0);
    expect(byId.mixed_repeat_reads).toMatchObject({ errors: 0, lost: 0 });
    expect(byId.mixed_repeat_reads.grants).toBeLessThanOrEqual(byId.mixed_reads.grants);

    const written = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as BenchReport;
    expect(written.measures).toEqual(report.measures);
    const table = readFileSync(join(out, 'latest.md'), 'utf8');
    expect(table).toContain('| Measure | Result | Reference (same run) | Target | Met |');
    for (const measure of report.measures) expect(table).toContain(`| ${measure.name} |`);
  }, 180_000);

  it('builds the same data set for the same size and day', async () => {
    const digest = async (path: string) => {
      const db = new sqlite3.Database(path);
      const rows = await new Promise<unknown[]>((ok, fail) =>
        db.all(
          `SELECT (SELECT COUNT(*) || ':' || SUM(amount_cents) || ':' || SUM(length(memo)) FROM expenditures) AS ledger,
                  (SELECT group_concat(award_number || start_date, ',') FROM grants) AS grants,
                  (SELECT SUM(federal_change_cents) FROM amendments) AS obligated`,
          (error, result) => (error ? fail(error) : ok(result)),
        ),
      );
      await new Promise((r) => db.close(r));
      return rows;
    };
    const first = await buildDataset(join(out, 'a.sqlite'), SIZES.tiny, '2026-11-27');
    const second = await buildDataset(join(out, 'b.sqlite'), SIZES.tiny, '2026-11-27');
    expect(first.ledgerRows).toBe(SIZES.tiny.ledgerRows);
    expect(second.openGrants).toEqual(first.openGrants);
    expect(first.openGrants.length).toBeGreaterThan(0);
    expect(await digest(second.path)).toEqual(await digest(first.path));
  });
});

/**
 * `npm run bench -- --engine postgres --instances 2` at a tiny size: the data set copied exactly
 * into a database of its own, SQLite's run and PostgreSQL's with two instances behind one sign-in,
 * no acknowledged write lost on either, and the database dropped afterwards. No timing asserted.
 */
describePostgres('npm run bench -- --engine postgres at a tiny size', () => {
  let out: string;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'bench-spec-pg-'));
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('copies the data set, runs SQLite and PostgreSQL ×2 and loses no write', async () => {
    const report = await runEngineComparison({
      size: SIZES.tiny,
      seconds: 1,
      samples: 5,
      csvRuns: 1,
      out,
      postgres: TEST_DATABASE_URL!,
      instances: [2],
      log: () => undefined,
    });

    const tables = Object.entries(report.copy.tables);
    expect(tables.length).toBeGreaterThan(20);
    for (const [table, { sqlite, postgres }] of tables)
      expect([table, postgres]).toEqual([table, sqlite]);
    expect(report.copy.tables.expenditures.postgres).toBe(report.dataset.ledgerRows);
    expect(report.copy.tables).toHaveProperty('ledger_totals');
    expect(report.copy.tables).toHaveProperty('grants_history');
    expect(report.copy.tables).not.toHaveProperty('migrations');

    expect(report.runs.map((run) => [run.engine, run.instances])).toEqual([
      ['sqlite', 1],
      ['postgres', 2],
    ]);
    for (const run of report.runs) {
      expect(run.measures.map((m) => m.id)).toEqual([
        'ledger_csv',
        'program_burndown',
        'grant_burndown',
        'grants_list',
        'expenditures',
      ]);
      const writes = run.measures.find((m) => m.id === 'expenditures')!.numbers;
      expect(writes.acknowledged).toBeGreaterThan(0);
      expect(writes).toMatchObject({ errors: 0, lost: 0, unacknowledged: 0, totalsMatch: 1 });
    }
    expect(report.failures).toEqual([]);
    expect(ENGINE_PARTS).toEqual(['csv', 'burndown', 'grants', 'writes']);

    const written = JSON.parse(readFileSync(join(out, 'engines.json'), 'utf8')) as EnginesReport;
    expect(written.runs).toEqual(report.runs);
    const table = readFileSync(join(out, 'engines.md'), 'utf8');
    expect(table).toContain('| SQLite | 1 |');
    expect(table).toContain('| PostgreSQL | 2 |');
    expect(table).toContain('PostgreSQL ×2 / SQLite expenditures: ');

    const server = new Client({ connectionString: TEST_DATABASE_URL });
    await server.connect();
    try {
      const { rows } = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        report.copy.database,
      ]);
      expect(rows).toEqual([]);
    } finally {
      await server.end();
    }
  }, 180_000);
});
