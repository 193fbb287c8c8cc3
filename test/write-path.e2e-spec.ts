import { itSqlite } from './helpers/test-database';
import * as sqlite3 from 'sqlite3';
import { Recipient } from '../src/grants/recipient.entity';
import { UnauditedWriteError, WriteOutsideWritePathError } from '../src/common/database/write-path';
import { makeProgram, makeRecipient } from './helpers/factories';
import { recordingAt } from '../src/common/database/recording-time';
import { freshAppPerTest, rows } from './helpers/test-app';

const now = () => new Date().toISOString();
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WritePath on the shared SQLite connection', () => {
  const t = freshAppPerTest();

  it('should record each step of a transaction at its own recording time, and leave no clock behind', async () => {
    const recipient = (name: string) => ({
      name,
      type: 'university' as const,
      state: 'CO',
      uei: null,
    });
    await recordingAt('2025-01-01T12:00:00.000Z', () =>
      t.writes.transaction(async (m) => {
        await t.audit.insert(m, Recipient, 'recipient', recipient('Outer before'));
        await recordingAt('2025-02-01T12:00:00.000Z', () =>
          t.writes.transaction((inner) =>
            t.audit.insert(inner, Recipient, 'recipient', recipient('Inner')),
          ),
        );
        await t.audit.insert(m, Recipient, 'recipient', recipient('Outer after'));
      }),
    );
    await t.writes.transaction((m) =>
      t.audit.insert(m, Recipient, 'recipient', recipient('Unset')),
    );
    const versions = await rows<{ name: string; recorded_from: string; created_at: string }>(
      t,
      'SELECT name, recorded_from, created_at FROM recipients_history ORDER BY history_id',
    );
    expect(versions.slice(0, 3)).toEqual([
      {
        name: 'Outer before',
        recorded_from: '2025-01-01T12:00:00.000Z',
        created_at: '2025-01-01T12:00:00.000Z',
      },
      {
        name: 'Inner',
        recorded_from: '2025-02-01T12:00:00.000Z',
        created_at: '2025-02-01T12:00:00.000Z',
      },
      {
        name: 'Outer after',
        recorded_from: '2025-01-01T12:00:00.000Z',
        created_at: '2025-01-01T12:00:00.000Z',
      },
    ]);
    expect(versions[3].recorded_from > '2026-01-01').toBe(true); // the database's clock again
    expect(await rows(t, 'SELECT * FROM recording_clock')).toEqual([]);
  });

  it('should keep every acknowledged write, drop every failed one, and never show a rolled-back row', async () => {
    const acknowledged: string[] = [];
    const failed: string[] = [];
    const seenByReaders = new Set<string>();
    let writing = true;

    const writer = async (i: number) => {
      const name = `Recipient ${i}`;
      try {
        await t.writes.transaction(async (m) => {
          await t.audit.insert(m, Recipient, 'recipient', {
            name,
            type: 'university',
            state: 'CO',
            uei: null,
            createdAt: now(),
            updatedAt: now(),
          });
          await tick(); // give readers and other writers the chance to interleave
          await m.insert(Recipient, {
            name: `${name} (second row)`,
            type: 'nonprofit',
            state: 'CO',
            uei: null,
            createdAt: now(),
            updatedAt: now(),
          });
          if (i % 3 === 0) throw new Error('fail on purpose after writing');
        });
        acknowledged.push(name, `${name} (second row)`);
      } catch {
        failed.push(name, `${name} (second row)`);
      }
    };
    const reader = async () => {
      while (writing) {
        const found = await t.dataSource.getRepository(Recipient).find({ select: { name: true } });
        found.forEach((r) => seenByReaders.add(r.name));
        await tick();
      }
    };

    const readers = [reader(), reader(), reader()];
    await Promise.all(Array.from({ length: 60 }, (_, i) => writer(i)));
    writing = false;
    await Promise.all(readers);

    const stored = (await rows<{ name: string }>(t, 'SELECT name FROM recipients')).map(
      (r) => r.name,
    );
    expect(acknowledged).toHaveLength(80);
    expect(failed).toHaveLength(40);
    expect(stored.sort()).toEqual([...acknowledged].sort());
    expect(failed.filter((name) => seenByReaders.has(name))).toEqual([]);
    expect(seenByReaders.size).toBeGreaterThan(0);
  });

  it('should lose no acknowledged form submission while other submissions fail', async () => {
    const program = await makeProgram(t);
    const recipient = await makeRecipient(t);
    const grantForm = (awardNumber: string) => ({
      programId: String(program.id),
      recipientId: String(recipient.id),
      awardNumber,
      title: 'Recovery of rare earths from acid mine drainage',
      piName: 'Dr. Example',
      piEmail: 'pi@example.edu',
      status: 'active',
      startDate: '2025-04-01',
      endDate: '2028-03-31',
      costShareCommitted: '0',
    });

    // Every award number is sent three times: one of each trio may win, the others must fail cleanly.
    const requests = Array.from({ length: 45 }, (_, i) =>
      t
        .http()
        .post('/grants')
        .type('form')
        .send(grantForm(`DE-SC${String(9000 + (i % 15)).padStart(7, '0')}`)),
    );
    const responses = await Promise.all(requests);

    const created = responses
      .filter((r) => r.status === 303)
      .map((r) => Number(r.headers.location.split('/').pop()));
    expect(created).toHaveLength(15);
    expect(responses.filter((r) => r.status === 422)).toHaveLength(30);
    const stored = await rows<{ id: number }>(t, 'SELECT id FROM grants ORDER BY id');
    expect(stored.map((g) => g.id)).toEqual([...created].sort((a, b) => a - b));
  });

  it('should refuse writes that bypass it', async () => {
    const repository = t.dataSource.getRepository(Recipient);
    const recipient = {
      name: 'Sneaky',
      type: 'university' as const,
      state: 'CO',
      uei: null,
      createdAt: now(),
      updatedAt: now(),
    };

    await expect(repository.save(repository.create(recipient))).rejects.toThrow(
      WriteOutsideWritePathError,
    );
    await expect(repository.insert(recipient)).rejects.toThrow(WriteOutsideWritePathError);
    await expect(t.dataSource.query(`DELETE FROM recipients`)).rejects.toThrow(
      WriteOutsideWritePathError,
    );
    await expect(t.dataSource.transaction(() => Promise.resolve())).rejects.toThrow(
      WriteOutsideWritePathError,
    );
    expect(await rows(t, 'SELECT * FROM recipients')).toEqual([]);
  });

  it('should roll back a transaction that changes data without an audit event', async () => {
    await expect(
      t.writes.transaction((m) =>
        m.insert(Recipient, {
          name: 'Unrecorded',
          type: 'university',
          state: 'CO',
          uei: null,
          createdAt: now(),
          updatedAt: now(),
        }),
      ),
    ).rejects.toThrow(UnauditedWriteError);
    expect(await rows(t, "SELECT * FROM recipients WHERE name = 'Unrecorded'")).toEqual([]);
  });

  it('should let repositories and nested calls join the open transaction and roll back with it', async () => {
    const repository = t.dataSource.getRepository(Recipient);
    await expect(
      t.writes.transaction(async () => {
        await repository.insert({
          name: 'Joined',
          type: 'university',
          state: 'CO',
          uei: null,
          createdAt: now(),
          updatedAt: now(),
        });
        await t.writes.transaction((inner) =>
          inner.insert(Recipient, {
            name: 'Nested',
            type: 'university',
            state: 'CO',
            uei: null,
            createdAt: now(),
            updatedAt: now(),
          }),
        );
        expect(await repository.count()).toBe(2);
        throw new Error('roll everything back');
      }),
    ).rejects.toThrow('roll everything back');
    expect(await repository.count()).toBe(0);
  });
});

describe('Writes outside the WritePath, refused by the database', () => {
  const t = freshAppPerTest();

  const userVersion = async (): Promise<number> => {
    // A connection of the test's own: the app's lone reads would share the state under test.
    const db = new sqlite3.Database(t.databasePath, sqlite3.OPEN_READONLY);
    try {
      return await new Promise<number>((resolve, reject) =>
        db.get<{ user_version: number }>('PRAGMA user_version', (error, row) =>
          error ? reject(error) : resolve(row.user_version),
        ),
      );
    } finally {
      db.close();
    }
  };

  it.each([
    ['a CTE-wrapped UPDATE', "WITH x AS (SELECT 1) UPDATE programs SET name = 'changed'"],
    ['an UPDATE behind a comment', "/* note */ UPDATE programs SET name = 'changed'"],
    [
      'a REPLACE',
      `REPLACE INTO programs (id, name, funding_opportunity, office, ceiling_cents, start_date, end_date,
         cost_share_percent, illustrative, version, created_at, updated_at)
       SELECT id, 'changed', funding_opportunity, office, ceiling_cents, start_date, end_date,
         cost_share_percent, illustrative, version, created_at, updated_at FROM programs`,
    ],
    [
      'a CTE-wrapped DELETE',
      'WITH doomed AS (SELECT id FROM programs) DELETE FROM programs WHERE id IN (SELECT id FROM doomed)',
    ],
  ])('should refuse %s and leave the data unchanged', async (_what, sql) => {
    const program = await makeProgram(t, { name: 'Untouched program' });
    await expect(t.dataSource.query(sql)).rejects.toBeInstanceOf(WriteOutsideWritePathError);
    expect(await rows(t, 'SELECT id, name FROM programs')).toEqual([
      { id: program.id, name: 'Untouched program' },
    ]);
  });

  itSqlite(
    'should refuse a PRAGMA that writes and leave the database header unchanged',
    async () => {
      const before = await userVersion();
      await expect(
        t.dataSource.query(`PRAGMA user_version = ${before + 7}`),
      ).rejects.toBeInstanceOf(WriteOutsideWritePathError);
      expect(await userVersion()).toBe(before);
    },
  );

  it('should refuse a transaction opened by hand on the reading connection', async () => {
    await expect(t.dataSource.query('/* quietly */ BEGIN')).rejects.toBeInstanceOf(
      WriteOutsideWritePathError,
    );
  });

  it('should count a CTE-wrapped write inside the WritePath as a write that needs an audit event', async () => {
    const program = await makeProgram(t, { name: 'Untouched program' });
    await expect(
      t.writes.transaction((m) =>
        m.query("WITH x AS (SELECT 1) UPDATE programs SET name = 'changed'"),
      ),
    ).rejects.toBeInstanceOf(UnauditedWriteError);
    expect(await rows(t, 'SELECT id, name FROM programs')).toEqual([
      { id: program.id, name: 'Untouched program' },
    ]);
  });
});
