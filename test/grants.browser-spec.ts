import type { Browser, Page } from 'playwright-core';
import {
  launchChromium,
  listen,
  newPage,
  redirectStatus,
  requireChromium,
  signInThroughForm,
} from './helpers/browser';
import { makeProgram, makeRecipient } from './helpers/factories';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * The grant form driven by a real Chromium: real sign-in, real form encoding, real 303 redirect, real
 * flash cookie. Runs with `npm run test:browser`; needs Debian's Chromium at /usr/bin/chromium.
 */
describe('Grants in a real browser', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let programId: number;
  let recipientId: number;

  beforeAll(async () => {
    requireChromium();
    t = await createTestApp();
    const baseUrl = await listen(t);

    programId = (await makeProgram(t)).id;
    recipientId = (await makeRecipient(t, { name: 'Colorado School of Mines' })).id;

    browser = await launchChromium();
    page = await newPage(browser, baseUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Clicks the form's submit button and returns the response of the POST it sends. */
  async function submit(path: string) {
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path,
      ),
      page.getByRole('button', { name: 'Create grant' }).click(),
    ]);
    await page.waitForLoadState('domcontentloaded');
    return response;
  }

  it('should refuse a cost share with three decimals next to the field, then create the grant once corrected', async () => {
    // Not signed in yet: the form sends us to the login page, which brings us back after sign-in.
    const redirected = await page.goto('/grants/new');
    expect(await redirectStatus(redirected)).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/grants/new');
    expect(await signInThroughForm(page, 'manager@example.gov')).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/grants/new');
    expect(await page.getByTestId('current-user').textContent()).toBe('manager@example.gov');

    expect(await page.locator('h1').textContent()).toBe('New grant');

    await page.selectOption('#f-programId', String(programId));
    await page.selectOption('#f-recipientId', String(recipientId));
    await page.fill('#f-awardNumber', 'DE-SC0031987');
    await page.fill('#f-title', 'Ligand design for lanthanide separation');
    await page.fill('#f-piName', 'Dr. Grace Example');
    await page.fill('#f-piEmail', 'grace@example.edu');
    await page.selectOption('#f-status', 'draft');
    await page.fill('#f-startDate', '2025-04-01');
    await page.fill('#f-endDate', '2028-03-31');
    await page.fill('#f-costShareCommitted', '12.345');

    // First submit: refused, the form comes back with 422 and a message next to the field.
    const refused = await submit('/grants');
    expect(refused.status()).toBe(422);
    expect(new URL(page.url()).pathname).toBe('/grants');

    const fieldError = page.locator('#f-costShareCommitted-error');
    expect(await fieldError.textContent()).toContain('Use at most two decimal places');
    expect(await page.getAttribute('#f-costShareCommitted', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#f-costShareCommitted', 'aria-describedby')).toBe(
      'f-costShareCommitted-error',
    );
    expect(await page.locator('[role="alert"]').textContent()).toContain(
      'Use at most two decimal places',
    );

    // Everything typed is still there, so only the wrong field needs fixing.
    expect(await page.inputValue('#f-programId')).toBe(String(programId));
    expect(await page.inputValue('#f-recipientId')).toBe(String(recipientId));
    expect(await page.inputValue('#f-awardNumber')).toBe('DE-SC0031987');
    expect(await page.inputValue('#f-title')).toBe('Ligand design for lanthanide separation');
    expect(await page.inputValue('#f-piName')).toBe('Dr. Grace Example');
    expect(await page.inputValue('#f-piEmail')).toBe('grace@example.edu');
    expect(await page.inputValue('#f-status')).toBe('draft');
    expect(await page.inputValue('#f-startDate')).toBe('2025-04-01');
    expect(await page.inputValue('#f-endDate')).toBe('2028-03-31');
    expect(await page.inputValue('#f-costShareCommitted')).toBe('12.345');

    // Second submit: corrected, redirected to the new grant with the flash message.
    await page.fill('#f-costShareCommitted', '$250,000.00');
    const created = await submit('/grants');
    expect(created.status()).toBe(303);
    await page.waitForURL(/\/grants\/\d+$/);
    const grantPath = new URL(page.url()).pathname;
    expect(grantPath).toMatch(/^\/grants\/\d+$/);

    expect(await page.locator('[role="status"]').textContent()).toContain(
      'Grant DE-SC0031987 created.',
    );
    expect(await page.locator('h1').textContent()).toBe('DE-SC0031987');
    const details = await page.locator('main').innerText();
    expect(details).toContain('Colorado School of Mines');
    expect(details).toContain('$250,000.00');

    // The flash is shown once only.
    await page.reload();
    expect(await page.locator('[role="status"]').count()).toBe(0);

    // The list shows the new grant, linking to it.
    const list = await page.goto('/grants');
    expect(list?.status()).toBe(200);
    const link = page.locator('tbody').getByRole('link', { name: 'DE-SC0031987' });
    expect(await link.count()).toBe(1);
    expect(await link.getAttribute('href')).toBe(grantPath);
  });
});
