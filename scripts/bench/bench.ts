import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import ExcelJS from 'exceljs';
import { Database, OPEN_READONLY } from 'sqlite3';
import { COST_CATEGORIES } from '../../src/budgets/budget.constants';
import { todayIn } from '../../src/common/dates';
import { DatabaseEngine, isPostgresUrl } from '../../src/database';
import { buildDataset, BENCH_USER, Dataset, DatasetSize, openDataset, SIZES } from './dataset';
import { Client } from './http';
import {
  copyDataset,
  CopyReport,
  createBenchDatabase,
  onPostgres,
  postgresVersion,
  psqlExport,
} from './postgres';

const TIME_ZONE = 'America/New_York';

export interface BenchOptions {
  size: DatasetSize;
  /** Seconds for each autocannon run and for the write load. */
  seconds: number;
  /** Timed requests per burn-down page. */
  samples: number;
  /** Downloads of the ledger CSV (and CLI exports) to take the median of. */
  csvRuns: number;
  /** Where latest.json and latest.md go. */
  out: string;
  /** Keep the generated database here instead of a temporary directory (rebuilt each run). */
  database?: string;
  /** With `database`: use the data set an earlier run left there (for profiling, not for results). */
  reuse?: boolean;
  /** Write a V8 CPU profile of the app process to this directory. */
  profile?: string;
  /** Run only these measures (when profiling one); all of them by default. */
  only?: Part[];
  /** The mixed-load measure's readers and writers (default 40 and 10). */
  mix?: { readers: number; writers: number };
  log?: (line: string) => void;
}

export const PARTS = ['pages', 'csv', 'xlsx', 'burndown', 'grants', 'writes', 'mixed'] as const;
export type Part = (typeof PARTS)[number];

export interface Measure {
  id:
    | 'ledger_csv'
    | 'program_burndown'
    | 'grant_burndown'
    | 'grants_list'
    | 'expenditures'
    | 'mixed_reads'
    | 'mixed_repeat_reads'
    | 'dashboard'
    | 'reconciliation'
    | 'reports_index'
    | 'ledger_page'
    | 'ledger_xlsx';
  name: string;
  /** What was measured, for the table. */
  result: string;
  /** The reference it is compared against, measured in the same run. */
  reference: string;
  target: string;
  met: boolean;
  numbers: Record<string, number>;
}

export interface BenchReport {
  startedAt: string;
  seconds: number;
  machine: Record<string, string | number>;
  dataset: Omit<Dataset, 'path' | 'openGrants'>;
  measures: Measure[];
  /** Correctness failures (lost writes, row counts that differ); empty on a sound run. */
  failures: string[];
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const ms = (value: number) => `${round(value)} ms`;
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const median = (values: number[]) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resident and peak resident memory of a process, in bytes, from /proc. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}

/** Resets the kernel's peak-RSS mark (VmHWM) of a process we started; false where not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Downloads `path` to `file` and says how long it took and how far the server's resident memory
 * rose above what it was before (the kernel's peak mark where we may reset it, else 5 ms samples).
 * With several instances the client picks one in turn; the one that served it grew the most.
 */
async function timedDownload(
  servers: Server[],
  client: Client,
  path: string,
  file: string,
): Promise<{ status: number; ms: number; growth: number }> {
  const before = servers.map((server) => memoryOf(server.pid).rss);
  const exact = servers.map((server) => resetPeak(server.pid));
  const peak = [...before];
  const sample = () =>
    servers.forEach((server, i) => (peak[i] = Math.max(peak[i], memoryOf(server.pid).rss)));
  const sampler = setInterval(sample, 5);
  const start = performance.now();
  const status = await client.download(path, file);
  const ms = performance.now() - start;
  clearInterval(sampler);
  servers.forEach((server, i) => {
    if (exact[i]) peak[i] = Math.max(peak[i], memoryOf(server.pid).hwm);
  });
  return { status, ms, growth: Math.max(...peak.map((p, i) => p - before[i])) };
}

/**
 * A file's lines, and the sha256 of its first `hashed` lines: the ledger CSV's header and the data
 * set's own entries, which come first in id order before anything a run recorded, so downloads
 * from either engine compare byte for byte however many entries earlier runs added.
 */
async function readLines(file: string, hashed = 0): Promise<{ lines: number; sha256: string }> {
  const hash = createHash('sha256');
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    const hashing = lines < hashed;
    let cut = bytes.length;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 10 && ++lines === hashed) cut = i + 1;
    }
    if (hashing) hash.update(bytes.subarray(0, cut));
  }
  return { lines, sha256: hash.digest('hex') };
}

/** The app as it is started in production: compiled JS, or the TypeScript sources under ts-node. */
function appCommand(profile?: string): { args: string[] } {
  const compiled = __filename.endsWith('.js');
  const ext = compiled ? 'js' : 'ts';
  const hello = join(__dirname, `hello-app.${ext}`);
  const main = resolve(__dirname, '..', '..', 'src', `main.${ext}`);
  const register = compiled ? [] : ['-r', 'ts-node/register/transpile-only'];
  const cpuProfile = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  return { args: [...cpuProfile, ...register, '-r', hello, main] };
}

class Server {
  private constructor(
    readonly process: ChildProcess,
    readonly url: string,
    readonly helloUrl: string,
    private readonly profiling: boolean,
    /** Where the app writes its log (pino's JSON lines at LOG_LEVEL=info). */
    readonly logFile: string,
  ) {}

  get pid(): number {
    return this.process.pid!;
  }

  /**
   * One instance on `store`'s database. Instances that share a database share `secret` too: it
   * signs the session cookie and the sign-in form's token, so one sign-in serves them all.
   */
  static async start(
    store: Store,
    secret: string,
    logFile: string,
    profile?: string,
  ): Promise<Server> {
    const [port, helloPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      SESSION_SECRET: secret,
      SEED_DEMO: 'false',
      APP_TIME_ZONE: TIME_ZONE,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      BENCH_HELLO_PORT: String(helloPort),
    };
    // The store says which engine: a DATABASE_URL exported in the shell must not win over it.
    delete env.DATABASE_URL;
    if (store.engine === 'postgres') env.DATABASE_URL = store.location;
    else env.DATABASE_PATH = store.location;
    const log = openSync(logFile, 'a');
    const child = spawn(process.execPath, appCommand(profile).args, {
      env,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const server = new Server(
      child,
      `http://127.0.0.1:${port}`,
      `http://127.0.0.1:${helloPort}`,
      Boolean(profile),
      logFile,
    );
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`The app exited with code ${child.exitCode}; see ${logFile}.`);
      }
      const up = await Promise.all(
        [`${server.url}/login`, server.helloUrl].map((url) =>
          fetch(url).then(
            (r) => r.ok,
            () => false,
          ),
        ),
      );
      if (up.every(Boolean)) return server;
      if (Date.now() > deadline)
        throw new Error(`The app did not start in 2 minutes; see ${logFile}.`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise((r) => this.process.once('exit', r));
    this.process.kill(this.profiling ? 'SIGUSR2' : 'SIGTERM');
    await exited;
  }
}

/** The same columns as the app's ledger CSV, in the same order, from the same database. */
const CLI_LEDGER_SQL = `SELECT e.id, g.award_number, e.budget_period, e.category, e.incurred_on,
  e.amount_cents, e.share, e.reference, e.memo, e.reversal_of, e.recorded_by, e.recorded_at,
  e.recorded_on FROM expenditures e JOIN grants g ON g.id = e.grant_id ORDER BY e.id`;

/**
 * The database under the app as the measures see it behind the app's back, one per engine: to
 * check what the app acknowledged, and to time the engine's own CLI export against its download.
 */
interface Store {
  engine: DatabaseEngine;
  /** The SQLite file (DATABASE_PATH) or the PostgreSQL URL (DATABASE_URL). */
  location: string;
  /** The CLI the ledger download is compared with, as the table names it. */
  cli: string;
  /** Rows read directly, as an auditor's tool would; `?` placeholders on either engine. */
  readRows<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** CLI_LEDGER_SQL exported as CSV, header line first, into the open file `out`. */
  exportLedger(out: number): void;
}

/** What one run measures: the app's instances on one store, and a client signed in to them. */
interface Target {
  store: Store;
  servers: Server[];
  client: Client;
}

/** The SQLite file, read on a read-only connection of its own and exported by the sqlite3 CLI. */
function sqliteStore(path: string): Store {
  return {
    engine: 'sqlite',
    location: path,
    cli: 'sqlite3 CLI',
    async readRows<T>(sql: string, params: unknown[] = []) {
      const db = new Database(path, OPEN_READONLY);
      try {
        return await new Promise<T[]>((ok, fail) =>
          db.all(sql, params, (error, rows) => (error ? fail(error) : ok(rows as T[]))),
        );
      } finally {
        await new Promise((r) => db.close(r));
      }
    },
    exportLedger(out) {
      execFileSync('sqlite3', ['-readonly', '-csv', '-header', path, CLI_LEDGER_SQL], {
        stdio: ['ignore', out, 'inherit'],
      });
    },
  };
}

/**
 * The PostgreSQL database, read on a connection of its own and exported by psql's \copy. COUNT and
 * SUM come back as numbers: src/database.ts sets pg's parsers for BIGINT and NUMERIC.
 */
function postgresStore(url: string): Store {
  return {
    engine: 'postgres',
    location: url,
    cli: 'psql \\copy',
    readRows<T>(sql: string, params: unknown[] = []) {
      let n = 0;
      const numbered = sql.replace(/\?/g, () => `$${++n}`);
      return onPostgres(url, async (client) => (await client.query(numbered, params)).rows as T[]);
    },
    exportLedger(out) {
      psqlExport(url, CLI_LEDGER_SQL, out);
    },
  };
}

/** Entries in the ledger now: what the CSV must hold, however many earlier runs recorded. */
async function ledgerCount(store: Store): Promise<number> {
  const [{ n }] = await store.readRows<{ n: number }>('SELECT COUNT(*) AS n FROM expenditures');
  return Number(n);
}

/**
 * The ledger CSV downloaded `runs` times against the engine's CLI exporting the same columns, each
 * timed to its last byte in a file. Also gives the sha256 of the download's header and data-set
 * rows (readLines), for comparing the engines' bytes.
 */
async function measureCsv(
  { store, servers, client }: Target,
  data: Dataset,
  work: string,
  runs: number,
  failures: string[],
): Promise<{ measure: Measure; sha256: string }> {
  const appTimes: number[] = [];
  const cliTimes: number[] = [];
  const ledgerRows = await ledgerCount(store);
  let growth = 0;
  let appRows = 0;
  let cliRows = 0;
  let sha256 = '';
  for (let run = 0; run < runs; run++) {
    const file = join(work, 'ledger.csv');
    const download = await timedDownload(servers, client, '/reports/ledger.csv', file);
    const status = download.status;
    appTimes.push(download.ms);
    growth = Math.max(growth, download.growth);
    if (status !== 200) failures.push(`The ledger CSV download answered HTTP ${status}.`);
    const lines = await readLines(file, data.ledgerRows + 1);
    appRows = lines.lines - 1;
    sha256 = lines.sha256;
    rmSync(file);

    const cliFile = join(work, 'cli.csv');
    const out = openSync(cliFile, 'w');
    const cliStart = performance.now();
    try {
      store.exportLedger(out);
    } finally {
      closeSync(out);
    }
    cliTimes.push(performance.now() - cliStart);
    cliRows = (await readLines(cliFile)).lines - 1;
    rmSync(cliFile);
  }
  if (appRows !== cliRows || appRows !== ledgerRows) {
    failures.push(
      `The ledger CSV has ${appRows} rows, the ${store.cli} export ${cliRows}, the ledger ${ledgerRows}.`,
    );
  }
  const app = median(appTimes);
  const cli = median(cliTimes);
  const ratio = app / cli;
  const growthMb = growth / 1024 / 1024;
  const measure: Measure = {
    id: 'ledger_csv',
    name: `Ledger CSV download, ${thousands(appRows)} rows`,
    result: `${round(app / 1000, 2)} s, server memory +${round(growthMb)} MB`,
    reference: `${store.cli} ${round(cli / 1000, 2)} s (×${round(ratio, 2)})`,
    target: '≤ 2× the CLI, < 150 MB',
    met: ratio <= 2 && growthMb < 150,
    numbers: {
      appMs: round(app),
      cliMs: round(cli),
      ratio: round(ratio, 2),
      memoryGrowthMb: round(growthMb),
      rows: appRows,
    },
  };
  return { measure, sha256 };
}

/**
 * The ledger's .xlsx twin at full size: time and the server's memory growth while it streams, then
 * the file read back with exceljs's streaming reader (every data row there, the Manifest sheet too).
 */
async function measureXlsx(
  { servers, client }: Target,
  data: Dataset,
  work: string,
  failures: string[],
): Promise<Measure> {
  const file = join(work, 'ledger.xlsx');
  const {
    status,
    ms: elapsed,
    growth,
  } = await timedDownload(servers, client, '/reports/ledger.xlsx', file);
  const growthMb = growth / 1024 / 1024;
  if (status !== 200) failures.push(`The ledger XLSX download answered HTTP ${status}.`);
  const bytes = statSync(file).size;
  const sheets: Record<string, number> = {};
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {});
  for await (const sheet of reader) {
    const name = (sheet as unknown as { name: string }).name;
    sheets[name] = 0;
    for await (const row of sheet) if (row) sheets[name] += 1;
  }
  rmSync(file);
  const names = Object.keys(sheets);
  const dataRows = (sheets[names[0]] ?? 0) - 1;
  if (dataRows !== data.ledgerRows) {
    failures.push(`The ledger XLSX has ${dataRows} rows, the ledger ${data.ledgerRows}.`);
  }
  return {
    id: 'ledger_xlsx',
    name: `Ledger XLSX download, ${thousands(dataRows)} rows`,
    result: `${round(elapsed / 1000, 2)} s, server memory +${round(growthMb)} MB, ${round(bytes / 1024 / 1024)} MB`,
    reference: `read back with exceljs: ${names.map((n) => `${n} ${thousands(sheets[n])} rows`).join(', ')}`,
    target: '< 150 MB server memory, every row',
    met: growthMb < 150 && dataRows === data.ledgerRows && status === 200,
    numbers: { ms: round(elapsed), memoryGrowthMb: round(growthMb), bytes, rows: dataRows },
  };
}

async function timePage(
  client: Client,
  path: string,
  samples: number,
  failures: string[],
): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 3; i++) await client.get(path);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    const reply = await client.get(path);
    times.push(performance.now() - start);
    if (reply.status !== 200) {
      failures.push(`${path} answered HTTP ${reply.status}.`);
      break;
    }
  }
  times.sort((a, b) => a - b);
  return { median: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

async function measureBurndown(
  client: Client,
  data: Dataset,
  samples: number,
  failures: string[],
): Promise<Measure[]> {
  const program = await timePage(
    client,
    `/reports/burndown?programId=${data.programId}`,
    samples,
    failures,
  );
  const grant = await timePage(client, `/grants/${data.grantId}/burndown`, samples, failures);
  const page = (
    id: Measure['id'],
    name: string,
    t: { median: number; p95: number },
    limit: number,
  ): Measure => ({
    id,
    name,
    result: `median ${ms(t.median)}, p95 ${ms(t.p95)}`,
    reference: `${samples} requests, one at a time`,
    target: `median < ${limit} ms`,
    met: t.median < limit,
    numbers: { medianMs: round(t.median), p95Ms: round(t.p95), samples },
  });
  return [
    page('program_burndown', `Program burn-down page (program ${data.programId})`, program, 150),
    page('grant_burndown', `Grant burn-down page (grant ${data.grantId})`, grant, 30),
  ];
}

/** The pages a person opens first at a department's scale (issue 15), with their size targets. */
const DEPARTMENT_PAGES: { id: Measure['id']; name: string; path: string; maxBytes?: number }[] = [
  { id: 'dashboard', name: 'Dashboard', path: '/', maxBytes: 200 * 1024 },
  { id: 'reconciliation', name: 'Reconciliation page', path: '/reports/reconciliation' },
  { id: 'reports_index', name: 'Reports index', path: '/reports' },
  { id: 'ledger_page', name: 'Ledger, first page', path: '/ledger' },
];

/**
 * How long the app's start-up check of today's reconciliation took, from its log (null when the
 * log does not say: another engine, or a log level above info).
 */
function startupCheckMs(logFile: string): number | null {
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('reconciliationCheckMs')) continue;
    try {
      const entry = JSON.parse(line) as { reconciliationCheckMs?: number; cause?: string };
      if (entry.cause === 'start-up' && typeof entry.reconciliationCheckMs === 'number') {
        return entry.reconciliationCheckMs;
      }
    } catch {
      // not a JSON line
    }
  }
  return null;
}

/**
 * Each page's first visit after the app starts (nothing cached, as after a restart or the first
 * request of the day) and the median of the visits after it, with the HTML's size uncompressed.
 * Today's reconciliation is checked while the app starts, before it takes requests (see
 * ReconciliationPrecheck): its first visit reads that check, and the check's own time, from the
 * app's log, is in the reference column.
 */
async function measurePages(
  target: Target,
  samples: number,
  failures: string[],
): Promise<Measure[]> {
  const { client } = target;
  const measures: Measure[] = [];
  for (const page of DEPARTMENT_PAGES) {
    const start = performance.now();
    const first = await client.get(page.path);
    const firstMs = performance.now() - start;
    if (first.status !== 200) failures.push(`${page.path} answered HTTP ${first.status}.`);
    const bytes = Buffer.byteLength(first.body);
    const later = await timePage(client, page.path, samples, failures);
    const limit = 150;
    const sizeMet = page.maxBytes === undefined || bytes < page.maxBytes;
    const checkMs = page.id === 'reconciliation' ? startupCheckMs(target.servers[0].logFile) : null;
    measures.push({
      id: page.id,
      name: `${page.name} (${page.path})`,
      result: `first visit ${ms(firstMs)}, then median ${ms(later.median)}, ${thousands(bytes / 1024)} KB`,
      reference: `${samples} later requests, one at a time${checkMs === null ? '' : `; today's check made at start-up in ${ms(checkMs)}`}`,
      target: `< ${limit} ms${page.maxBytes ? `, < ${thousands(page.maxBytes / 1024)} KB` : ''}`,
      met: firstMs < limit && later.median < limit && sizeMet,
      numbers: {
        firstMs: round(firstMs),
        medianMs: round(later.median),
        p95Ms: round(later.p95),
        bytes,
        samples,
        ...(checkMs === null ? {} : { startupCheckMs: checkMs }),
      },
    });
  }
  return measures;
}

/**
 * autocannon's 10 connections, spread over `urls` (one per instance) in turn: autocannon 9 takes an
 * array there (lib/run.js gives connection i the URL i % n), though @types/autocannon says a string.
 */
async function cannon(urls: string[], cookie: string | undefined, seconds: number) {
  const result = await autocannon({
    url: urls.length === 1 ? urls[0] : (urls as unknown as string),
    connections: 10,
    duration: seconds,
    headers: cookie ? { cookie } : {},
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

async function measureGrantsList(
  { servers, client }: Target,
  seconds: number,
  failures: string[],
): Promise<Measure> {
  const hello = await cannon(
    servers.map((server) => server.helloUrl),
    undefined,
    seconds,
  );
  const grants = await cannon(
    servers.map((server) => `${server.url}/grants`),
    client.cookie,
    seconds,
  );
  if (grants.errors > 0 || hello.errors > 0) {
    failures.push(
      `Under load, /grants had ${grants.errors} errors and hello-world ${hello.errors}.`,
    );
  }
  const ratio = grants.rps / hello.rps;
  return {
    id: 'grants_list',
    name: 'Grants list, logged in (autocannon, 10 connections)',
    result: `${thousands(grants.rps)} req/s, p99 ${grants.p99} ms, ${grants.errors} errors`,
    reference: `bare NestJS hello-world ${thousands(hello.rps)} req/s (${round(ratio * 100)} %)`,
    target: '≥ 25 % of hello-world, 0 errors',
    met: ratio >= 0.25 && grants.errors === 0,
    numbers: {
      rps: round(grants.rps),
      p99Ms: grants.p99,
      errors: grants.errors,
      helloRps: round(hello.rps),
      ratio: round(ratio, 3),
    },
  };
}

interface Ack {
  id: number;
  reference: string;
  cents: number;
}

interface WriteRun {
  acks: Ack[];
  refusals: string[];
  elapsed: number;
  lost: number;
  unacknowledged: number;
  totalsMatch: boolean;
}

/**
 * `workers` clients post expenditures through the real form until `deadline`; then the database is
 * read back behind the app (`store`): every acknowledged entry stored with its amount, nothing
 * unacknowledged, totals moved by exactly the acknowledged entries. A loss is a failure.
 */
async function postExpenditures(
  client: Client,
  store: Store,
  data: Dataset,
  workers: number,
  seconds: number,
  failures: string[],
): Promise<WriteRun> {
  if (data.openGrants.length === 0) throw new Error('The data set has no grant open for spending.');
  const sumSql = `SELECT COUNT(*) AS n, COALESCE(SUM(amount_cents), 0) AS cents FROM expenditures`;
  const [before] = await store.readRows<{ n: number; cents: number }>(sumSql);
  const acks: Ack[] = [];
  const refusals: string[] = [];
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const grant = data.openGrants[(w * 7919 + n) % data.openGrants.length];
        const cents = 100 + ((w * 104_729 + n * 7_919) % 500_000);
        const reference = `BENCH-${run}-${w}-${n}`;
        const reply = await client.post('/ledger', {
          grantId: String(grant.id),
          budgetPeriod: String(grant.budgetPeriod),
          category: COST_CATEGORIES[n % COST_CATEGORIES.length],
          incurredOn: grant.day,
          amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
          share: 'federal',
          reference,
          memo: 'Benchmark entry',
        });
        const id = /^\/ledger\/(\d+)$/.exec(reply.headers.location ?? '')?.[1];
        if (reply.status === 303 && id) acks.push({ id: Number(id), reference, cents });
        else refusals.push(`HTTP ${reply.status} for ${reference}`);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;

  const stored = await store.readRows<{ id: number; reference: string; cents: number }>(
    `SELECT id, reference, amount_cents AS cents FROM expenditures WHERE reference LIKE ?`,
    [`BENCH-${run}-%`],
  );
  const byId = new Map(stored.map((row) => [row.id, row]));
  const lost = acks.filter((a) => {
    const row = byId.get(a.id);
    return !row || row.reference !== a.reference || row.cents !== a.cents;
  }).length;
  const unacknowledged = stored.length - (acks.length - lost);
  const [after] = await store.readRows<{ n: number; cents: number }>(sumSql);
  const ackCents = acks.reduce((sum, a) => sum + a.cents, 0);
  const totalsMatch = after.n - before.n === acks.length && after.cents - before.cents === ackCents;
  if (lost > 0) failures.push(`${lost} acknowledged expenditures are missing or changed.`);
  if (!totalsMatch) {
    failures.push(
      `Ledger totals moved by ${after.n - before.n} rows / ${after.cents - before.cents} cents; the acknowledged entries were ${acks.length} / ${ackCents}.`,
    );
  }
  if (refusals.length > 0)
    failures.push(`${refusals.length} expenditures refused, first: ${refusals[0]}.`);
  return { acks, refusals, elapsed, lost, unacknowledged, totalsMatch };
}

async function measureWrites(
  { client, store }: Target,
  data: Dataset,
  seconds: number,
  failures: string[],
): Promise<Measure> {
  const { acks, refusals, elapsed, lost, unacknowledged, totalsMatch } = await postExpenditures(
    client,
    store,
    data,
    10,
    seconds,
    failures,
  );
  const rate = acks.length / elapsed;
  return {
    id: 'expenditures',
    name: 'Expenditures recorded through the form (10 concurrent clients)',
    result: `${thousands(rate)} per second, ${refusals.length} errors`,
    reference: `${thousands(acks.length)} acknowledged, ${lost} lost, ${unacknowledged} unacknowledged, totals ${totalsMatch ? 'match' : 'DIFFER'}`,
    target: '≥ 300/s, 0 errors, 0 lost',
    met: rate >= 300 && refusals.length === 0 && lost === 0 && totalsMatch,
    numbers: {
      perSecond: round(rate),
      acknowledged: acks.length,
      errors: refusals.length,
      lost,
      unacknowledged,
      totalsMatch: totalsMatch ? 1 : 0,
    },
  };
}

/** The grants the mixed load's readers come back to: an office's busiest grants. */
export const MIXED_REPEAT_GRANTS = 50;

/**
 * Mixed load, as an office under pressure makes it: 40 clients reading grant pages while 10 record
 * expenditures. Lone reads run on their own read-only connection (WAL), so they should not queue
 * behind the write lock; the writes must still lose nothing. With `repeat`, the readers turn over
 * the first MIXED_REPEAT_GRANTS open grants, as people come back to the grants they work on;
 * without it each read is of another grant, nothing read before.
 */
async function measureMixed(
  { client, store }: Target,
  data: Dataset,
  seconds: number,
  failures: string[],
  { readers, writers } = { readers: 40, writers: 10 },
  repeat = false,
): Promise<Measure> {
  const times: number[] = [];
  let errors = 0;
  let reading = true;
  const grants = repeat ? data.openGrants.slice(0, MIXED_REPEAT_GRANTS) : data.openGrants;
  const pages = grants.map((g) => `/grants/${g.id}`);
  const reads = Promise.all(
    Array.from({ length: readers }, async (_, r) => {
      for (let n = 0; reading; n++) {
        const start = performance.now();
        const reply = await client.get(pages[(r * 31 + n) % pages.length]);
        times.push(performance.now() - start);
        if (reply.status !== 200) errors += 1;
      }
    }),
  );
  const writes = await postExpenditures(client, store, data, writers, seconds, failures);
  reading = false;
  await reads;
  times.sort((a, b) => a - b);
  const [p50, p99] = [quantile(times, 0.5), quantile(times, 0.99)];
  if (errors > 0) failures.push(`${errors} grant pages failed under mixed load.`);
  const over = repeat ? `, over ${pages.length} grants` : '';
  return {
    id: repeat ? 'mixed_repeat_reads' : 'mixed_reads',
    name: `Grant pages read while expenditures are recorded (${readers} readers${over}, ${writers} writers)`,
    result: `read p50 ${ms(p50)}, p99 ${ms(p99)}, ${thousands(times.length)} reads, ${errors} errors`,
    reference: `${thousands(writes.acks.length / writes.elapsed)} writes/s meanwhile, ${writes.lost} lost, ${writes.unacknowledged} unacknowledged`,
    target: 'read p99 < 300 ms, 0 lost',
    met: p99 < 300 && errors === 0 && writes.lost === 0 && writes.totalsMatch,
    numbers: {
      readP50: round(p50),
      readP99: round(p99),
      reads: times.length,
      grants: pages.length,
      errors,
      writesPerSecond: round(writes.acks.length / writes.elapsed),
      lost: writes.lost,
    },
  };
}

function machine(): Record<string, string | number> {
  let sqlite = 'not found';
  try {
    sqlite = execFileSync('sqlite3', ['--version'], { encoding: 'utf8' }).split(' ')[0];
  } catch {
    // Reported as missing; the CSV measure fails with its own message.
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: round(totalmem() / 1024 ** 3),
    os: `${process.platform} ${release()}`,
    node: process.version,
    sqlite3Cli: sqlite,
  };
}

export function markdown(report: BenchReport): string {
  const m = report.machine;
  const d = report.dataset;
  const lines = [
    `Run ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC on ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, sqlite3 CLI ${m.sqlite3Cli}.`,
    `Data: ${d.size.programs} programs, ${thousands(d.grants)} grants, ${thousands(d.ledgerRows)} ledger rows (built in ${round(d.buildSeconds)} s).`,
    '',
    '| Measure | Result | Reference (same run) | Target | Met |',
    '| --- | --- | --- | --- | --- |',
    ...report.measures.map(
      (x) =>
        `| ${x.name} | ${x.result} | ${x.reference} | ${x.target} | ${x.met ? 'yes' : '**no**'} |`,
    ),
  ];
  if (report.failures.length > 0) {
    lines.push('', 'Correctness failures:', ...report.failures.map((f) => `- ${f}`));
  }
  return `${lines.join('\n')}\n`;
}

type Log = (line: string) => void;

/** Builds the data set in the SQLite file `database`, or opens the one `--reuse` kept there. */
async function prepareData(options: BenchOptions, database: string, log: Log): Promise<Dataset> {
  const size = options.size;
  const today = todayIn(TIME_ZONE);
  log(
    `Data set: ${size.programs} programs, ${size.programs * size.grantsPerProgram} grants, ${thousands(size.ledgerRows)} ledger rows in ${database} …`,
  );
  if (options.reuse && options.database && existsSync(options.database)) {
    const data = await openDataset(options.database, size, today);
    log(`  reusing ${thousands(data.ledgerRows)} ledger rows`);
    return data;
  }
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${database}${suffix}`, { force: true });
  const data = await buildDataset(database, size, today);
  log(`  built in ${round(data.buildSeconds)} s`);
  return data;
}

/** What both kinds of run start from: the data set, in a work directory removed at the end. */
interface BenchRun {
  data: Dataset;
  /** The data set's SQLite file. */
  database: string;
  work: string;
  log: Log;
  failures: string[];
  startedAt: string;
  /** Seconds since the run started. */
  seconds: () => number;
}

async function withDataSet<T>(
  options: BenchOptions,
  body: (run: BenchRun) => Promise<T>,
): Promise<T> {
  const log = options.log ?? ((line: string) => console.log(line));
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'grant-bench-'));
  const database = options.database ?? join(work, 'bench.sqlite');
  try {
    const data = await prepareData(options, database, log);
    const seconds = () => round((performance.now() - started) / 1000);
    return await body({ data, database, work, log, failures: [], startedAt, seconds });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The data set as the reports describe it: no file path, no list of open grants. */
function datasetOf(data: Dataset): BenchReport['dataset'] {
  return {
    size: data.size,
    grants: data.grants,
    ledgerRows: data.ledgerRows,
    programId: data.programId,
    grantId: data.grantId,
    buildSeconds: round(data.buildSeconds),
  };
}

/**
 * Starts `instances` app processes on `store` with one session secret, signs a client in to them
 * and hands that to `measure`; every process that started is stopped afterwards, however it ends.
 * They start one after another: each checks the migrations at start-up, and on two cores starting
 * them together only makes each slower.
 */
async function withTarget<T>(
  store: Store,
  instances: number,
  work: string,
  profile: string | undefined,
  measure: (target: Target) => Promise<T>,
): Promise<T> {
  const secret = randomBytes(32).toString('hex');
  const servers: Server[] = [];
  try {
    for (let i = 1; i <= instances; i++) {
      const logFile = join(work, `app-${store.engine}-${instances}x-${i}.log`);
      servers.push(await Server.start(store, secret, logFile, profile));
    }
    const client = new Client(servers.map((server) => server.url));
    try {
      await client.login(BENCH_USER.email, BENCH_USER.password);
      return await measure({ store, servers, client });
    } finally {
      client.close();
    }
  } finally {
    for (const server of servers) await server.stop();
  }
}

/** What one run measured, and the ledger CSV's digest when the CSV was among its measures. */
interface RunResult {
  measures: Measure[];
  csvSha256?: string;
}

/**
 * The measures of `parts` (less what --only leaves out), in the order of PARTS: the CSV before the
 * writes, so a run's download holds the rows the run started with.
 */
async function runMeasures(
  target: Target,
  data: Dataset,
  work: string,
  options: BenchOptions,
  failures: string[],
  log: Log,
  parts: readonly Part[] = PARTS,
): Promise<RunResult> {
  const { client } = target;
  const measures: Measure[] = [];
  let csvSha256: string | undefined;
  const runs = (part: Part) =>
    parts.includes(part) && (!options.only || options.only.includes(part));
  if (runs('pages')) {
    log('Department-scale pages, first visit and later …');
    measures.push(...(await measurePages(target, options.samples, failures)));
  }
  if (runs('csv')) {
    log(`Ledger CSV download against the ${target.store.cli} …`);
    const csv = await measureCsv(target, data, work, options.csvRuns, failures);
    measures.push(csv.measure);
    csvSha256 = csv.sha256;
  }
  if (runs('xlsx')) {
    log('Ledger XLSX download and read-back …');
    measures.push(await measureXlsx(target, data, work, failures));
  }
  if (runs('burndown')) {
    log('Burn-down pages …');
    measures.push(...(await measureBurndown(client, data, options.samples, failures)));
  }
  if (runs('grants')) {
    log('Grants list under autocannon against a bare NestJS route …');
    measures.push(await measureGrantsList(target, options.seconds, failures));
  }
  if (runs('writes')) {
    log('Expenditures through the form …');
    measures.push(await measureWrites(target, data, options.seconds, failures));
  }
  if (runs('mixed')) {
    log('Grant pages read while expenditures are recorded …');
    measures.push(await measureMixed(target, data, options.seconds, failures, options.mix));
    log('Grant pages read again and again while expenditures are recorded …');
    measures.push(await measureMixed(target, data, options.seconds, failures, options.mix, true));
  }
  return { measures, csvSha256 };
}

/**
 * Builds the data set, starts the app on it with NODE_ENV=production, logs in as a program manager
 * and runs the measures, each next to its reference. Writes latest.json and latest.md to
 * `options.out` and returns the report.
 */
export function runBenchmark(options: BenchOptions): Promise<BenchReport> {
  return withDataSet(
    options,
    async ({ data, database, work, log, failures, startedAt, seconds }) => {
      const { measures } = await withTarget(
        sqliteStore(database),
        1,
        work,
        options.profile,
        (target) => runMeasures(target, data, work, options, failures, log),
      );
      const report: BenchReport = {
        startedAt,
        seconds: seconds(),
        machine: machine(),
        dataset: datasetOf(data),
        measures,
        failures,
      };
      mkdirSync(options.out, { recursive: true });
      writeFileSync(join(options.out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(join(options.out, 'latest.md'), markdown(report));
      return report;
    },
  );
}

/** What the engine comparison measures on each run: the four figures of its table. */
export const ENGINE_PARTS: readonly Part[] = ['csv', 'burndown', 'grants', 'writes'];

export interface EngineOptions extends BenchOptions {
  /** A database URL on the PostgreSQL server, used only to create and drop the bench's own. */
  postgres: string;
  /** A PostgreSQL run for each of these numbers of app instances. */
  instances: number[];
}

export interface EngineRun {
  engine: DatabaseEngine;
  instances: number;
  measures: Measure[];
  /** sha256 of the ledger CSV's header and data-set rows (readLines) as this run downloaded it. */
  csvSha256?: string;
}

export interface EnginesReport {
  startedAt: string;
  seconds: number;
  machine: Record<string, string | number>;
  dataset: BenchReport['dataset'];
  /** The data set's copy in PostgreSQL (its database is dropped at the end of the run). */
  copy: CopyReport & { database: string };
  /** SQLite with one instance first, then PostgreSQL with each number of instances. */
  runs: EngineRun[];
  /** Expenditures per second, PostgreSQL with 2 instances over SQLite; null without that run. */
  writesRatio: number | null;
  /** Correctness failures, each prefixed with its run; empty on a sound run. */
  failures: string[];
}

/** The requirement's target: PostgreSQL ×2 records this many times what one SQLite instance does. */
export const WRITES_RATIO_TARGET = 1.5;

const ENGINE_NAMES: Record<DatabaseEngine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
const runLabel = (run: Pick<EngineRun, 'engine' | 'instances'>) =>
  `${ENGINE_NAMES[run.engine]} ×${run.instances}`;

function numbersOf(run: EngineRun, id: Measure['id']): Record<string, number> | undefined {
  return run.measures.find((m) => m.id === id)?.numbers;
}

/**
 * The PostgreSQL runs' ledger CSV against SQLite's: the same data set must give the same bytes on
 * either engine (the app builds each line in the engine's own SQL). A difference is a failure.
 */
function compareCsv(runs: EngineRun[], failures: string[]): void {
  const sqlite = runs.find((run) => run.engine === 'sqlite')?.csvSha256;
  for (const run of runs) {
    if (run.engine === 'sqlite' || !sqlite || !run.csvSha256 || run.csvSha256 === sqlite) continue;
    failures.push(
      `${runLabel(run)}: the ledger CSV differs from SQLite's for the same data (sha256 ${run.csvSha256.slice(0, 12)}… against ${sqlite.slice(0, 12)}…).`,
    );
  }
}

function writesRatio(runs: EngineRun[]): number | null {
  const rate = (engine: DatabaseEngine, instances: number) => {
    const run = runs.find((r) => r.engine === engine && r.instances === instances);
    return run && numbersOf(run, 'expenditures')?.perSecond;
  };
  const [sqlite, postgres] = [rate('sqlite', 1), rate('postgres', 2)];
  return sqlite && postgres !== undefined ? round(postgres / sqlite, 2) : null;
}

function psqlVersion(): string {
  try {
    const version = execFileSync('psql', ['--version'], { encoding: 'utf8' });
    return /\d+(\.\d+)+/.exec(version)?.[0] ?? version.trim();
  } catch {
    return 'not found';
  }
}

/**
 * The requirement's comparison: builds the SQLite data set, copies it into a new PostgreSQL
 * database `bench_<random>` (copyDataset), runs the ENGINE_PARTS measures on SQLite with one
 * instance, then on PostgreSQL with each of `options.instances`, requests spread round-robin over
 * the instances. Writes engines.json and engines.md to `options.out`; the PostgreSQL database is
 * dropped at the end, also on error.
 */
export function runEngineComparison(options: EngineOptions): Promise<EnginesReport> {
  return withDataSet(
    options,
    async ({ data, database, work, log, failures, startedAt, seconds }) => {
      const postgres = await createBenchDatabase(options.postgres);
      try {
        log(`Copying the data set into the PostgreSQL database ${postgres.name} …`);
        const copy = await copyDataset(database, postgres.url, failures);
        log(
          `  ${thousands(copy.rows)} rows, ${Object.keys(copy.tables).length} tables in ${round(copy.seconds)} s`,
        );
        const plan = [
          { store: sqliteStore(database), instances: 1 },
          ...options.instances.map((instances) => ({
            store: postgresStore(postgres.url),
            instances,
          })),
        ];
        const runs: EngineRun[] = [];
        for (const { store, instances } of plan) {
          const label = runLabel({ engine: store.engine, instances });
          log(`${label}:`);
          const own: string[] = [];
          const result = await withTarget(store, instances, work, options.profile, (target) =>
            runMeasures(target, data, work, options, own, (line) => log(`  ${line}`), ENGINE_PARTS),
          );
          failures.push(...own.map((failure) => `${label}: ${failure}`));
          runs.push({ engine: store.engine, instances, ...result });
        }
        compareCsv(runs, failures);
        const report: EnginesReport = {
          startedAt,
          seconds: seconds(),
          machine: {
            ...machine(),
            psqlCli: psqlVersion(),
            postgresServer: await postgresVersion(postgres.url),
          },
          dataset: datasetOf(data),
          copy: { ...copy, seconds: round(copy.seconds), database: postgres.name },
          runs,
          writesRatio: writesRatio(runs),
          failures,
        };
        mkdirSync(options.out, { recursive: true });
        writeFileSync(join(options.out, 'engines.json'), `${JSON.stringify(report, null, 2)}\n`);
        writeFileSync(join(options.out, 'engines.md'), enginesMarkdown(report));
        return report;
      } finally {
        await postgres.drop();
      }
    },
  );
}

/** The comparison's rows, a run each, as both the console and engines.md show them. */
function engineRows(report: EnginesReport): string[][] {
  const sqliteSha = report.runs.find((run) => run.engine === 'sqlite')?.csvSha256;
  const rows = report.runs.map((run) => {
    const writes = numbersOf(run, 'expenditures');
    const grants = numbersOf(run, 'grants_list');
    const burndown = numbersOf(run, 'program_burndown');
    const csv = numbersOf(run, 'ledger_csv');
    const cli = run.engine === 'sqlite' ? 'sqlite3' : 'psql';
    const sameCsv =
      run.engine === 'sqlite' || !run.csvSha256 || !sqliteSha
        ? '–'
        : run.csvSha256 === sqliteSha
          ? 'yes'
          : 'NO';
    return [
      ENGINE_NAMES[run.engine],
      String(run.instances),
      writes ? `${thousands(writes.perSecond)}/s (${writes.lost} lost)` : '–',
      grants ? thousands(grants.rps) : '–',
      burndown ? ms(burndown.medianMs) : '–',
      csv
        ? `${round(csv.appMs / 1000, 2)} s vs ${cli} ${round(csv.cliMs / 1000, 2)} s (×${csv.ratio})`
        : '–',
      sameCsv,
    ];
  });
  return [
    [
      'Engine',
      'Instances',
      'Expenditures/s (lost)',
      'Grants list req/s',
      'Program burn-down median',
      'Ledger CSV vs CLI (ratio)',
      'CSV bytes = SQLite',
    ],
    ...rows,
  ];
}

/** The target line under the table. */
function ratioLine(report: EnginesReport): string {
  const target = `target ≥ ${WRITES_RATIO_TARGET}×`;
  if (report.writesRatio === null) {
    return `PostgreSQL ×2 / SQLite expenditures: not measured (${target}; run --instances 2 with the writes).`;
  }
  const met = report.writesRatio >= WRITES_RATIO_TARGET ? 'met' : 'NOT met';
  return `PostgreSQL ×2 / SQLite expenditures: ${report.writesRatio}× (${target}): ${met}`;
}

export function enginesMarkdown(report: EnginesReport): string {
  const m = report.machine;
  const d = report.dataset;
  const c = report.copy;
  const [head, ...rows] = engineRows(report);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const lines = [
    `Run ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC on ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, sqlite3 CLI ${m.sqlite3Cli}, PostgreSQL ${m.postgresServer} (psql ${m.psqlCli}).`,
    `Data: ${d.size.programs} programs, ${thousands(d.grants)} grants, ${thousands(d.ledgerRows)} ledger rows (built in ${round(d.buildSeconds)} s), copied to PostgreSQL: ${thousands(c.rows)} rows in ${Object.keys(c.tables).length} tables (${c.seconds} s).`,
    '',
    line(head),
    line(head.map(() => '---')),
    ...rows.map(line),
    '',
    ratioLine(report),
  ];
  if (report.failures.length > 0) {
    lines.push('', 'Correctness failures:', ...report.failures.map((f) => `- ${f}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Rows as columns padded to their widest cell, for the console. */
function aligned(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
}

function table(report: BenchReport): string {
  return aligned([
    ['Measure', 'Result', 'Reference (same run)', 'Target', 'Met'],
    ...report.measures.map((m) => [m.name, m.result, m.reference, m.target, m.met ? 'yes' : 'NO']),
  ]);
}

/** `--mix 25/25`: readers/writers of the mixed-load measure. */
function mixOf(text: string): { readers: number; writers: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (!match) throw new Error(`--mix takes READERS/WRITERS, e.g. 25/25; got ${text}.`);
  return { readers: Number(match[1]), writers: Number(match[2]) };
}

/** `--instances 1,2,4` or `--instances 2`: the PostgreSQL runs' numbers of app instances. */
function instancesOf(text: string): number[] {
  const counts = text.split(',').map((part) => Number(part.trim()));
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(
      `--instances takes whole numbers from 1, comma-separated (1,2,4); got ${text}.`,
    );
  }
  return counts;
}

/** The server for --engine postgres: --postgres URL, else BENCH_POSTGRES_URL. */
function postgresOf(flag: string | undefined): string {
  const url = flag ?? process.env.BENCH_POSTGRES_URL;
  if (!url) {
    throw new Error(
      '--engine postgres needs a PostgreSQL server the bench may create a database on: --postgres postgres://user@host:port/postgres, or BENCH_POSTGRES_URL.',
    );
  }
  if (!isPostgresUrl(url)) throw new Error(`--postgres takes a postgres:// URL; got ${url}.`);
  return url;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const sizeName = value('--size') ?? 'full';
  if (sizeName !== 'full' && sizeName !== 'tiny') throw new Error('--size is full or tiny.');
  const size = { ...SIZES[sizeName] };
  if (value('--rows')) size.ledgerRows = Number(value('--rows'));
  const tiny = sizeName === 'tiny';
  const only = value('--only')?.split(',');
  const unknown = only?.find((part) => !(PARTS as readonly string[]).includes(part));
  if (unknown)
    throw new Error(`--only takes ${PARTS.join(', ')} (comma-separated); got ${unknown}.`);
  const engine = value('--engine');
  if (engine !== undefined && engine !== 'postgres') {
    throw new Error(`--engine takes postgres (SQLite runs beside it); got ${engine}.`);
  }
  if (!engine && (value('--instances') || value('--postgres'))) {
    throw new Error('--instances and --postgres go with --engine postgres.');
  }
  const out = value('--out') ?? 'benchmarks';
  const options: BenchOptions = {
    size,
    seconds: Number(value('--seconds') ?? (tiny ? 1 : 10)),
    samples: Number(value('--samples') ?? (tiny ? 10 : 50)),
    csvRuns: Number(value('--csv-runs') ?? (tiny ? 1 : 3)),
    out,
    database: value('--db') && resolve(value('--db')!),
    reuse: args.includes('--reuse'),
    profile: value('--profile') && resolve(value('--profile')!),
    only: only as Part[] | undefined,
    mix: value('--mix') ? mixOf(value('--mix')!) : undefined,
  };
  if (engine) {
    const report = await runEngineComparison({
      ...options,
      postgres: postgresOf(value('--postgres')),
      instances: instancesOf(value('--instances') ?? '1,2,4'),
    });
    console.log(`\n${aligned(engineRows(report))}\n\n${ratioLine(report)}\n`);
    for (const failure of report.failures) console.error(`FAILED: ${failure}`);
    console.log(`Written to ${join(out, 'engines.{json,md}')}`);
    process.exitCode = report.failures.length > 0 ? 1 : 0;
    return;
  }
  const report = await runBenchmark(options);
  console.log(`\n${table(report)}\n`);
  for (const failure of report.failures) console.error(`FAILED: ${failure}`);
  console.log(`Written to ${join(out, 'latest.{json,md}')}`);
  process.exitCode = report.failures.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
