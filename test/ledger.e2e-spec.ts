import { placeholders } from './helpers/test-database';
import { formatDate } from '../src/common/dates';
import { createHash } from 'node:crypto';
import { Clock } from '../src/common/clock';
import type { Grant } from '../src/grants/grant.entity';
import {
  makeAmendment,
  makeBudgetPeriods,
  makeExpenditure,
  makeGrantWithProgram,
  makeMilestone,
  TWO_BUDGET_PERIODS as PERIODS,
} from './helpers/factories';
import { reverseEntry } from './helpers/forms';
import { decide, JUSTIFICATION, requestIdOf } from './helpers/approvals';
import { freshAppPerTest, rows, signIn, TestApp } from './helpers/test-app';
import { makeUser } from './helpers/users';

const TODAY = '2026-06-15';

const entryForm = (grant: Grant, overrides: Record<string, string> = {}) => ({
  grantId: String(grant.id),
  budgetPeriod: '1',
  category: 'supplies',
  incurredOn: '2025-09-30',
  amount: '$1,250.50',
  share: 'federal',
  reference: 'INV-1041',
  memo: 'Ion-exchange resin, 40 kg',
  ...overrides,
});

const count = async (t: TestApp, table: string) =>
  Number((await rows<{ n: number }>(t, `SELECT COUNT(*) AS n FROM ${table}`))[0].n);

const expenditureRows = (t: TestApp) =>
  rows<Record<string, unknown>>(t, 'SELECT * FROM expenditures ORDER BY id');

/** HTML attribute text back to what the browser would follow or send. */
const unescape = (text: string) =>
  text
    .replace(/&#x3D;/g, '=')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** The ledger table's rows: entry id → cell texts. */
function ledgerRows(html: string): { id: number; cells: string[] }[] {
  const table = /<table[^>]*data-testid="ledger"[\s\S]*?<\/table>/.exec(html);
  if (!table) throw new Error('No ledger table on the page');
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[0])?.[1] ?? '';
  return [...body.matchAll(/<tr data-entry="(\d+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => ({
    id: Number(row[1]),
    cells: [...row[2].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) =>
      unescape(
        cell[1]
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      ),
    ),
  }));
}

// Column positions in the ledger table.
const AMOUNT = 8;
const RUNNING = 9;

function linkNamed(html: string, rel: string): string | undefined {
  const match = new RegExp(`<a href="([^"]+)"[^>]*>${rel}</a>`).exec(html);
  return match ? unescape(match[1]) : undefined;
}

function hiddenField(html: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html);
  if (!match) throw new Error(`No hidden field ${name}`);
  return unescape(match[1]);
}

const sha256 = (text: string) => createHash('sha256').update(Buffer.from(text)).digest('hex');

const HEADER = 'award_number,budget_period,category,incurred_on,amount,share,reference,memo';
const csv = (...lines: string[]) => [HEADER, ...lines].join('\r\n') + '\r\n';

describe('Expenditure ledger (HTTP)', () => {
  const t = freshAppPerTest();

  beforeEach(() => {
    jest.spyOn(t.app.get(Clock), 'today').mockReturnValue(TODAY);
  });
  afterEach(() => jest.restoreAllMocks());

  /** An active grant with BP1/BP2, $100,000.00 obligated and BP1's go/no-go decided go. */
  async function fundedGrant(overrides: Partial<Grant> = {}): Promise<Grant> {
    const { grant } = await makeGrantWithProgram(t, {}, overrides);
    await makeBudgetPeriods(t, grant.id, PERIODS);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
    await makeMilestone(t, {
      grantId: grant.id,
      budgetPeriod: 1,
      kind: 'go_no_go',
      title: 'Bench-scale yield',
      dueDate: '2026-03-31',
      decision: 'go',
      decidedOn: '2026-03-15',
      status: 'complete',
      completedOn: '2026-03-15',
    });
    return grant;
  }

  describe('recording an entry', () => {
    it('should offer the grant’s budget periods with their dates when started from the grant', async () => {
      const grant = await fundedGrant();
      const res = await t.http().get(`/ledger/new?grantId=${grant.id}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain(`<option value="${grant.id}" selected>${grant.awardNumber}`);
      expect(res.text).toContain('BP1 (Apr 1, 2025 – Mar 31, 2026)');
      expect(res.text).toContain('BP2 (Apr 1, 2026 – Mar 31, 2028)');
      expect(res.text).toContain('name="_csrf"');
      expect(res.text).toContain(`name="incurredOn" type="date" value="${TODAY}"`);
    });

    it('should ask for the grant first when started from the Ledger, offering no budget periods without dates', async () => {
      const grant = await fundedGrant();
      const res = await t.http().get('/ledger/new');
      expect(res.status).toBe(200);
      expect(res.text).toContain('data-testid="choose-grant"');
      expect(res.text).toContain('<form method="get" action="/ledger/new"');
      expect(res.text).toContain(`<option value="${grant.id}">${grant.awardNumber}`);
      expect(res.text).not.toContain('name="budgetPeriod"');
      expect(res.text).not.toMatch(/>BP\d<\/option>/);
      // A post without a grant comes back to the same first step, with the message.
      const refused = await t.http().post('/ledger').type('form').send({ amount: '1.00' });
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('data-testid="choose-grant"');
      expect(refused.text).toContain('id="f-grantId-error"');
    });

    it('should answer 404 for an unknown grant and 400 for a malformed grantId', async () => {
      expect((await t.http().get('/ledger/new?grantId=999999')).status).toBe(404);
      const bad = await t.http().get('/ledger/new?grantId=abc');
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('grantId must be a grant id');
    });

    it('should record a valid entry, redirect to it and write its audit event', async () => {
      const grant = await fundedGrant();
      const res = await t.http().post('/ledger').type('form').send(entryForm(grant));

      expect(res.status).toBe(303);
      const [saved] = await expenditureRows(t);
      expect(res.headers.location).toBe(`/ledger/${saved.id as number}`);
      expect(saved).toMatchObject({
        grant_id: grant.id,
        budget_period: 1,
        category: 'supplies',
        incurred_on: '2025-09-30',
        amount_cents: 1_250_50,
        share: 'federal',
        reference: 'INV-1041',
        memo: 'Ion-exchange resin, 40 kg',
        reversal_of: null,
        recorded_by: 'manager@example.gov',
        recorded_on: TODAY,
      });
      expect(
        await rows(
          t,
          "SELECT action, actor_email FROM audit_events WHERE entity_type = 'expenditure' AND entity_id = ?",
          [saved.id],
        ),
      ).toEqual([{ action: 'create', actor_email: 'manager@example.gov' }]);

      const page = await t.http().get(res.headers.location);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`Entry #${saved.id as number} recorded: $1,250.50 federal`);
      expect(page.text).toContain('$1,250.50');
      expect(page.text).toContain('manager@example.gov');
      expect(page.text).toContain('Reverse entry #');
    });

    it.each<[string, Record<string, string>, string]>([
      ['a negative amount', { amount: '-50.00' }, 'Corrections are reversals'],
      ['a zero amount', { amount: '0.00' }, 'Enter an amount above zero.'],
      ['three decimals', { amount: '12.345' }, 'Use at most two decimal places (whole cents).'],
      ['no amount', { amount: '' }, 'Enter an amount in dollars, for example 1,250.00.'],
      [
        'a future date',
        { incurredOn: '2026-06-16' },
        'The date incurred cannot be in the future (today is Jun 15, 2026).',
      ],
      [
        'a date before the period of performance',
        { incurredOn: '2025-03-31' },
        'must fall within the grant’s period of performance, Apr 1, 2025 to Mar 31, 2028.',
      ],
      [
        'a date outside the chosen budget period',
        { incurredOn: '2026-05-01' },
        'BP1 runs Apr 1, 2025 to Mar 31, 2026; the date incurred must fall within it',
      ],
      ['an impossible date', { incurredOn: '2025-02-30' }, 'Enter a real date as YYYY-MM-DD.'],
      [
        'a budget period the grant lacks',
        { budgetPeriod: '3' },
        'Budget period 3 does not exist on grant',
      ],
      ['no reference', { reference: '  ' }, 'Enter the invoice or draw-down number.'],
      ['an overlong reference', { reference: 'R'.repeat(101) }, 'Use at most 100 characters.'],
      ['an unknown category', { category: 'catering' }, 'Choose a cost category'],
      ['an unknown share', { share: 'state' }, 'Choose the share: Federal or Cost share.'],
      [
        'more than is obligated',
        // Above APPROVAL_THRESHOLD, so the form files a request: the rules still answer at once.
        { amount: '100,000.01', justification: JUSTIFICATION },
        'above the $100,000.00 obligated as of Jun 15, 2026. Left to spend: $100,000.00.',
      ],
    ])(
      'should refuse %s with 422 and the message, saving nothing',
      async (_case, overrides, message) => {
        const grant = await fundedGrant();
        const events = await count(t, 'audit_events');
        const res = await t.http().post('/ledger').type('form').send(entryForm(grant, overrides));
        expect(res.status).toBe(422);
        expect(unescape(res.text)).toContain(message);
        expect(res.text).toContain('Ion-exchange resin, 40 kg</textarea>');
        expect(res.text).toContain('usa-error-message');
        expect(await count(t, 'expenditures')).toBe(0);
        expect(await count(t, 'audit_events')).toBe(events);
      },
    );

    it('should refuse spending on a suspended grant, naming its status', async () => {
      const grant = await fundedGrant({ status: 'suspended' });
      const res = await t.http().post('/ledger').type('form').send(entryForm(grant));
      expect(res.status).toBe(422);
      expect(res.text).toContain(`Grant ${grant.awardNumber} is suspended`);
      expect(res.text).toContain(`<option value="${grant.id}" selected>`);
      expect(await count(t, 'expenditures')).toBe(0);
    });

    it('should refuse a date in BP2 while the go/no-go that closes BP1 is pending (rule 7)', async () => {
      const { grant } = await makeGrantWithProgram(t);
      await makeBudgetPeriods(t, grant.id, PERIODS);
      await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
      await makeMilestone(t, {
        grantId: grant.id,
        budgetPeriod: 1,
        kind: 'go_no_go',
        title: 'Pilot go/no-go',
        dueDate: '2026-03-31',
      });
      const res = await t
        .http()
        .post('/ledger')
        .type('form')
        .send(entryForm(grant, { budgetPeriod: '2', incurredOn: '2026-05-01' }));
      expect(res.status).toBe(422);
      expect(res.text).toContain(
        'Budget period 2 is gated by “Pilot go/no-go” (due Mar 31, 2026), still pending',
      );
      expect(await count(t, 'expenditures')).toBe(0);
    });

    it('should have no edit or delete: POST to an entry is not a route, and the database refuses changes', async () => {
      const grant = await fundedGrant();
      const entry = await makeExpenditure(t, { grantId: grant.id, amountCents: 500_00 });
      const edit = await t.http().post(`/ledger/${entry.id}`).type('form').send({ amount: '1.00' });
      expect(edit.status).toBe(405);
      expect(edit.headers.allow).toBe('GET');
      expect((await t.http().post(`/ledger/${entry.id}/delete`).type('form').send({})).status).toBe(
        404,
      );
      await expect(
        t.writes.transaction((m) =>
          m.query(placeholders('UPDATE expenditures SET amount_cents = 1 WHERE id = ?'), [
            entry.id,
          ]),
        ),
      ).rejects.toThrow(/append-only/);
      await expect(
        t.writes.transaction((m) =>
          m.query(placeholders('DELETE FROM expenditures WHERE id = ?'), [entry.id]),
        ),
      ).rejects.toThrow(/append-only/);
      expect(await expenditureRows(t)).toEqual([
        expect.objectContaining({ id: entry.id, amount_cents: 500_00 }),
      ]);
    });
  });

  describe('reversal', () => {
    it('should append the opposite entry pointing at the original, and refuse a second reversal', async () => {
      const grant = await fundedGrant();
      const original = await makeExpenditure(t, {
        grantId: grant.id,
        amountCents: 2_000_00,
        category: 'travel',
        incurredOn: '2025-11-03',
        reference: 'DD-17',
      });

      const res = await reverseEntry(t.http(), original.id, 'Charged to the wrong grant');

      expect(res.status).toBe(303);
      const [, reversal] = await expenditureRows(t);
      expect(res.headers.location).toBe(`/ledger/${reversal.id as number}`);
      expect(reversal).toMatchObject({
        grant_id: grant.id,
        budget_period: 1,
        category: 'travel',
        incurred_on: '2025-11-03',
        amount_cents: -2_000_00,
        share: 'federal',
        reference: 'DD-17',
        memo: 'Charged to the wrong grant',
        reversal_of: original.id,
        recorded_by: 'manager@example.gov',
        recorded_on: TODAY,
      });
      const reversalPage = await t.http().get(res.headers.location);
      expect(reversalPage.text).toContain(
        `This entry reverses <a href="/ledger/${original.id}">entry #${original.id}</a>`,
      );
      const originalPage = await t.http().get(`/ledger/${original.id}`);
      expect(originalPage.text).toContain(
        `Reversed by <a href="/ledger/${reversal.id as number}">entry #${reversal.id as number}</a>`,
      );
      expect(originalPage.text).not.toContain('action="/ledger/');

      const events = await count(t, 'audit_events');
      const again = await reverseEntry(t.http(), original.id, 'Again');
      expect(again.status).toBe(422);
      expect(again.text).toContain(
        `Entry #${original.id} was already reversed by entry #${reversal.id as number} on ${formatDate(TODAY)}`,
      );
      expect(await count(t, 'expenditures')).toBe(2);
      expect(await count(t, 'audit_events')).toBe(events);

      const ofReversal = await reverseEntry(t.http(), reversal.id as number, 'Undo');
      expect(ofReversal.status).toBe(422);
      expect(ofReversal.text).toContain('a reversal cannot be reversed');
      expect(await count(t, 'expenditures')).toBe(2);
    });

    it('should show a confirmation of the entry, the reversal amount and the reason, writing nothing', async () => {
      const grant = await fundedGrant();
      const original = await makeExpenditure(t, {
        grantId: grant.id,
        amountCents: 1_234_56,
        reference: 'INV-77',
      });
      const events = await count(t, 'audit_events');
      const res = await t
        .http()
        .post(`/ledger/${original.id}/reverse`)
        .type('form')
        .send({ reason: 'Duplicate of INV-76' });
      expect(res.status).toBe(200);
      expect(res.text).toContain(`Reverse entry #${original.id}?`);
      expect(res.text).toContain('data-testid="amount">$1,234.56<');
      expect(res.text).toContain('data-testid="reversal-amount">-$1,234.56<');
      expect(res.text).toContain('data-testid="reason">Duplicate of INV-76<');
      expect(res.text).toContain(`action="/ledger/${original.id}/reverse/confirm"`);
      expect(res.text).toContain('type="submit">Reverse entry</button>');
      expect(res.text).toContain(`href="/ledger/${original.id}">Cancel</a>`);
      expect(await count(t, 'expenditures')).toBe(1);
      expect(await count(t, 'audit_events')).toBe(events);
    });

    it('should write one reversal when the confirmation is posted twice', async () => {
      const grant = await fundedGrant();
      const original = await makeExpenditure(t, { grantId: grant.id, amountCents: 50_00 });
      const confirm = () =>
        t
          .http()
          .post(`/ledger/${original.id}/reverse/confirm`)
          .type('form')
          .send({ reason: 'Wrong grant' });
      expect((await confirm()).status).toBe(303);
      const replay = await confirm();
      expect(replay.status).toBe(422);
      expect(replay.text).toContain(`Entry #${original.id} was already reversed`);
      expect(await count(t, 'expenditures')).toBe(2);
      const blank = await t
        .http()
        .post(`/ledger/${original.id}/reverse/confirm`)
        .type('form')
        .send({ reason: '' });
      expect(blank.status).toBe(422);
      expect(await count(t, 'expenditures')).toBe(2);
    });

    it('should require a reason, and answer 404 for an unknown entry', async () => {
      const grant = await fundedGrant();
      const original = await makeExpenditure(t, { grantId: grant.id, amountCents: 10_00 });
      const res = await t
        .http()
        .post(`/ledger/${original.id}/reverse`)
        .type('form')
        .send({ reason: ' ' });
      expect(res.status).toBe(422);
      expect(res.text).toContain('Give the reason for the reversal.');
      expect(await count(t, 'expenditures')).toBe(1);
      const unknown = await t
        .http()
        .post('/ledger/999999/reverse')
        .type('form')
        .send({ reason: 'x' });
      expect(unknown.status).toBe(404);
    });
  });

  describe('the list', () => {
    /**
     * Two grants, six entries (one reversed). In list order (incurred_on, id):
     *   A  2025-05-01  personnel  federal     INV-100    1,000.00   running  1,000.00
     *   B  2025-05-01  travel     cost_share  INV-101      250.00   running  1,250.00
     *   C  2025-06-10  supplies   federal     DD-7       3,000.00   running  4,250.00   (other grant)
     *   D  2025-07-04  personnel  federal     INV-102      400.25   running  4,650.25
     *   R  2025-07-04  personnel  federal     INV-102     -400.25   running  4,250.00   (reverses D)
     *   E  2026-02-28  equipment  federal     INV-1000  10,000.00   running 14,250.00
     */
    async function ledger() {
      const one = await fundedGrant();
      const two = await fundedGrant();
      const at = (grant: Grant, amountCents: number, incurredOn: string, o: object = {}) =>
        makeExpenditure(t, {
          grantId: grant.id,
          amountCents,
          incurredOn,
          recordedAt: '2026-05-01T14:00:00.000Z',
          recordedOn: '2026-05-01',
          ...o,
        });
      const a = await at(one, 1_000_00, '2025-05-01', { reference: 'INV-100' });
      const e = await at(one, 10_000_00, '2026-02-28', {
        category: 'equipment',
        reference: 'INV-1000',
      });
      const d = await at(one, 400_25, '2025-07-04', { reference: 'INV-102' });
      const b = await at(one, 250_00, '2025-05-01', {
        category: 'travel',
        share: 'cost_share',
        reference: 'INV-101',
      });
      const c = await at(two, 3_000_00, '2025-06-10', { category: 'supplies', reference: 'DD-7' });
      const r = await at(one, -400_25, '2025-07-04', { reference: 'INV-102', reversalOf: d.id });
      return { one, two, a, b, c, d, r, e };
    }

    const running = (html: string) => ledgerRows(html).map((row) => [row.id, row.cells[RUNNING]]);

    it('should list every entry in incurred order with a running total, across page boundaries', async () => {
      const { a, b, c, d, r, e } = await ledger();
      const first = await t.http().get('/ledger?size=4');
      expect(first.status).toBe(200);
      expect(running(first.text)).toEqual([
        [a.id, '$1,000.00'],
        [b.id, '$1,250.00'],
        [c.id, '$4,250.00'],
        [d.id, '$4,650.25'],
      ]);
      expect(first.text).toContain('data-testid="count">6<');
      expect(first.text).toContain('data-testid="total">$14,250.00<');

      const next = linkNamed(first.text, 'Next');
      expect(next).toBe(`/ledger?size=4&after=2025-07-04_${d.id}`);
      const second = await t.http().get(next!);
      expect(running(second.text)).toEqual([
        [r.id, '$4,250.00'],
        [e.id, '$14,250.00'],
      ]);
      expect(second.text).toContain('Entries 5–6 of 6');
      expect(second.text).toContain('running total brought forward $4,650.25');
      expect(linkNamed(second.text, 'Next')).toBeUndefined();

      const back = await t.http().get(linkNamed(second.text, 'Previous')!);
      expect(running(back.text)).toEqual(running(first.text));

      const last = await t.http().get('/ledger?size=4&before=end');
      expect(running(last.text)).toEqual([
        [c.id, '$4,250.00'],
        [d.id, '$4,650.25'],
        [r.id, '$4,250.00'],
        [e.id, '$14,250.00'],
      ]);
      expect(last.text).toContain('Entries 3–6 of 6');
    });

    it('should show the federal and cost share totals apart, labelled, beside their sum', async () => {
      const { one } = await ledger();
      const all = await t.http().get('/ledger');
      expect(all.text).toContain(
        'Federal share</div><div class="app-stat__value" data-testid="federal-total">$14,000.00<',
      );
      expect(all.text).toContain(
        'Cost share</div><div class="app-stat__value" data-testid="cost-share-total">$250.00<',
      );
      expect(all.text).toContain(
        'Total, federal and cost share</div><div class="app-stat__value" data-testid="total">$14,250.00<',
      );
      const later = await t.http().get(`/ledger?grantId=${one.id}&size=2&before=end`);
      expect(later.text).toContain('data-testid="federal-total">$11,000.00<');
      expect(later.text).toContain('data-testid="cost-share-total">$250.00<');
      const travel = await t.http().get('/ledger?category=travel');
      expect(travel.text).toContain('data-testid="federal-total">$0.00<');
      expect(travel.text).toContain('data-testid="cost-share-total">$250.00<');
    });

    it('should link downloads of the filtered entries, named by their filters', async () => {
      const { one } = await ledger();
      const page = await t
        .http()
        .get(`/ledger?grantId=${one.id}&share=federal&from=2025-05-01&asOf=2026-06-01&size=2`);
      const q = `grantId=${one.id}&share=federal&from=2025-05-01&asOf=2026-06-01`;
      const links = unescape(page.text);
      expect(links).toContain('Download these entries:');
      expect(links).toContain(`href="/reports/ledger.csv?${q}">CSV</a>`);
      expect(links).toContain(`href="/reports/ledger.csv?${q}&bom=1">CSV for Excel</a>`);
      expect(links).toContain(`href="/reports/ledger.xlsx?${q}">Excel (.xlsx)</a>`);
      expect(links).toContain(`href="/reports/ledger.manifest.json?${q}">manifest</a>`);
      const whole = await t.http().get('/ledger');
      expect(whole.text).toContain('href="/reports/ledger.csv">CSV</a>');
      const byReference = await t.http().get('/ledger?reference=INV');
      expect(byReference.text).toContain('The downloads leave out the reference filter');

      const url = `/reports/ledger.csv?grantId=${one.id}&share=federal&from=2025-05-01&asOf=2026-06-01`;
      const file = await t.http().get(url);
      expect(file.headers['content-disposition']).toBe(
        `attachment; filename="ledger-2026-06-01-${one.awardNumber}-from-2025-05-01-federal.csv"`,
      );
      const xlsx = await t.http().get(url.replace('.csv', '.xlsx'));
      expect(xlsx.headers['content-disposition']).toBe(
        `attachment; filename="ledger-2026-06-01-${one.awardNumber}-from-2025-05-01-federal.xlsx"`,
      );
      const plain = await t.http().get('/reports/ledger.csv?asOf=2026-06-01');
      expect(plain.headers['content-disposition']).toBe(
        'attachment; filename="ledger-2026-06-01.csv"',
      );
      const manifest = await t.http().get(url.replace('.csv', '.manifest.json'));
      expect(manifest.body.sha256).toBe(createHash('sha256').update(file.text).digest('hex'));
    });

    it('should mark reversals and reversed entries and link them to each other', async () => {
      const { d, r } = await ledger();
      const page = await t.http().get('/ledger');
      const byId = new Map(ledgerRows(page.text).map((row) => [row.id, row.cells]));
      expect(byId.get(d.id)![1]).toBe(`#${d.id} Reversed by #${r.id}`);
      expect(byId.get(r.id)![1]).toBe(`#${r.id} Reversal of #${d.id}`);
      expect(byId.get(r.id)![AMOUNT]).toBe('-$400.25');
    });

    it.each<
      [
        string,
        (f: Awaited<ReturnType<typeof ledger>>) => string,
        (f: Awaited<ReturnType<typeof ledger>>) => [number, string][],
      ]
    >([
      [
        'grant',
        (f) => `grantId=${f.one.id}`,
        (f) => [
          [f.a.id, '$1,000.00'],
          [f.b.id, '$1,250.00'],
          [f.d.id, '$1,650.25'],
          [f.r.id, '$1,250.00'],
          [f.e.id, '$11,250.00'],
        ],
      ],
      [
        'category',
        () => 'category=personnel',
        (f) => [
          [f.a.id, '$1,000.00'],
          [f.d.id, '$1,400.25'],
          [f.r.id, '$1,000.00'],
        ],
      ],
      ['share', () => 'share=cost_share', (f) => [[f.b.id, '$250.00']]],
      [
        'date range',
        () => 'from=2025-06-10&to=2025-07-04',
        (f) => [
          [f.c.id, '$3,000.00'],
          [f.d.id, '$3,400.25'],
          [f.r.id, '$3,000.00'],
        ],
      ],
      [
        'reference prefix',
        () => 'reference=INV-10',
        (f) => [
          [f.a.id, '$1,000.00'],
          [f.b.id, '$1,250.00'],
          [f.d.id, '$1,650.25'],
          [f.r.id, '$1,250.00'],
          [f.e.id, '$11,250.00'],
        ],
      ],
      ['exact reference', () => 'reference=INV-1000', (f) => [[f.e.id, '$10,000.00']]],
    ])(
      'should filter by %s, with the running total and count of the filtered list',
      async (_name, query, expected) => {
        const fixture = await ledger();
        const res = await t.http().get(`/ledger?${query(fixture)}`);
        expect(res.status).toBe(200);
        const want = expected(fixture);
        expect(running(res.text)).toEqual(want);
        expect(res.text).toContain(`data-testid="count">${want.length}<`);
        expect(res.text).toContain(`data-testid="total">${want[want.length - 1][1]}<`);
      },
    );

    it('should keep the filters across pages of a filtered list', async () => {
      const f = await ledger();
      const first = await t.http().get(`/ledger?grantId=${f.one.id}&size=2`);
      expect(running(first.text)).toEqual([
        [f.a.id, '$1,000.00'],
        [f.b.id, '$1,250.00'],
      ]);
      const second = await t.http().get(linkNamed(first.text, 'Next')!);
      expect(running(second.text)).toEqual([
        [f.d.id, '$1,650.25'],
        [f.r.id, '$1,250.00'],
      ]);
      const third = await t.http().get(linkNamed(second.text, 'Next')!);
      expect(running(third.text)).toEqual([[f.e.id, '$11,250.00']]);
    });

    it('should show the ledger as it stood on a past day (asOf)', async () => {
      const { one } = await ledger();
      await makeExpenditure(t, {
        grantId: one.id,
        amountCents: 77_00,
        incurredOn: '2025-05-02',
        recordedAt: '2026-06-01T15:00:00.000Z',
        recordedOn: '2026-06-01',
      });
      const now = await t.http().get('/ledger');
      expect(now.text).toContain('data-testid="total">$14,327.00<');
      const then = await t.http().get('/ledger?asOf=2026-05-31');
      expect(then.text).toContain('data-testid="total">$14,250.00<');
      expect(ledgerRows(then.text)).toHaveLength(6);
    });

    it.each([
      ['grantId=abc', 'grantId must be a grant id'],
      ['category=catering', 'category must be one of'],
      ['share=state', 'share must be one of federal, cost_share'],
      ['from=2025-02-30', 'from must be a real date as YYYY-MM-DD'],
      ['to=yesterday', 'to must be a real date as YYYY-MM-DD'],
      ['asOf=2026-13-01', 'asOf must be a real date as YYYY-MM-DD'],
      ['from=2026-01-02&to=2026-01-01', 'from (2026-01-02) must be on or before to (2026-01-01)'],
      ['size=0', 'size must be a whole number from 1 to 200'],
      ['size=201', 'size must be a whole number from 1 to 200'],
      ['after=42', 'after must be a list position as YYYY-MM-DD_id'],
      ['after=2026-02-30_4', 'after must be a list position with a real date'],
      ['after=2026-01-01_4&before=2026-01-01_9', 'Give after or before, not both'],
    ])('should answer 400 with a clear message for %s', async (query, message) => {
      const res = await t.http().get(`/ledger?${query}`);
      expect(res.status).toBe(400);
      expect(unescape(res.text)).toContain(message);
    });
  });

  describe('import', () => {
    const upload = (text: string | Buffer, name = 'expenditures.csv') =>
      t
        .http()
        .post('/ledger/import')
        .attach('file', Buffer.isBuffer(text) ? text : Buffer.from(text), name);

    const commit = (fields: { csv: string; sha256: string; fileName: string; token?: string }) =>
      t
        .http()
        .post('/ledger/import/commit')
        .field('fileName', fields.fileName)
        .field('sha256', fields.sha256)
        .field('csv', fields.csv)
        .field('token', fields.token ?? '');

    const commitFieldsOf = (html: string) => ({
      fileName: hiddenField(html, 'fileName'),
      sha256: hiddenField(html, 'sha256'),
      csv: hiddenField(html, 'csv'),
      token: hiddenField(html, 'token'),
    });

    /** The check column of each preview row, by line number. */
    const checks = (html: string) =>
      Object.fromEntries(
        [...html.matchAll(/<tr data-line="(\d+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => {
          const cells = [...row[2].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)];
          const last = cells[cells.length - 1][1];
          return [
            Number(row[1]),
            unescape(
              last
                .replace(/<[^>]+>/g, ' ')
                .replace(/\s+/g, ' ')
                .trim(),
            ),
          ];
        }),
      );

    it('should offer the upload form to managers', async () => {
      const res = await t.http().get('/ledger/import');
      expect(res.status).toBe(200);
      expect(res.text).toContain('enctype="multipart/form-data"');
      expect(res.text).toContain('name="_csrf"');
      expect(res.text).toContain(
        'award_number, budget_period, category, incurred_on, amount, share, reference, memo',
      );
    });

    it('should preview a good file with every row OK and the totals per grant, writing nothing', async () => {
      const one = await fundedGrant();
      const two = await fundedGrant();
      const file = csv(
        `${one.awardNumber},1,personnel,2025-10-31,"12,000.00",federal,DD-2025-10,October salaries`,
        `${one.awardNumber},1,fringe_benefits,2025-10-31,$3840.00,federal,DD-2025-10,`,
        `${two.awardNumber.toLowerCase()},2,supplies,2026-05-12,980.5,cost_share,INV-88,"Resin, 20 kg"`,
      );
      const events = await count(t, 'audit_events');
      const res = await upload(file);
      expect(res.status).toBe(200);
      expect(checks(res.text)).toEqual({ 2: 'OK', 3: 'OK', 4: 'OK' });
      expect(res.text).toContain('All 3 rows pass the checks');
      expect(res.text).toContain('Commit 3 entries ($16,820.50)');
      expect(res.text).toContain(
        `${one.awardNumber}</th><td class="app-money">2</td><td class="app-money">$15,840.00</td><td class="app-money">$0.00</td>`,
      );
      expect(res.text).toContain(
        `${two.awardNumber}</th><td class="app-money">1</td><td class="app-money">$0.00</td><td class="app-money">$980.50</td>`,
      );
      expect(hiddenField(res.text, 'sha256')).toBe(sha256(file));
      expect(Buffer.from(hiddenField(res.text, 'csv'), 'base64').toString()).toBe(file);
      expect(await count(t, 'expenditures')).toBe(0);
      expect(await count(t, 'audit_events')).toBe(events);
    });

    it('should read what a spreadsheet writes: labels for category and share, month/day/year dates', async () => {
      const grant = await fundedGrant();
      const file = csv(
        `${grant.awardNumber},1,Fringe benefits,10/31/2025,"1,200.00",Federal,DD-1,`,
        `${grant.awardNumber},2,SUPPLIES,5/2/2026,10.00,Cost share,INV-2,`,
        `${grant.awardNumber},1,Travel,31/10/2025,5.00,Federal,T-3,`,
        `${grant.awardNumber},1,Snacks,10/31/2025,5.00,Recipient,T-4,`,
      );
      const res = await upload(file);
      const verdicts = checks(res.text);
      expect(verdicts[2]).toBe('OK');
      expect(verdicts[3]).toBe('OK');
      expect(verdicts[4]).toContain(
        '“31/10/2025” is not a date this import reads: use YYYY-MM-DD (2026-11-28) or month/day/year (11/28/2026).',
      );
      expect(verdicts[5]).toContain(
        '“Snacks” is not a cost category: use one of Personnel, Fringe benefits,',
      );
      expect(verdicts[5]).toContain('“Recipient” is not a share: use Federal or Cost share.');

      const good = csv(
        `${grant.awardNumber},1,Fringe benefits,10/31/2025,"1,200.00",Federal,DD-1,`,
        `${grant.awardNumber},2,SUPPLIES,5/2/2026,10.00,Cost share,INV-2,`,
      );
      const preview = await upload(good);
      expect((await commit(commitFieldsOf(preview.text))).status).toBe(303);
      expect(
        await rows(
          t,
          'SELECT category, incurred_on, share, amount_cents FROM expenditures ORDER BY id',
        ),
      ).toEqual([
        {
          category: 'fringe_benefits',
          incurred_on: '2025-10-31',
          share: 'federal',
          amount_cents: 120000,
        },
        {
          category: 'supplies',
          incurred_on: '2026-05-02',
          share: 'cost_share',
          amount_cents: 1000,
        },
      ]);
    });

    it('should offer the format and a template from the app, not a repository path', async () => {
      const page = await t.http().get('/ledger/import');
      expect(page.text).not.toContain('docs/ledger-import');
      expect(page.text).toContain('data-testid="import-format"');
      expect(page.text).toContain('month/day/year (11/28/2026)');
      const template = await t.http().get('/ledger/import/template.csv');
      expect(template.status).toBe(200);
      expect(template.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(template.headers['content-disposition']).toContain('ledger-import-template.csv');
      expect(template.text.split('\r\n')[0]).toBe(
        'award_number,budget_period,category,incurred_on,amount,share,reference,memo',
      );
    });

    it('should show each bad row’s errors in the preview, offer no commit and write nothing', async () => {
      const grant = await fundedGrant();
      const gated = (await makeGrantWithProgram(t)).grant;
      await makeBudgetPeriods(t, gated.id, PERIODS);
      await makeAmendment(t, { grantId: gated.id, federalChangeCents: 100_000_00 });
      await makeMilestone(t, {
        grantId: gated.id,
        budgetPeriod: 1,
        kind: 'go_no_go',
        title: 'Gate 1',
        dueDate: '2026-03-31',
      });
      const file = csv(
        `${grant.awardNumber},1,personnel,2025-10-31,60000.00,federal,DD-1,`,
        `DE-XX0000001,1,personnel,2025-10-31,10.00,federal,DD-2,`,
        `${grant.awardNumber},1,personnel,2026-07-01,10.00,federal,DD-3,`,
        `${grant.awardNumber},1,catering,2025-10-31,-5.00,federal,DD-4,`,
        `${gated.awardNumber},2,supplies,2026-05-01,10.00,cost_share,DD-5,`,
        `${grant.awardNumber},1,personnel,2025-11-30,40000.01,federal,DD-6,`,
        `${grant.awardNumber},1,personnel,2025-11-30,40000.00,federal,,`,
        `${grant.awardNumber},1,personnel`,
      );
      const events = await count(t, 'audit_events');
      const res = await upload(file);
      expect(res.status).toBe(422);
      const byLine = checks(res.text);
      expect(byLine[2]).toBe('OK');
      expect(byLine[3]).toBe('award_number : No grant has the award number DE-XX0000001.');
      expect(byLine[4]).toBe(
        'incurred_on : The date incurred cannot be in the future (today is Jun 15, 2026).',
      );
      expect(byLine[5]).toContain(
        'category : “catering” is not a cost category: use one of Personnel,',
      );
      expect(byLine[5]).not.toContain('amount');
      expect(byLine[6]).toContain(
        'incurred_on : Budget period 2 is gated by “Gate 1” (due Mar 31, 2026), still pending',
      );
      expect(byLine[7]).toBe(
        `amount : This would bring federal spending on ${grant.awardNumber} to $100,000.01, above the $100,000.00 obligated as of Jun 15, 2026. Left to spend: $40,000.00 (counting 1 earlier row of this file).`,
      );
      expect(byLine[8]).toBe('reference : Enter the invoice or draw-down number.');
      expect(byLine[9]).toContain('row : This row has 3 values; the header names 8 columns.');
      expect(res.text).toContain('7 of 8 rows fail the checks');
      expect(res.text).not.toContain('/ledger/import/commit');
      expect(await count(t, 'expenditures')).toBe(0);
      expect(await count(t, 'audit_events')).toBe(events);
    });

    it('should report a negative amount as a correction that must be a reversal', async () => {
      const grant = await fundedGrant();
      const res = await upload(csv(`${grant.awardNumber},1,travel,2025-10-31,-5.00,federal,DD-4,`));
      expect(res.status).toBe(422);
      expect(checks(res.text)[2]).toContain(
        'amount : Enter the amount as a positive number. Corrections are reversals',
      );
    });

    it('should commit a previewed good file: every row, one audit event each and one import event', async () => {
      const grant = await fundedGrant();
      const file = csv(
        `${grant.awardNumber},1,personnel,2025-10-31,"12,000.00",federal,DD-2025-10,October salaries`,
        `${grant.awardNumber},2,supplies,2026-05-12,980.50,cost_share,INV-88,"Resin, 20 kg"`,
      );
      const preview = await upload(file);
      expect(preview.status).toBe(200);

      const res = await commit(commitFieldsOf(preview.text));
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/ledger');
      const saved = await expenditureRows(t);
      expect(
        saved.map((r) => [
          r.grant_id,
          r.budget_period,
          r.category,
          r.incurred_on,
          r.amount_cents,
          r.share,
          r.reference,
          r.memo,
          r.recorded_by,
          r.recorded_on,
        ]),
      ).toEqual([
        [
          grant.id,
          1,
          'personnel',
          '2025-10-31',
          12_000_00,
          'federal',
          'DD-2025-10',
          'October salaries',
          'manager@example.gov',
          TODAY,
        ],
        [
          grant.id,
          2,
          'supplies',
          '2026-05-12',
          980_50,
          'cost_share',
          'INV-88',
          'Resin, 20 kg',
          'manager@example.gov',
          TODAY,
        ],
      ]);
      expect(
        await rows(
          t,
          "SELECT entity_id FROM audit_events WHERE entity_type = 'expenditure' AND action = 'create' ORDER BY id",
        ),
      ).toEqual(saved.map((r) => ({ entity_id: r.id })));
      const [event] = await rows<{ changes: string; actor_email: string }>(
        t,
        "SELECT changes, actor_email FROM audit_events WHERE entity_type = 'ledger_import' AND action = 'import'",
      );
      expect(event.actor_email).toBe('manager@example.gov');
      expect(JSON.parse(event.changes)).toEqual({
        file: { before: null, after: 'expenditures.csv' },
        rows: { before: null, after: 2 },
        totalCents: { before: null, after: 12_980_50 },
        federalCents: { before: null, after: 12_000_00 },
        costShareCents: { before: null, after: 980_50 },
        sha256: { before: null, after: sha256(file) },
      });
      const list = await t.http().get('/ledger');
      expect(list.text).toContain('Imported 2 entries from expenditures.csv, $12,980.50 in all.');
    });

    it('should commit nothing from a file with one bad row, showing the row’s error again', async () => {
      const grant = await fundedGrant();
      const file = csv(
        `${grant.awardNumber},1,personnel,2025-10-31,100.00,federal,DD-1,`,
        `${grant.awardNumber},1,personnel,2025-10-31,100.00,federal,DD-2,`,
        `${grant.awardNumber},9,personnel,2025-10-31,100.00,federal,DD-3,`,
      );
      const events = await count(t, 'audit_events');
      const res = await commit({
        fileName: 'bad.csv',
        sha256: sha256(file),
        csv: Buffer.from(file).toString('base64'),
      });
      expect(res.status).toBe(422);
      expect(res.text).toContain('Nothing was imported');
      expect(checks(res.text)[4]).toContain('budget_period : Budget period 9 does not exist');
      expect(await count(t, 'expenditures')).toBe(0);
      expect(await count(t, 'audit_events')).toBe(events);
    });

    it('should refuse a commit whose file was changed after the preview, writing nothing', async () => {
      const grant = await fundedGrant();
      const good = csv(`${grant.awardNumber},1,personnel,2025-10-31,100.00,federal,DD-1,`);
      const preview = await upload(good);
      const fields = commitFieldsOf(preview.text);
      const tampered = csv(
        `${grant.awardNumber},1,personnel,2025-10-31,100.00,federal,DD-1,`,
        `${grant.awardNumber},1,personnel,2030-01-01,99999.00,federal,DD-X,`,
      );
      const events = await count(t, 'audit_events');

      const sameHash = await commit({ ...fields, csv: Buffer.from(tampered).toString('base64') });
      expect(sameHash.status).toBe(422);
      expect(sameHash.text).toContain('is not the file that was previewed (its SHA-256 differs)');

      const newHash = await commit({
        ...fields,
        sha256: sha256(tampered),
        csv: Buffer.from(tampered).toString('base64'),
      });
      expect(newHash.status).toBe(422);
      expect(checks(newHash.text)[3]).toContain(
        'incurred_on : The date incurred cannot be in the future',
      );

      expect(await count(t, 'expenditures')).toBe(0);
      expect(await count(t, 'audit_events')).toBe(events);
    });

    it('should commit a preview once, however often and however at once it is sent', async () => {
      const grant = await fundedGrant();
      const file = csv(
        `${grant.awardNumber},1,personnel,2025-10-31,"1,000.00",federal,DD-1,`,
        `${grant.awardNumber},1,travel,2025-10-31,250.00,federal,DD-2,`,
      );
      const fields = commitFieldsOf((await upload(file)).text);

      const first = await commit(fields);
      expect(first.status).toBe(303);
      const again = await commit(fields);
      expect(again.status).toBe(422);
      expect(again.text).toContain('was already committed by manager@example.gov on');
      const [{ id: firstId }] = await expenditureRows(t);
      expect(again.text).toContain(`href="/ledger/${Number(firstId)}"`);
      const atOnce = await Promise.all(Array.from({ length: 5 }, () => commit(fields)));
      expect(atOnce.map((r) => r.status)).toEqual([422, 422, 422, 422, 422]);
      expect(await count(t, 'expenditures')).toBe(2);
      expect(await count(t, 'ledger_imports')).toBe(1);

      // A new preview of the same file says so, and offers no commit.
      const preview = await upload(file);
      expect(preview.status).toBe(422);
      expect(preview.text).toContain(
        'the same SHA-256) was already imported by manager@example.gov',
      );
      expect(preview.text).not.toContain('action="/ledger/import/commit"');
    });

    it('should commit once when seven commits of one preview arrive together', async () => {
      const grant = await fundedGrant();
      const file = csv(`${grant.awardNumber},1,supplies,2025-10-31,10.00,federal,DD-1,`);
      const fields = commitFieldsOf((await upload(file)).text);
      const statuses = (await Promise.all(Array.from({ length: 7 }, () => commit(fields)))).map(
        (r) => r.status,
      );
      expect(statuses.filter((status) => status === 303)).toHaveLength(1);
      expect(statuses.filter((status) => status === 422)).toHaveLength(6);
      expect(await count(t, 'expenditures')).toBe(1);
    });

    it('should refuse a commit built by hand, never previewed, writing nothing', async () => {
      const grant = await fundedGrant();
      const file = csv(`${grant.awardNumber},1,supplies,2025-10-31,10.00,federal,DD-1,`);
      const events = await count(t, 'audit_events');
      const forged = {
        fileName: 'f.csv',
        sha256: sha256(file),
        csv: Buffer.from(file).toString('base64'),
      };
      for (const token of [
        '',
        'abc.def',
        `${'0'.repeat(32)}.${sha256(file)}.2.${Date.now()}.bogus`,
      ]) {
        const res = await commit({ ...forged, token });
        expect(res.status).toBe(422);
        expect(res.text).toContain('does not come from a preview of this file made by you');
      }
      expect(await count(t, 'audit_events')).toBe(events);
      // Another user's preview does not serve either.
      await makeUser(t, { role: 'program_manager', email: 'other.pm@example.gov' });
      const other = await signIn(t.app, 'other.pm@example.gov');
      const theirs = await other.post('/ledger/import').attach('file', Buffer.from(file), 'f.csv');
      const before = await count(t, 'audit_events');
      const res = await commit(commitFieldsOf(theirs.text));
      expect(res.status).toBe(422);
      expect(await count(t, 'expenditures')).toBe(0);
      expect(await count(t, 'audit_events')).toBe(before);
    });

    it('should re-check at commit: spending recorded since the preview counts', async () => {
      const grant = await fundedGrant();
      const file = csv(`${grant.awardNumber},1,personnel,2025-10-31,"60,000.00",federal,DD-1,`);
      const preview = await upload(file);
      expect(preview.status).toBe(200);
      await makeExpenditure(t, { grantId: grant.id, amountCents: 50_000_00 });
      const res = await commit(commitFieldsOf(preview.text));
      expect(res.status).toBe(422);
      expect(checks(res.text)[2]).toContain('Left to spend: $50,000.00.');
      expect(await count(t, 'expenditures')).toBe(1);
    });

    it('should read a UTF-8 BOM and columns in any order', async () => {
      const grant = await fundedGrant();
      const file =
        '\uFEFFmemo,reference,share,amount,incurred_on,category,budget_period,award_number\n' +
        `Café supplies,INV-9,cost_share,10.00,2025-10-31,supplies,1,${grant.awardNumber}\n`;
      const res = await upload(file);
      expect(res.status).toBe(200);
      expect(checks(res.text)).toEqual({ 2: 'OK' });
      expect(res.text).toContain('<td>Café supplies</td>');
    });

    it.each<[string, string | Buffer, string, string]>([
      ['a file that is not .csv', 'x', 'expenditures.xlsx', 'expenditures.xlsx is not a .csv file'],
      ['an empty file', '', 'empty.csv', 'The file is empty.'],
      [
        'a header without the columns',
        'award,amount\nDE-1,5\n',
        'a.csv',
        'The first row must name the columns award_number, budget_period, category, incurred_on, amount, share, reference, memo (any order): missing award_number, budget_period, category, incurred_on, share, reference, memo; unknown “award”.',
      ],
      ['a header and no rows', `${HEADER}\n`, 'a.csv', 'The file has a header row but no entries.'],
      [
        'text that is not UTF-8',
        Buffer.from([0x61, 0x2c, 0xff, 0xfe, 0x0a]),
        'a.csv',
        'The file is not UTF-8 text.',
      ],
      [
        'an unclosed quote',
        `${HEADER}\nDE-1,1,travel,2025-01-01,"5,federal,R,\n`,
        'a.csv',
        'The file could not be read as CSV: Quote Not Closed',
      ],
      [
        'a file over 5 MB',
        Buffer.alloc(5 * 1024 * 1024 + 1, 0x61),
        'big.csv',
        'The file is larger than 5 MB.',
      ],
    ])(
      'should refuse %s with 422 next to the file field',
      async (_case, content, name, message) => {
        const res = await upload(content, name);
        expect(res.status).toBe(422);
        expect(unescape(res.text)).toContain(message);
        expect(res.text).toContain('id="f-file-error"');
        expect(await count(t, 'expenditures')).toBe(0);
      },
    );

    it('should ask for a file when none is sent', async () => {
      const res = await t.http().post('/ledger/import').field('note', 'no file');
      expect(res.status).toBe(422);
      expect(res.text).toContain('Choose a CSV file to import.');
    });

    it('should refuse more rows than one import takes', async () => {
      const grant = await fundedGrant();
      const lines = Array.from(
        { length: 5001 },
        (_, i) => `${grant.awardNumber},1,travel,2025-10-31,1.00,cost_share,R-${i},`,
      );
      const res = await upload(csv(...lines));
      expect(res.status).toBe(422);
      expect(res.text).toContain('The file has 5,001 rows; import at most 5,000 at a time.');
    });

    describe('above APPROVAL_THRESHOLD ($25,000.00)', () => {
      const big = (grant: Grant, reference = 'DD-9') =>
        csv(
          `${grant.awardNumber},1,personnel,2025-10-31,20000.00,federal,${reference}-A,`,
          `${grant.awardNumber},1,travel,2025-11-30,5000.01,federal,${reference}-B,`,
        );
      const requestFor = async (text: string, justification = JUSTIFICATION) => {
        const preview = await upload(text);
        expect(preview.text).toContain('data-testid="import-needs-approval"');
        return t
          .http()
          .post('/ledger/import/commit')
          .field('fileName', hiddenField(preview.text, 'fileName'))
          .field('sha256', hiddenField(preview.text, 'sha256'))
          .field('csv', hiddenField(preview.text, 'csv'))
          .field('token', hiddenField(preview.text, 'token'))
          .field('justification', justification);
      };

      it('should file a file totalling more as a request, writing nothing until it is approved', async () => {
        const grant = await fundedGrant();
        const refused = await requestFor(big(grant), '');
        expect(refused.status).toBe(422);
        expect(refused.text).toContain('id="f-justification-error"');
        expect(await count(t, 'approval_requests')).toBe(0);
        const id = requestIdOf(await requestFor(big(grant)));
        expect(await count(t, 'expenditures')).toBe(0);
        const page = await t.approver().get(`/approvals/${id}`);
        expect(page.text).toContain('Import of 2 entries from expenditures.csv, $25,000.01 in all');
        expect((await decide(t, id)).status).toBe(303);
        expect(
          await rows(t, 'SELECT reference, amount_cents FROM expenditures ORDER BY id'),
        ).toEqual([
          { reference: 'DD-9-A', amount_cents: 20_000_00 },
          { reference: 'DD-9-B', amount_cents: 5_000_01 },
        ]);
        expect(await count(t, 'ledger_imports')).toBe(1);
      });

      it('should refuse the second approval of one file filed twice, writing it once', async () => {
        const grant = await fundedGrant();
        const first = requestIdOf(await requestFor(big(grant)));
        const second = requestIdOf(await requestFor(big(grant)));
        expect((await decide(t, first)).status).toBe(303);
        const refused = await decide(t, second);
        expect(refused.status).toBe(422);
        expect(refused.text).toContain('was already imported');
        expect(await count(t, 'expenditures')).toBe(2);
      });

      it('should ask for a file naming several grants to be split by grant', async () => {
        const one = await fundedGrant();
        const other = await fundedGrant({ awardNumber: 'DE-SC0099999' });
        const res = await requestFor(
          csv(
            `${one.awardNumber},1,personnel,2025-10-31,20000.00,federal,X-1,`,
            `${other.awardNumber},1,personnel,2025-10-31,20000.00,federal,X-2,`,
          ),
        );
        expect(res.status).toBe(422);
        expect(res.text).toContain('split it into one file per award number');
        expect(await count(t, 'approval_requests')).toBe(0);
      });
    });
  });

  describe('auditors', () => {
    it('should read the ledger and entries but have every POST refused with nothing written', async () => {
      const grant = await fundedGrant();
      const entry = await makeExpenditure(t, { grantId: grant.id, amountCents: 10_00 });
      const auditor = await t.as('auditor');
      expect((await auditor.get('/ledger')).status).toBe(200);
      const page = await auditor.get(`/ledger/${entry.id}`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(`action="/ledger/${entry.id}/reverse"`);
      expect((await auditor.get('/ledger/new')).status).toBe(403);
      expect((await auditor.get('/ledger/import')).status).toBe(403);

      const events = await count(t, 'audit_events');
      const file = csv(`${grant.awardNumber},1,travel,2025-10-31,1.00,cost_share,R-1,`);
      const posts = [
        auditor.post('/ledger').type('form').send(entryForm(grant)),
        auditor.post(`/ledger/${entry.id}/reverse`).type('form').send({ reason: 'x' }),
        auditor.post(`/ledger/${entry.id}/reverse/confirm`).type('form').send({ reason: 'x' }),
        auditor.post('/ledger/import').attach('file', Buffer.from(file), 'a.csv'),
        auditor
          .post('/ledger/import/commit')
          .field('fileName', 'a.csv')
          .field('sha256', sha256(file))
          .field('csv', Buffer.from(file).toString('base64')),
      ];
      for (const post of posts) expect((await post).status).toBe(403);
      expect(await count(t, 'expenditures')).toBe(1);
      expect(await count(t, 'audit_events')).toBe(events);
    });
  });

  describe('an expenditure above APPROVAL_THRESHOLD ($25,000.00)', () => {
    it('should record $25,000.00 at once, and file $25,000.01 as a request recorded only when approved', async () => {
      const grant = await fundedGrant();
      const atThreshold = await t
        .http()
        .post('/ledger')
        .type('form')
        .send(entryForm(grant, { amount: '25,000.00' }));
      expect(atThreshold.status).toBe(303);
      expect(atThreshold.headers.location).toMatch(/^\/ledger\/\d+$/);

      const noReason = await t
        .http()
        .post('/ledger')
        .type('form')
        .send(entryForm(grant, { amount: '25,000.01' }));
      expect(noReason.status).toBe(422);
      expect(noReason.text).toContain('id="f-justification-error"');
      expect(noReason.text).toContain('value="25,000.01"');

      const id = requestIdOf(
        await t
          .http()
          .post('/ledger')
          .type('form')
          .send(entryForm(grant, { amount: '25,000.01', justification: JUSTIFICATION })),
      );
      expect(await count(t, 'expenditures')).toBe(1);
      const page = await t.approver().get(`/approvals/${id}`);
      expect(page.text).toContain('$25,000.01 federal, Supplies, BP1');
      expect((await decide(t, id)).status).toBe(303);
      const entries = await rows<{ amount_cents: number; id: number }>(
        t,
        'SELECT id, amount_cents FROM expenditures ORDER BY id',
      );
      expect(entries.map((e) => e.amount_cents)).toEqual([25_000_00, 25_000_01]);
      const [request] = await rows<{
        result_type: string;
        result_id: number;
        amount_cents: number;
      }>(t, 'SELECT result_type, result_id, amount_cents FROM approval_requests WHERE id = ?', [
        id,
      ]);
      expect(request).toEqual({
        result_type: 'expenditure',
        result_id: entries[1].id,
        amount_cents: 25_000_01,
      });
    });

    it('should change nothing when rejected, and refuse the approval once the obligation is spent', async () => {
      const grant = await fundedGrant();
      const file = (amount: string) =>
        t
          .http()
          .post('/ledger')
          .type('form')
          .send(entryForm(grant, { amount, justification: JUSTIFICATION }));
      const rejected = requestIdOf(await file('30,000.00'));
      expect((await decide(t, rejected, 'reject', 'No invoice attached.')).status).toBe(303);
      expect(await count(t, 'expenditures')).toBe(0);

      // Two pending requests that together exceed the $100,000.00 obligated: the second is refused.
      const first = requestIdOf(await file('60,000.00'));
      const second = requestIdOf(await file('50,000.00'));
      expect((await decide(t, first)).status).toBe(303);
      const refused = await decide(t, second);
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('It cannot be approved now');
      expect(await rows(t, 'SELECT amount_cents FROM expenditures')).toEqual([
        { amount_cents: 60_000_00 },
      ]);
    });
  });
});
