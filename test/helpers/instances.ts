import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { TEST_PASSWORD } from './users';

const ROOT = resolve(__dirname, '..', '..');

/** A session secret every instance shares, as a deployment behind a load balancer must. */
export const SHARED_SESSION_SECRET = 'instances-test-session-secret-0123456789';

/** One app process of the real build's entry point (src/main.ts), on a port of its own. */
export interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stderr, for a failure's message. */
  errors: () => string;
}

/** A port nothing listens on now, on the loopback address. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/**
 * Starts `src/main.ts` as a process of its own with `env` (DATABASE_URL or DATABASE_PATH, and any
 * setting), and waits until it answers its sign-in page.
 */
export async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
      SESSION_SECRET: SHARED_SESSION_SECRET,
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += String(chunk)));
  const instance: Instance = { name, url: `http://127.0.0.1:${port}`, child, errors: () => errors };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Instance ${name} exited at start-up: ${errors}`);
    }
    const answer = await fetch(`${instance.url}/login`).catch(() => null);
    if (answer?.status === 200) return instance;
    if (Date.now() > deadline) throw new Error(`Instance ${name} did not start: ${errors}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

/** Stops an instance: SIGKILL, as a crash, or SIGTERM, as a process manager stops one. */
export function stopInstance(instance: Instance, signal: NodeJS.Signals = 'SIGTERM') {
  const { child } = instance;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((done) => {
    child.once('exit', () => done());
    child.kill(signal);
  });
}

/** What a browser keeps for one signed-in person: the session cookie and the CSRF token. */
export interface Session {
  cookie: string;
  token: string;
}

const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

/** The response of a GET or a form POST, read whole. */
export interface Answer {
  status: number;
  location: string | null;
  text: string;
}

async function answer(response: Response): Promise<Answer> {
  return {
    status: response.status,
    location: response.headers.get('location'),
    text: await response.text(),
  };
}

/** GET `path` on an instance with a session (or none). */
export async function get(instance: Instance, path: string, session?: Session): Promise<Answer> {
  const response = await fetch(`${instance.url}${path}`, {
    headers: session ? { cookie: session.cookie } : {},
    redirect: 'manual',
  });
  return answer(response);
}

/** POSTs a form to `path` on an instance, as the session's browser does (its cookie and token). */
export async function post(
  instance: Instance,
  path: string,
  session: Session | null,
  form: Record<string, string>,
): Promise<Answer> {
  const body = new URLSearchParams(session ? { ...form, _csrf: session.token } : form);
  const response = await fetch(`${instance.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(session ? { cookie: session.cookie } : {}),
    },
    body,
    redirect: 'manual',
  });
  return answer(response);
}

/** Signs in through an instance's login form; the session works on every instance of the database. */
export async function signInOn(
  instance: Instance,
  email: string,
  password = TEST_PASSWORD,
): Promise<Answer & { session: Session | null }> {
  // Before signing in there is no session: the form's token pairs with a cookie of its own.
  const form = await fetch(`${instance.url}/login`);
  const anonymous = form.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
  const token = csrfIn(await form.text()) ?? '';
  const response = await fetch(`${instance.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: anonymous },
    body: new URLSearchParams({ email, password, _csrf: token }),
    redirect: 'manual',
  });
  const signedIn = await answer(response);
  const cookie = response.headers
    .getSetCookie()
    .map((set) => /^sid=[^;]+/.exec(set)?.[0])
    .find(Boolean);
  if (signedIn.status !== 303 || !cookie) return { ...signedIn, session: null };
  const home = await fetch(`${instance.url}/`, { headers: { cookie } });
  return { ...signedIn, session: { cookie, token: csrfIn(await home.text()) ?? '' } };
}
