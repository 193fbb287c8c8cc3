import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Grant } from '../src/grants/grant.entity';
import {
  grantEditForm,
  makeAmendment,
  makeBudgetPeriods,
  makeGrantWithProgram,
  TWO_BUDGET_PERIODS,
} from './helpers/factories';
import {
  get,
  Instance,
  post,
  Session,
  signInOn,
  startInstance,
  stopInstance,
} from './helpers/instances';
import { createTestApp, rows, TEST_EMAILS, TestApp } from './helpers/test-app';
import { onPostgresServer, queryBehind, TEST_ENGINE } from './helpers/test-database';

/**
 * Issue 16: the guarantees hold with several app processes on one database. Each instance is
 * src/main.ts in a process of its own; the test app only builds the fixtures and reads the rows.
 */

const verifyResult = (html: string) =>
  /data-testid="verify-result">([^<]*)</.exec(html)?.[1] ?? 'no verify result on the page';

/** A ledger entry's form, as a manager fills it in, with a reference that names it. */
const entryForm = (grant: Grant, reference: string) => ({
  grantId: String(grant.id),
  budgetPeriod: '1',
  category: 'supplies',
  incurredOn: '2025-09-30',
  amount: '10.00',
  share: 'federal',
  reference,
  memo: '',
});

/** A grant with its two budget periods and $100,000.00 obligated: ready for ledger entries. */
async function fundedGrant(t: TestApp): Promise<Grant> {
  const { grant } = await makeGrantWithProgram(t);
  await makeBudgetPeriods(t, grant.id, TWO_BUDGET_PERIODS);
  await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
  return grant;
}

/** Where the test app's database is, as an instance's environment names it. */
const databaseEnv = (t: TestApp): Record<string, string> =>
  TEST_ENGINE === 'postgres' ? { DATABASE_URL: t.databasePath } : { DATABASE_PATH: t.databasePath };

if (TEST_ENGINE === 'postgres') {
  describe('Three app instances on one PostgreSQL database', () => {
    let t: TestApp;
    let instances: Instance[];
    let manager: Session;
    let approver: Session;
    /** The instance for the i-th of a burst of requests: round robin, as a load balancer sends them. */
    const on = (i: number) => instances[i % instances.length];

    beforeAll(async () => {
      t = await createTestApp();
      const env = { ...databaseEnv(t), LOGIN_MAX_FAILURES: '3' };
      instances = [];
      // One at a time: three TypeScript start-ups at once would crowd two cores.
      for (const name of ['A', 'B', 'C']) instances.push(await startInstance(name, env));
      const signedIn = await signInOn(instances[0], TEST_EMAILS.program_manager);
      manager = signedIn.session!;
      approver = (await signInOn(instances[1], TEST_EMAILS.approving_official)).session!;
    }, 240_000);

    afterAll(async () => {
      await Promise.all((instances ?? []).map((instance) => stopInstance(instance)));
      await t?.close();
    });

    it('should accept a sign-in made on one instance on the others', async () => {
      for (const instance of instances) {
        const home = await get(instance, '/', manager);
        expect(home.status).toBe(200);
        expect(home.text).toContain('Sign out');
      }
      const anonymous = await get(instances[1], '/');
      expect(anonymous.status).toBe(303);
    });

    it('should never obligate beyond the ceiling when approvals arrive at all three at once', async () => {
      const { grant } = await makeGrantWithProgram(t, { ceilingCents: 1_000_000_00 });
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });

      // 12 × $100,000 requested against $900,000 of headroom, four to each instance; a pending
      // request holds nothing, so all are filed. Approved at once on all three: exactly 9 may pass.
      const filed = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          post(on(i), `/grants/${grant.id}/amendments`, manager, {
            effectiveDate: '2026-04-01',
            kind: 'incremental_funding',
            federalChange: '100000',
            justification: 'Year 2',
          }),
        ),
      );
      expect(filed.map((a) => a.status)).toEqual(Array(12).fill(303));
      const requests = await rows<{ id: number; version: number }>(
        t,
        'SELECT id, version FROM approval_requests WHERE grant_id = ? ORDER BY id',
        [grant.id],
      );
      const answers = await Promise.all(
        requests.map((request, i) =>
          post(on(i), `/approvals/${request.id}/approve`, approver, {
            note: '',
            version: String(request.version),
          }),
        ),
      );

      expect(answers.filter((a) => a.status === 303)).toHaveLength(9);
      expect(answers.filter((a) => a.status === 422)).toHaveLength(3);
      const [{ obligated }] = await rows<{ obligated: number }>(
        t,
        'SELECT SUM(federal_change_cents) AS obligated FROM amendments WHERE grant_id = ?',
        [grant.id],
      );
      expect(obligated).toBe(1_000_000_00);
      const numbers = await rows<{ number: number }>(
        t,
        'SELECT number FROM amendments WHERE grant_id = ? ORDER BY number',
        [grant.id],
      );
      expect(numbers.map((a) => a.number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }, 60_000);

    it('should keep every acknowledged expenditure from all three and store no other', async () => {
      const grant = await fundedGrant(t);
      const references = Array.from({ length: 60 }, (_, i) => `MULTI-${i}`);
      const answers = await Promise.all(
        references.map((reference, i) =>
          post(on(i), '/ledger', manager, entryForm(grant, reference)),
        ),
      );

      const acknowledged = references.filter((_, i) => answers[i].status === 303);
      expect(acknowledged).toHaveLength(references.length);
      const stored = await rows<{ reference: string }>(
        t,
        'SELECT reference FROM expenditures WHERE grant_id = ? ORDER BY id',
        [grant.id],
      );
      expect(stored.map((e) => e.reference).sort()).toEqual([...acknowledged].sort());
      // Each acknowledgement points at its own entry.
      const ids = answers.map((a) => Number(a.location?.split('/').pop()));
      expect(new Set(ids).size).toBe(references.length);
    }, 60_000);

    it('should let exactly one of 20 simultaneous edits of a grant win, and show it on every instance', async () => {
      const { grant } = await makeGrantWithProgram(t);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post(on(i), `/grants/${grant.id}`, manager, {
            ...grantEditForm(t, grant, { title: `Edit number ${i}` }),
            version: String(grant.version),
          }),
        ),
      );

      const winners = answers.flatMap((a, i) => (a.status === 303 ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(answers.filter((a) => a.status === 409)).toHaveLength(19);
      const [saved] = await rows<{ title: string; version: number }>(
        t,
        'SELECT title, version FROM grants WHERE id = ?',
        [grant.id],
      );
      expect(saved).toEqual({ title: `Edit number ${winners[0]}`, version: grant.version + 1 });
      // An edit on one instance is on the next page of every other.
      for (const instance of instances) {
        const page = await get(instance, `/grants/${grant.id}`, manager);
        expect(page.text).toContain(`Edit number ${winners[0]}`);
      }
    }, 60_000);

    it('should count failed sign-ins across instances', async () => {
      // LOGIN_MAX_FAILURES is 3: one wrong password on each instance uses them up.
      for (const instance of instances) {
        const wrong = await signInOn(instance, TEST_EMAILS.auditor, 'not the password at all');
        expect(wrong.status).toBe(401);
      }
      const refused = await signInOn(instances[0], TEST_EMAILS.auditor);
      expect(refused.status).toBe(429);
      expect(refused.text).toContain('Too many failed sign-ins');
      expect(refused.session).toBeNull();
    }, 60_000);

    it('should leave one unbroken audit chain after writes from all three', async () => {
      const admin = (await signInOn(instances[2], TEST_EMAILS.admin)).session!;
      const [{ n }] = await rows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM audit_events');
      const check = await get(instances[1], '/audit/verify', admin);
      expect(check.status).toBe(200);
      // Sign-ins made meanwhile append events too: at least the ones counted above.
      const intact = /^Intact, (\d+) events/.exec(verifyResult(check.text));
      expect(intact).not.toBeNull();
      expect(Number(intact![1])).toBeGreaterThanOrEqual(n);
    }, 60_000);
  });
}

describe(`An instance killed -9 in the middle of writes (${TEST_ENGINE})`, () => {
  it('should keep every acknowledged write, and its audit chain should verify after a restart', async () => {
    const t = await createTestApp();
    const location = t.databasePath;
    const grant = await fundedGrant(t);
    // The test app lets go of the database: on SQLite one process serves a file.
    await t.app.close();
    const env = databaseEnv(t);
    let instance = await startInstance('crashing', env);
    try {
      const { session } = await signInOn(instance, TEST_EMAILS.program_manager);
      expect(session).not.toBeNull();
      const references = Array.from({ length: 80 }, (_, i) => `CRASH-${i}`);
      let acknowledgedSoFar = 0;
      let settled = 0;
      const answers = references.map((reference) =>
        post(instance, '/ledger', session, entryForm(grant, reference))
          .then(
            (a) => {
              if (a.status === 303) acknowledgedSoFar += 1;
              return a;
            },
            // The connection died with the process.
            () => ({ status: 0, location: null, text: '' }),
          )
          .finally(() => (settled += 1)),
      );
      // Killed once some writes are acknowledged and others are still in flight.
      while (acknowledgedSoFar < 10 && settled < references.length) {
        await new Promise((done) => setTimeout(done, 5));
      }
      await stopInstance(instance, 'SIGKILL');
      const replies = await Promise.all(answers);
      const refused = replies.find((a) => a.status !== 303 && a.status !== 0);
      expect(
        refused?.text
          .replace(/\s+/g, ' ')
          .replace(/^.*<main/, '')
          .slice(0, 600),
      ).toBeUndefined();
      const acknowledged = references.filter((_, i) => replies[i].status === 303);
      expect(acknowledged.length).toBeGreaterThanOrEqual(10);
      expect(acknowledged.length).toBeLessThan(references.length);

      instance = await startInstance('restarted', env);
      const stored = await queryBehind<{ reference: string }>(
        location,
        'SELECT reference FROM expenditures WHERE grant_id = ?',
        [grant.id],
      );
      const storedSet = new Set(stored.map((e) => e.reference));
      expect(acknowledged.filter((r) => !storedSet.has(r))).toEqual([]);
      // A write in flight may have committed before the kill (its answer was lost), never twice.
      expect(stored).toHaveLength(storedSet.size);

      const auditor = (await signInOn(instance, TEST_EMAILS.auditor)).session!;
      const check = await get(instance, '/audit/verify', auditor);
      expect(verifyResult(check.text)).toMatch(/^Intact, \d+ events/);
    } finally {
      await stopInstance(instance);
      if (TEST_ENGINE === 'postgres') {
        const name = new URL(location).pathname.slice(1);
        await onPostgresServer((client) => client.query(`DROP DATABASE "${name}" WITH (FORCE)`));
      } else {
        rmSync(dirname(location), { recursive: true, force: true });
      }
    }
  }, 240_000);
});
