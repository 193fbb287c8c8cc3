import { createWriteStream } from 'node:fs';
import { Agent, request as httpRequest, IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';

export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A logged-in browser as far as the server can tell: one keep-alive connection pool, the session
 * cookie, and the CSRF token of its session. Only what the benchmark needs; no redirects followed.
 * Given several instances of the app, it sends its requests to each in turn (round-robin), as a
 * load balancer would, with one session across them all.
 */
export class Client {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly bases: readonly string[];
  private readonly cookies = new Map<string, string>();
  private turn = 0;
  csrf = '';

  constructor(base: string | readonly string[]) {
    this.bases = typeof base === 'string' ? [base] : [...base];
    if (this.bases.length === 0) throw new Error('A client needs at least one base URL.');
  }

  get cookie(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(path: string): Promise<Reply> {
    return this.send('GET', path);
  }

  /** POSTs a urlencoded form with the session's CSRF token. */
  async post(path: string, form: Record<string, string>): Promise<Reply> {
    const body = new URLSearchParams({ ...form, _csrf: this.csrf }).toString();
    return this.send('POST', path, body);
  }

  /** Streams a GET to a file; resolves with the status once the last byte is written. */
  download(path: string, file: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${this.nextBase()}${path}`,
        { agent: this.agent, headers: { cookie: this.cookie } },
        (res) => {
          pipeline(res, createWriteStream(file)).then(() => resolve(res.statusCode ?? 0), reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * Signs in once for every instance. With several, the form, the sign-in and the next page each
   * reach another one: they only agree when they share the session secret and the database.
   */
  async login(email: string, password: string): Promise<void> {
    this.csrf = tokenIn((await this.get('/login')).body);
    const reply = await this.post('/login', { email, password, next: '/' });
    if (reply.status !== 303 || reply.headers.location?.startsWith('/login')) {
      throw new Error(`Logging in as ${email} failed: HTTP ${reply.status}.`);
    }
    // The session id is regenerated at login, and with it the token.
    this.csrf = tokenIn((await this.get('/ledger/new')).body);
  }

  close(): void {
    this.agent.destroy();
  }

  /** The instance the next request goes to. */
  private nextBase(): string {
    const base = this.bases[this.turn];
    this.turn = (this.turn + 1) % this.bases.length;
    return base;
  }

  private send(method: string, path: string, body?: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { cookie: this.cookie };
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const req = httpRequest(
        `${this.nextBase()}${path}`,
        { method, agent: this.agent, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            this.remember(res.headers['set-cookie']);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private remember(setCookies: string[] | undefined): void {
    for (const line of setCookies ?? []) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      // The session and the sign-in form's CSRF cookie matter; flash messages would only grow.
      if (name === 'sid' || name === 'csrf' || name === '__Host-csrf')
        this.cookies.set(name, value);
    }
  }
}

function tokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('No CSRF token on the page.');
  return match[1];
}
