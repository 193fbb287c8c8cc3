import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sqlite3 from 'sqlite3';
import { buildDataset, SIZES } from '../scripts/bench/dataset';
import { BenchReport, runBenchmark } from '../scripts/bench/bench';

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
