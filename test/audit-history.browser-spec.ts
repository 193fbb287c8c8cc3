import type { Browser, Page } from 'playwright-core';
import {
  launchChromium,
  listen,
  newPage,
  redirectStatus,
  requireChromium,
  signInThroughForm,
} from './helpers/browser';
import { makeGrantWithProgram } from './helpers/factories';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * An edit made in a real browser shows up in the grant's History, credited to the signed-in user;
 * signing out ends the session. Runs with `npm run test:browser`; needs Debian's Chromium.
 */
describe('Grant history in a real browser', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    requireChromium();
    t = await createTestApp();
    const baseUrl = await listen(t);
    browser = await launchChromium();
    page = await newPage(browser, baseUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('should record an edit in the History as the signed-in manager, and sign out', async () => {
    const { grant } = await makeGrantWithProgram(t!);
    const grantPath = `/grants/${grant.id}`;
    const oldTitle = grant.title;
    const newTitle = 'Scandium recovery from red mud';

    // Sign in through the real form, which brings us back to the edit form.
    const redirected = await page.goto(`${grantPath}/edit`);
    expect(await redirectStatus(redirected)).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await signInThroughForm(page, 'manager@example.gov')).toBe(303);
    expect(new URL(page.url()).pathname).toBe(`${grantPath}/edit`);
    expect(await page.getByTestId('current-user').textContent()).toBe('manager@example.gov');

    // Change the title and save.
    expect(await page.inputValue('#f-title')).toBe(oldTitle);
    await page.fill('#f-title', newTitle);
    const [saved] = await Promise.all([
      page.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === grantPath,
      ),
      page.getByRole('button', { name: 'Save grant' }).click(),
    ]);
    expect(saved.status()).toBe(303);
    await page.waitForURL((url) => url.pathname === grantPath);

    expect(await page.locator('[role="status"]').textContent()).toContain(
      `Grant ${grant.awardNumber} saved.`,
    );
    expect(await page.locator('.usa-intro').textContent()).toBe(newTitle);

    // The History table has the update, by the manager, with the title's before and after.
    const history = page.locator('h2#history + .app-table-scroll table');
    await expect(history.locator('thead th').allTextContents()).resolves.toEqual([
      'When',
      'Who',
      'Action',
      'Changes',
    ]);
    const updates = history
      .locator('tbody tr')
      .filter({ has: page.locator('td:nth-child(3)', { hasText: /^Update$/ }) });
    expect(await updates.count()).toBe(1);
    const cells = updates.first().locator('td');
    expect(await cells.nth(1).innerText()).toContain('manager@example.gov');
    expect(await cells.nth(2).innerText()).toBe('Update');
    const changes = await cells.nth(3).locator('div').allInnerTexts();
    expect(changes).toContain(`Title: ${oldTitle} → ${newTitle}`);
    expect(
      await cells
        .nth(3)
        .locator('strong', { hasText: /^Title$/ })
        .count(),
    ).toBe(1);

    // Sign out with the header button: back on the login page, and the grant is closed to us.
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/login'),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.getByTestId('current-user').count()).toBe(0);

    const after = await page.goto(grantPath);
    expect(await redirectStatus(after)).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe(grantPath);
  });
});
