// axe runs inside the page: its result types come from the DOM's.
/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { AxeResults } from 'axe-core';
import { Clock } from '../src/common/clock';
import { launchChromium, listen, requireChromium, signInThroughForm } from './helpers/browser';
import {
  makeAmendment,
  makeBudget,
  makeBudgetPeriods,
  makeGrant,
  makeGrantWithProgram,
  makeMilestone,
  makePlannedSpend,
  makeTechnology,
  spend,
  TWO_BUDGET_PERIODS,
} from './helpers/factories';
import { JUSTIFICATION, requestIdOf } from './helpers/approvals';
import { createTestApp, rows, TestApp } from './helpers/test-app';

const TODAY = '2026-06-15';
/** axe-core's own source, evaluated in each page (the app's CSP would refuse a script tag). */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA. */
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** One line per violated rule and node, to read in the test's failure. */
async function violations(page: Page, name: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(
    (tags) =>
      (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<AxeResults> } }).axe
        .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
        .then((r) =>
          r.violations.map((v) => ({
            id: v.id,
            nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
          })),
        ),
    WCAG_AA,
  );
  return results.flatMap((v) =>
    v.nodes.map((node) => `${name} [${v.id}] ${node.replace(/\s+/g, ' ')}`),
  );
}

/**
 * Issue 15, item 11: every page a program manager, an auditor or an administrator reaches, forms
 * included in their error state, has no WCAG 2 A or AA violation that axe-core can find.
 */
describe('Accessibility of every page (axe-core, WCAG 2 A and AA)', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let baseUrl: string;
  let grantId: number;
  let programId: number;
  /** Grants behind (the main one), ahead of and on their plan. */
  const byFlag: Record<'under' | 'over' | 'on_plan', number> = { under: 0, over: 0, on_plan: 0 };
  const readPages: [string, string][] = [];
  const managerPages: [string, string][] = [];

  beforeAll(async () => {
    requireChromium();
    t = await createTestApp();
    jest.spyOn(t.app.get(Clock), 'today').mockReturnValue(TODAY);
    const { program, grant, recipient } = await makeGrantWithProgram(
      t,
      { name: 'Critical Materials Recovery and Separation Program' },
      { awardNumber: 'DE-EE0012345-0001', title: 'Selective extraction of rare earths' },
    );
    grantId = grant.id;
    programId = program.id;
    byFlag.under = grant.id;
    // Planned $100,000.00 by June 2025: $134,000.00 spent is 34 % ahead, $103,000.00 is on plan.
    for (const [kind, spentCents] of [
      ['over', 134_000_00],
      ['on_plan', 103_000_00],
    ] as const) {
      const other = await makeGrant(t, { programId: program.id, recipientId: recipient.id });
      byFlag[kind] = other.id;
      await makeAmendment(t, { grantId: other.id, federalChangeCents: 500_000_00 });
      await makeBudget(t, other.id, [[1, 'personnel', 500_000_00, 0]]);
      await makePlannedSpend(t, other.id, [[1, 'personnel', '2025-06', 100_000_00, 0]]);
      await spend(t, other.id, '2025-06-10', spentCents);
    }
    await makeBudgetPeriods(t, grant.id, TWO_BUDGET_PERIODS);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 1_250_000_00 });
    await makeBudget(t, grant.id, [
      [1, 'personnel', 600_000_00, 100_000_00],
      [1, 'equipment', 400_000_00, 50_000_00],
      [2, 'personnel', 250_000_00, 0],
    ]);
    await makePlannedSpend(t, grant.id, [
      [1, 'personnel', '2025-05', 50_000_00, 0],
      [1, 'equipment', '2025-06', 400_000_00, 0],
    ]);
    await spend(t, grant.id, '2025-05-15', 48_123_45);
    await spend(t, grant.id, '2025-06-30', 101_999_99, { category: 'equipment' });
    const technology = await makeTechnology(t);
    const milestone = await makeMilestone(t, { grantId: grant.id, kind: 'go_no_go' });
    const [entry] = await rows<{ id: number }>(t, 'SELECT id FROM expenditures LIMIT 1');
    // A pending request, for the approvals pages.
    const request = requestIdOf(
      await t.http().post(`/grants/${grant.id}/amendments`).type('form').send({
        effectiveDate: '2025-06-01',
        kind: 'deobligation',
        federalChange: '-10.00',
        justification: JUSTIFICATION,
      }),
    );
    readPages.push(
      ['dashboard', '/'],
      ['grants', '/grants'],
      ['grant', `/grants/${grant.id}`],
      ['grant as of', `/grants/${grant.id}?asOf=2025-06-01`],
      ['ledger', '/ledger'],
      ['entry', `/ledger/${entry.id}`],
      ['program burn-down', `/reports/burndown?programId=${program.id}`],
      ['grant burn-down', `/grants/${grant.id}/burndown`],
      ['SF-425', `/grants/${grant.id}/sf425`],
      ['reconciliation', '/reports/reconciliation'],
      ['reports', '/reports'],
      ['reports of a program', `/reports?programId=${program.id}`],
      [
        'bad per-grant report',
        `/reports/for-grant?report=sf425&programId=${program.id}&grantId=99999&asOf=2999-01-01`,
      ],
      ...['grants', 'amendments', 'budget-lines', 'ledger', 'milestones', 'technologies'].map(
        (name): [string, string] => [`report ${name}`, `/reports/${name}`],
      ),
      ['report cost share', '/reports/cost-share'],
      ['report audit', '/reports/audit'],
      ['technologies', '/technologies'],
      ['technology', `/technologies/${technology.id}`],
      ['portfolio', '/technologies/portfolio'],
      ['milestones', '/milestones'],
      ['milestones dashboard', '/milestones/dashboard'],
      ['milestone', `/milestones/${milestone.id}`],
      ['grant milestones', `/grants/${grant.id}/milestones`],
      ['recipients', '/recipients'],
      ['programs', '/programs'],
      ['program', `/programs/${program.id}`],
      ['audit', '/audit'],
      ['budget', `/grants/${grant.id}/budget`],
      ['approvals', '/approvals'],
      ['request', `/approvals/${request}`],
      ['deadlines', '/deadlines'],
      ['inbox', '/inbox'],
      ['calendar', '/calendar'],
      ['segregation of duties', '/reports/segregation-of-duties'],
      ['approvals register', '/reports/approvals'],
      ['bad ledger filter', '/ledger?from=2025-13-45'],
      ['bad report filter', '/reports/ledger?from=not-a-date'],
    );
    managerPages.push(
      ['import', '/ledger/import'],
      ['new entry', '/ledger/new'],
      ['new grant', '/grants/new'],
      ['grant edit', `/grants/${grant.id}/edit`],
      ['new amendment', `/grants/${grant.id}/amendments/new`],
      ['budget periods', `/grants/${grant.id}/budget-periods/edit`],
      ['budget edit', `/grants/${grant.id}/budget/edit`],
      ['rebudget', '/budgets/rebudget'],
      ['grant technologies', `/grants/${grant.id}/technologies/edit`],
      ['new milestone', `/grants/${grant.id}/milestones/new`],
      ['new technology', '/technologies/new'],
    );
    baseUrl = await listen(t);
    browser = await launchChromium();
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await browser?.close();
    await t?.close();
  });

  /** A page signed in as `email`, in a context of its own. */
  async function signedIn(email: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser!.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto('/login');
    expect(await signInThroughForm(page, email)).toBe(303);
    return { context, page };
  }

  async function crawl(page: Page, pages: [string, string][]): Promise<string[]> {
    const found: string[] = [];
    for (const [name, path] of pages) {
      const response = await page.goto(path);
      const status = response?.status();
      expect([path, status === 200 || status === 400]).toEqual([path, true]);
      found.push(...(await violations(page, name)));
    }
    return found;
  }

  /**
   * Submits the page's main form with `values` filled in (the browser's own validation off, as a
   * server-side refusal is what is under test), expects the form back with its errors, and checks it.
   */
  async function refused(
    page: Page,
    name: string,
    path: string,
    values: Record<string, string>,
  ): Promise<string[]> {
    await page.goto(path);
    const form = page.locator('main form[method="post"]').last();
    await form.evaluate((f: HTMLFormElement) => {
      f.noValidate = true;
    });
    for (const [selector, value] of Object.entries(values)) {
      const field = form.locator(selector);
      if ((await field.evaluate((el) => el.tagName)) === 'SELECT') {
        await field.selectOption(value);
      } else {
        await field.fill(value);
      }
    }
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      form.locator('[type="submit"]').last().click(),
    ]);
    expect([name, [400, 422].includes(response.status())]).toEqual([name, true]);
    await page.waitForLoadState('domcontentloaded');
    expect(await page.locator('.usa-error-message').count()).toBeGreaterThan(0);
    return violations(page, name);
  }

  it('should find no violation on any page a program manager reaches, forms in error included', async () => {
    const { context, page } = await signedIn('manager@example.gov');
    const found = await crawl(page, [...readPages, ...managerPages]);
    found.push(
      ...(await refused(page, 'grant edit refused', `/grants/${grantId}/edit`, {
        '[name="title"]': '',
      })),
      ...(await refused(page, 'entry refused', `/ledger/new?grantId=${grantId}`, {})),
      ...(await refused(page, 'amendment refused', `/grants/${grantId}/amendments/new`, {})),
    );
    await context.close();
    expect(found).toEqual([]);
  });

  it('should find no violation on the pages an auditor reaches', async () => {
    const { context, page } = await signedIn('auditor@example.gov');
    const found = await crawl(page, readPages);
    await context.close();
    expect(found).toEqual([]);
  });

  it('should find no violation on the administration pages', async () => {
    const { context, page } = await signedIn('admin@example.gov');
    const found = await crawl(page, [
      ['users', '/admin/users'],
      ['new user', '/admin/users/new'],
    ]);
    await context.close();
    expect(found).toEqual([]);
  });

  it('should catch a violation (the check can fail)', async () => {
    const { context, page } = await signedIn('auditor@example.gov');
    await page.goto('/grants');
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.textContent = 'Faint text';
      p.style.color = '#c9c9c9';
      document.querySelector('main')?.append(p);
    });
    const found = await violations(page, 'grants');
    await context.close();
    expect(found.some((v) => v.includes('[color-contrast]'))).toBe(true);
  });

  /**
   * Issue 15, item 12: the dashboard's burn indicator tells ahead of, on and behind plan apart in
   * colour and in words, and the charts stay within their canvas and readable on a phone.
   */
  describe('burn indicators and charts', () => {
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      ({ context, page } = await signedIn('auditor@example.gov'));
    });

    afterAll(() => context.close());

    /** A 2 × 2 px screenshot just inside the start of a meter's bar, as base64. */
    async function barPixels(meter: ReturnType<Page['locator']>): Promise<string> {
      await meter.scrollIntoViewIfNeeded();
      const box = (await meter.boundingBox())!;
      const clip = { x: box.x + 3, y: box.y + box.height / 2 - 1, width: 2, height: 2 };
      return (await page.screenshot({ clip })).toString('base64');
    }

    it('should show each grant’s plan flag in words and in its own colour, meter included', async () => {
      await page.goto('/');
      const seen: Record<string, { text: string; color: string; bar: string }> = {};
      for (const [kind, id] of Object.entries(byFlag)) {
        const cell = page.getByTestId(`burn-${id}`);
        seen[kind] = {
          text: (await page.getByTestId(`plan-${id}`).innerText()).replace(/\s+/g, ' '),
          color: await page.getByTestId(`plan-${id}`).evaluate((el) => getComputedStyle(el).color),
          bar: await barPixels(cell.locator('meter')),
        };
      }
      expect(seen.over.text).toMatch(/Ahead of plan by 34\.0%/);
      expect(seen.under.text).toMatch(/Behind plan by/);
      expect(seen.on_plan.text).toMatch(/On plan \(\+3\.0%\)/);
      expect(new Set(Object.values(seen).map((s) => s.color)).size).toBe(3);
      // Two pixels inside each meter's filled start: the same colour would give the same image.
      expect(new Set(Object.values(seen).map((s) => s.bar)).size).toBe(3);
    });

    it('should keep chart text inside the chart and readable when scaled to a phone', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      const problems: string[] = [];
      for (const path of [
        `/reports/burndown?programId=${programId}`,
        `/grants/${grantId}/burndown`,
      ]) {
        await page.goto(path);
        const img = page.getByTestId('chart');
        const shown = (await img.boundingBox())!.width;
        const src = (await img.getAttribute('src'))!;
        const svg = await context.request.get(src);
        expect(svg.status()).toBe(200);
        const chart = await context.newPage();
        await chart.setViewportSize({ width: 720, height: 440 });
        await chart.goto(new URL(src, baseUrl).href);
        const texts = await chart.evaluate(() =>
          Array.from(document.querySelectorAll('text')).map((el) => {
            const box = el.getBoundingClientRect();
            const size = parseFloat(getComputedStyle(el).fontSize);
            return { text: el.textContent ?? '', left: box.left, right: box.right, size };
          }),
        );
        await chart.close();
        expect(texts.length).toBeGreaterThan(5);
        for (const { text, left, right, size } of texts) {
          if (left < 0 || right > 720) problems.push(`${path}: "${text}" outside the chart`);
          // Drawn at `size` px on a 720 px canvas shown `shown` px wide.
          if ((size * shown) / 720 < 8) problems.push(`${path}: "${text}" at ${size} px`);
        }
        expect(texts.map((x) => x.text)).not.toContain(
          expect.stringContaining('Critical Materials Recovery'),
        );
        expect(await page.getByTestId('chart-caption').innerText()).toContain(
          path.startsWith('/reports')
            ? 'Critical Materials Recovery and Separation Program'
            : 'DE-EE0012345-0001',
        );
      }
      expect(problems).toEqual([]);
    });
  });
});
