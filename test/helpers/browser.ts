import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import type { TestApp } from './test-app';
import { TEST_PASSWORD } from './users';

/**
 * Shared set-up for the browser specs (`npm run test:browser`): they need Debian's Chromium at
 * /usr/bin/chromium (apt-get install chromium).
 */
export const CHROMIUM = '/usr/bin/chromium';

/** Fails loudly, with the fix, when Chromium is missing: a skipped browser test would hide that. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the browser tests need it. ` +
        'Install it with: apt-get update && apt-get install -y chromium',
    );
  }
}

/** Headless Chromium, quiet on the network: no background updates, sync or QUIC. */
export function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/** Starts the test app on a free local port and returns its base URL. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** A fresh page (own cookies, so no session yet) on the app. */
export async function newPage(browser: Browser, baseURL: string): Promise<Page> {
  const page = await browser.newPage({ baseURL });
  page.setDefaultTimeout(15_000);
  return page;
}

/** The status of the redirect that led to a response (page.goto returns the last one), if any. */
export async function redirectStatus(response: Response | null): Promise<number | undefined> {
  const redirect = response?.request().redirectedFrom();
  return (await redirect?.response())?.status();
}

/**
 * On the login page, signs in through the real form and waits to leave it. Returns the status of the
 * POST, so a failed sign-in (401, 429) shows up in the test rather than as a timeout.
 */
export async function signInThroughForm(
  page: Page,
  email: string,
  password = TEST_PASSWORD,
): Promise<number> {
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login',
    ),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  // A successful sign-in redirects (303) to the `next` path, which is never the login page itself.
  if (response.status() === 303) await page.waitForURL((url) => url.pathname !== '/login');
  await page.waitForLoadState('domcontentloaded');
  return response.status();
}
