import type { Browser, Page, Response } from 'playwright-core';
import {
  launchChromium,
  listen,
  newPage,
  requireChromium,
  signInThroughForm,
} from './helpers/browser';
import {
  makeAmendment,
  makeBudgetPeriods,
  makeGrantWithProgram,
  makeMilestone,
  makeTechnology,
} from './helpers/factories';
import { createTestApp, rows, TestApp } from './helpers/test-app';

/**
 * A program manager records a TRL assessment and a go/no-go decision through the real forms, and the
 * decision opens budget period 2 to incremental funding (rule 7), which the manager requests and an
 * approving official approves in the queue. Runs with `npm run test:browser`.
 */
describe('Technologies and go/no-go decisions in a real browser', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let baseUrl: string;

  beforeAll(async () => {
    requireChromium();
    t = await createTestApp();
    baseUrl = await listen(t);
    browser = await launchChromium();
    page = await newPage(browser, baseUrl);
    await page.goto('/login');
    expect(await signInThroughForm(page, 'manager@example.gov')).toBe(303);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Clicks a submit button and returns the form POST's response once the next page has loaded. */
  async function submit(button: string, action: string, on = page): Promise<Response> {
    const [response] = await Promise.all([
      on.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === action,
      ),
      on.getByRole('button', { name: button }).click(),
    ]);
    await on.waitForLoadState('domcontentloaded');
    return response;
  }

  it('should record a TRL assessment that becomes the current TRL, with its evidence in the history', async () => {
    const technology = await makeTechnology(t!, { currentTrl: 3, targetTrl: 6 });
    await page.goto(`/technologies/${technology.id}`);
    expect(await page.getByTestId('current-trl').innerText()).toContain('3 —');

    // An assessment without evidence is refused next to the field, and nothing is recorded.
    await page.fill('#f-assessedOn', '2026-06-15');
    await page.selectOption('#f-trl', '4');
    const refused = await submit('Record assessment', `/technologies/${technology.id}/assessments`);
    expect(refused.status()).toBe(422);
    expect(await page.locator('#f-evidence-error').innerText()).not.toBe('');

    await page.fill('#f-evidence', 'Bench loop ran 500 h at 92 % Dy recovery (test report TR-14).');
    const saved = await submit('Record assessment', `/technologies/${technology.id}/assessments`);
    expect(saved.status()).toBe(303);
    expect(await page.getByTestId('current-trl').innerText()).toContain(
      '4 — Component and/or system validation in a laboratory environment',
    );
    const newest = page.locator('h2#assessments + p + .app-table-scroll table tbody tr').first();
    expect(await newest.innerText()).toContain('Jun 15, 2026');
    expect(await newest.innerText()).toContain('TR-14');
    expect(await newest.innerText()).toContain('manager@example.gov');

    const stored = await rows<{ trl: number }>(
      t!,
      `SELECT trl FROM trl_assessments WHERE technology_id = ${technology.id} ORDER BY id`,
    );
    expect(stored.map((a) => a.trl)).toEqual([3, 4]);
  });

  it('should record a go decision that lets budget period 2 be funded once an approving official approves it', async () => {
    const { grant } = await makeGrantWithProgram(t!);
    await makeBudgetPeriods(t!, grant.id, [
      { startDate: '2025-04-01', endDate: '2026-09-30' },
      { startDate: '2026-10-01', endDate: '2028-03-31' },
    ]);
    await makeAmendment(t!, { grantId: grant.id, federalChangeCents: 500_000_00 });
    const gate = await makeMilestone(t!, {
      grantId: grant.id,
      kind: 'go_no_go',
      title: 'BP1 go/no-go: 90 % Dy recovery at bench scale',
      dueDate: '2026-09-30',
    });
    const fundBp2 = async () => {
      await page.goto(`/grants/${grant.id}/amendments/new`);
      await page.fill('#f-effectiveDate', '2026-10-20');
      await page.selectOption('#f-kind', 'incremental_funding');
      await page.fill('#f-federalChange', '250,000.00');
      await page.fill('#f-justification', 'The go decision opens budget period 2.');
      return submit('Request approval', `/grants/${grant.id}/amendments`);
    };

    const refused = await fundBp2();
    expect(refused.status()).toBe(422);
    expect(await page.locator('#f-effectiveDate-error').innerText()).toContain(
      '“BP1 go/no-go: 90 % Dy recovery at bench scale” (due Sep 30, 2026), still pending',
    );

    const official = await newPage(browser!, baseUrl);
    try {
      await official.goto('/login');
      expect(await signInThroughForm(official, 'approver@example.gov')).toBe(303);
      /** The official opens the request the manager's page landed on and approves it. */
      const approve = async (requestPath: string) => {
        await official.goto(requestPath);
        expect(await official.locator('#verdict + .usa-alert').innerText()).toContain(
          'Every rule passes today',
        );
        return submit('Approve', `${requestPath}/approve`, official);
      };

      // The decision is a request too: the gate stays pending until the official approves it.
      await page.goto(`/milestones/${gate.id}`);
      // USWDS hides the radio input itself and styles its label, which is what a user clicks.
      await page.click('label[for="f-decision-go"]');
      expect(await page.isChecked('#f-decision-go')).toBe(true);
      await page.fill('#f-decidedOn', '2026-10-02');
      await page.fill(
        '#f-rationale',
        'Three bench runs above 90 % recovery; reviewed by the panel.',
      );
      await page.fill('#f-justification', 'The panel reviewed the bench runs on Oct 2.');
      const decided = await submit('Request approval', `/milestones/${gate.id}/decision`);
      expect(decided.status()).toBe(303);
      const decisionRequest = new URL(page.url()).pathname;
      expect(decisionRequest).toMatch(/^\/approvals\/\d+$/);
      await page.goto(`/milestones/${gate.id}`);
      expect(await page.locator('#pending-requests').innerText()).toContain('Go on “BP1 go/no-go');
      expect((await approve(decisionRequest)).status()).toBe(303);
      await page.goto(`/milestones/${gate.id}`);
      // textContent, not innerText: the tag's CSS upper-cases what is shown.
      expect((await page.getByTestId('decision').textContent())?.trim()).toBe('Go');
      const [event] = await rows<{ action: string; actor_email: string }>(
        t!,
        `SELECT action, actor_email FROM audit_events WHERE entity_type = 'milestone' AND entity_id = ${gate.id} ORDER BY id DESC LIMIT 1`,
      );
      expect(event).toEqual({ action: 'decision', actor_email: 'approver@example.gov' });

      // The manager's request changes nothing until the approving official approves it in the queue.
      const requested = await fundBp2();
      expect(requested.status()).toBe(303);
      expect(new URL(page.url()).pathname).toMatch(/^\/approvals\/\d+$/);
      await page.goto(`/grants/${grant.id}`);
      expect(await page.getByTestId('obligated').innerText()).toBe('$500,000.00');
      expect(await page.locator('#pending-requests').innerText()).toContain(
        'Incremental funding of $250,000.00',
      );

      await official.goto('/approvals');
      await official
        .getByRole('link', { name: /Amendment/ })
        .first()
        .click();
      await official.waitForLoadState('domcontentloaded');
      expect((await approve(new URL(official.url()).pathname)).status()).toBe(303);
    } finally {
      await official.close();
    }

    await page.goto(`/grants/${grant.id}`);
    expect(await page.getByTestId('obligated').innerText()).toBe('$750,000.00');
    expect(await page.locator('#pending-requests').count()).toBe(0);
    await page.goto(`/grants/${grant.id}/burndown`);
    expect(await page.getByTestId('obligated').innerText()).toBe('$750,000.00');
  });
});
