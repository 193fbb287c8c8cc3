import { behindTheAppsBack, itSqlite, placeholders, TEST_ENGINE } from './helpers/test-database';
import { ReadCache } from '../src/common/database/read-cache';
import { Program } from '../src/programs/program.entity';
import { Recipient } from '../src/grants/recipient.entity';
import { UsersService } from '../src/accounts/users.service';
import { addDays, todayIn } from '../src/common/dates';
import { makeGrantWithProgram, makeProgram, makeRecipient, spend } from './helpers/factories';
import { freshAppPerTest, TEST_EMAILS } from './helpers/test-app';

const now = () => new Date().toISOString();

/** The in-memory cache of per-request reads, and the write generations that keep it honest. */
describe('ReadCache', () => {
  const t = freshAppPerTest();
  let cache: ReadCache;
  let loads: number;
  const countPrograms = () =>
    cache.get(['programs'], 'count', async () => {
      loads += 1;
      return t.dataSource.getRepository(Program).count();
    });

  beforeEach(() => {
    cache = t.app.get(ReadCache);
    loads = 0;
  });

  // Other app processes write the same PostgreSQL database: nothing read may be kept in memory.
  if (TEST_ENGINE === 'postgres') {
    it('serves nothing from memory on PostgreSQL: a change made by another instance is read at once', async () => {
      const before = await countPrograms();
      await behindTheAppsBack(
        t.databasePath,
        `INSERT INTO programs (name, funding_opportunity, office, ceiling_cents, start_date, end_date,
           cost_share_percent, created_at, updated_at)
         VALUES ('Elsewhere', 'DE-FOA-9', 'BES', 100, '2025-01-01', '2030-01-01', 20, ?, ?)`,
        [now(), now()],
      );
      expect(await countPrograms()).toBe(before + 1);
      expect(loads).toBe(2);
    });
  }

  itSqlite('serves a repeated read from memory until a write to its table ends', async () => {
    const before = await countPrograms();
    expect(await countPrograms()).toBe(before);
    expect(loads).toBe(1);

    await makeProgram(t);
    expect(await countPrograms()).toBe(before + 1);
    expect(loads).toBe(2);
    expect(await countPrograms()).toBe(before + 1);
    expect(loads).toBe(2);
  });

  itSqlite('keeps the value when another table is written', async () => {
    await countPrograms();
    await makeRecipient(t);
    await countPrograms();
    expect(loads).toBe(1);
  });

  itSqlite('reloads after a rolled-back write to its table too', async () => {
    await countPrograms();
    await expect(
      t.writes.transaction(async () => {
        await makeProgram(t);
        throw new Error('on purpose');
      }),
    ).rejects.toThrow('on purpose');
    await countPrograms();
    expect(loads).toBe(2);
  });

  itSqlite(
    'inside a write transaction, serves committed values until the transaction writes the table',
    async () => {
      const before = await countPrograms();
      let untouched = 0;
      let afterOwnWrite = 0;
      await t.writes.transaction(async () => {
        untouched = await countPrograms(); // nothing written yet: the committed value, from memory
        await makeProgram(t);
        afterOwnWrite = await countPrograms(); // its own uncommitted row: from the database
      });
      expect(untouched).toBe(before);
      expect(afterOwnWrite).toBe(before + 1);
      expect(loads).toBe(2);
      expect(await countPrograms()).toBe(before + 1);
      expect(loads).toBe(3); // what the transaction read after writing was not kept
    },
  );

  itSqlite('keeps nothing a rolled-back transaction read after writing', async () => {
    const before = await countPrograms();
    await expect(
      t.writes.transaction(async () => {
        await makeProgram(t);
        await countPrograms();
        throw new Error('on purpose');
      }),
    ).rejects.toThrow('on purpose');
    expect(await countPrograms()).toBe(before);
  });

  itSqlite('never serves a value read while a write to its table was ending', async () => {
    const before = await countPrograms();
    // A read that starts, then waits behind a write: the value it gets may be newer than its stamp,
    // so it is used once and the next read loads again.
    const write = t.writes.transaction((m) =>
      t.audit.insert(m, Program, 'program', {
        name: 'Late program',
        fundingOpportunity: 'DE-FOA-0009999',
        office: 'Test',
        ceilingCents: 100,
        startDate: '2026-01-01',
        endDate: '2027-01-01',
        costSharePercent: 20,
        createdAt: now(),
        updatedAt: now(),
      }),
    );
    const read = cache.get(['programs'], 'racing', () =>
      t.dataSource.getRepository(Program).count(),
    );
    await Promise.all([write, read]);
    const again = await cache.get(['programs'], 'racing', async () => {
      loads += 1;
      return t.dataSource.getRepository(Program).count();
    });
    expect(again).toBe(before + 1);
    expect(loads).toBe(2);
  });

  itSqlite(
    'makes a read once for callers that ask while it runs, and again after a write',
    async () => {
      const [a, b, c] = await Promise.all([countPrograms(), countPrograms(), countPrograms()]);
      expect([b, c]).toEqual([a, a]);
      expect(loads).toBe(1);
      await makeProgram(t);
      const [d, e] = await Promise.all([countPrograms(), countPrograms()]);
      expect([d, e]).toEqual([a + 1, a + 1]);
      expect(loads).toBe(2);
    },
  );

  itSqlite('shares no read with a write transaction, nor a failed read afterwards', async () => {
    let fail = true;
    const failing = () =>
      cache.get(['programs'], 'flaky', async () => {
        loads += 1;
        if (fail) throw new Error('read failed');
        return t.dataSource.getRepository(Program).count();
      });
    const lone = failing();
    // Inside a write: read on the transaction's own connection, not joined to the lone read.
    const inside = t.writes.transaction(() => failing());
    await expect(lone).rejects.toThrow('read failed');
    await expect(inside).rejects.toThrow('read failed');
    expect(loads).toBe(2);
    fail = false;
    await expect(failing()).resolves.toBeGreaterThanOrEqual(0);
    expect(loads).toBe(3);
  });

  it('tells whether it holds a value at the current stamp', async () => {
    expect(cache.holds(['programs'], 'count')).toBe(false);
    await countPrograms();
    // On PostgreSQL nothing is held.
    expect(cache.holds(['programs'], 'count')).toBe(TEST_ENGINE === 'sqlite');
    await makeProgram(t);
    expect(cache.holds(['programs'], 'count')).toBe(false);
  });

  it('drops the signed-in user as soon as they are deactivated', async () => {
    const manager = await t.as('program_manager');
    await manager.get('/grants').expect(200);
    await manager.get('/grants').expect(200); // now served from the cache
    const [{ id }] = await t.dataSource.query<{ id: number }[]>(
      placeholders('SELECT id FROM users WHERE email = ?'),
      [TEST_EMAILS.program_manager],
    );
    await t.app.get(UsersService).setActive(id, false);
    const after = await manager.get('/grants');
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
  });

  it('shows a recipient renamed a moment ago in the grants list', async () => {
    const { recipient } = await makeGrantWithProgram(t);
    await makeRecipient(t);
    const http = t.http();
    expect((await http.get('/grants').expect(200)).text).toContain(recipient.name);
    await t.writes.transaction((m) =>
      t.audit.update(m, Recipient, 'recipient', recipient.id, {
        name: 'Renamed Rare Earth Institute',
      }),
    );
    const page = (await http.get('/grants').expect(200)).text;
    expect(page).toContain('Renamed Rare Earth Institute');
    expect(page).not.toContain(recipient.name);
  });

  it('serves a ledger manifest that follows every new entry', async () => {
    // The reports index used to show (and cache) this manifest; it is now only the download's
    // (issue 15), computed from the file on each request.
    const { grant } = await makeGrantWithProgram(t);
    const yesterday = addDays(todayIn('America/New_York'), -1);
    await spend(t, grant.id, yesterday, 12_345);
    const auditor = await t.as('auditor');
    const rowsShown = async () =>
      (
        (await auditor.get('/reports/ledger.manifest.json').expect(200)).body as {
          row_count: number;
        }
      ).row_count;
    const before = await rowsShown();
    expect(await rowsShown()).toBe(before);
    await spend(t, grant.id, yesterday, 500);
    expect(await rowsShown()).toBe(before + 1);
  });
});
