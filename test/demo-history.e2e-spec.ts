import { AppConfig } from '../src/common/config';
import { Clock } from '../src/common/clock';
import { addDays, addMonths, todayIn } from '../src/common/dates';
import { endOfDayUtc } from '../src/common/office-day';
import {
  AWARD_MONTHS_AGO,
  DEMO_PENDING,
  PROGRAM_LEAD_MONTHS,
  REALLOCATION,
  REVISED_INCREMENT,
} from '../src/demo/demo-data';
import { ApprovalsService } from '../src/approvals/approvals.service';
import { runAs } from '../src/common/request-context';
import { DemoSeedService } from '../src/demo/demo-seed.service';
import { ReconciliationService } from '../src/reports/reconciliation.service';
import { createServiceContext, rows, TestDatabase } from './helpers/test-app';

const VERSIONED = [
  'programs',
  'recipients',
  'grants',
  'budget_periods',
  'budgets',
  'budget_lines',
  'planned_spend',
  'milestones',
  'technologies',
  'technology_elements',
  'grant_technologies',
];

/** The last day of every month from `from`'s month up to before `today`, then today. */
function monthEnds(from: string, today: string): string[] {
  const days: string[] = [];
  for (let first = `${from.slice(0, 7)}-01`; ; first = addMonths(first, 1)) {
    const end = addDays(addMonths(first, 1), -1);
    if (end >= today) break;
    days.push(end);
  }
  return [...days, today];
}

/**
 * The demo tells one consistent history (issue 14): every record is recorded on the day of the story
 * it belongs to, so every report as of any past day agrees with every other.
 */
describe('The demo program’s history', () => {
  let t: TestDatabase;
  let today: string;
  let now: string;
  let zone: string;
  /** The office day a UTC timestamp falls on. */
  const dayOf = (iso: string) => todayIn(zone, new Date(iso));

  beforeAll(async () => {
    t = await createServiceContext({ DEMO_PASSWORD: 'ledger cobalt harbour violin' });
    zone = t.app.get(AppConfig).APP_TIME_ZONE;
    today = t.app.get(Clock).today();
    const started = Date.now();
    await t.app.get(DemoSeedService).seedIfEmpty();
    // Seeding used to take about 8 s; telling it on its dates must not make it much slower.
    expect(Date.now() - started).toBeLessThan(60_000);
    now = new Date().toISOString();
  }, 180_000);

  afterAll(async () => {
    await t?.close();
  });

  it('should record nothing in the future, every version closed after it opened', async () => {
    for (const table of VERSIONED) {
      const [bad] = await rows<{ future: number; backwards: number; n: number }>(
        t,
        `SELECT SUM(CASE WHEN recorded_from > ? OR recorded_to > ? THEN 1 ELSE 0 END) AS future,
                SUM(CASE WHEN recorded_to <= recorded_from THEN 1 ELSE 0 END) AS backwards,
                COUNT(*) AS n
           FROM ${table}_history`,
        [now, now],
      );
      expect({ table, future: Number(bad.future), backwards: Number(bad.backwards) }).toEqual({
        table,
        future: 0,
        backwards: 0,
      });
      expect(Number(bad.n)).toBeGreaterThan(0);
    }
    const [events] = await rows<{ latest: string }>(
      t,
      'SELECT MAX(occurred_at) AS latest FROM audit_events',
    );
    expect(events.latest <= now).toBe(true);
    // The triggers' clock is left as it was: later changes are recorded at the real time.
    expect(await rows(t, 'SELECT * FROM recording_clock')).toEqual([]);
  });

  it('should have every amendment requested by the manager and approved, on its recorded day, by the approving official', async () => {
    const amendments = await rows<{ id: number; created_at: string }>(
      t,
      'SELECT id, created_at FROM amendments ORDER BY id',
    );
    const approved = await rows<{
      result_id: number;
      requester: string;
      decider: string;
      requested_at: string;
      decided_at: string;
    }>(
      t,
      `SELECT r.result_id, u.email AS requester, d.email AS decider, r.requested_at, r.decided_at
         FROM approval_requests r JOIN users u ON u.id = r.requested_by
         JOIN users d ON d.id = r.decided_by
        WHERE r.kind = 'amendment' AND r.status = 'approved' ORDER BY r.result_id`,
    );
    expect(amendments.length).toBeGreaterThan(13);
    expect(approved.map((r) => Number(r.result_id))).toEqual(amendments.map((a) => Number(a.id)));
    for (const [i, request] of approved.entries()) {
      expect({ requester: request.requester, decider: request.decider }).toEqual({
        requester: 'manager@demo.local',
        decider: 'approver@demo.local',
      });
      // Approved when the amendment was recorded, never after.
      expect(dayOf(request.decided_at)).toBe(dayOf(amendments[i].created_at));
      expect(request.requested_at <= request.decided_at).toBe(true);
    }
  });

  it('should have one request rejected and resubmitted, and three pending today that cannot all be approved', async () => {
    const revisions = await rows<{
      request_id: number;
      revision: number;
      outcome: string;
      note: string;
    }>(
      t,
      `SELECT request_id, revision, outcome, note FROM approval_revisions
        WHERE request_id IN (SELECT request_id FROM approval_revisions WHERE revision = 2)
        ORDER BY request_id, revision`,
    );
    expect(revisions.map(({ revision, outcome, note }) => ({ revision, outcome, note }))).toEqual([
      { revision: 1, outcome: 'rejected', note: REVISED_INCREMENT.rejection },
      { revision: 2, outcome: 'approved', note: '' },
    ]);

    const pending = await rows<{ kind: string; amount_cents: number; requested_at: string }>(
      t,
      "SELECT kind, amount_cents, requested_at FROM approval_requests WHERE status = 'pending' ORDER BY id",
    );
    expect(pending.map((p) => Number(p.amount_cents))).toEqual([
      -DEMO_PENDING.deobligation.cents,
      DEMO_PENDING.increment.cents,
      DEMO_PENDING.increment.cents,
    ]);
    expect(pending.every((p) => dayOf(p.requested_at) === today)).toBe(true);
    // The two increments together need more than the deobligation frees.
    expect(2 * DEMO_PENDING.increment.cents).toBeGreaterThan(DEMO_PENDING.deobligation.cents);
    expect(DEMO_PENDING.increment.cents).toBeLessThanOrEqual(DEMO_PENDING.deobligation.cents);
  });

  it('should record the program before its awards and each award on its start date', async () => {
    const awardDate = addMonths(today, -AWARD_MONTHS_AGO);
    const [program] = await rows<{ recorded_from: string }>(
      t,
      'SELECT MIN(recorded_from) AS recorded_from FROM programs_history',
    );
    expect(dayOf(program.recorded_from)).toBe(addMonths(awardDate, -PROGRAM_LEAD_MONTHS));
    const grants = await rows<{ start_date: string; recorded_from: string; created_at: string }>(
      t,
      `SELECT g.start_date, g.created_at, MIN(h.recorded_from) AS recorded_from
         FROM grants g JOIN grants_history h ON h.id = g.id GROUP BY g.id, g.start_date, g.created_at`,
    );
    expect(grants).toHaveLength(13);
    for (const grant of grants) {
      expect(dayOf(grant.recorded_from)).toBe(grant.start_date);
      expect(grant.created_at).toBe(grant.recorded_from);
    }
  });

  it('should record each amendment when released, the reallocation’s deobligation ten days late', async () => {
    const amendments = await rows<{ effective_date: string; created_at: string; kind: string }>(
      t,
      'SELECT effective_date, created_at, kind FROM amendments ORDER BY created_at',
    );
    const late = amendments.filter((a) => dayOf(a.created_at) !== a.effective_date);
    expect(late).toHaveLength(1);
    expect(late[0].kind).toBe('deobligation');
    expect(dayOf(late[0].created_at)).toBe(addDays(late[0].effective_date, 10));
    const effective = amendments.map((a) => a.effective_date);
    expect(effective.every((date) => date <= today)).toBe(true);
    expect(addMonths(addMonths(today, -AWARD_MONTHS_AGO), REALLOCATION.monthsAfterAward)).toBe(
      late[0].effective_date,
    );
  });

  it('should record ledger entries about a week after they were incurred, on their recorded day', async () => {
    const entries = await rows<{ incurred_on: string; recorded_on: string; recorded_at: string }>(
      t,
      'SELECT incurred_on, recorded_on, recorded_at FROM expenditures WHERE reversal_of IS NULL',
    );
    expect(entries.length).toBeGreaterThan(1000);
    for (const entry of entries) {
      expect(dayOf(entry.recorded_at)).toBe(entry.recorded_on);
      expect(entry.recorded_on <= today).toBe(true);
      if (entry.recorded_on < today) {
        expect(entry.recorded_on).toBe(addDays(entry.incurred_on, 8));
      }
    }
    // The duplicate invoice is reversed six weeks after it was entered: a late correction.
    const [reversal] = await rows<{ incurred_on: string; recorded_on: string; original: string }>(
      t,
      `SELECT r.incurred_on, r.recorded_on, o.recorded_on AS original
         FROM expenditures r JOIN expenditures o ON o.id = r.reversal_of`,
    );
    expect(reversal.recorded_on).toBe(addDays(reversal.original, 42));
  });

  it('should revise one budget mid-way, after the supplement it budgets', async () => {
    const revised = await rows<{ award_number: string; versions: number; last: string }>(
      t,
      `SELECT g.award_number, COUNT(DISTINCT h.recorded_from) AS versions, MAX(h.recorded_from) AS last
         FROM budget_lines_history h JOIN grants g ON g.id = h.grant_id
        GROUP BY g.award_number HAVING COUNT(DISTINCT h.recorded_from) > 1`,
    );
    expect(revised.map((r) => r.award_number)).toEqual([REALLOCATION.to]);
    const [supplement] = await rows<{ created_at: string }>(
      t,
      `SELECT a.created_at FROM amendments a JOIN grants g ON g.id = a.grant_id
        WHERE g.award_number = ? AND a.note = ?`,
      [REALLOCATION.to, REALLOCATION.toNote],
    );
    expect(revised[0].last > supplement.created_at).toBe(true);
  });

  it('should record milestones as planned at the award and each outcome on the day it happened', async () => {
    const outcomes = await rows<{ status: string; completed_on: string | null; at: string }>(
      t,
      `SELECT h.status, h.completed_on, h.recorded_from AS at FROM milestones_history h
        WHERE h.status = 'complete'
          AND h.recorded_from = (SELECT MIN(x.recorded_from) FROM milestones_history x
                                  WHERE x.id = h.id AND x.status = 'complete')`,
    );
    expect(outcomes.length).toBeGreaterThan(60);
    for (const outcome of outcomes) expect(dayOf(outcome.at)).toBe(outcome.completed_on);
    const [firsts] = await rows<{ n: number }>(
      t,
      `SELECT COUNT(*) AS n FROM milestones_history h
        WHERE h.status <> 'planned' AND NOT EXISTS (SELECT 1 FROM milestones_history x
          WHERE x.id = h.id AND x.recorded_from < h.recorded_from)`,
    );
    expect(Number(firsts.n)).toBe(0);
  });

  it('should reconcile at every month-end since the program began, checking every grant that existed then', async () => {
    const sut = t.app.get(ReconciliationService);
    const programStart = addMonths(addMonths(today, -AWARD_MONTHS_AGO), -PROGRAM_LEAD_MONTHS);
    const failures: string[] = [];
    for (const asOf of monthEnds(programStart, today)) {
      const [existing] = await rows<{ n: number }>(
        t,
        `SELECT COUNT(*) AS n FROM grants_history
          WHERE recorded_from < ? AND (recorded_to IS NULL OR recorded_to >= ?)`,
        Array(2).fill(endOfDayUtc(asOf, zone)),
      );
      const report = await sut.report(asOf);
      const grants = report.rows.filter((r) => r.scope === 'grant');
      if (
        !report.result.reconciled ||
        report.unregisteredCount !== 0 ||
        report.result.checks < grants.length
      ) {
        const first = report.result.differences[0];
        failures.push(
          `${asOf}: ${report.result.differences.length} differences` +
            (first
              ? ` (first: ${first.subject.label} ${first.figure} ${first.leftSource} ${first.leftCents} vs ${first.rightSource} ${first.rightCents})`
              : ''),
        );
      }
      // Every grant recorded by the end of asOf, and only those.
      expect({ asOf, grants: report.grantCount }).toEqual({ asOf, grants: Number(existing.n) });
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('should show yesterday the same 13 grants and the spending the ledger shows (the issue’s case)', async () => {
    const report = await t.app.get(ReconciliationService).report(addDays(today, -1));
    expect(report.grantCount).toBe(13);
    expect(report.unregisteredCount).toBe(0);
    const program = report.rows.find((r) => r.scope === 'program')!;
    expect(program.ledgerFederalCents).toBeGreaterThan(0);
    expect(program.registerSpentCents).toBe(program.ledgerFederalCents);
  });

  // Last: it approves the demo's pending requests.
  it('should let the official approve the deobligation and one increment, and refuse the other with the headroom left', async () => {
    const [official] = await rows<{ id: number; email: string; name: string; role: string }>(
      t,
      "SELECT id, email, name, role FROM users WHERE email = 'approver@demo.local'",
    );
    const approvals = t.app.get(ApprovalsService);
    const pending = await rows<{ id: number; version: number }>(
      t,
      "SELECT id, version FROM approval_requests WHERE status = 'pending' ORDER BY id",
    );
    const approve = (r: { id: number; version: number }) =>
      runAs({ ...official, id: Number(official.id) }, () =>
        approvals.approve(Number(r.id), Number(r.version), 'Approved in the test.'),
      );
    for (const request of pending.slice(0, 2)) await approve(request);
    await expect(approve(pending[2])).rejects.toMatchObject({
      errors: { note: expect.stringContaining('It cannot be approved now') },
    });
    const [left] = await rows<{ status: string }>(
      t,
      'SELECT status FROM approval_requests WHERE id = ?',
      [pending[2].id],
    );
    expect(left.status).toBe('pending');
  });
});
