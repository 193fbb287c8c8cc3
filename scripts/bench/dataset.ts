import { DataSource } from 'typeorm';
import { hashPassword } from '../../src/accounts/passwords';
import { COST_CATEGORIES } from '../../src/budgets/budget.constants';
import { addDays, daysBetween } from '../../src/common/dates';
import { openDatabase } from '../../src/database';

/** How big a generated office is. `full` is the portfolio; `tiny` is for the harness's test. */
export interface DatasetSize {
  programs: number;
  grantsPerProgram: number;
  ledgerRows: number;
}

export const SIZES: Record<'full' | 'tiny', DatasetSize> = {
  full: { programs: 20, grantsPerProgram: 100, ledgerRows: 1_000_000 },
  tiny: { programs: 2, grantsPerProgram: 5, ledgerRows: 2_000 },
};

export const BENCH_USER = {
  email: 'bench.manager@bench.local',
  password: 'quartz lantern meridian 47',
};

/** A grant the write benchmark may charge today: active, with the budget period that holds `day`. */
export interface OpenGrant {
  id: number;
  budgetPeriod: number;
  /** A date inside that budget period, on or before today. */
  day: string;
}

export interface Dataset {
  path: string;
  size: DatasetSize;
  grants: number;
  ledgerRows: number;
  /** The program and the grant whose burn-down pages are timed (the median-sized ones). */
  programId: number;
  grantId: number;
  openGrants: OpenGrant[];
  buildSeconds: number;
}

const BP_DAYS = 365;
const PERIODS = 3;

/** mulberry32: a small seeded generator, so a size and a day always give the same data. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Multi-row INSERTs, as many rows per statement as SQLite's 32,766 bound parameters allow. */
async function insertRows(
  db: DataSource,
  table: string,
  columns: string[],
  rows: unknown[][],
): Promise<void> {
  const perStatement = Math.floor(32_000 / columns.length);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    await db.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`,
      chunk.flat(),
    );
  }
}

/** What the ledger generator needs of a grant: its period of performance. */
interface GrantPlan {
  id: number;
  start: string;
  end: string;
}

const periodOf = (grant: GrantPlan, day: string) =>
  Math.min(PERIODS, Math.floor(daysBetween(grant.start, day) / BP_DAYS) + 1);

/**
 * Builds an office of `size` in a new SQLite file through the app's own migrations: programs,
 * recipients, grants with three yearly budget periods (each closed by a go/no-go decided `go`),
 * obligations, a monthly plan, one program manager, and the ledger. Dates are laid out relative to
 * `today` (grants started 2 months to 4 years ago), so every run, whatever the day, has grants open
 * for new spending; with the same size and day the data are the same. The ledger is 80 % federal,
 * 1 % reversals, with a few memos that need CSV quoting or formula neutralising.
 */
export async function buildDataset(
  path: string,
  size: DatasetSize,
  today: string,
): Promise<Dataset> {
  const started = process.hrtime.bigint();
  const random = generator(20_261_127);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const now = `${today}T12:00:00.000Z`;

  const db = await openDatabase(path);
  try {
    await db.query('PRAGMA synchronous = OFF');
    await db.query('BEGIN');

    await insertRows(
      db,
      'users',
      ['email', 'name', 'role', 'password_hash', 'created_at', 'updated_at'],
      [
        [
          BENCH_USER.email,
          'Benchmark Manager',
          'program_manager',
          await hashPassword(BENCH_USER.password),
          now,
          now,
        ],
      ],
    );

    const programRows: unknown[][] = [];
    for (let p = 1; p <= size.programs; p++) {
      programRows.push([
        p,
        `Benchmark program ${String(p).padStart(2, '0')}`,
        `DE-FOA-00${String(3000 + p)}`,
        'Office of Critical Minerals (benchmark)',
        100_000_000_000,
        addDays(today, -1600),
        addDays(today, 1600),
        20,
        now,
        now,
      ]);
    }
    await insertRows(
      db,
      'programs',
      [
        'id',
        'name',
        'funding_opportunity',
        'office',
        'ceiling_cents',
        'start_date',
        'end_date',
        'cost_share_percent',
        'created_at',
        'updated_at',
      ],
      programRows,
    );

    const recipients = Math.max(2, size.programs * 10);
    const types = ['university', 'national_laboratory', 'industry', 'nonprofit'];
    const states = ['WY', 'CO', 'TX', 'PA', 'CA', 'ID', 'MT', 'NV', 'AK', 'MN'];
    await insertRows(
      db,
      'recipients',
      ['id', 'name', 'type', 'state', 'uei', 'created_at', 'updated_at'],
      Array.from({ length: recipients }, (_, i) => [
        i + 1,
        `Benchmark Recipient ${i + 1}`,
        pick(types),
        pick(states),
        `BM${String(i + 1).padStart(10, '0')}`,
        now,
        now,
      ]),
    );

    const grants: GrantPlan[] = [];
    const grantRows: unknown[][] = [];
    const periodRows: unknown[][] = [];
    const amendmentRows: unknown[][] = [];
    const planRows: unknown[][] = [];
    const milestoneRows: unknown[][] = [];
    for (let p = 1; p <= size.programs; p++) {
      for (let g = 0; g < size.grantsPerProgram; g++) {
        const id = grants.length + 1;
        const start = addDays(today, -between(60, 1460));
        const end = addDays(start, PERIODS * BP_DAYS - 1);
        const periods = Array.from(
          { length: PERIODS },
          (_, n) =>
            [addDays(start, n * BP_DAYS), addDays(start, (n + 1) * BP_DAYS - 1)] as [
              string,
              string,
            ],
        );
        const status = addDays(end, 120) < today ? 'closed' : 'active';
        grants.push({ id, start, end });
        const tranche = between(150_000_000, 300_000_000);
        grantRows.push([
          id,
          p,
          between(1, recipients),
          `DE-BM${String(p).padStart(2, '0')}${String(id).padStart(5, '0')}`,
          `Benchmark project ${id}: rare earth separation and recovery`,
          `PI ${id}`,
          `pi${id}@bench.local`,
          status,
          start,
          end,
          Math.round((tranche * PERIODS) / 5),
          now,
          now,
        ]);
        periods.forEach(([from, to], n) => {
          periodRows.push([id, n + 1, from, to]);
          // Each period's tranche is obligated on its first day, once that day has come.
          if (from <= today) {
            amendmentRows.push([
              id,
              n,
              from,
              n === 0 ? 'initial' : 'incremental_funding',
              tranche,
              `BP${n + 1} funding`,
              now,
            ]);
          }
          const months = new Set<string>();
          for (let day = from; day <= to; day = addDays(day, 28)) months.add(day.slice(0, 7));
          months.add(to.slice(0, 7));
          const perMonth = Math.floor(tranche / months.size);
          for (const month of months) planRows.push([id, n + 1, 'personnel', month, perMonth, 0]);
          if (n < PERIODS - 1) {
            const due = addDays(to, -30);
            const decided = due <= addDays(today, -1);
            milestoneRows.push([
              id,
              n + 1,
              `BP${n + 1} go/no-go review`,
              'go_no_go',
              due,
              decided ? 'complete' : 'planned',
              decided ? due : null,
              decided ? 'go' : 'pending',
              decided ? due : null,
              decided ? BENCH_USER.email : null,
              now,
              now,
            ]);
          }
        });
      }
    }
    await insertRows(
      db,
      'grants',
      [
        'id',
        'program_id',
        'recipient_id',
        'award_number',
        'title',
        'pi_name',
        'pi_email',
        'status',
        'start_date',
        'end_date',
        'cost_share_committed_cents',
        'created_at',
        'updated_at',
      ],
      grantRows,
    );
    await insertRows(
      db,
      'budget_periods',
      ['grant_id', 'number', 'start_date', 'end_date'],
      periodRows,
    );
    await insertRows(
      db,
      'amendments',
      [
        'grant_id',
        'number',
        'effective_date',
        'kind',
        'federal_change_cents',
        'note',
        'created_at',
      ],
      amendmentRows,
    );
    await insertRows(
      db,
      'planned_spend',
      ['grant_id', 'budget_period', 'category', 'month', 'federal_cents', 'cost_share_cents'],
      planRows,
    );
    await insertRows(
      db,
      'milestones',
      [
        'grant_id',
        'budget_period',
        'title',
        'kind',
        'due_date',
        'status',
        'completed_on',
        'decision',
        'decided_on',
        'decided_by',
        'created_at',
        'updated_at',
      ],
      milestoneRows,
    );

    // The ledger: entries spread over the grants, each incurred within what has elapsed of its grant.
    const lastIncurred = addDays(today, -3);
    const memos = [
      '',
      '',
      '',
      'Monthly draw-down',
      'Assay lab, "rush" run, 3 samples',
      '=SUM(A1:A3) pasted from a spreadsheet',
      'Travel: Casper, WY; site visit',
    ];
    const lastOf = new Map<number, unknown[]>();
    const columns = [
      'id',
      'grant_id',
      'budget_period',
      'category',
      'incurred_on',
      'amount_cents',
      'share',
      'reference',
      'memo',
      'reversal_of',
      'recorded_by',
      'recorded_at',
      'recorded_on',
    ];
    const batch: unknown[][] = [];
    for (let id = 1; id <= size.ledgerRows; id++) {
      const grant = grants[Math.floor(random() * grants.length)];
      const previous = lastOf.get(grant.id);
      let row: unknown[];
      if (previous && (previous[9] as number | null) === null && random() < 0.01) {
        // A reversal of the grant's previous entry, recorded the day after it.
        const recordedOn =
          addDays(previous[12] as string, 1) > today ? today : addDays(previous[12] as string, 1);
        row = [
          id,
          grant.id,
          previous[2],
          previous[3],
          previous[4],
          -(previous[5] as number),
          previous[6],
          `REV-${previous[7] as string}`,
          'Charged to the wrong grant',
          previous[0],
          BENCH_USER.email,
          `${recordedOn}T15:30:00.000Z`,
          recordedOn,
        ];
      } else {
        const to = grant.end < lastIncurred ? grant.end : lastIncurred;
        const incurred = addDays(
          grant.start,
          Math.floor(random() * (daysBetween(grant.start, to) + 1)),
        );
        let recordedOn = addDays(incurred, between(0, 14));
        if (recordedOn >= today) recordedOn = addDays(today, -1);
        row = [
          id,
          grant.id,
          periodOf(grant, incurred),
          pick(COST_CATEGORIES),
          incurred,
          between(100, 400_000),
          random() < 0.8 ? 'federal' : 'cost_share',
          `INV-${String(id).padStart(7, '0')}`,
          pick(memos),
          null,
          BENCH_USER.email,
          `${recordedOn}T14:00:00.000Z`,
          recordedOn,
        ];
      }
      lastOf.set(grant.id, row);
      batch.push(row);
      if (batch.length === 20_000) await insertRows(db, 'expenditures', columns, batch.splice(0));
    }
    await insertRows(db, 'expenditures', columns, batch);
    await db.query('COMMIT');
    await db.query('PRAGMA synchronous = FULL');
    await db.query('ANALYZE');

    return await describeDataset(db, size, today, Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await db.destroy();
  }
}

/** What the measures need to know of a data set, read back from its file. */
export async function describeDataset(
  db: DataSource,
  size: DatasetSize,
  today: string,
  buildSeconds: number,
): Promise<Dataset> {
  const day = addDays(today, -2);
  // Grants that take spending dated `day`: active, in their period of performance and a budget period.
  const openGrants = await db.query<OpenGrant[]>(
    `SELECT g.id AS "id", bp.number AS "budgetPeriod", ? AS "day"
       FROM grants g JOIN budget_periods bp ON bp.grant_id = g.id
      WHERE g.status = 'active' AND g.start_date <= ? AND g.end_date >= ?
        AND bp.start_date <= ? AND bp.end_date >= ?
      ORDER BY g.id`,
    [day, addDays(today, -10), day, day, day],
  );
  const [{ n: ledgerRows, grants }] = await db.query<{ n: number; grants: number }[]>(
    'SELECT COUNT(*) AS n, (SELECT COUNT(*) FROM grants) AS grants FROM expenditures',
  );
  // The burn-down pages are timed on the middle program and the grant with the median ledger.
  const perGrant = await db.query<{ grantId: number }[]>(
    `SELECT grant_id AS "grantId" FROM expenditures GROUP BY grant_id ORDER BY COUNT(*), grant_id`,
  );
  return {
    path: db.options.database as string,
    size,
    grants: Number(grants),
    ledgerRows: Number(ledgerRows),
    programId: Math.ceil(size.programs / 2),
    grantId: perGrant[Math.floor(perGrant.length / 2)].grantId,
    openGrants,
    buildSeconds,
  };
}

/** A data set built by an earlier run (`--db FILE --reuse`), for profiling one measure again. */
export async function openDataset(
  path: string,
  size: DatasetSize,
  today: string,
): Promise<Dataset> {
  const db = await openDatabase(path);
  try {
    return await describeDataset(db, size, today, 0);
  } finally {
    await db.destroy();
  }
}
