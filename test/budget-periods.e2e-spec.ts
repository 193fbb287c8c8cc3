import {
  makeAmendment,
  makeBudgetPeriods,
  makeExpenditure,
  makeGrantWithProgram,
  makeMilestone,
} from './helpers/factories';
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

  /** The schedule's version, as the edit form carries it (`&version=…`). */
  const version = async (grantId: number) => {
    const form = await t.http().get(`/grants/${grantId}/budget-periods/edit`);
    const match = /name="version" value="([0-9a-f]{16})"/.exec(form.text);
    if (!match) throw new Error('No version on the budget-periods form');
    return `&version=${match[1]}`;
  };

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
      .send(
        schedule(['2025-04-01', '2026-09-30'], ['2026-10-01', '2028-03-31'], ['', '']) +
          (await version(grant.id)),
      );
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
      'BP2 overlaps BP1 by 10 days: it must start on Oct 1, 2026',
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
      'BP1 must start when the period of performance starts, Apr 1, 2025.',
    ],
    [
      [['2025-04-01', '2028-04-30']],
      'BP1 ends after the period of performance, which ends Mar 31, 2028.',
    ],
    [[['2025-04-01', '2025-03-01']], 'BP1 ends (Mar 1, 2025) before it starts (Apr 1, 2025).'],
    [[['2025-04-01', '2026-02-30']], 'BP1: enter the end date as YYYY-MM-DD.'],
  ] as [[string, string][], string][])(
    'should refuse %j with a message saying what is wrong',
    async (periods, message) => {
      const { grant } = await makeGrantWithProgram(t);
      const res = await t
        .http()
        .post(`/grants/${grant.id}/budget-periods`)
        .type('form')
        .send(schedule(...periods) + (await version(grant.id)));
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      expect(await periodsOf(grant.id)).toEqual([]);
    },
  );

  it('should refuse a stale schedule with 409, naming who changed it, and keep the newer one', async () => {
    const { grant } = await makeGrantWithProgram(t);
    const opened = await version(grant.id);
    const first = await t
      .http()
      .post(`/grants/${grant.id}/budget-periods`)
      .type('form')
      .send(schedule(['2025-04-01', '2026-09-30'], ['2026-10-01', '2028-03-31']) + opened);
    expect(first.status).toBe(303);
    const admin = await t.as('program_manager');
    const stale = await admin
      .post(`/grants/${grant.id}/budget-periods`)
      .type('form')
      .send(schedule(['2025-04-01', '2026-03-31'], ['2026-04-01', '2028-03-31']) + opened);
    expect(stale.status).toBe(409);
    expect(stale.text).toMatch(
      /This grant’s budget-period schedule was changed by manager@example\.gov at .* E[SD]T after you opened the form\. Nothing was saved/,
    );
    expect(stale.text).toContain('BP2: Oct 1, 2026 to Mar 31, 2028');
    expect(stale.text).toContain('value="2026-03-31"');
    expect((await periodsOf(grant.id)).map((p) => p.end_date)).toEqual([
      '2026-09-30',
      '2028-03-31',
    ]);
    const missing = await t
      .http()
      .post(`/grants/${grant.id}/budget-periods`)
      .type('form')
      .send(schedule(['2025-04-01', '2026-09-30'], ['2026-10-01', '2028-03-31']));
    expect(missing.status).toBe(400);
  });

  it('should refuse dates that would leave entries or milestones outside their budget period, naming them', async () => {
    const { grant } = await makeGrantWithProgram(t);
    await makeBudgetPeriods(t, grant.id, [
      { startDate: '2025-04-01', endDate: '2026-09-30' },
      { startDate: '2026-10-01', endDate: '2028-03-31' },
    ]);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
    await makeExpenditure(t, {
      grantId: grant.id,
      budgetPeriod: 1,
      incurredOn: '2026-06-15',
      reference: 'INV-JUNE',
      amountCents: 1_000_00,
    });
    await makeMilestone(t, {
      grantId: grant.id,
      budgetPeriod: 1,
      title: 'BP1 review',
      dueDate: '2026-08-31',
    });
    const shrink = await t
      .http()
      .post(`/grants/${grant.id}/budget-periods`)
      .type('form')
      .send(
        schedule(['2025-04-01', '2026-03-31'], ['2026-04-01', '2028-03-31']) +
          (await version(grant.id)),
      );
    expect(shrink.status).toBe(422);
    expect(shrink.text).toContain(
      'BP1 from Apr 1, 2025 to Mar 31, 2026 would leave 1 ledger entry (the earliest incurred Jun 15, 2026 (INV-JUNE)) and 1 milestone (the earliest due Aug 31, 2026 (BP1 review)) outside it.',
    );
    expect((await periodsOf(grant.id)).map((p) => p.end_date)).toEqual([
      '2026-09-30',
      '2028-03-31',
    ]);
    // Dates that still hold them are fine.
    const keep = await t
      .http()
      .post(`/grants/${grant.id}/budget-periods`)
      .type('form')
      .send(
        schedule(['2025-04-01', '2026-08-31'], ['2026-09-01', '2028-03-31']) +
          (await version(grant.id)),
      );
    expect(keep.status).toBe(303);
  });

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
      .send(
        schedule(['2025-04-01', '2026-09-30'], ['2026-04-01', '2028-03-31']) +
          (await version(grant.id)),
      );
    expect(bad.status).toBe(422);
    expect((await periodsOf(grant.id))[0].end_date).toBe('2026-03-31');

    const good = await t
      .http()
      .post(`/grants/${grant.id}/budget-periods`)
      .type('form')
      .send(
        schedule(['2025-04-01', '2026-09-30'], ['2026-10-01', '2028-03-31']) +
          (await version(grant.id)),
      );
    expect(good.status).toBe(303);
    expect((await periodsOf(grant.id)).map((p) => p.end_date)).toEqual([
      '2026-09-30',
      '2028-03-31',
    ]);
  });
});
