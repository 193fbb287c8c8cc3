import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InstanceLockedError, lockDatabaseFile } from '../src/common/database/instance-lock';

const ROOT = resolve(__dirname, '..');
const TS_NODE = ['-r', 'ts-node/register/transpile-only'];

/** Another process that takes the lock on `database`, says so, and holds it until killed. */
function holder(database: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...TS_NODE,
      '-e',
      `require('./src/common/database/instance-lock').lockDatabaseFile(${JSON.stringify(database)})
         .then(() => { console.log('held'); setInterval(() => {}, 1000); })`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolveHeld, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (String(chunk).includes('held')) resolveHeld(child);
    });
    child.once('exit', (code) => reject(new Error(`The holder exited with ${code}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once('exit', (code) => done(code)));
}

/** Issue 16: one app process per SQLite file, released by the operating system however it ends. */
describe('One app process per SQLite file', () => {
  let dir: string;
  let database: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'instance-lock-'));
    database = join(dir, 'tracker.sqlite');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      await exited(child);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('should refuse a second process, naming the holder, until the holder is killed -9', async () => {
    const first = await holder(database);
    children.push(first);
    const refused = await lockDatabaseFile(database).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InstanceLockedError);
    expect((refused as Error).message).toContain(
      `Another app process is already running on ${database} (process ${first.pid} on `,
    );
    expect((refused as Error).message).toContain(
      'On SQLite one app process serves a database file: stop the other one first.',
    );

    first.kill('SIGKILL');
    await exited(first);
    const lock = await lockDatabaseFile(database);
    await lock.release();
  }, 60_000);

  it('should stop the app at start-up with the message while another process holds the file', async () => {
    const lock = await lockDatabaseFile(database);
    try {
      const app = spawn(process.execPath, [...TS_NODE, 'src/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_PATH: database, PORT: '0', SEED_DEMO: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(app);
      let errors = '';
      app.stderr.on('data', (chunk: Buffer) => (errors += String(chunk)));
      expect(await exited(app)).toBe(1);
      expect(errors).toContain(
        `Another app process is already running on ${database} (process ${process.pid} on `,
      );
    } finally {
      await lock.release();
    }
    // Released: the next holder gets it.
    const again = await lockDatabaseFile(database);
    await again.release();
  }, 90_000);
});
