import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { Database } from 'sqlite3';
import { DataSource, ObjectLiteral } from 'typeorm';
import { asOfParams } from '../src/common/as-of';
import { Clock } from '../src/common/clock';
import { AppConfig } from '../src/common/config';
import { csvLine, formatCell } from '../src/common/csv-format';
import { RECORDING_CLOCK } from '../src/common/database/recording-time';
import { Pool } from 'pg';
import {
  describePostgres,
  describeSqlite,
  placeholders,
  TEST_ENGINE,
} from './helpers/test-database';
import { centsToDecimal } from '../src/common/money';
import { BurndownService } from '../src/reports/burndown.service';
import { CsvLines } from '../src/common/csv';
import { dataSourceOptions } from '../src/database';
import { Expenditure } from '../src/ledger/expenditure.entity';
import {
  LEDGER_CSV_READERS,
  ledgerLinePage,
  ledgerReport,
  LedgerRun,
  ledgerWhere,
} from '../src/reports/ledger.report';
import { namedQuery } from '../src/common/database/named-query';
import { REPORT_CATALOG } from '../src/reports/report-catalog';
import {
  FIXTURES_RECORDED_AT,
  grantEditForm,
  makeAmendment,
  makeBudget,
  makeExpenditure,
  makeGrant,
  makeGrantWithProgram,
} from './helpers/factories';
import { requestApproved } from './helpers/approvals';
import { freshAppPerTest, rows, TestApp } from './helpers/test-app';
import { download } from './helpers/downloads';

const AS_OF = '2026-06-30';
/** Recorded before AS_OF (so it counts), as a UTC instant. */
const BEFORE = '2026-06-01T15:00:00.000Z';

/** Every line page of a report, joined. */
async function linesOf(report: CsvLines): Promise<Buffer> {
  const pages: Buffer[] = [];
  for await (const page of report.linePages!()) pages.push(Buffer.from(page.text));
  return Buffer.concat(pages);
}

/** The office's time zone, as the app reads "the end of the day". */
const zone = (t: TestApp) => t.app.get(AppConfig).APP_TIME_ZONE;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const records = (bytes: Buffer) =>
  parse<Record<string, string>>(bytes, { columns: true, bom: true });

/** Two grants with amendments, budget lines and ledger entries on both sides of AS_OF. */
async function fixture(t: TestApp) {
  const { program, recipient, grant } = await makeGrantWithProgram(
    t,
    {},
    { awardNumber: 'DE-SC0000201' },
  );
  const other = await makeGrant(t, {
    programId: program.id,
    recipientId: recipient.id,
    awardNumber: 'DE-SC0000202',
    title: '=cmd|"/c calc"!A1, a title with a comma',
  });
  await makeAmendment(t, {
    grantId: grant.id,
    federalChangeCents: 500_000_00,
    effectiveDate: '2025-04-01',
  });
  await makeAmendment(t, {
    grantId: other.id,
    federalChangeCents: 300_000_00,
    effectiveDate: '2025-04-01',
  });
  await makeBudget(t, grant.id, [
    [1, 'personnel', 300_000_00, 50_000_00],
    [1, 'equipment', 200_000_00, 0],
  ]);
  const first = await makeExpenditure(t, {
    grantId: grant.id,
    amountCents: 1250_00,
    incurredOn: '2025-05-15',
    memo: '=SUM(A1:A9)',
    reference: 'INV-1, "rush"',
    recordedAt: BEFORE,
  });
  await makeExpenditure(t, {
    grantId: grant.id,
    amountCents: -1250_00,
    reversalOf: first.id,
    incurredOn: '2025-05-20',
    memo: 'Reversal: keyed twice\r\nsecond line',
    recordedAt: BEFORE,
  });
  await makeExpenditure(t, {
    grantId: grant.id,
    amountCents: 999_99,
    incurredOn: '2025-06-01',
    category: 'equipment',
    recordedAt: BEFORE,
  });
  await makeExpenditure(t, {
    grantId: grant.id,
    amountCents: 400_00,
    share: 'cost_share',
    incurredOn: '2025-06-02',
    recordedAt: BEFORE,
  });
  await makeExpenditure(t, {
    grantId: other.id,
    amountCents: 77_01,
    incurredOn: '2026-06-30',
    memo: 'Séparation Nd–Pr',
    recordedAt: '2026-06-30T23:59:00.000Z',
  });
  return { program, recipient, grant, other, first };
}

/** What changes after AS_OF, typed through the app's forms today: none of it may change a report for AS_OF. */
async function laterActivity(t: TestApp, f: Awaited<ReturnType<typeof fixture>>) {
  // Recorded today (the office's day, which the factory's UTC day is not just after midnight UTC).
  await makeExpenditure(t, {
    grantId: f.grant.id,
    amountCents: 5_00,
    incurredOn: '2025-07-01',
    recordedOn: t.app.get(Clock).today(),
  });
  await makeExpenditure(t, {
    grantId: f.grant.id,
    amountCents: 6_00,
    incurredOn: '2026-07-15',
    recordedAt: '2026-07-15T12:00:00.000Z',
  });
  const http = t.http();
  const saved = [
    // One effective before the date but typed today, and one effective after it.
    await requestApproved(t, `/grants/${f.grant.id}/amendments`, {
      effectiveDate: '2026-06-01',
      kind: 'deobligation',
      federalChange: '-1,000.00',
      newEndDate: '',
      note: 'Typed late',
    }),
    await requestApproved(t, `/grants/${f.grant.id}/amendments`, {
      effectiveDate: '2026-07-01',
      kind: 'incremental_funding',
      federalChange: '10,000.00',
      newEndDate: '',
      note: '',
    }),
    await http
      .post('/grants')
      .type('form')
      .send({
        ...grantEditForm(t, f.other, { awardNumber: 'DE-SC0000100' }),
        version: '',
      }),
    // The award number and cost share of a grant the date's files show.
    await http
      .post(`/grants/${f.other.id}`)
      .type('form')
      .send(
        grantEditForm(t, f.other, { awardNumber: 'DE-SC0000299', costShareCommitted: '1,000.00' }),
      ),
  ];
  expect(saved.map((res) => res.status)).toEqual([303, 303, 303, 303]);
}

describe('CSV downloads (HTTP)', () => {
  const t = freshAppPerTest();

  describe('the ledger', () => {
    it('should stream the ledger as of a date as RFC 4180 CSV that matches the database', async () => {
      await fixture(t);
      const auditor = await t.as('auditor');
      const { res, bytes } = await download(auditor, `/reports/ledger.csv?asOf=${AS_OF}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="ledger-${AS_OF}.csv"`);
      expect(res.headers['cache-control']).toBe('no-store');
      const text = bytes.toString('utf8');
      expect(
        text.startsWith(
          'id,award_number,budget_period,category,incurred_on,amount,share,reference,memo,reversal_of,recorded_by,recorded_at,recorded_on\r\n',
        ),
      ).toBe(true);
      const db = await rows<Record<string, string | number | null>>(
        t,
        `SELECT e.*, g.award_number FROM expenditures e JOIN grants g ON g.id = e.grant_id
          WHERE e.incurred_on <= ? AND e.recorded_on <= ? ORDER BY e.id`,
        [AS_OF, AS_OF],
      );
      expect(db).toHaveLength(5);
      expect(records(bytes)).toEqual(
        db.map((e) => ({
          id: String(e.id),
          award_number: e.award_number,
          budget_period: String(e.budget_period),
          category: e.category,
          incurred_on: e.incurred_on,
          amount: centsToDecimal(Number(e.amount_cents)),
          share: e.share,
          reference: e.reference,
          memo: /^[=+\-@\t\r]/.test(String(e.memo)) ? `'${e.memo}` : e.memo,
          reversal_of: e.reversal_of === null ? '' : String(e.reversal_of),
          recorded_by: e.recorded_by,
          recorded_at: e.recorded_at,
          recorded_on: e.recorded_on,
        })),
      );
      expect(text).toContain(',-1250.00,');
      expect(text).toContain(`,"'=SUM(A1:A9)"`.replace(`"'=SUM(A1:A9)"`, `'=SUM(A1:A9)`));
      expect(text).toContain('"INV-1, ""rush"""');
    });

    it('should filter by grant, incurred range, category and share, and refuse bad parameters', async () => {
      const f = await fixture(t);
      const get = async (query: string) =>
        records((await download(t.http(), `/reports/ledger.csv?asOf=${AS_OF}&${query}`)).bytes);
      expect((await get(`grantId=${f.other.id}`)).map((r) => r.award_number)).toEqual([
        'DE-SC0000202',
      ]);
      expect((await get('from=2025-05-16&to=2025-06-01')).map((r) => r.amount)).toEqual([
        '-1250.00',
        '999.99',
      ]);
      expect((await get('category=equipment')).map((r) => r.amount)).toEqual(['999.99']);
      expect((await get('share=cost_share')).map((r) => r.amount)).toEqual(['400.00']);
      for (const bad of [
        'asOf=2026-02-30',
        'from=yesterday',
        'category=food',
        'share=all',
        'grantId=x',
        'bom=2',
      ]) {
        const res = await t.http().get(`/reports/ledger.csv?${bad}`);
        expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      }
      expect((await t.http().get('/reports/ledger.csv?grantId=999999')).status).toBe(404);
    });

    it('should add a byte-order mark with bom=1 and nothing else', async () => {
      await fixture(t);
      const plain = await download(t.http(), `/reports/ledger.csv?asOf=${AS_OF}`);
      const bom = await download(t.http(), `/reports/ledger.csv?asOf=${AS_OF}&bom=1`);
      expect([...bom.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(bom.bytes.subarray(3).equals(plain.bytes)).toBe(true);
    });

    it('should build each line in the database byte for byte as the JavaScript formatter does', async () => {
      const { program, recipient } = await makeGrantWithProgram(t);
      // The ledger's forms refuse NUL in text (SQLite's text functions stop at it): leave it out here.
      const messy = fc
        .oneof(
          fc.string({ unit: 'binary', maxLength: 12 }),
          fc.string({
            unit: fc.constantFrom(
              '"',
              ',',
              '\r',
              '\n',
              '=',
              '+',
              '-',
              '@',
              '\t',
              "'",
              'é',
              '✓',
              'a',
              ' ',
            ),
            maxLength: 8,
          }),
        )
        .map((text) => text.split('\u0000').join(''));
      let n = 0;
      const manager = t.dataSource.manager;
      await fc.assert(
        fc.asyncProperty(
          messy,
          fc.array(
            fc.record({
              cents: fc.integer({ min: 1, max: 1e13 }),
              reversed: fc.boolean(),
              reference: messy,
              memo: messy,
              recordedBy: messy,
              recordedAt: messy,
              day: fc.integer({ min: 1, max: 28 }),
            }),
            { minLength: 1, maxLength: 5 },
          ),
          async (award, entries) => {
            n += 1;
            const grant = await makeGrant(t, {
              programId: program.id,
              recipientId: recipient.id,
              awardNumber: `${award}#${n}`,
            });
            for (const e of entries) {
              const values = (amount: number, reversalOf: number | null) => [
                grant.id,
                1,
                'travel',
                `2025-05-${String(e.day).padStart(2, '0')}`,
                amount,
                'federal',
                e.reference,
                e.memo,
                reversalOf,
                e.recordedBy,
                e.recordedAt,
                '2025-06-01',
              ];
              const sql = `INSERT INTO expenditures (grant_id, budget_period, category, incurred_on, amount_cents,
                share, reference, memo, reversal_of, recorded_by, recorded_at, recorded_on)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
              const insert = placeholders(sql);
              await t.writes.transaction(async (m) => {
                await m.query(insert, values(e.cents, null));
                await t.audit.record(m, {
                  action: 'create',
                  entityType: 'expenditure',
                  entityId: 0,
                });
              });
              if (e.reversed) {
                const [{ id }] = await rows<{ id: number }>(
                  t,
                  'SELECT MAX(id) AS id FROM expenditures',
                );
                await t.writes.transaction(async (m) => {
                  await m.query(insert, values(-e.cents, id));
                  await t.audit.record(m, {
                    action: 'create',
                    entityType: 'expenditure',
                    entityId: 0,
                  });
                });
              }
            }
            const sut = ledgerReport(
              manager,
              { asOf: '2025-06-30', grantId: grant.id, timeZone: zone(t) },
              { pageSize: 3 },
            );
            const sqlText = (await linesOf(sut)).toString('utf8');
            let jsText = '';
            for await (const page of sut.pages()) {
              for (const row of page)
                jsText += csvLine(sut.columns.map((c) => formatCell(c.kind, c.value(row))));
            }
            expect(Buffer.from(sqlText).equals(Buffer.from(jsText))).toBe(true);
            expect(sqlText.split('\r\n').length).toBeGreaterThan(entries.length);
          },
        ),
        { numRuns: 40 },
      );
    });

    it('should build the download on connections of its own: committed rows only, never waiting on a write', async () => {
      const f = await fixture(t);
      const closes = jest.spyOn(Database.prototype, 'close');
      let inserted!: () => void;
      let release!: () => void;
      const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
      const held = new Promise<void>((resolve) => (release = resolve));
      const write = t.writes.transaction(async (m) => {
        await t.audit.insert(m, Expenditure, 'expenditure', {
          grantId: f.grant.id,
          budgetPeriod: 1,
          category: 'travel',
          incurredOn: '2025-05-16',
          amountCents: 123_45,
          share: 'federal',
          reference: 'UNCOMMITTED',
          memo: '',
          reversalOf: null,
          recordedBy: 'manager@example.gov',
          recordedAt: BEFORE,
          recordedOn: BEFORE.slice(0, 10),
        });
        inserted();
        await held;
      });
      try {
        await insertedYet;
        // The app's connection is held by the open transaction until `release`.
        const sut = ledgerReport(
          t.dataSource.manager,
          { asOf: AS_OF, timeZone: zone(t) },
          { pageSize: 2 },
        );
        const bytes = await linesOf(sut);
        expect(parse(bytes)).toHaveLength(5);
        expect(bytes.toString('utf8')).not.toContain('UNCOMMITTED');
        // SQLite's own read-only connections, one per reader (PostgreSQL's come from the pool).
        expect(closes).toHaveBeenCalledTimes(TEST_ENGINE === 'sqlite' ? LEDGER_CSV_READERS : 0);
      } finally {
        release();
        await write;
        closes.mockRestore();
      }
      const after = ledgerReport(
        t.dataSource.manager,
        { asOf: AS_OF, timeZone: zone(t) },
        { pageSize: 2 },
      );
      expect((await linesOf(after)).toString('utf8')).toContain('UNCOMMITTED');
    });

    // PostgreSQL sends the whole ledger by one COPY on a pooled connection of the download's own.
    describePostgres('on PostgreSQL', () => {
      it('should give its connection back when the download stops after the first page', async () => {
        const f = await fixture(t);
        // About 6 MB of lines: more pages than the COPY keeps ahead before it pauses the socket.
        await t.writes.transaction(async (m) => {
          await m.query(
            `INSERT INTO expenditures (grant_id, budget_period, category, incurred_on, amount_cents,
               share, reference, memo, reversal_of, recorded_by, recorded_at, recorded_on)
             SELECT $1, 1, 'travel', '2025-05-15', n, 'federal', 'BULK-' || n,
                    repeat('m', 450), NULL, 'manager@example.gov', $2, $3
               FROM generate_series(1, 12000) n`,
            [f.grant.id, BEFORE, BEFORE.slice(0, 10)],
          );
          await t.audit.record(m, { action: 'create', entityType: 'expenditure', entityId: 0 });
        });
        const pool = (t.dataSource.driver as unknown as { master: Pool }).master;
        const inUse = () => pool.totalCount - pool.idleCount;
        const before = inUse();
        const sut = ledgerReport(t.dataSource.manager, { asOf: AS_OF, timeZone: zone(t) });
        let pages = 0;
        for await (const page of sut.linePages!()) {
          pages += 1;
          expect(page.rows).toBeGreaterThan(0);
          expect(inUse()).toBe(before + 1);
          break;
        }
        expect(pages).toBe(1);
        expect(inUse()).toBe(before);
        // A connection given back in the middle of its COPY would be the next one taken, and hang.
        expect(await t.dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
        // The whole file, read to its end, has every line and gives its connection back too.
        expect(parse(await linesOf(sut))).toHaveLength(12005);
        expect(inUse()).toBe(before);
      });
    });

    // SQLite builds pages on read-only connections of the download's own (PostgreSQL's pool needs none).
    describeSqlite('on SQLite', () => {
      it('should close its connections when the download stops after the first page', async () => {
        await fixture(t);
        const closes = jest.spyOn(Database.prototype, 'close');
        try {
          const sut = ledgerReport(
            t.dataSource.manager,
            { asOf: AS_OF, timeZone: zone(t) },
            { pageSize: 1 },
          );
          for await (const page of sut.linePages!()) {
            expect(page.rows).toBe(1);
            break;
          }
          expect(closes).toHaveBeenCalledTimes(LEDGER_CSV_READERS);
        } finally {
          closes.mockRestore();
        }
      });

      it('should build the same pages on the app connection when the database is in memory', async () => {
        await fixture(t);
        const memory = await new DataSource(dataSourceOptions(':memory:')).initialize();
        try {
          await memory.runMigrations();
          await memory.query('ATTACH DATABASE ? AS source', [t.databasePath]);
          // Recorded when the fixtures were, as the file's history says.
          await memory.query(RECORDING_CLOCK.sqlite.set, [FIXTURES_RECORDED_AT]);
          for (const table of ['programs', 'recipients', 'grants', 'expenditures']) {
            await memory.query(`INSERT INTO main.${table} SELECT * FROM source.${table}`);
          }
          await memory.query(RECORDING_CLOCK.sqlite.clear);
          const closes = jest.spyOn(Database.prototype, 'close');
          const sut = await linesOf(
            ledgerReport(memory.manager, { asOf: AS_OF, timeZone: zone(t) }, { pageSize: 2 }),
          );
          expect(closes).not.toHaveBeenCalled(); // no connection of its own was opened
          closes.mockRestore();
          const file = await linesOf(
            ledgerReport(t.dataSource.manager, { asOf: AS_OF, timeZone: zone(t) }, { pageSize: 2 }),
          );
          expect(sut.equals(file)).toBe(true);
          expect(parse(sut)).toHaveLength(5);
        } finally {
          await memory.destroy();
        }
      });

      it('should read a page again with the sort in the aggregate when its lines come out of order', async () => {
        const f = await fixture(t);
        const { where, values } = ledgerWhere({ asOf: AS_OF, grantId: f.grant.id });
        const params = {
          ...values,
          ...asOfParams(AS_OF, zone(t)),
          after: 0,
          upto: Number.MAX_SAFE_INTEGER,
          limit: 10,
        };
        const sent: string[] = [];
        const run: LedgerRun = async <T>(sql: string, p: ObjectLiteral) => {
          sent.push(sql);
          const answer = await namedQuery<T & { ids: string | null }>(t.dataSource.manager, sql, p);
          // As if SQLite had joined the first answer's rows in another order.
          return sent.length === 1 ? answer.map((row) => ({ ...row, ids: '2,1' })) : answer;
        };
        const sut = await ledgerLinePage(run, where, params);
        const [expected] = await namedQuery<{ text: Buffer }>(
          t.dataSource.manager,
          sent[0],
          params,
        );
        expect(sent).toHaveLength(2);
        expect(Number(sut.n)).toBe(4);
        expect(sut.text).toEqual(expected.text);
      });
    });
  });

  describe('manifests', () => {
    it('should describe the exact CSV bytes: hash, size, row count and control totals', async () => {
      await fixture(t);
      const auditor = await t.as('auditor');
      for (const bom of ['', '&bom=1']) {
        const { bytes } = await download(
          auditor,
          `/reports/ledger.csv?asOf=${AS_OF}&share=federal${bom}`,
        );
        const res = await auditor.get(
          `/reports/ledger.manifest.json?asOf=${AS_OF}&share=federal${bom}`,
        );
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        const [{ n, cents }] = await rows<{ n: number; cents: number }>(
          t,
          `SELECT COUNT(*) AS n, SUM(amount_cents) AS cents FROM expenditures
            WHERE incurred_on <= ? AND recorded_on <= ? AND share = 'federal'`,
          [AS_OF, AS_OF],
        );
        expect(res.body).toMatchObject({
          report: 'ledger',
          parameters: { share: 'federal', asOf: AS_OF, bom: bom ? '1' : '0' },
          as_of: AS_OF,
          row_count: n,
          control_totals: { amount: centsToDecimal(cents) },
          sha256: sha256(bytes),
          bytes: bytes.length,
        });
        expect(records(bytes)).toHaveLength(n);
      }
    });

    it('should total every money column of the grants register in its manifest', async () => {
      await fixture(t);
      const { bytes } = await download(t.http(), `/reports/grants.csv?asOf=${AS_OF}`);
      const manifest = (await t.http().get(`/reports/grants.manifest.json?asOf=${AS_OF}`)).body as {
        control_totals: Record<string, string>;
        sha256: string;
      };
      expect(manifest.sha256).toBe(sha256(bytes));
      expect(manifest.control_totals).toEqual({
        obligated: '800000.00',
        federal_spent: '1077.00',
        remaining: '798923.00',
        cost_share_committed: '0.00',
        cost_share_met: '400.00',
      });
    });
  });

  describe('registers', () => {
    it('should reconcile the grants register with the ledger CSV and the burn-down for the date', async () => {
      const f = await fixture(t);
      const grants = records((await download(t.http(), `/reports/grants.csv?asOf=${AS_OF}`)).bytes);
      const ledger = records(
        (await download(t.http(), `/reports/ledger.csv?asOf=${AS_OF}&share=federal`)).bytes,
      );
      const burndown = t.app.get(BurndownService);
      for (const g of [f.grant, f.other]) {
        const row = grants.find((r) => r.award_number === g.awardNumber)!;
        const ledgerCents = ledger
          .filter((r) => r.award_number === g.awardNumber)
          .reduce((sum, r) => sum + Math.round(Number(r.amount) * 100), 0);
        const headline = await burndown.headlineFor(g.id, AS_OF);
        expect(row.federal_spent).toBe(centsToDecimal(ledgerCents));
        expect(row.federal_spent).toBe(centsToDecimal(headline.spentCents));
        expect(row.obligated).toBe(centsToDecimal(headline.obligatedCents));
        expect(row.remaining).toBe(centsToDecimal(headline.remainingCents));
      }
      expect(grants.map((r) => r.award_number)).toEqual(['DE-SC0000201', 'DE-SC0000202']);
      const other = grants[1];
      expect(other.title).toBe(`'=cmd|"/c calc"!A1, a title with a comma`);
      expect(grants[0]).toMatchObject({
        cost_share_met: '400.00',
        status: 'active',
        recipient_type: 'university',
      });
    });

    it('should list amendments effective by the date and the budget lines as recorded then', async () => {
      const f = await fixture(t);
      await makeAmendment(t, {
        grantId: f.grant.id,
        federalChangeCents: -100_00,
        effectiveDate: '2026-06-30',
        kind: 'deobligation',
      });
      await makeAmendment(t, {
        grantId: f.grant.id,
        federalChangeCents: 100_00,
        effectiveDate: '2026-07-01',
      });
      const amendments = records(
        (await download(t.http(), `/reports/amendments.csv?asOf=${AS_OF}`)).bytes,
      );
      const db = await rows<Record<string, string | number | null>>(
        t,
        `SELECT a.*, g.award_number FROM amendments a JOIN grants g ON g.id = a.grant_id
          WHERE a.effective_date <= ? ORDER BY g.award_number, a.number`,
        [AS_OF],
      );
      expect(amendments).toEqual(
        db.map((a) => ({
          award_number: a.award_number,
          number: String(a.number),
          effective_date: a.effective_date,
          kind: a.kind,
          federal_change: centsToDecimal(Number(a.federal_change_cents)),
          new_end_date: a.new_end_date ?? '',
          note: a.note,
        })),
      );
      expect(amendments.map((a) => a.federal_change)).toEqual([
        '500000.00',
        '-100.00',
        '300000.00',
      ]);
      const lines = records(
        (await download(t.http(), `/reports/budget-lines.csv?asOf=${AS_OF}`)).bytes,
      );
      expect(lines).toEqual([
        {
          award_number: 'DE-SC0000201',
          budget_period: '1',
          category: 'equipment',
          federal: '200000.00',
          cost_share: '0.00',
        },
        {
          award_number: 'DE-SC0000201',
          budget_period: '1',
          category: 'personnel',
          federal: '300000.00',
          cost_share: '50000.00',
        },
      ]);
      const page = await t.http().get(`/reports/budget-lines?asOf=${AS_OF}`);
      expect(page.text).toContain('as recorded at the end of the date');
    });

    it('should regenerate byte-identical CSV for a date however much is entered afterwards', async () => {
      const f = await fixture(t);
      const paths = ['ledger', 'grants', 'amendments', 'budget-lines', 'cost-share'].map(
        (n) => `/reports/${n}.csv?asOf=${AS_OF}`,
      );
      const before = await Promise.all(paths.map((p) => download(t.http(), p)));
      const manifestBefore = (await t.http().get(`/reports/ledger.manifest.json?asOf=${AS_OF}`))
        .body as { sha256: string };
      await laterActivity(t, f);
      const [{ n }] = await rows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM expenditures');
      expect(n).toBe(7);
      const auditor = await t.as('auditor');
      const after = await Promise.all(paths.map((p) => download(auditor, p)));
      after.forEach((a, i) =>
        expect({ path: paths[i], same: a.bytes.equals(before[i].bytes) }).toEqual({
          path: paths[i],
          same: true,
        }),
      );
      const manifestAfter = (await auditor.get(`/reports/ledger.manifest.json?asOf=${AS_OF}`))
        .body as { sha256: string };
      expect(manifestAfter.sha256).toBe(manifestBefore.sha256);
      expect(manifestAfter.sha256).toBe(sha256(after[0].bytes));
      // Today's ledger does see the later entries.
      const today = records((await download(auditor, '/reports/ledger.csv')).bytes);
      expect(today.length).toBe(records(before[0].bytes).length + 2);
      // Today's registers do see the edits.
      const grantsNow = records((await download(auditor, '/reports/grants.csv')).bytes);
      expect(grantsNow.map((r) => r.award_number)).toEqual([
        'DE-SC0000100',
        'DE-SC0000201',
        'DE-SC0000299',
      ]);
      const amendmentsNow = records((await download(auditor, '/reports/amendments.csv')).bytes);
      expect(amendmentsNow.map((r) => r.note)).toContain('Typed late');
    });
  });

  describe('pages', () => {
    it('should show each report with its rows and its download links', async () => {
      await fixture(t);
      const auditor = await t.as('auditor');
      const ledger = await auditor.get(`/reports/ledger?asOf=${AS_OF}`);
      expect(ledger.status).toBe(200);
      ledger.text = ledger.text.replace(/&#x3D;/g, '=');
      expect(ledger.text).toContain('<th scope="col" class="app-money">amount</th>');
      expect(ledger.text).toContain('-$1,250.00');
      expect(ledger.text).toContain(`href="/reports/ledger.csv?asOf=${AS_OF}"`);
      expect(ledger.text).toContain(`href="/reports/ledger.csv?asOf=${AS_OF}&amp;bom=1"`);
      expect(ledger.text).toContain(`href="/reports/ledger.manifest.json?asOf=${AS_OF}"`);
      expect((await auditor.get('/reports/grants?asOf=2026-13-01')).status).toBe(400);
      const grants = await auditor.get(`/reports/grants?asOf=${AS_OF}`);
      expect(grants.text).toContain('DE-SC0000202');
      expect(grants.text).toContain('$800,000.00');
    });

    it('should page the ledger view by entry id', async () => {
      const { grant } = await makeGrantWithProgram(t);
      for (let i = 0; i < 101; i++) {
        await makeExpenditure(t, { grantId: grant.id, amountCents: 100 + i, recordedAt: BEFORE });
      }
      const first = await t.http().get(`/reports/ledger?asOf=${AS_OF}`);
      const next = /href="([^"]+)" data-testid="next-page"/
        .exec(first.text)![1]
        .replace(/&amp;/g, '&')
        .replace(/&#x3D;/g, '=');
      const [{ id }] = await rows<{ id: number }>(
        t,
        'SELECT id FROM expenditures ORDER BY id LIMIT 1 OFFSET 99',
      );
      expect(next).toBe(`/reports/ledger?asOf=${AS_OF}&after=${id}`);
      const second = await t.http().get(next);
      expect(second.text).toContain('$2.00');
      expect(second.text).not.toContain('data-testid="next-page"');
    });

    it('should list every report with its parameters, forms and links, and link the ledger manifest without computing it', async () => {
      await fixture(t);
      const auditor = await t.as('auditor');
      const res = await auditor.get('/reports');
      expect(res.status).toBe(200);
      for (const entry of REPORT_CATALOG) {
        expect(res.text).toContain(`data-testid="report-${entry.name}"`);
        expect(res.text).toContain(entry.title);
      }
      expect(res.text).toContain('formaction="/reports/ledger.csv"');
      expect(res.text).toContain('name="category"');
      const manifest = (await auditor.get('/reports/ledger.manifest.json')).body as {
        sha256: string;
        row_count: number;
        as_of: string;
      };
      // The manifest is a download (issue 15): the index links it and holds none of its figures.
      expect(res.text).toContain(
        `href="/reports/ledger.manifest.json?asOf&#x3D;${manifest.as_of}"`,
      );
      expect(res.text).not.toContain(manifest.sha256);
      expect(manifest.row_count).toBeGreaterThan(0);
      expect(res.text).toContain('href="/reports"><span>Reports</span>');
    });
  });
});
