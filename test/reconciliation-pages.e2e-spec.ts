import { parse } from 'csv-parse/sync';
import { Grant } from '../src/grants/grant.entity';
import { RECONCILIATION_PAGE_SIZE } from '../src/reports/reconciliation.page';
import { makeAmendment, makeGrant, makeGrantWithProgram, spend } from './helpers/factories';
import { pageText as plain } from './helpers/html';
import { behindTheAppsBack as writeBehind } from './helpers/test-database';
import { freshAppPerTest, rows, TestApp } from './helpers/test-app';

const AS_OF = '2026-02-01';
const GRANTS = RECONCILIATION_PAGE_SIZE + 12;

/** The subject keys of the grants table's rows, in the order shown. */
function grantRows(html: string): string[] {
  const table = html.slice(html.indexOf('data-testid="figures"'));
  return [...table.matchAll(/<tr data-subject="(grant:\d+)"/g)].map((m) => m[1]);
}

/** The pager's link with `rel`, as the browser reads it (Handlebars escapes `=` and `&`). */
function pagerLink(html: string, rel: 'next' | 'prev'): string | undefined {
  const match = new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(html);
  return match?.[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
}

function result(html: string): string {
  const match = /data-testid="reconciliation-result"[^>]*>([\s\S]*?)<\/div>\s*<\/div>/.exec(html);
  if (!match) throw new Error('No result on the page');
  return plain(match[1]);
}

/**
 * One program of GRANTS grants (award numbers in id order) that ended on 2025-12-31, and a second
 * program of one grant; each grant obligated and spent.
 */
async function fixture(t: TestApp) {
  const period = { startDate: '2025-01-01', endDate: '2025-12-31' };
  const { program, recipient, grant } = await makeGrantWithProgram(
    t,
    { name: 'Large Program' },
    { ...period, awardNumber: 'DE-SC0100000' },
  );
  const grants: Grant[] = [grant];
  for (let i = 1; i < GRANTS; i++) {
    grants.push(
      await makeGrant(t, {
        ...period,
        programId: program.id,
        recipientId: recipient.id,
        awardNumber: `DE-SC01${String(i).padStart(5, '0')}`,
      }),
    );
  }
  const { grant: other } = await makeGrantWithProgram(
    t,
    { name: 'Small Program' },
    { ...period, awardNumber: 'DE-SC0200000' },
  );
  for (const g of [...grants, other]) {
    await makeAmendment(t, {
      grantId: g.id,
      federalChangeCents: 100_000_00,
      effectiveDate: '2025-01-01',
    });
    await spend(t, g.id, '2025-03-10', 1_000_00 + g.id);
  }
  return { program, grants, other };
}

/** Writes with a connection of its own, as another program (or a hand at the console) would. */
const behindTheAppsBack = (t: TestApp, sql: string, params: unknown[]) =>
  writeBehind(t.databasePath, sql, params);

describe('Reconciliation pages at scale (HTTP)', () => {
  const t = freshAppPerTest();

  it('should show the verdict and every program total at once, and the grants a page at a time', async () => {
    const { program, grants, other } = await fixture(t);
    const auditor = await t.as('auditor');
    const first = await auditor.get(`/reports/reconciliation?asOf=${AS_OF}`);
    expect(first.status).toBe(200);
    expect(result(first.text)).toContain(`Reconciled: ${GRANTS + 1} grants`);
    const programs = first.text.slice(
      first.text.indexOf('data-testid="program-figures"'),
      first.text.indexOf('data-testid="figures"'),
    );
    expect([...programs.matchAll(/<tr data-subject="(program:\d+)"/g)].map((m) => m[1])).toEqual([
      `program:${program.id}`,
      `program:${other.programId}`,
    ]);
    // In the CSV's order: the first program's grants by award number, then the second's.
    const inOrder = [...grants, other].map((g) => `grant:${g.id}`);
    expect(grantRows(first.text)).toEqual(inOrder.slice(0, RECONCILIATION_PAGE_SIZE));
    expect(plain(first.text)).toContain(`Page 1 of 2`);
    expect(pagerLink(first.text, 'next')).toBe(`/reports/reconciliation?asOf=${AS_OF}&page=2`);

    const second = await auditor.get(`/reports/reconciliation?asOf=${AS_OF}&page=2`);
    expect(second.status).toBe(200);
    expect(grantRows(second.text)).toEqual(inOrder.slice(RECONCILIATION_PAGE_SIZE));
    expect(second.text).toContain(`value="${AS_OF}"`);
    expect(pagerLink(second.text, 'prev')).toBe(`/reports/reconciliation?asOf=${AS_OF}&page=1`);
    expect(pagerLink(second.text, 'next')).toBeUndefined();
    // Past the last page: the last page, not an empty table.
    const beyond = await auditor.get(`/reports/reconciliation?asOf=${AS_OF}&page=9`);
    expect(grantRows(beyond.text)).toEqual(grantRows(second.text));

    // The download holds every row, whatever page the page shows.
    const csv = await auditor.get(`/reports/reconciliation.csv?asOf=${AS_OF}`).buffer(true);
    const records = parse<Record<string, string>>(csv.text, { columns: true });
    expect(records).toHaveLength(GRANTS + 1 + 2);
    expect(records.filter((r) => r.scope === 'grant')).toHaveLength(GRANTS + 1);
  });

  it('should list a difference written behind the app’s back in the summary and first among the grants', async () => {
    const { grants } = await fixture(t);
    // The last grant by award number, on the second page in the CSV's order: a close-out
    // deobligation after its last month, typed into the database directly. The register counts
    // it, the burn-down's month-by-month table stops at the end month.
    const last = grants[grants.length - 1];
    await behindTheAppsBack(
      t,
      `INSERT INTO amendments (grant_id, number, effective_date, kind, federal_change_cents, note, created_at)
       VALUES (?, 1, '2026-01-15', 'deobligation', -1, '', '2025-01-02T00:00:00.000Z')`,
      [last.id],
    );
    const auditor = await t.as('auditor');
    const res = await auditor.get(`/reports/reconciliation?asOf=${AS_OF}`);
    expect(result(res.text)).toContain('Not reconciled: 2 differences');
    const differences = res.text.slice(
      res.text.indexOf('data-testid="differences"'),
      res.text.indexOf('data-testid="figures-section"'),
    );
    expect([...differences.matchAll(/<tr data-subject="([^"]+)"/g)].map((m) => m[1])).toEqual([
      `grant:${last.id}`,
      `program:${last.programId}`,
    ]);
    expect(grantRows(res.text)[0]).toBe(`grant:${last.id}`);
    expect(grantRows(res.text)).toHaveLength(RECONCILIATION_PAGE_SIZE);

    const only = await auditor.get(`/reports/reconciliation?asOf=${AS_OF}&show=differences`);
    expect(only.status).toBe(200);
    expect(grantRows(only.text)).toEqual([`grant:${last.id}`]);
    expect(only.text).not.toContain('data-testid="pager"');
    expect(only.text).toMatch(/<option value="differences" selected>/);

    // A later change through the app is seen at once: the kept result is not served again.
    await makeAmendment(t, {
      grantId: grants[0].id,
      federalChangeCents: -1,
      effectiveDate: '2026-01-20',
      kind: 'deobligation',
    });
    const again = await auditor.get(`/reports/reconciliation?asOf=${AS_OF}&show=differences`);
    expect(result(again.text)).toContain('Not reconciled: 3 differences');
    expect(grantRows(again.text)).toEqual([`grant:${grants[0].id}`, `grant:${last.id}`]);
    const [db] = await rows<{ n: number }>(
      t,
      "SELECT COUNT(*) AS n FROM amendments WHERE effective_date > '2025-12-31'",
    );
    expect(Number(db.n)).toBe(2);
  });

  it.each([
    ['page=0', 'page', 'page must be a page number of the grants'],
    ['page=two', 'page', 'page must be a page number of the grants'],
    ['show=some', 'show', 'show must be all or differences.'],
  ])('should refuse %s with 400 and the form kept', async (query, name, message) => {
    await makeGrantWithProgram(t);
    const res = await t.http().get(`/reports/reconciliation?asOf=2025-06-30&${query}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('<title>Error: Reconciliation');
    expect(res.text).toContain(message);
    expect(res.text).toContain('value="2025-06-30"');
    expect(res.text).toContain('action="/reports/reconciliation"');
    if (name === 'show')
      expect(res.text).toContain('aria-invalid="true" aria-describedby="show-error"');
    // The page is built without the refused value: the first page, every grant.
    expect(res.text).toContain('data-testid="reconciliation-result"');
  });
});
