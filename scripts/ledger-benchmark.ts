import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { COST_CATEGORIES } from '../src/budgets/budget.constants';
import { addDays } from '../src/common/dates';
import { openDatabase } from '../src/database';
import { Grant } from '../src/grants/grant.entity';
import { Recipient } from '../src/grants/recipient.entity';
import { Cursor } from '../src/ledger/dto/ledger-query.dto';
import { Expenditure } from '../src/ledger/expenditure.entity';
import { LedgerFilter, LedgerListService, PagePosition } from '../src/ledger/ledger-list.service';
import { Program } from '../src/programs/program.entity';

/**
 * Times the ledger list on a generated ledger (default 1,000,000 entries over 13 grants and 600 days,
 * 1 % of them reversals) in a temporary SQLite file built by the real migrations:
 *
 *   node -r ts-node/register/transpile-only scripts/ledger-benchmark.ts [rows]
 *
 * The rows are bulk-inserted outside the app (multi-row INSERTs in one transaction); the timings are
 * of LedgerListService.list, the query behind GET /ledger, with the default page size of 50.
 */
const ROWS = Number(process.argv[2] ?? 1_000_000);
const GRANTS = 13;
const DAYS = 600;
const FIRST_DAY = '2025-04-01';
const BATCH = 500;
const RUNS = 5;

async function seed(db: DataSource): Promise<void> {
  const now = new Date().toISOString();
  const stamps = { createdAt: now, updatedAt: now };
  const program = await db.getRepository(Program).save({
    name: 'Benchmark program',
    fundingOpportunity: 'DE-FOA-0002483',
    office: 'Benchmark',
    ceilingCents: 3_000_000_000,
    startDate: '2025-01-01',
    endDate: '2029-12-31',
    costSharePercent: 20,
    illustrative: false,
    ...stamps,
  });
  const recipient = await db.getRepository(Recipient).save({
    name: 'Benchmark University',
    type: 'university',
    state: 'WY',
    uei: null,
    ...stamps,
  });
  const grantIds: number[] = [];
  for (let i = 0; i < GRANTS; i++) {
    const grant = await db.getRepository(Grant).save({
      programId: program.id,
      recipientId: recipient.id,
      awardNumber: `DE-SC00319${String(81 + i)}`,
      title: `Grant ${i + 1}`,
      piName: 'PI',
      piEmail: 'pi@example.edu',
      status: 'active',
      startDate: FIRST_DAY,
      endDate: '2028-03-31',
      costShareCommittedCents: 0,
      ...stamps,
    });
    grantIds.push(grant.id);
  }

  // A small deterministic generator, so every run measures the same ledger.
  let state = 42;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  await db.query('PRAGMA synchronous = OFF');
  await db.query('BEGIN');
  let id = 0;
  for (let start = 0; start < ROWS; start += BATCH) {
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (let i = start; i < Math.min(start + BATCH, ROWS); i++) {
      id += 1;
      const reversal = i % 100 === 99; // reverses the entry just before it
      const day = addDays(FIRST_DAY, Math.floor(random() * DAYS));
      const grantId = grantIds[Math.floor(random() * GRANTS)];
      const amount = 1 + Math.floor(random() * 2_000_000);
      tuples.push('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      values.push(
        id,
        grantId,
        1,
        COST_CATEGORIES[Math.floor(random() * COST_CATEGORIES.length)],
        day,
        reversal ? -amount : amount,
        random() < 0.8 ? 'federal' : 'cost_share',
        `INV-${String(id).padStart(7, '0')}`,
        '',
        reversal ? id - 1 : null,
        'bench@example.gov',
        `${day}T15:00:00.000Z`,
        addDays(day, 3),
      );
    }
    await db.query(
      `INSERT INTO expenditures (id, grant_id, budget_period, category, incurred_on, amount_cents,
         share, reference, memo, reversal_of, recorded_by, recorded_at, recorded_on)
       VALUES ${tuples.join(', ')}`,
      values,
    );
  }
  await db.query('COMMIT');
  await db.query('PRAGMA synchronous = FULL');
}

async function cursorAt(db: DataSource, offset: number, grantId?: number): Promise<Cursor> {
  const [row] = await db.query<{ incurred_on: string; id: number }[]>(
    `SELECT incurred_on, id FROM expenditures ${grantId ? 'WHERE grant_id = ?' : ''}
      ORDER BY incurred_on, id LIMIT 1 OFFSET ?`,
    grantId ? [grantId, offset] : [offset],
  );
  return { incurredOn: row.incurred_on, id: row.id };
}

async function time(
  label: string,
  sut: LedgerListService,
  filter: LedgerFilter,
  position: PagePosition = {},
): Promise<void> {
  const times: number[] = [];
  let rows = 0;
  let count = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const page = await sut.list(filter, position);
    times.push(performance.now() - start);
    rows = page.items.length;
    count = page.count;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(RUNS / 2)];
  console.log(
    `${label.padEnd(46)} median ${median.toFixed(1).padStart(7)} ms  (min ${times[0].toFixed(1)}, max ${times[RUNS - 1].toFixed(1)})  ${rows} rows of ${count}`,
  );
}

async function main(): Promise<void> {
  // LEDGER_BENCH_DB=<file> keeps the generated ledger there and reuses it on the next run.
  const keep = process.env.LEDGER_BENCH_DB;
  const dir = keep ? undefined : mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const db = await openDatabase(keep ?? join(dir!, 'bench.sqlite'));
  try {
    const [{ n }] = await db.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM expenditures');
    if (n === 0) {
      const seeded = performance.now();
      await seed(db);
      console.log(
        `Inserted ${ROWS.toLocaleString('en-US')} entries in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
      );
    } else {
      console.log(`Reusing ${n.toLocaleString('en-US')} entries in ${keep}`);
    }
    const grantIds = (await db.query<{ id: number }[]>('SELECT id FROM grants ORDER BY id')).map(
      (g) => g.id,
    );
    const sut = new LedgerListService(db.getRepository(Expenditure));
    const grant = grantIds[3];
    const middle = await cursorAt(db, Math.floor(ROWS / 2));
    const grantMiddle = await cursorAt(db, Math.floor(ROWS / GRANTS / 2), grant);

    await time('page 1', sut, {});
    await time(
      `middle page (after row ${(ROWS / 2).toLocaleString('en-US')})`,
      sut,
      {},
      { after: middle },
    );
    await time('last page', sut, {}, { before: 'end' });
    await time('grant filter, page 1', sut, { grantId: grant });
    await time('grant filter, middle page', sut, { grantId: grant }, { after: grantMiddle });
    await time(
      'grant + date range, middle page',
      sut,
      {
        grantId: grant,
        from: '2025-10-01',
        to: '2026-03-31',
      },
      { after: grantMiddle },
    );
    await time('share filter, middle page', sut, { share: 'cost_share' }, { after: middle });
    await time('category filter, middle page', sut, { category: 'travel' }, { after: middle });
    await time('category filter, last page', sut, { category: 'travel' }, { before: 'end' });
    await time(
      'grant + category, middle page',
      sut,
      { grantId: grant, category: 'travel' },
      {
        after: grantMiddle,
      },
    );
    await time('as of a past day, middle page', sut, { asOf: '2026-01-31' }, { after: middle });
    await time('reference prefix (100 matches)', sut, { reference: 'INV-00001' });
    await time('exact reference', sut, { reference: 'INV-0123456' });
    console.log('\nQuery plan of the middle page:');
    const plan = await db.query<{ detail: string }[]>(
      `EXPLAIN QUERY PLAN SELECT e.id FROM expenditures e
        WHERE e.incurred_on >= ? AND (e.incurred_on > ? OR e.id > ?)
        ORDER BY e.incurred_on, e.id LIMIT 50`,
      [middle.incurredOn, middle.incurredOn, middle.id],
    );
    for (const step of plan) console.log(`  ${step.detail}`);
  } finally {
    await db.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
