import type { Browser, Page, Response } from 'playwright-core';
import { Clock } from '../src/common/clock';
import type { Grant } from '../src/grants/grant.entity';
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
} from './helpers/factories';
import { createTestApp, rows, TestApp } from './helpers/test-app';

const TODAY = '2026-06-15';
const SHOTS = process.env.LEDGER_SCREENSHOTS;

/**
 * A program manager records an expenditure, reverses it and imports a CSV file through the real forms:
 * the multipart upload and commit carry their CSRF token in the form body, as a browser sends it.
 * Runs with `npm run test:browser`.
 */
describe('The expenditure ledger in a real browser', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let grant: Grant;

  beforeAll(async () => {
    requireChromium();
    t = await createTestApp();
    jest.spyOn(t.app.get(Clock), 'today').mockReturnValue(TODAY);
    grant = (await makeGrantWithProgram(t)).grant;
    await makeBudgetPeriods(t, grant.id, [
      { startDate: '2025-04-01', endDate: '2026-03-31' },
      { startDate: '2026-04-01', endDate: '2028-03-31' },
    ]);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
    await makeMilestone(t, {
      grantId: grant.id,
      budgetPeriod: 1,
      kind: 'go_no_go',
      dueDate: '2026-03-31',
      decision: 'go',
      decidedOn: '2026-03-15',
      status: 'complete',
      completedOn: '2026-03-15',
    });
    const baseUrl = await listen(t);
    browser = await launchChromium();
    page = await newPage(browser, baseUrl);
    await page.goto('/login');
    expect(await signInThroughForm(page, 'manager@example.gov')).toBe(303);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await browser?.close();
    await t?.close();
  });

  async function submit(button: string | RegExp, action: string): Promise<Response> {
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === action,
      ),
      page.getByRole('button', { name: button }).click(),
    ]);
    await page.waitForLoadState('domcontentloaded');
    return response;
  }

  const shot = async (name: string) => {
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  };

  it('should record an expenditure from the form, refusing a future date next to the field first', async () => {
    await page.goto(`/ledger/new?grantId=${grant.id}`);
    await page.selectOption('#f-budgetPeriod', '2');
    await page.selectOption('#f-category', 'supplies');
    await page.fill('#f-incurredOn', '2026-06-16');
    await page.fill('#f-amount', '1,250.50');
    await page.check('#f-share-federal');
    await page.fill('#f-reference', 'INV-1041');
    await page.fill('#f-memo', 'Ion-exchange resin');
    const refused = await submit('Record expenditure', '/ledger');
    expect(refused.status()).toBe(422);
    expect(await page.locator('#f-incurredOn-error').innerText()).toContain(
      'cannot be in the future (today is Jun 15, 2026)',
    );
    expect(await page.inputValue('#f-amount')).toBe('1,250.50');
    await shot('ledger-new-refused');

    await page.fill('#f-incurredOn', '2026-06-01');
    const saved = await submit('Record expenditure', '/ledger');
    expect(saved.status()).toBe(303);
    expect(await page.getByTestId('amount').innerText()).toBe('$1,250.50');
    await shot('ledger-show');
  });

  it('should reverse the entry with a reason, once', async () => {
    const [entry] = await rows<{ id: number }>(t!, 'SELECT id FROM expenditures');
    await page.goto(`/ledger/${entry.id}`);
    await page.fill('#f-reason', 'Duplicate of INV-1040');
    const asked = await submit(`Reverse entry #${entry.id}`, `/ledger/${entry.id}/reverse`);
    expect(asked.status()).toBe(200);
    expect(await page.getByTestId('reason').innerText()).toBe('Duplicate of INV-1040');
    const reversed = await submit(/^Reverse entry$/, `/ledger/${entry.id}/reverse/confirm`);
    expect(reversed.status()).toBe(303);
    expect(await page.getByTestId('reverses').innerText()).toContain(`entry #${entry.id}`);
    await page.goto(`/ledger/${entry.id}`);
    expect(await page.getByTestId('reversed-by').innerText()).toContain('Duplicate of INV-1040');
    expect(await page.locator('#f-reason').count()).toBe(0);
  });

  it('should preview an uploaded CSV file and commit it', async () => {
    await page.goto('/ledger/import');
    await page.setInputFiles('#f-file', {
      name: 'june.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'award_number,budget_period,category,incurred_on,amount,share,reference,memo\n' +
          `${grant.awardNumber},2,personnel,2026-05-31,"12,000.00",federal,DD-2026-05,May salaries\n` +
          `${grant.awardNumber},2,travel,2026-06-02,480.10,cost_share,TR-77,"Site visit, Wyoming"\n`,
      ),
    });
    const preview = await submit('Preview the import', '/ledger/import');
    expect(preview.status()).toBe(200);
    expect(await page.getByTestId('preview-status').innerText()).toContain('All 2 rows pass');
    await shot('ledger-import-preview');

    const committed = await submit(/^Commit 2 entries/, '/ledger/import/commit');
    expect(committed.status()).toBe(303);
    expect(await page.locator('body').innerText()).toContain('Imported 2 entries from june.csv');
    expect(await page.getByTestId('count').innerText()).toBe('4');
    await shot('ledger-index');
    const imported = await rows(
      t!,
      "SELECT reference, amount_cents, memo FROM expenditures WHERE reference IN ('DD-2026-05', 'TR-77') ORDER BY id",
    );
    expect(imported).toEqual([
      { reference: 'DD-2026-05', amount_cents: 12_000_00, memo: 'May salaries' },
      { reference: 'TR-77', amount_cents: 480_10, memo: 'Site visit, Wyoming' },
    ]);
  });
  it('should show a recorded expenditure in the burn-down table and chart', async () => {
    const burndown = `/grants/${grant.id}/burndown`;
    const snapshot = async () => {
      await page.goto(burndown);
      const src = (await page.getByTestId('chart').getAttribute('src'))!;
      const svg = await (await page.request.get(src)).text();
      return {
        spent: await page.getByTestId('spent').innerText(),
        may: await page.locator('tr[data-month="2026-05"] td').nth(3).innerText(),
        caption: await page.getByTestId('chart-caption').innerText(),
        svg,
      };
    };
    const before = await snapshot();
    expect(before.svg).toContain('<svg');

    await page.goto(`/ledger/new?grantId=${grant.id}`);
    await page.selectOption('#f-budgetPeriod', '2');
    await page.selectOption('#f-category', 'equipment');
    await page.fill('#f-incurredOn', '2026-05-20');
    await page.fill('#f-amount', '20,000.00');
    await page.check('#f-share-federal');
    await page.fill('#f-reference', 'PO-2026-118');
    expect((await submit('Record expenditure', '/ledger')).status()).toBe(303);

    const after = await snapshot();
    const dollars = (text: string) => Number(text.replace(/[$,]/g, ''));
    expect(dollars(after.spent) - dollars(before.spent)).toBeCloseTo(20_000, 2);
    expect(dollars(after.may) - dollars(before.may)).toBeCloseTo(20_000, 2);
    expect(after.caption).not.toBe(before.caption);
    expect(after.svg).not.toBe(before.svg);
    await shot('grant-burndown');
  });
});
