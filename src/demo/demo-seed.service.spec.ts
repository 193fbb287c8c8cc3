import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { AppConfig } from '../common/config';
import { addDays, addMonths, todayIn } from '../common/dates';
import { AmendmentsService } from '../grants/amendments.service';
import { Program } from '../programs/program.entity';
import { RebudgetService } from '../budgets/rebudget.service';
import { DemoSeedService } from './demo-seed.service';

const TABLES = [
  'programs',
  'recipients',
  'grants',
  'budget_periods',
  'amendments',
  'technologies',
  'technology_elements',
  'trl_assessments',
  'grant_technologies',
  'milestones',
  'budgets',
  'budget_lines',
  'planned_spend',
  'expenditures',
];

describe(DemoSeedService.name, () => {
  let dir: string;
  let config: AppConfig;
  let app: INestApplication;
  let db: DataSource;
  let sut: DemoSeedService;

  const query = <T>(sql: string): Promise<T[]> => db.query<T[]>(sql);
  const single = async (sql: string): Promise<number> =>
    Number(Object.values((await query<Record<string, unknown>>(sql))[0])[0]);
  const counts = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      await Promise.all(
        TABLES.map(async (t): Promise<[string, number]> => [
          t,
          await single(`SELECT COUNT(*) FROM ${t}`),
        ]),
      ),
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'demo-seed-'));
    config = Object.assign(new AppConfig(), {
      DATABASE_PATH: join(dir, 'test.sqlite'),
      DEMO_PASSWORD: 'ledger cobalt harbour violin',
      SEED_DEMO: false,
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(config)],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    db = app.get(DataSource);
    sut = app.get(DemoSeedService);
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Runs first, on the still-empty database; the tests below seed it for real.
  it('should leave the database empty when a step fails half-way', async () => {
    const amendments = app.get(AmendmentsService);
    const add = amendments.add.bind(amendments);
    let calls = 0;
    const spy = jest.spyOn(amendments, 'add').mockImplementation((grantId, form) => {
      calls += 1;
      return calls === 20 ? Promise.reject(new Error('disk full')) : add(grantId, form);
    });
    try {
      await expect(sut.seedIfEmpty()).rejects.toThrow('disk full');
    } finally {
      spy.mockRestore();
    }
    expect(await counts()).toEqual(Object.fromEntries(TABLES.map((t) => [t, 0])));
  });

  describe('on an empty database', () => {
    let seeded: boolean;
    let today: string;

    beforeAll(async () => {
      today = todayIn(config.APP_TIME_ZONE);
      seeded = await sut.seedIfEmpty();
      // Seeding writes about 1,500 audited rows; on a loaded CI machine that takes a while.
    }, 180_000);

    it('should report that it seeded', () => {
      expect(seeded).toBe(true);
    });

    it('should create one illustrative program with a $30,000,000 ceiling', async () => {
      const programs = await db.getRepository(Program).find();
      expect(programs).toHaveLength(1);
      expect(programs[0]).toMatchObject({
        fundingOpportunity: 'DE-FOA-0002483',
        office: 'DOE Office of Science, Basic Energy Sciences',
        ceilingCents: 3_000_000_000,
        costSharePercent: 20,
        illustrative: true,
      });
    });

    it('should create 13 active grants led by 10 universities and 3 national laboratories', async () => {
      const grants = await query<{ status: string }>('SELECT status FROM grants');
      expect(grants).toHaveLength(13);
      expect(grants.every((g) => g.status === 'active')).toBe(true);
      const types = await query<{ type: string; n: number }>(
        `SELECT r.type, COUNT(DISTINCT r.id) AS n FROM grants g JOIN recipients r ON r.id = g.recipient_id
         GROUP BY r.type ORDER BY r.type`,
      );
      expect(types).toEqual([
        { type: 'national_laboratory', n: 3 },
        { type: 'university', n: 10 },
      ]);
    });

    it('should obligate exactly $30,000,000, $10,000,000 of it in the original awards', async () => {
      expect(await single('SELECT SUM(federal_change_cents) FROM amendments')).toBe(3_000_000_000);
      expect(
        await single(`SELECT SUM(federal_change_cents) FROM amendments WHERE kind = 'initial'`),
      ).toBe(1_000_000_000);
      const byNumber = await query<{ number: number; total: number }>(
        'SELECT number, SUM(federal_change_cents) AS total FROM amendments WHERE number <= 2 GROUP BY number',
      );
      expect(byNumber.map((row) => Number(row.total))).toEqual([
        1_000_000_000, 1_000_000_000, 1_000_000_000,
      ]);
    });

    it('should give every grant a plausible size between $1.6M and $3.0M', async () => {
      const totals = await query<{ total: number }>(
        'SELECT SUM(federal_change_cents) AS total FROM amendments GROUP BY grant_id',
      );
      expect(totals).toHaveLength(13);
      for (const { total } of totals) {
        expect(Number(total)).toBeGreaterThanOrEqual(160_000_000);
        expect(Number(total)).toBeLessThanOrEqual(300_000_000);
      }
    });

    it('should start every grant with an initial award and date no amendment after today', async () => {
      const firsts = await query<{ kind: string; effective_date: string; start_date: string }>(
        `SELECT a.kind, a.effective_date, g.start_date FROM amendments a JOIN grants g ON g.id = a.grant_id
         WHERE a.number = 0`,
      );
      expect(firsts).toHaveLength(13);
      for (const first of firsts) {
        expect(first).toMatchObject({ kind: 'initial', effective_date: first.start_date });
      }
      expect(
        await single(`SELECT COUNT(*) FROM amendments WHERE effective_date > '${today}'`),
      ).toBe(0);
    });

    it('should give every grant a three-year period of performance that today falls in', async () => {
      const grants = await query<{ start_date: string; end_date: string }>(
        'SELECT start_date, end_date FROM grants',
      );
      for (const grant of grants) {
        expect(grant.end_date).toBe(addDays(addMonths(grant.start_date, 36), -1));
        expect(grant.start_date <= today && today <= grant.end_date).toBe(true);
      }
    });

    it('should split every grant into two contiguous budget periods covering its period of performance', async () => {
      const grants = await query<{ id: number; start_date: string; end_date: string }>(
        'SELECT id, start_date, end_date FROM grants',
      );
      for (const grant of grants) {
        const periods = await query<{ number: number; start_date: string; end_date: string }>(
          `SELECT number, start_date, end_date FROM budget_periods WHERE grant_id = ${grant.id} ORDER BY number`,
        );
        expect(periods.map((p) => p.number)).toEqual([1, 2]);
        const [bp1, bp2] = periods;
        expect(bp1.start_date).toBe(grant.start_date);
        expect(bp1.end_date).toBe(addDays(addMonths(grant.start_date, 18), -1));
        expect(bp2.start_date).toBe(addDays(bp1.end_date, 1));
        expect(bp2.end_date).toBe(grant.end_date);
      }
    });

    it('should link every grant to one to three technologies across every pathway and feedstock', async () => {
      const perGrant = await query<{ n: number }>(
        `SELECT COUNT(gt.technology_id) AS n FROM grants g
           LEFT JOIN grant_technologies gt ON gt.grant_id = g.id GROUP BY g.id`,
      );
      expect(perGrant).toHaveLength(13);
      for (const { n } of perGrant) {
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(3);
      }
      const distinct = async (column: string) =>
        (
          await query<{ v: string }>(`SELECT DISTINCT ${column} AS v FROM technologies ORDER BY v`)
        ).map((row) => row.v);
      expect(await distinct('pathway')).toEqual([
        'extraction',
        'metallization',
        'recycling',
        'separation',
        'substitution',
      ]);
      expect(await distinct('feedstock')).toHaveLength(8);
      expect(
        await single(
          'SELECT COUNT(*) FROM (SELECT technology_id FROM grant_technologies GROUP BY technology_id HAVING COUNT(*) > 1)',
        ),
      ).toBeGreaterThanOrEqual(1);
    });

    it('should show TRL progress since each award, the current TRL being the latest assessment', async () => {
      const technologies = await query<{ id: number; current_trl: number; target_trl: number }>(
        'SELECT id, current_trl, target_trl FROM technologies',
      );
      let gained = 0;
      for (const technology of technologies) {
        const history = await query<{ trl: number; assessed_on: string }>(
          `SELECT trl, assessed_on FROM trl_assessments WHERE technology_id = ${technology.id} ORDER BY assessed_on, id`,
        );
        expect(history.at(-1)?.trl).toBe(technology.current_trl);
        expect(history.every((a) => a.assessed_on <= today)).toBe(true);
        expect(technology.current_trl).toBeLessThanOrEqual(technology.target_trl);
        gained += technology.current_trl - history[0].trl;
      }
      expect(gained).toBeGreaterThanOrEqual(technologies.length);
    });

    it('should decide every budget period 1 go/no-go as go before any budget period 2 money', async () => {
      const gates = await query<{ grant_id: number; decision: string; decided_on: string }>(
        `SELECT grant_id, decision, decided_on FROM milestones WHERE kind = 'go_no_go' AND budget_period = 1`,
      );
      expect(gates).toHaveLength(13);
      for (const gate of gates) {
        expect(gate.decision).toBe('go');
        const bp2Money = await query<{ effective_date: string }>(
          `SELECT a.effective_date FROM amendments a JOIN budget_periods bp
             ON bp.grant_id = a.grant_id AND bp.number = 2 AND a.effective_date >= bp.start_date
           WHERE a.grant_id = ${gate.grant_id} AND a.federal_change_cents > 0`,
        );
        expect(bp2Money.length).toBeGreaterThanOrEqual(1);
        for (const { effective_date } of bp2Money) {
          expect(effective_date >= gate.decided_on).toBe(true);
        }
      }
    });

    it('should have milestones mostly met, a few missed or late, and some upcoming', async () => {
      const n = (where: string) => single(`SELECT COUNT(*) FROM milestones WHERE ${where}`);
      const met = await n(`status = 'complete' AND completed_on <= due_date`);
      const late = await n(`status = 'complete' AND completed_on > due_date`);
      const missed = await n(
        `status = 'missed' OR (status NOT IN ('complete', 'waived') AND due_date < '${today}')`,
      );
      const upcoming = await n(`status NOT IN ('complete', 'waived') AND due_date >= '${today}'`);
      const past = await n(`due_date < '${today}'`);
      expect(met / past).toBeGreaterThan(0.75);
      expect(late).toBeGreaterThanOrEqual(2);
      expect(missed).toBeGreaterThanOrEqual(2);
      expect(missed + late).toBeLessThan(past / 5);
      expect(upcoming).toBeGreaterThanOrEqual(13);
      const dueWithin30 = await n(
        `due_date >= '${today}' AND due_date <= '${addDays(today, 30)}' AND status <> 'complete'`,
      );
      expect(dueWithin30).toBeGreaterThanOrEqual(1);
    });

    it('should record monthly spending for every grant up to last month, never above its obligations', async () => {
      const lastMonth = addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7);
      const grants = await query<{
        grant_id: number;
        first: string;
        last: string;
        federal: number;
        obligated: number;
      }>(
        `SELECT e.grant_id, MIN(e.incurred_on) AS first, MAX(e.incurred_on) AS last,
                SUM(CASE WHEN e.share = 'federal' THEN e.amount_cents ELSE 0 END) AS federal,
                (SELECT SUM(federal_change_cents) FROM amendments a WHERE a.grant_id = e.grant_id) AS obligated
           FROM expenditures e GROUP BY e.grant_id`,
      );
      expect(grants).toHaveLength(13);
      for (const grant of grants) {
        expect(grant.last.slice(0, 7)).toBe(lastMonth);
        expect(Number(grant.federal)).toBeLessThanOrEqual(Number(grant.obligated));
      }
      expect(
        await single(
          `SELECT COUNT(*) FROM expenditures WHERE incurred_on > '${today}' OR recorded_on > '${today}'`,
        ),
      ).toBe(0);
      expect(
        await single('SELECT COUNT(*) FROM expenditures WHERE recorded_on < incurred_on'),
      ).toBe(0);
    });

    it('should have grants ahead of and behind plan, judged against the planned spend', async () => {
      const lastClosed = addDays(`${today.slice(0, 7)}-01`, -1);
      const ratios = await query<{ ratio: number }>(
        `SELECT 1.0 * (SELECT SUM(amount_cents) FROM expenditures e WHERE e.grant_id = g.id AND e.share = 'federal')
                / (SELECT SUM(federal_cents) FROM planned_spend p WHERE p.grant_id = g.id AND p.month <= '${lastClosed.slice(0, 7)}') AS ratio
           FROM grants g`,
      );
      expect(ratios.some((r) => r.ratio > 1.08)).toBe(true);
      expect(ratios.some((r) => r.ratio < 0.8)).toBe(true);
    });

    it('should show one reversal, one rebudget flag, cost share met and one budget awaiting revision', async () => {
      const reversals = await query<{ amount_cents: number; original: number }>(
        'SELECT r.amount_cents, o.amount_cents AS original FROM expenditures r JOIN expenditures o ON o.id = r.reversal_of',
      );
      expect(reversals).toHaveLength(1);
      expect(Number(reversals[0].amount_cents)).toBe(-Number(reversals[0].original));

      const flags = (await app.get(RebudgetService).rebudgetFlags()).filter((f) => f.flagged);
      expect(flags.map((f) => f.awardNumber)).toEqual(['DE-SC0031986']);

      const costShare = await query<{ committed: number; met: number }>(
        `SELECT g.cost_share_committed_cents AS committed,
                COALESCE((SELECT SUM(amount_cents) FROM expenditures e WHERE e.grant_id = g.id AND e.share = 'cost_share'), 0) AS met
           FROM grants g WHERE g.cost_share_committed_cents > 0`,
      );
      expect(costShare.length).toBeGreaterThanOrEqual(2);
      for (const { committed, met } of costShare) {
        expect(Number(met)).toBeGreaterThan(0);
        expect(Number(met)).toBeLessThan(Number(committed));
      }

      const unbalanced = await query<{ award_number: string }>(
        `SELECT g.award_number FROM grants g
          WHERE (SELECT COALESCE(SUM(federal_cents), 0) FROM budget_lines b WHERE b.grant_id = g.id)
             <> (SELECT SUM(federal_change_cents) FROM amendments a WHERE a.grant_id = g.id)`,
      );
      expect(unbalanced).toEqual([{ award_number: 'DE-SC0031988' }]);
    });

    it('should do nothing and say so when the database already has a program', async () => {
      const before = await counts();
      await expect(sut.seedIfEmpty()).resolves.toBe(false);
      expect(await counts()).toEqual(before);
    });
  });
});
