/**
 * `npm run screenshots`: the README's pictures, made the same way every time. Starts the compiled
 * app on a throwaway SQLite file with the illustrative demo program, signs in as the demo program
 * manager in Debian's Chromium, and saves the dashboard, the ledger, a grant's page and the reports
 * index at 1366 and 390 px wide (the first screen of each) to docs/screenshots/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'docs', 'screenshots');
const PORT = Number(process.env.SCREENSHOT_PORT ?? 3917);
const PASSWORD = 'cobalt harbour violin ledger';
const PAGES: Array<[name: string, path: string]> = [
  ['dashboard', '/'],
  ['ledger', '/ledger'],
  ['grant', '/grants/4'],
  ['reports', '/reports'],
];
const WIDTHS = [1366, 390];

async function waitForApp(base: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/login`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error('The app did not start within 30 s');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'grant-tracker-screenshots-'));
  const app = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      SESSION_SECRET: 'screenshots-only-secret-'.padEnd(40, 'x'),
      DATABASE_PATH: join(dir, 'demo.sqlite'),
      PORT: String(PORT),
      DEMO_PASSWORD: PASSWORD,
      SEED_DEMO: 'true',
    },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${PORT}`;
  try {
    await waitForApp(base);
    mkdirSync(OUT, { recursive: true });
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    for (const width of WIDTHS) {
      const context = await browser.newContext({
        viewport: { width, height: width < 600 ? 844 : 900 },
      });
      const page = await context.newPage();
      await page.goto(`${base}/login`);
      await page.fill('input[name=email]', 'manager@demo.local');
      await page.fill('input[name=password]', PASSWORD);
      await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
      for (const [name, path] of PAGES) {
        await page.goto(`${base}${path}`);
        const file = join(OUT, `${name}-${width}.png`);
        await page.screenshot({ path: file }); // the first screen, as a person sees it
        console.log(file);
      }
      await context.close();
    }
    await browser.close();
  } finally {
    app.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
