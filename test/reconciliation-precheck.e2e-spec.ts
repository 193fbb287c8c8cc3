import { Clock } from '../src/common/clock';
import { addDays } from '../src/common/dates';
import { QUIET_MS, ReconciliationPrecheck } from '../src/reports/reconciliation-precheck';
import { ReconciliationService } from '../src/reports/reconciliation.service';
import { makeAmendment, makeGrantWithProgram, makeExpenditure } from './helpers/factories';
import { pageText } from './helpers/html';
import { freshAppPerTest, TestApp } from './helpers/test-app';
import { TEST_ENGINE } from './helpers/test-database';

/** A grant obligated $100,000 and spent $1,234.56 today. */
async function fixture(t: TestApp) {
  const { grant } = await makeGrantWithProgram(t);
  await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
  await makeExpenditure(t, { grantId: grant.id, amountCents: 1_234_56 });
  return grant;
}

/** How many times the reconciliation read the records (its private check). */
function countChecks(service: ReconciliationService): () => number {
  const spy = jest.spyOn(service as unknown as { check: () => Promise<unknown> }, 'check');
  return () => spy.mock.calls.length;
}

describe("Today's reconciliation, checked before anyone opens it", () => {
  const t = freshAppPerTest();
  const precheck = () => t.app.get(ReconciliationPrecheck);
  const service = () => t.app.get(ReconciliationService);
  const today = () => t.app.get(Clock).today();

  if (TEST_ENGINE === 'postgres') {
    // Nothing is kept in memory on PostgreSQL (other instances write the same database): each visit
    // makes its own check, and the precheck makes none.
    it('should make no check ahead on PostgreSQL', async () => {
      await fixture(t);
      const checks = countChecks(service());
      expect(await precheck().tick(Date.now())).toBeNull();
      expect(await precheck().tick(Date.now() + QUIET_MS)).toBeNull();
      expect(checks()).toBe(0);
    });
    return;
  }

  it('should check once the records have been left alone, and serve the page from that check', async () => {
    const grant = await fixture(t);
    const checks = countChecks(service());
    const start = Date.now();
    // Just written: not yet quiet.
    expect(await precheck().tick(start)).toBeNull();
    expect(await precheck().tick(start + QUIET_MS - 1)).toBeNull();
    expect(checks()).toBe(0);
    expect(await precheck().tick(start + QUIET_MS)).toBe('records changed');
    expect(checks()).toBe(1);
    expect(service().isKept(today())).toBe(true);
    // Kept and current: nothing more to do.
    expect(await precheck().tick(start + 2 * QUIET_MS)).toBeNull();

    const auditor = await t.as('auditor');
    const page = await auditor.get('/reports/reconciliation');
    expect(page.status).toBe(200);
    expect(pageText(page.text)).toContain('Reconciled: 1 grants');
    expect(pageText(page.text)).toMatch(/Checked against the records at \w{3} \d+, \d{4}, /);
    expect(checks()).toBe(1);

    // A new entry: the kept check is stale at once (the page would check again), and the precheck
    // makes the next one once the records are quiet again.
    await makeExpenditure(t, { grantId: grant.id, amountCents: 10_00 });
    expect(service().isKept(today())).toBe(false);
    const later = start + 3 * QUIET_MS;
    expect(await precheck().tick(later)).toBeNull();
    expect(await precheck().tick(later + QUIET_MS)).toBe('records changed');
    expect(checks()).toBe(2);
    const report = await service().report(today());
    expect(checks()).toBe(2);
    const row = report.rows.find((r) => r.key === `grant:${grant.id}`);
    expect(row?.ledgerFederalCents).toBe(1_234_56 + 10_00);
  });

  it('should make a visit during a check wait for it rather than check again', async () => {
    await fixture(t);
    const checks = countChecks(service());
    const start = Date.now();
    await precheck().tick(start);
    // Asked while the check runs (none of them can find it kept yet): all three share it.
    const [cause, first, second] = await Promise.all([
      precheck().tick(start + QUIET_MS),
      service().report(today()),
      service().report(today()),
    ]);
    expect(cause).toBe('records changed');
    expect(second).toBe(first);
    expect(first.result.reconciled).toBe(true);
    expect(checks()).toBe(1);
  });

  it('should check the new day once the office’s day turns', async () => {
    await fixture(t);
    const start = Date.now();
    await precheck().tick(start);
    expect(await precheck().tick(start + QUIET_MS)).toBe('records changed');
    const tomorrow = addDays(today(), 1);
    jest.spyOn(t.app.get(Clock), 'today').mockReturnValue(tomorrow);
    expect(await precheck().tick(start + 2 * QUIET_MS)).toBe('new day');
    expect(service().isKept(tomorrow)).toBe(true);
  });
});
