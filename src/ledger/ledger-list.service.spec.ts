import { placeholders } from '../../test/helpers/test-database';
import { makeExpenditure, makeGrant, makeGrantWithProgram } from '../../test/helpers/factories';
import * as named from '../common/database/named-query';
import { createServiceContext, TestDatabase } from '../../test/helpers/test-app';
import { Expenditure } from './expenditure.entity';
import { LedgerListService, LedgerPage } from './ledger-list.service';

describe(LedgerListService.name, () => {
  let t: TestDatabase;
  let sut: LedgerListService;
  let e: Expenditure[];

  /**
   * Seven entries (e1, e3 and e6 travel, the rest personnel; references R-0…R-6, the reversal R-4 like e4); three share 2025-06-01 so pages must break ties by id. In list order:
   *   e0 2025-05-01   100.00   running   100.00
   *   e3 2025-06-01    20.00   running   120.00
   *   e4 2025-06-01     3.00   running   123.00
   *   e5 2025-06-01    -3.00   running   120.00   (reverses e4)
   *   e1 2025-07-01  1000.00   running  1120.00
   *   e6 2025-07-01     0.01   running  1120.01
   *   e2 2025-08-01    50.00   running  1170.01
   */
  beforeAll(async () => {
    t = await createServiceContext();
    sut = t.app.get(LedgerListService);
    const { grant } = await makeGrantWithProgram(t);
    const add = (
      amountCents: number,
      incurredOn: string,
      reversalOf: number | null = null,
      category: Expenditure['category'] = 'personnel',
    ) =>
      makeExpenditure(t, {
        grantId: grant.id,
        amountCents,
        incurredOn,
        reversalOf,
        category,
        reference: e.find((x) => x.id === reversalOf)?.reference ?? `R-${e.length}`,
      });
    e = [];
    e.push(await add(100_00, '2025-05-01'));
    e.push(await add(1000_00, '2025-07-01', null, 'travel'));
    e.push(await add(50_00, '2025-08-01'));
    e.push(await add(20_00, '2025-06-01', null, 'travel'));
    e.push(await add(3_00, '2025-06-01'));
    e.push(await add(-3_00, '2025-06-01', e[4].id));
    e.push(await add(1, '2025-07-01', null, 'travel'));
  });

  afterAll(() => t.close());

  const ids = (page: LedgerPage) => page.items.map((row) => row.id);
  const running = (page: LedgerPage) => page.items.map((row) => [row.id, row.runningCents]);

  it('should page by (incurred_on, id) and carry the running total across pages', async () => {
    const first = await sut.list({}, {}, 3);
    expect(running(first)).toEqual([
      [e[0].id, 100_00],
      [e[3].id, 120_00],
      [e[4].id, 123_00],
    ]);
    expect(first).toMatchObject({
      count: 7,
      totalCents: 1170_01,
      from: 1,
      to: 3,
      hasPrevious: false,
      hasNext: true,
    });

    const second = await sut.list({}, { after: { incurredOn: '2025-06-01', id: e[4].id } }, 3);
    expect(running(second)).toEqual([
      [e[5].id, 120_00],
      [e[1].id, 1120_00],
      [e[6].id, 1120_01],
    ]);
    expect(second).toMatchObject({
      from: 4,
      to: 6,
      openingCents: 123_00,
      closingCents: 1120_01,
      hasPrevious: true,
      hasNext: true,
    });
    expect(second.items[0]).toMatchObject({ reversalOf: e[4].id, reversedBy: null });

    const third = await sut.list({}, { after: { incurredOn: '2025-07-01', id: e[6].id } }, 3);
    expect(running(third)).toEqual([[e[2].id, 1170_01]]);
    expect(third).toMatchObject({ from: 7, to: 7, hasNext: false });
  });

  it('should page backwards from a row and from the end', async () => {
    const back = await sut.list({}, { before: { incurredOn: '2025-07-01', id: e[1].id } }, 2);
    expect(running(back)).toEqual([
      [e[4].id, 123_00],
      [e[5].id, 120_00],
    ]);
    expect(back).toMatchObject({ from: 3, to: 4, hasPrevious: true, hasNext: true });
    const last = await sut.list({}, { before: 'end' }, 2);
    expect(ids(last)).toEqual([e[6].id, e[2].id]);
    expect(last).toMatchObject({ from: 6, to: 7, openingCents: 1120_00, hasNext: false });
  });

  it('should return an empty page past the end, still with the totals', async () => {
    const past = await sut.list({}, { after: { incurredOn: '2030-01-01', id: 1 } }, 3);
    expect(past).toMatchObject({
      items: [],
      count: 7,
      totalCents: 1170_01,
      from: 0,
      to: 0,
      hasNext: false,
    });
  });

  it('should apply the filters to the rows, the running total and the totals alike', async () => {
    const june = await sut.list({ from: '2025-06-01', to: '2025-06-30' }, {}, 2);
    expect(running(june)).toEqual([
      [e[3].id, 20_00],
      [e[4].id, 23_00],
    ]);
    expect(june).toMatchObject({ count: 3, totalCents: 20_00 });
    const rest = await sut.list(
      { from: '2025-06-01', to: '2025-06-30' },
      { after: { incurredOn: '2025-06-01', id: e[4].id } },
      2,
    );
    expect(running(rest)).toEqual([[e[5].id, 20_00]]);
    const other = await sut.list({ grantId: 999_999 }, {}, 2);
    expect(other).toMatchObject({ items: [], count: 0, totalCents: 0 });
  });

  it('should carry the running total across pages of a category filter (the table-scan plan)', async () => {
    const first = await sut.list({ category: 'travel' }, {}, 2);
    expect(running(first)).toEqual([
      [e[3].id, 20_00],
      [e[1].id, 1020_00],
    ]);
    expect(first).toMatchObject({ count: 3, totalCents: 1020_01, hasNext: true });
    const second = await sut.list(
      { category: 'travel' },
      { after: { incurredOn: '2025-07-01', id: e[1].id } },
      2,
    );
    expect(running(second)).toEqual([[e[6].id, 1020_01]]);
    expect(second).toMatchObject({
      from: 3,
      to: 3,
      openingCents: 1020_00,
      hasPrevious: true,
      hasNext: false,
    });
    const last = await sut.list({ category: 'travel' }, { before: 'end' }, 2);
    expect(running(last)).toEqual([
      [e[1].id, 1020_00],
      [e[6].id, 1020_01],
    ]);
    expect(last).toMatchObject({ from: 2, to: 3, openingCents: 20_00 });
  });

  it('should match a reference exactly or by its beginning', async () => {
    const exact = await sut.list({ reference: 'R-2' }, {}, 10);
    expect(ids(exact)).toEqual([e[2].id]);
    const reversed = await sut.list({ reference: 'R-4' }, {}, 10);
    expect(ids(reversed).sort()).toEqual([e[4].id, e[5].id].sort());
    const prefix = await sut.list(
      { reference: 'R-' },
      { after: { incurredOn: '2025-06-01', id: e[4].id } },
      10,
    );
    expect(prefix).toMatchObject({ count: 7, from: 4, openingCents: 123_00 });
    expect((await sut.list({ reference: 'r-' }, {}, 10)).count).toBe(0);
  });
});

describe(`${LedgerListService.name} totals`, () => {
  let t: TestDatabase;
  let sut: LedgerListService;
  let grants: number[];

  /** Two grants, both shares, reversals: what ledger_totals must add up to. */
  beforeAll(async () => {
    t = await createServiceContext();
    sut = t.app.get(LedgerListService);
    const { program, recipient, grant } = await makeGrantWithProgram(t);
    const other = await makeGrant(t, { programId: program.id, recipientId: recipient.id });
    grants = [grant.id, other.id];
    const amounts = [12_34, 5_00, 999_99, 1, 250_00, 7_77];
    for (const [i, amountCents] of amounts.entries()) {
      const entry = await makeExpenditure(t, {
        grantId: grants[i % 2],
        amountCents,
        share: i % 3 === 0 ? 'cost_share' : 'federal',
      });
      if (i === 2) {
        await makeExpenditure(t, {
          grantId: entry.grantId,
          amountCents: -amountCents,
          share: entry.share,
          reversalOf: entry.id,
          reference: entry.reference,
        });
      }
    }
  });

  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  /** The figures summed from the entries themselves. */
  async function summed(where: string, params: unknown[]) {
    const [row] = await t.dataSource.query<Record<string, number>[]>(
      placeholders(`SELECT COUNT(*) AS count, COALESCE(SUM(amount_cents), 0) AS total,
              COALESCE(SUM(CASE WHEN share = 'federal' THEN amount_cents ELSE 0 END), 0) AS federal
         FROM expenditures WHERE ${where}`),
      params,
    );
    return {
      count: row.count,
      totalCents: row.total,
      federalCents: row.federal,
      costShareCents: row.total - row.federal,
    };
  }

  it('should show the counts and totals of the entries for no filter, a grant, a share and both', async () => {
    const cases: [Parameters<LedgerListService['list']>[0], string, unknown[]][] = [
      [{}, '1 = 1', []],
      [{ grantId: grants[1] }, 'grant_id = ?', [grants[1]]],
      [{ share: 'cost_share' }, 'share = ?', ['cost_share']],
      [
        { grantId: grants[0], share: 'federal' },
        'grant_id = ? AND share = ?',
        [grants[0], 'federal'],
      ],
      [{ grantId: 999_999 }, 'grant_id = ?', [999_999]],
    ];
    for (const [filter, where, params] of cases) {
      const page = await sut.list(filter, {}, 2);
      expect({ filter, ...page }).toMatchObject({ filter, ...(await summed(where, params)) });
      const last = await sut.list(filter, { before: 'end' }, 2);
      expect({ filter, count: last.count, to: last.to }).toEqual({
        filter,
        count: page.count,
        to: page.count,
      });
    }
  });

  it('should not sum the whole ledger for its first page', async () => {
    const queries = jest.spyOn(named, 'namedQuery');
    await sut.list({}, {}, 2);
    const sql = queries.mock.calls.map(([, text]) => text);
    expect(sql.some((text) => text.includes('FROM ledger_totals'))).toBe(true);
    expect(sql.filter((text) => /SUM\(e\.amount_cents\)/.test(text))).toEqual([]);
  });
});
