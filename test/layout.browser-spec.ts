// The measurements run inside the page: they need the DOM's types.
/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { Clock } from '../src/common/clock';
import {
  launchChromium,
  listen,
  newPage,
  requireChromium,
  signInThroughForm,
} from './helpers/browser';
import {
  makeAmendment,
  makeBudget,
  makeBudgetPeriods,
  makeGrantWithProgram,
  makePlannedSpend,
  spend,
  TWO_BUDGET_PERIODS,
} from './helpers/factories';
import { JUSTIFICATION, requestIdOf } from './helpers/approvals';
import { createTestApp, rows, TestApp } from './helpers/test-app';

const TODAY = '2026-06-15';
/** LAYOUT_SCREENSHOTS=/some/dir writes full-page screenshots of every page at every width there. */
const SHOTS = process.env.LAYOUT_SCREENSHOTS;
const WIDTHS = [1366, 1023, 390];

/** What a page's layout looks like to the user, measured in the browser. */
interface Layout {
  scrollWidth: number;
  innerWidth: number;
  /** Money column headers (and the reconciliation's Agrees) that the user cannot reach. */
  unreachable: string[];
  /** Money column headers cut off by the viewport on first sight (before any scrolling). */
  offscreen: string[];
  moneyHeaders: number;
}

function measure(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const headers = Array.from(document.querySelectorAll<HTMLElement>('thead th')).filter(
      (th) => th.classList.contains('app-money') || th.textContent?.trim() === 'Agrees',
    );
    const scroller = (el: HTMLElement): HTMLElement | null => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const overflow = getComputedStyle(p).overflowX;
        if (overflow === 'auto' || overflow === 'scroll') return p;
      }
      return null;
    };
    const label = (th: HTMLElement) => th.textContent?.trim() ?? '';
    const inViewport = (el: HTMLElement) => {
      const r = el.getBoundingClientRect();
      return r.left >= 0 && r.right <= window.innerWidth + 0.5;
    };
    const unreachable = headers
      .filter((th) => {
        if (inViewport(th)) return false;
        // Reachable by scrolling a named, focusable region that itself fits in the viewport.
        const region = scroller(th);
        return !(
          region &&
          region.getAttribute('role') === 'region' &&
          region.getAttribute('aria-label') &&
          region.tabIndex === 0 &&
          inViewport(region)
        );
      })
      .map(label);
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      unreachable,
      offscreen: headers.filter((th) => !inViewport(th)).map(label),
      moneyHeaders: headers.length,
    };
  });
}

/**
 * Issue 15, "every figure on screen, on any screen": at a laptop's 1366 px, just below USWDS's
 * desktop breakpoint (1023 px) and on a phone (390 px), the data pages never scroll sideways, every
 * money column is on screen or in its own scroll region, and the navigation is reachable.
 */
describe('The layout at every width in a real browser', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pages: [string, string][] = [];
  /** Every other page a manager reaches: none of them may scroll sideways either. */
  const others: string[] = [];

  beforeAll(async () => {
    requireChromium();
    t = await createTestApp();
    jest.spyOn(t.app.get(Clock), 'today').mockReturnValue(TODAY);
    const { program, grant } = await makeGrantWithProgram(
      t,
      { name: 'Critical Materials Recovery and Separation Program' },
      {
        awardNumber: 'DE-EE0012345-0001',
        title: 'Selective extraction of rare earths from coal ash',
      },
    );
    await makeBudgetPeriods(t, grant.id, TWO_BUDGET_PERIODS);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 1_250_000_00 });
    await makeAmendment(t, {
      grantId: grant.id,
      federalChangeCents: 875_000_00,
      effectiveDate: '2026-04-01',
      note: 'Incremental funding for budget period 2 after the go decision',
    });
    await makeAmendment(t, {
      grantId: grant.id,
      kind: 'no_cost_extension',
      federalChangeCents: 0,
      effectiveDate: '2026-05-01',
      newEndDate: '2028-09-30',
      note: 'No-cost extension of six months',
    });
    await makeBudget(t, grant.id, [
      [1, 'personnel', 600_000_00, 100_000_00],
      [1, 'equipment', 400_000_00, 50_000_00],
      [1, 'supplies', 250_000_00, 25_000_00],
      [2, 'personnel', 500_000_00, 80_000_00],
      [2, 'travel', 375_000_00, 0],
    ]);
    await makePlannedSpend(t, grant.id, [
      [1, 'personnel', '2025-05', 50_000_00, 0],
      [1, 'equipment', '2025-06', 400_000_00, 0],
      [2, 'personnel', '2026-05', 60_000_00, 0],
    ]);
    await spend(t, grant.id, '2025-05-15', 48_123_45, { reference: 'INV-2025-000117' });
    await spend(t, grant.id, '2025-06-30', 401_999_99, { category: 'equipment' });
    await spend(t, grant.id, '2026-05-20', 61_250_00, {
      budgetPeriod: 2,
      memo: 'Graduate research assistants, May payroll including fringe benefits',
    });
    pages.push(
      ['ledger', '/ledger'],
      ['program burn-down', `/reports/burndown?programId=${program.id}`],
      ['grant burn-down', `/grants/${grant.id}/burndown`],
      ['SF-425', `/grants/${grant.id}/sf425`],
      ['reconciliation', '/reports/reconciliation'],
      ['budget', `/grants/${grant.id}/budget`],
      ['grant page', `/grants/${grant.id}`],
      ['dashboard', '/'],
    );
    const [entry] = await rows<{ id: number }>(t, 'SELECT id FROM expenditures LIMIT 1');
    // A pending request, for the approvals pages.
    const request = requestIdOf(
      await t.http().post(`/grants/${grant.id}/amendments`).type('form').send({
        effectiveDate: '2026-06-01',
        kind: 'deobligation',
        federalChange: '-10.00',
        justification: JUSTIFICATION,
      }),
    );
    others.push(
      ...['/grants', '/grants/new', '/ledger/new', '/ledger/import', `/ledger/${entry.id}`],
      ...['edit', 'amendments/new', 'budget-periods/edit', 'budget/edit', 'milestones'].map(
        (tail) => `/grants/${grant.id}/${tail}`,
      ),
      ...['/technologies', '/technologies/portfolio', '/milestones', '/milestones/dashboard'],
      ...['/recipients', '/programs', `/programs/${program.id}`, '/audit', '/budgets/rebudget'],
      ...['grants', 'amendments', 'budget-lines', 'ledger', 'milestones', 'technologies'].map(
        (name) => `/reports/${name}`,
      ),
      ...['/reports', '/reports/cost-share', '/reports/audit'],
      ...['/approvals', `/approvals/${request}`],
      ...[
        '/deadlines',
        '/inbox',
        '/calendar',
        '/reports/segregation-of-duties',
        '/reports/approvals',
      ],
    );
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

  describe.each(WIDTHS)('at %i px', (width) => {
    beforeAll(async () => {
      await page.setViewportSize({ width, height: 900 });
    });

    it('should never scroll the document sideways and keep every money column reachable', async () => {
      const problems: string[] = [];
      for (const [name, path] of pages) {
        const response = await page.goto(path);
        expect(response?.status()).toBe(200);
        const layout = await measure(page);
        if (layout.scrollWidth > layout.innerWidth) {
          problems.push(`${name}: document ${layout.scrollWidth} px wide in ${layout.innerWidth}`);
        }
        if (layout.unreachable.length) {
          problems.push(`${name}: unreachable ${layout.unreachable.join(', ')}`);
        }
        // On a laptop the money columns are on screen without scrolling anything.
        if (width >= 1366 && layout.offscreen.length) {
          problems.push(`${name}: off screen ${layout.offscreen.join(', ')}`);
        }
        if (name !== 'dashboard' && name !== 'grant page') {
          expect([name, layout.moneyHeaders > 0]).toEqual([name, true]);
        }
        if (SHOTS) {
          const file = `${SHOTS}/${name.replace(/\W+/g, '-')}-${width}.png`;
          await page.screenshot({ path: file, fullPage: true });
        }
      }
      expect(problems).toEqual([]);
    });

    it('should not scroll any other page sideways', async () => {
      const wide: string[] = [];
      for (const path of others) {
        const response = await page.goto(path);
        expect([path, response?.status()]).toEqual([path, 200]);
        const { scrollWidth, innerWidth } = await measure(page);
        if (scrollWidth > innerWidth) wide.push(`${path}: ${scrollWidth} px`);
      }
      expect(wide).toEqual([]);
    });

    it('should reach Grants, Ledger and Reports from the navigation, opening the menu if needed', async () => {
      await page.goto('/');
      const menu = page.getByTestId('menu');
      if (await menu.isVisible()) {
        const button = menu.locator('summary');
        await button.focus();
        await page.keyboard.press('Enter');
        expect(await menu.getAttribute('open')).not.toBeNull();
      }
      const nav = page.getByRole('navigation', { name: 'Primary navigation' });
      expect(await nav.count()).toBe(1);
      for (const name of ['Grants', 'Ledger', 'Reports']) {
        const link = nav.getByRole('link', { name, exact: true });
        expect(await link.isVisible()).toBe(true);
        const box = await link.boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= width).toBe(true);
      }
      await Promise.all([
        page.waitForURL('**/ledger'),
        nav.getByRole('link', { name: 'Ledger', exact: true }).click(),
      ]);
      expect(await page.locator('h1').first().textContent()).toContain('ledger');
    });
  });
});
