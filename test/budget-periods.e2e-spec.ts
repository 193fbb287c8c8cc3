import { makeBudgetPeriods, makeGrantWithProgram } from './helpers/factories';
import { freshAppPerTest, rows } from './helpers/test-app';

/** The body exactly as a browser sends the grid: periods[0][startDate]=…&periods[0][endDate]=… */
const schedule = (...periods: [string, string][]) =>
  periods
    .flatMap(([start, end], i) => [
      `${encodeURIComponent(`periods[${i}][startDate]`)}=${start}`,
      `${encodeURIComponent(`periods[${i}][endDate]`)}=${end}`,
    ])
    .join('&');

describe('Budget periods (HTTP)', () => {
  const t = freshAppPerTest();

  const periodsOf = (grantId: number) =>
    rows<{ number: number; start_date: string; end_date: string }>(
      t,
      'SELECT number, start_date, end_date FROM budget_periods WHERE grant_id = ? ORDER BY number',
      [grantId],
    );

  it('should save contiguous periods inside the period of performance and ignore the blank row', async () => {
    const { grant } = await makeGrantWithProgram(t);
    const res = await t
      .http()
      .post(`/grants/${grant.id}/budget-periods`)
      .type('form')
      .send(schedule(['2025-04-01', '2026-09-30'], ['2026-10-01', '2028-03-31'], ['', '']));
    expect(res.status).toBe(303);
    expect(await periodsOf(grant.id)).toEqual([
      { number: 1, start_date: '2025-04-01', end_date: '2026-09-30' },
      { number: 2, start_date: '2026-10-01', end_date: '2028-03-31' },
    ]);
    const page = await t.http().get(`/grants/${grant.id}`);
    expect(page.text).toContain('BP2');
  });

  it.each([
    [
      [
        ['2025-04-01', '2026-09-30'],
        ['2026-09-21', '2028-03-31'],
      ],
      'BP2 overlaps BP1 by 10 days: it must start on 2026-10-01',
    ],
    [
      [
        ['2025-04-01', '2026-09-30'],
        ['2026-10-11', '2028-03-31'],
      ],
      'There is a gap of 10 days between BP1 and BP2',
    ],
    [
      [['2025-05-01', '2028-03-31']],
      'BP1 must start when the period of performance starts, 2025-04-01.',
    ],
    [
      [['2025-04-01', '2028-04-30']],
      'BP1 ends after the period of performance, which ends 2028-03-31.',
    ],
    [[['2025-04-01', '2025-03-01']], 'BP1 ends (2025-03-01) before it starts (2025-04-01).'],
    [[['2025-04-01', '2026-02-30']], 'BP1: enter the end date as YYYY-MM-DD.'],
  ] as [[string, string][], string][])(
    'should refuse %j with a message saying what is wrong',
    async (periods, message) => {
      const { grant } = await makeGrantWithProgram(t);
      const res = await t
        .http()
        .post(`/grants/${grant.id}/budget-periods`)
        .type('form')
        .send(schedule(...periods));
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      expect(await periodsOf(grant.id)).toEqual([]);
    },
  );

  it('should edit existing periods all or nothing', async () => {
    const { grant } = await makeGrantWithProgram(t);
    await makeBudgetPeriods(t, grant.id, [
      { startDate: '2025-04-01', endDate: '2026-03-31' },
      { startDate: '2026-04-01', endDate: '2028-03-31' },
    ]);
    const bad = await t
      .http()
      .post(`/grants/${grant.id}/budget-periods`)
      .type('form')
      .send(schedule(['2025-04-01', '2026-09-30'], ['2026-04-01', '2028-03-31']));
    expect(bad.status).toBe(422);
    expect((await periodsOf(grant.id))[0].end_date).toBe('2026-03-31');

    const good = await t
      .http()
      .post(`/grants/${grant.id}/budget-periods`)
      .type('form')
      .send(schedule(['2025-04-01', '2026-09-30'], ['2026-10-01', '2028-03-31']));
    expect(good.status).toBe(303);
    expect((await periodsOf(grant.id)).map((p) => p.end_date)).toEqual([
      '2026-09-30',
      '2028-03-31',
    ]);
  });
});
