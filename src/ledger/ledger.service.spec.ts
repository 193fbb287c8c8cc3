import { formatDate } from '../common/dates';
import { NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  makeAmendment,
  makeBudgetPeriods,
  makeExpenditure,
  makeGrantWithProgram,
  makeMilestone,
  TWO_BUDGET_PERIODS as PERIODS,
} from '../../test/helpers/factories';
import { createServiceContext, rows, TestDatabase } from '../../test/helpers/test-app';
import { Clock } from '../common/clock';
import { FormError } from '../common/forms';
import { runAs } from '../common/request-context';
import { Grant, GrantStatus } from '../grants/grant.entity';
import { Expenditure } from './expenditure.entity';
import { EntryInput, LedgerService } from './ledger.service';

const TODAY = '2026-06-15';
const MANAGER = { id: 7, email: 'pm@example.gov', name: 'PM', role: 'program_manager' };

describe(LedgerService.name, () => {
  let t: TestDatabase;
  let sut: LedgerService;

  beforeAll(async () => {
    t = await createServiceContext();
    sut = t.app.get(LedgerService);
    jest.spyOn(t.app.get(Clock), 'today').mockReturnValue(TODAY);
  });

  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());
  beforeEach(() => jest.spyOn(t.app.get(Clock), 'today').mockReturnValue(TODAY));

  /** An active grant with BP1/BP2, $100,000.00 obligated on its first day and BP1's gate decided go. */
  async function fundedGrant(overrides: Partial<Grant> = {}): Promise<Grant> {
    const { grant } = await makeGrantWithProgram(t, {}, overrides);
    await makeBudgetPeriods(t, grant.id, PERIODS);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
    await makeMilestone(t, {
      grantId: grant.id,
      budgetPeriod: 1,
      kind: 'go_no_go',
      dueDate: '2026-03-31',
      decision: 'go',
      decidedOn: '2026-03-15',
      status: 'complete',
      completedOn: '2026-03-15',
    });
    return grant;
  }

  const entry = (grant: Grant, overrides: Partial<EntryInput> = {}): EntryInput => ({
    grantId: grant.id,
    budgetPeriod: 1,
    category: 'supplies',
    incurredOn: '2025-09-30',
    amountCents: 1_250_00,
    share: 'federal',
    reference: 'INV-1041',
    memo: '',
    ...overrides,
  });

  const check = (...entries: EntryInput[]) =>
    t.writes.transaction(async (manager) => {
      const batch = sut.batch(manager);
      const results = [];
      for (const e of entries) results.push(await sut.checkEntry(batch, e));
      return results;
    });

  const checkOne = async (e: EntryInput) => (await check(e))[0];

  describe('checkEntry', () => {
    it('should accept an entry inside the period of performance, its budget period and its obligations', async () => {
      const grant = await fundedGrant();
      await expect(checkOne(entry(grant))).resolves.toEqual({});
      await expect(
        checkOne(entry(grant, { budgetPeriod: 2, incurredOn: TODAY, share: 'cost_share' })),
      ).resolves.toEqual({});
    });

    it('should refuse a grant that does not exist', async () => {
      const grant = await fundedGrant();
      await expect(checkOne(entry(grant, { grantId: grant.id + 1000 }))).resolves.toEqual({
        grantId: 'Choose an existing grant.',
      });
    });

    it.each<[GrantStatus, string]>([
      ['draft', 'is a draft'],
      ['suspended', 'is suspended'],
      ['closed', 'is closed'],
      ['terminated', 'is terminated'],
    ])('should refuse spending on a %s grant, naming the status', async (status, words) => {
      const grant = await fundedGrant({ status });
      const errors = await checkOne(entry(grant));
      expect(errors).toEqual({
        grantId: expect.stringContaining(`Grant ${grant.awardNumber} ${words}`),
      });
    });

    it('should refuse a budget period the grant does not have, and a grant without budget periods', async () => {
      const grant = await fundedGrant();
      await expect(checkOne(entry(grant, { budgetPeriod: 3 }))).resolves.toEqual({
        budgetPeriod: `Budget period 3 does not exist on grant ${grant.awardNumber}; choose one of BP1–BP2.`,
      });
      const { grant: bare } = await makeGrantWithProgram(t);
      await makeAmendment(t, { grantId: bare.id, federalChangeCents: 100_00 });
      await expect(checkOne(entry(bare, { amountCents: 1_00 }))).resolves.toEqual({
        budgetPeriod: `Grant ${bare.awardNumber} has no budget periods yet; set them up before recording spending.`,
      });
    });

    it('should refuse a date after today, and accept today', async () => {
      const grant = await fundedGrant();
      await expect(
        checkOne(entry(grant, { budgetPeriod: 2, incurredOn: '2026-06-16' })),
      ).resolves.toEqual({
        incurredOn: 'The date incurred cannot be in the future (today is Jun 15, 2026).',
      });
      await expect(checkOne(entry(grant, { budgetPeriod: 2, incurredOn: TODAY }))).resolves.toEqual(
        {},
      );
    });

    it('should refuse a date outside the period of performance', async () => {
      const grant = await fundedGrant();
      await expect(checkOne(entry(grant, { incurredOn: '2025-03-31' }))).resolves.toEqual({
        incurredOn:
          'The date incurred must fall within the grant’s period of performance, Apr 1, 2025 to Mar 31, 2028.',
      });
    });

    it('should refuse a date outside the chosen budget period, naming its dates', async () => {
      const grant = await fundedGrant();
      await expect(
        checkOne(entry(grant, { budgetPeriod: 1, incurredOn: '2026-04-01' })),
      ).resolves.toEqual({
        incurredOn:
          'BP1 runs Apr 1, 2025 to Mar 31, 2026; the date incurred must fall within it, or choose another budget period.',
      });
      await expect(
        checkOne(entry(grant, { budgetPeriod: 2, incurredOn: '2026-03-31' })),
      ).resolves.toEqual({
        incurredOn:
          'BP2 runs Apr 1, 2026 to Mar 31, 2028; the date incurred must fall within it, or choose another budget period.',
      });
    });

    it('should refuse a date in BP2 while the go/no-go closing BP1 is pending (rule 7), but not in BP1', async () => {
      const { grant } = await makeGrantWithProgram(t);
      await makeBudgetPeriods(t, grant.id, PERIODS);
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
      await makeMilestone(t, {
        grantId: grant.id,
        budgetPeriod: 1,
        kind: 'go_no_go',
        title: 'Bench-scale yield',
        dueDate: '2026-03-31',
      });
      await expect(
        checkOne(entry(grant, { budgetPeriod: 2, incurredOn: '2026-05-01' })),
      ).resolves.toEqual({
        incurredOn:
          'Budget period 2 is gated by “Bench-scale yield” (due Mar 31, 2026), still pending: record a ‘go’ decision before anything is funded or charged in budget period 2.',
      });
      await expect(checkOne(entry(grant, { incurredOn: '2026-03-31' }))).resolves.toEqual({});
    });

    it('should hold federal spending to the obligations to the cent, naming what is left', async () => {
      const grant = await fundedGrant();
      await makeExpenditure(t, { grantId: grant.id, amountCents: 60_000_00 });
      await expect(checkOne(entry(grant, { amountCents: 40_000_00 }))).resolves.toEqual({});
      await expect(checkOne(entry(grant, { amountCents: 40_000_01 }))).resolves.toEqual({
        amount: `This would bring federal spending on ${grant.awardNumber} to $100,000.01, above the $100,000.00 obligated as of Jun 15, 2026. Left to spend: $40,000.00.`,
      });
    });

    it('should count reversals, leave cost share unlimited and ignore obligations effective after today', async () => {
      const grant = await fundedGrant();
      const spent = await makeExpenditure(t, { grantId: grant.id, amountCents: 60_000_00 });
      await makeExpenditure(t, {
        grantId: grant.id,
        amountCents: -10_000_00,
        reversalOf: spent.id,
      });
      await makeAmendment(t, {
        grantId: grant.id,
        federalChangeCents: 500_000_00,
        effectiveDate: '2026-06-16',
      });
      await expect(checkOne(entry(grant, { amountCents: 50_000_00 }))).resolves.toEqual({});
      await expect(checkOne(entry(grant, { amountCents: 50_000_01 }))).resolves.toEqual({
        amount: expect.stringContaining('Left to spend: $50,000.00.'),
      });
      await expect(
        checkOne(entry(grant, { amountCents: 900_000_00, share: 'cost_share' })),
      ).resolves.toEqual({});
    });

    it('should count entries accepted earlier in the same batch toward the limit', async () => {
      const grant = await fundedGrant();
      await makeExpenditure(t, { grantId: grant.id, amountCents: 50_000_00 });
      const results = await check(
        entry(grant, { amountCents: 30_000_00 }),
        entry(grant, { amountCents: 30_000_00 }),
        entry(grant, { amountCents: 20_000_00 }),
      );
      expect(results[0]).toEqual({});
      expect(results[1]).toEqual({
        amount: `This would bring federal spending on ${grant.awardNumber} to $110,000.00, above the $100,000.00 obligated as of Jun 15, 2026. Left to spend: $20,000.00 (counting 1 earlier row of this file).`,
      });
      expect(results[2]).toEqual({});
    });

    it('should refuse a negative amount as a correction that must be a reversal, and zero', async () => {
      const grant = await fundedGrant();
      await expect(checkOne(entry(grant, { amountCents: -5_00 }))).resolves.toEqual({
        amount: expect.stringContaining('Corrections are reversals'),
      });
      await expect(checkOne(entry(grant, { amountCents: 0 }))).resolves.toEqual({
        amount: 'Enter an amount above zero.',
      });
    });
  });

  describe('record', () => {
    const form = (grant: Grant, overrides: Record<string, unknown> = {}) =>
      Object.assign(
        {
          grantId: grant.id,
          budgetPeriod: 1,
          category: 'travel',
          incurredOn: '2025-10-01',
          amount: '$2,500.75',
          share: 'federal',
          reference: 'DD-2025-014',
          memo: 'Site visit',
        },
        overrides,
      ) as Parameters<LedgerService['record']>[0];

    it('should write the entry, who recorded it and today’s office date, with its audit event', async () => {
      const grant = await fundedGrant();
      const saved = await runAs(MANAGER, () => sut.record(form(grant)));
      const [row] = await rows(t, 'SELECT * FROM expenditures WHERE id = ?', [saved.id]);
      expect(row).toMatchObject({
        grant_id: grant.id,
        budget_period: 1,
        category: 'travel',
        incurred_on: '2025-10-01',
        amount_cents: 2_500_75,
        share: 'federal',
        reference: 'DD-2025-014',
        memo: 'Site visit',
        reversal_of: null,
        recorded_by: 'pm@example.gov',
        recorded_on: TODAY,
      });
      expect(Date.now() - Date.parse(row.recorded_at as string)).toBeLessThan(60_000);
      expect(
        await rows(
          t,
          "SELECT action, actor_email FROM audit_events WHERE entity_type = 'expenditure' AND entity_id = ?",
          [saved.id],
        ),
      ).toEqual([{ action: 'create', actor_email: 'pm@example.gov' }]);
    });

    it('should throw every refusal as a FormError and write nothing', async () => {
      const grant = await fundedGrant();
      const before = await rows(t, 'SELECT COUNT(*) AS n FROM expenditures');
      // Above APPROVAL_THRESHOLD ($25,000.00) an entry is recorded only once its request is approved.
      await expect(sut.record(form(grant, { amount: '25,000.01' }))).rejects.toMatchObject({
        errors: { justification: expect.stringContaining('above $25,000.00 needs an approving') },
      });
      const refusal = sut.record(
        form(grant, { amount: '100,000.01', incurredOn: '2030-01-01' }),
        true,
      );
      await expect(refusal).rejects.toBeInstanceOf(FormError);
      await expect(
        sut.record(form(grant, { amount: '100,000.01', incurredOn: '2030-01-01' }), true),
      ).rejects.toMatchObject({
        errors: {
          amount: expect.stringContaining('above the $100,000.00 obligated'),
          incurredOn: 'The date incurred cannot be in the future (today is Jun 15, 2026).',
        },
      });
      expect(await rows(t, 'SELECT COUNT(*) AS n FROM expenditures')).toEqual(before);
    });
  });

  describe('reverse', () => {
    it('should append the opposite entry, pointing at the original, dated like it and recorded today', async () => {
      const grant = await fundedGrant();
      const original = await makeExpenditure(t, {
        grantId: grant.id,
        amountCents: 1_234_56,
        budgetPeriod: 1,
        category: 'equipment',
        incurredOn: '2025-08-20',
        share: 'cost_share',
        reference: 'INV-77',
        recordedAt: '2025-08-21T14:00:00.000Z',
        recordedOn: '2025-08-21',
      });
      const reversal = await runAs(MANAGER, () => sut.reverse(original.id, 'Duplicate of INV-76'));
      const [row] = await rows(t, 'SELECT * FROM expenditures WHERE id = ?', [reversal.id]);
      expect(row).toMatchObject({
        grant_id: grant.id,
        budget_period: 1,
        category: 'equipment',
        incurred_on: '2025-08-20',
        amount_cents: -1_234_56,
        share: 'cost_share',
        reference: 'INV-77',
        memo: 'Duplicate of INV-76',
        reversal_of: original.id,
        recorded_by: 'pm@example.gov',
        recorded_on: TODAY,
      });
      expect(
        await rows(
          t,
          "SELECT action FROM audit_events WHERE entity_type = 'expenditure' AND entity_id = ?",
          [reversal.id],
        ),
      ).toEqual([{ action: 'create' }]);
    });

    it('should reverse an entry in a gated budget period: removing spending is never blocked', async () => {
      const { grant } = await makeGrantWithProgram(t);
      await makeBudgetPeriods(t, grant.id, PERIODS);
      await makeMilestone(t, { grantId: grant.id, budgetPeriod: 1, kind: 'go_no_go' });
      const original = await makeExpenditure(t, {
        grantId: grant.id,
        amountCents: 10_00,
        share: 'cost_share',
        budgetPeriod: 2,
        incurredOn: '2026-05-01',
      });
      await expect(sut.reverse(original.id, 'Charged to the wrong period')).resolves.toMatchObject({
        amountCents: -10_00,
      });
    });

    it('should refuse reversing a reversal', async () => {
      const grant = await fundedGrant();
      const original = await makeExpenditure(t, { grantId: grant.id, amountCents: 500_00 });
      const reversal = await sut.reverse(original.id, 'Wrong grant');
      await expect(sut.reverse(reversal.id, 'Undo')).rejects.toMatchObject({
        errors: {
          reason: `Entry #${reversal.id} is itself the reversal of entry #${original.id}; a reversal cannot be reversed. Record the amount again as a new entry instead.`,
        },
      });
    });

    it('should refuse reversing twice, naming the existing reversal, and write nothing', async () => {
      const grant = await fundedGrant();
      const original = await makeExpenditure(t, { grantId: grant.id, amountCents: 500_00 });
      const reversal = await sut.reverse(original.id, 'Wrong grant');
      const events = await rows(t, 'SELECT COUNT(*) AS n FROM audit_events');
      await expect(sut.reverse(original.id, 'Again')).rejects.toMatchObject({
        errors: {
          reason: expect.stringContaining(
            `Entry #${original.id} was already reversed by entry #${reversal.id} on ${formatDate(TODAY)}`,
          ),
        },
      });
      expect(
        await rows(t, 'SELECT id FROM expenditures WHERE reversal_of = ?', [original.id]),
      ).toEqual([{ id: reversal.id }]);
      expect(await rows(t, 'SELECT COUNT(*) AS n FROM audit_events')).toEqual(events);
    });

    it('should turn a lost race (the unique index on reversal_of) into a FormError, not a crash', async () => {
      const grant = await fundedGrant();
      const original = await makeExpenditure(t, { grantId: grant.id, amountCents: 500_00 });
      await sut.reverse(original.id, 'First');
      // The other instance's reversal is committed but our check does not see it yet.
      const findOneBy = EntityManager.prototype.findOneBy;
      jest.spyOn(EntityManager.prototype, 'findOneBy').mockImplementation(function (
        this: EntityManager,
        entity,
        where,
      ) {
        if (entity === Expenditure && 'reversalOf' in where) {
          return Promise.resolve(null);
        }
        return findOneBy.call(this, entity, where);
      });
      await expect(sut.reverse(original.id, 'Second')).rejects.toMatchObject({
        errors: { reason: expect.stringContaining('was reversed by someone else a moment ago') },
      });
      expect(
        await rows(t, 'SELECT COUNT(*) AS n FROM expenditures WHERE reversal_of = ?', [
          original.id,
        ]),
      ).toEqual([{ n: 1 }]);
    });

    it('should refuse reversals once a grant’s books are closed', async () => {
      const grant = await fundedGrant({ status: 'closed' });
      const original = await makeExpenditure(t, { grantId: grant.id, amountCents: 500_00 });
      await expect(sut.reverse(original.id, 'Late correction')).rejects.toMatchObject({
        errors: {
          reason: `Grant ${grant.awardNumber} is closed: its books are closed, so its entries cannot be reversed.`,
        },
      });
    });

    it('should answer not found for an unknown entry', async () => {
      await expect(sut.reverse(999_999, 'x')).rejects.toBeInstanceOf(NotFoundException);
    });
  });

  describe('spentFor and recentFor', () => {
    it('should total each share including reversals, and list the newest entries first', async () => {
      const grant = await fundedGrant();
      const other = await fundedGrant();
      const a = await makeExpenditure(t, { grantId: grant.id, amountCents: 700_00 });
      await makeExpenditure(t, { grantId: grant.id, amountCents: 300_00, share: 'cost_share' });
      await makeExpenditure(t, { grantId: other.id, amountCents: 999_00 });
      const reversal = await sut.reverse(a.id, 'Wrong amount');
      const b = await makeExpenditure(t, { grantId: grant.id, amountCents: 70_00 });

      await expect(sut.spentFor(grant.id)).resolves.toEqual({
        federalCents: 70_00,
        costShareCents: 300_00,
      });
      const recent = await sut.recentFor(grant.id, 2);
      expect(recent.map((r) => [r.id, r.amountCents, r.reversalOf, r.reversedBy])).toEqual([
        [b.id, 70_00, null, null],
        [reversal.id, -700_00, a.id, null],
      ]);
      const all = await sut.recentFor(grant.id, 10);
      expect(all).toHaveLength(4);
      expect(all[3]).toMatchObject({ id: a.id, amountCents: 700_00, reversedBy: reversal.id });
    });
  });
});
