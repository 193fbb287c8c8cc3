import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { createUserCommand, PromptIo } from '../src/accounts/user-create-command';
import { verifyAuditTrail } from '../src/audit/verify-command';
import { backupDatabase } from '../src/common/database/backup-command';
import { AppConfig } from '../src/common/config';
import { makeProgram } from './helpers/factories';
import { createTestApp, TEST_EMAILS } from './helpers/test-app';
import {
  behindTheAppsBack,
  describeSqlite,
  dropTrigger,
  onPostgresServer,
  postgresUrl,
  queryBehind,
  TEST_ENGINE,
} from './helpers/test-database';

const GOOD_PASSWORD = 'granite heron lantern quota';

/** Runs SQL on the database with a connection of its own (the app is closed). */
const query = queryBehind;
const exec = behindTheAppsBack;

/** A fake terminal: answers each prompt with the next line, and keeps everything shown on it. */
function fakeTerminal(answers: string[]): PromptIo & { shown: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  let shown = '';
  let prompts = 0;
  const output = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      shown += String(chunk);
      const seen = (shown.match(/(Password for \S+|Repeat the password): /g) ?? []).length;
      if (seen > prompts && prompts < answers.length) {
        const answer = answers[prompts];
        prompts = seen;
        setImmediate(() => input.write(`${answer}\r`));
      }
      callback();
    },
  });
  return { input, output, shown: () => shown };
}

describe('Command-line tools', () => {
  let databasePath: string;
  let config: AppConfig;

  beforeEach(async () => {
    const t = await createTestApp();
    databasePath = t.databasePath;
    await t.app.close(); // keeps the migrated database; t.close() would delete it
    config = Object.assign(new AppConfig(), {
      ...(TEST_ENGINE === 'postgres'
        ? { DATABASE_URL: databasePath }
        : { DATABASE_PATH: databasePath }),
      SEED_DEMO: false,
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
    });
  });

  afterEach(async () => {
    if (TEST_ENGINE === 'sqlite') rmSync(dirname(databasePath), { recursive: true, force: true });
    else {
      const name = new URL(databasePath).pathname.slice(1);
      await onPostgresServer((client) => client.query(`DROP DATABASE "${name}" WITH (FORCE)`));
    }
  });

  const users = (email: string) =>
    query<{ id: number; email: string; name: string; role: string; password_hash: string }>(
      databasePath,
      'SELECT * FROM users WHERE email = ?',
      [email],
    );
  const eventCount = async () =>
    (await query<{ n: number }>(databasePath, 'SELECT COUNT(*) AS n FROM audit_events'))[0].n;

  describe('user:create', () => {
    it('should refuse a common password with the policy message and create nothing', async () => {
      const before = await eventCount();
      const result = await createUserCommand(
        ['--email', 'first.admin@example.gov', '--role', 'admin'],
        { USER_PASSWORD: 'password1234' },
        config,
      );
      expect(result).toEqual({
        exitCode: 1,
        message:
          'That password is too common and easy to guess; choose a longer phrase of unrelated words.',
      });
      expect(await users('first.admin@example.gov')).toEqual([]);
      expect(await eventCount()).toBe(before);
    });

    it('should create the account with an audit event by system', async () => {
      const result = await createUserCommand(
        ['--email', 'First.Admin@Example.gov', '--role', 'admin', '--name', 'Ada Admin'],
        { USER_PASSWORD: GOOD_PASSWORD },
        config,
      );
      expect(result).toEqual({
        exitCode: 0,
        message: 'Created admin account first.admin@example.gov.',
      });

      const [user] = await users('first.admin@example.gov');
      expect(user).toMatchObject({ name: 'Ada Admin', role: 'admin' });
      expect(user.password_hash).toMatch(/^\$argon2id\$/);
      expect(user.password_hash).not.toContain(GOOD_PASSWORD);
      const events = await query<{
        actor_id: number | null;
        actor_email: string;
        actor_role: string;
        changes: string;
      }>(
        databasePath,
        "SELECT * FROM audit_events WHERE action = 'create' AND entity_type = 'user' AND entity_id = ?",
        [user.id],
      );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        actor_id: null,
        actor_email: 'system',
        actor_role: 'system',
      });
      expect(JSON.parse(events[0].changes)).toMatchObject({
        email: { before: null, after: 'first.admin@example.gov' },
        role: { before: null, after: 'admin' },
      });
      expect(events[0].changes).not.toContain('argon2');
    });

    it('should refuse an email that already has an account', async () => {
      const before = await eventCount();
      const result = await createUserCommand(
        ['--email', TEST_EMAILS.admin.toUpperCase(), '--role', 'auditor'],
        { USER_PASSWORD: GOOD_PASSWORD },
        config,
      );
      expect(result).toEqual({
        exitCode: 1,
        message: `There is already an account for ${TEST_EMAILS.admin}.`,
      });
      expect(await users(TEST_EMAILS.admin)).toEqual([expect.objectContaining({ role: 'admin' })]);
      expect(await eventCount()).toBe(before);
    });

    it('should refuse bad arguments before asking for a password', async () => {
      const cases: [string[], RegExp][] = [
        [['--role', 'admin'], /--email and --role are required/],
        [['--email', 'x@example.gov', '--role', 'boss'], /--role must be one of admin/],
        [['--email', 'not-an-email', '--role', 'admin'], /Enter an email address/],
        [['--email', 'x@example.gov', '--role', 'admin', '--pasword', 'x'], /Unknown option/],
      ];
      for (const [argv, message] of cases) {
        const result = await createUserCommand(argv, { USER_PASSWORD: GOOD_PASSWORD }, config);
        expect(result.exitCode).toBe(1);
        expect(result.message).toMatch(message);
      }
      expect(await users('x@example.gov')).toEqual([]);
    });

    it('should ask for the password on a terminal without echoing it', async () => {
      const terminal = fakeTerminal([GOOD_PASSWORD, GOOD_PASSWORD]);
      const result = await createUserCommand(
        ['--email', 'pm@example.gov', '--role', 'program_manager'],
        {},
        config,
        terminal,
      );
      expect(result).toEqual({
        exitCode: 0,
        message: 'Created program_manager account pm@example.gov.',
      });
      expect(terminal.shown()).toContain('Password for pm@example.gov: ');
      expect(terminal.shown()).toContain('Repeat the password: ');
      expect(terminal.shown()).not.toContain(GOOD_PASSWORD.slice(0, 4));
      expect(await users('pm@example.gov')).toHaveLength(1);
    });

    it('should refuse mismatched prompted passwords, and a missing password without a terminal', async () => {
      const mismatch = await createUserCommand(
        ['--email', 'pm@example.gov', '--role', 'program_manager'],
        {},
        config,
        fakeTerminal([GOOD_PASSWORD, 'something else entirely']),
      );
      expect(mismatch).toEqual({
        exitCode: 1,
        message: 'The passwords do not match; no account was created.',
      });

      const noTerminal = await createUserCommand(
        ['--email', 'pm@example.gov', '--role', 'program_manager'],
        {},
        config,
        { input: new PassThrough(), output: new PassThrough() },
      );
      expect(noTerminal.exitCode).toBe(1);
      expect(noTerminal.message).toContain('set USER_PASSWORD');
      expect(await users('pm@example.gov')).toEqual([]);
    });
  });

  describe('audit:verify', () => {
    it('should report the chain intact with its count, then the first altered event', async () => {
      const count = await eventCount();
      expect(count).toBeGreaterThan(2);
      const [{ hash: latest }] = await query<{ hash: string }>(
        databasePath,
        'SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1',
      );
      expect(await verifyAuditTrail(config)).toEqual({
        exitCode: 0,
        message: `Audit trail intact: ${count} events. Latest hash: ${latest}`,
      });

      const [{ id: k }] = await query<{ id: number }>(
        databasePath,
        "SELECT id FROM audit_events WHERE action = 'create' ORDER BY id LIMIT 1 OFFSET 1",
      );
      const [{ n: before }] = await query<{ n: number }>(
        databasePath,
        'SELECT COUNT(*) AS n FROM audit_events WHERE id < ?',
        [k],
      );
      await exec(
        databasePath,
        `${dropTrigger('audit_events_no_update', 'audit_events')}; UPDATE audit_events SET changes = '{}' WHERE id = ${k};`,
      );

      expect(await verifyAuditTrail(config)).toEqual({
        exitCode: 1,
        message: `Audit trail BROKEN at event ${k}: its content does not match its hash (it was altered) (${before} events before it verified).`,
      });
    });

    it('should not call a missing database intact', async () => {
      if (TEST_ENGINE === 'postgres') {
        // A mistyped database name in DATABASE_URL: the server has no such database.
        const url = postgresUrl(`${new URL(databasePath).pathname.slice(1)}_missing`);
        expect(await verifyAuditTrail({ ...config, DATABASE_URL: url })).toEqual({
          exitCode: 2,
          message: `No database at ${url}; set DATABASE_URL to the tracker's database.`,
        });
        return;
      }
      const missing = `${databasePath}.missing`;
      expect(await verifyAuditTrail({ ...config, DATABASE_PATH: missing })).toEqual({
        exitCode: 2,
        message: `No database at ${missing}; set DATABASE_PATH to the tracker's database file.`,
      });
      expect(existsSync(missing)).toBe(false);
    });
  });

  it('should send an operator on PostgreSQL to pg_dump for a backup', async () => {
    const result = await backupDatabase(
      { ...config, DATABASE_URL: 'postgres://u@127.0.0.1/x' },
      'f',
    );
    expect(result).toEqual({ exitCode: 2, message: expect.stringContaining('use pg_dump') });
    expect(existsSync('f')).toBe(false);
  });

  describeSqlite('backup', () => {
    it('should copy the live database consistently, then check the copy and say so', async () => {
      const t = await createTestApp();
      const copy = join(dirname(t.databasePath), 'backup.sqlite');
      try {
        await makeProgram(t, { name: 'Written just before the backup' });
        // The app is running: the program is in the WAL, not yet in the main file.
        const result = await backupDatabase({ ...config, DATABASE_PATH: t.databasePath }, copy);
        expect(result.exitCode).toBe(0);
        expect(result.message).toContain(`Backed up ${t.databasePath} to ${copy} (`);
        expect(result.message).toMatch(/ Integrity check: ok\. Audit trail intact: \d+ events\./);
        const programs = await query<{ name: string }>(copy, 'SELECT name FROM programs');
        expect(programs).toEqual([{ name: 'Written just before the backup' }]);
        const [source] = await query<{ n: number }>(
          t.databasePath,
          'SELECT COUNT(*) AS n FROM audit_events',
        );
        const [copied] = await query<{ n: number }>(copy, 'SELECT COUNT(*) AS n FROM audit_events');
        expect(copied.n).toBe(source.n);

        const again = await backupDatabase({ ...config, DATABASE_PATH: t.databasePath }, copy);
        expect(again).toEqual({
          exitCode: 2,
          message: `${copy} already exists; a backup never overwrites a file.`,
        });
      } finally {
        await t.close();
      }
    });

    it('should say the copy is unusable when its audit chain is broken, and copy nothing without a source', async () => {
      const [{ id: k }] = await query<{ id: number }>(
        databasePath,
        'SELECT id FROM audit_events ORDER BY id LIMIT 1',
      );
      await exec(
        databasePath,
        `${dropTrigger('audit_events_no_update', 'audit_events')}; UPDATE audit_events SET changes = '{}' WHERE id = ${k};`,
      );
      const copy = join(dirname(databasePath), 'backup.sqlite');
      const broken = await backupDatabase(config, copy);
      expect(broken.exitCode).toBe(1);
      expect(broken.message).toContain('Integrity check: ok. Audit trail BROKEN at event');
      expect(broken.message).toContain('Do not rely on it.');

      const missing = `${databasePath}.missing`;
      const none = await backupDatabase(
        { ...config, DATABASE_PATH: missing },
        join(dirname(databasePath), 'b2.sqlite'),
      );
      expect(none.exitCode).toBe(2);
      expect(existsSync(join(dirname(databasePath), 'b2.sqlite'))).toBe(false);
      expect((await backupDatabase(config, undefined)).message).toBe(
        'Name the backup file: npm run backup -- FILE',
      );
    });
  });
});
