import { freshAppPerTest, rows } from './helpers/test-app';
import {
  makeAmendment,
  makeBudget,
  makeBudgetPeriods,
  makeGrant,
  makeGrantWithProgram,
  makeProgram,
  makeRecipient,
  newGrantForm,
} from './helpers/factories';

const grantForm = newGrantForm;

describe('Grants (HTTP)', () => {
  const t = freshAppPerTest();

  it('should warn on the grant page when the federal budget differs from the obligated amount', async () => {
    const { grant } = await makeGrantWithProgram(t);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_000_00 });
    const page = () => t.http().get(`/grants/${grant.id}`);
    expect((await page()).text).toContain(
      'The federal budget ($0.00) is $100,000.00 below the obligated amount ($100,000.00).',
    );

    await makeBudgetPeriods(t, grant.id, [{ startDate: grant.startDate, endDate: grant.endDate }]);
    await makeBudget(t, grant.id, [
      [1, 'personnel', 60_000_00, 0],
      [1, 'supplies', 27_500_00, 0],
    ]);
    const res = await page();
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-testid="grant-budget-warning"');
    expect(res.text).toContain(
      'The federal budget ($87,500.00) is $12,500.00 below the obligated amount ($100,000.00).',
    );
  });

  it('should create a grant from the form and redirect to it', async () => {
    const program = await makeProgram(t);
    const recipient = await makeRecipient(t, { name: 'Colorado School of Mines' });

    const res = await t
      .http()
      .post('/grants')
      .type('form')
      .send(
        grantForm({
          programId: String(program.id),
          recipientId: String(recipient.id),
          extra: 'ignored',
        }),
      );

    expect(res.status).toBe(303);
    const [grant] = await rows<{
      id: number;
      award_number: string;
      cost_share_committed_cents: number;
    }>(t, 'SELECT id, award_number, cost_share_committed_cents FROM grants');
    expect(res.headers.location).toBe(`/grants/${grant.id}`);
    expect(grant).toMatchObject({
      award_number: 'DE-SC0031987',
      cost_share_committed_cents: 25_000_000,
    });

    const page = await t.http().get(res.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Grant DE-SC0031987 created.');
    expect(page.text).toContain('Colorado School of Mines');
  });

  it('should re-render the form with 422, the typed values and a message per field, saving nothing', async () => {
    const program = await makeProgram(t);
    const recipient = await makeRecipient(t);

    const res = await t
      .http()
      .post('/grants')
      .type('form')
      .send(
        grantForm({
          programId: String(program.id),
          recipientId: String(recipient.id),
          costShareCommitted: '12.345',
          piEmail: 'not-an-email',
          endDate: '2028-02-30',
        }),
      );

    expect(res.status).toBe(422);
    expect(res.text).toContain('Use at most two decimal places');
    expect(res.text).toContain('value="12.345"');
    expect(res.text).toContain('email address');
    expect(res.text).toContain('Enter a real date as YYYY-MM-DD.');
    expect(await rows(t, 'SELECT * FROM grants')).toHaveLength(0);
  });

  it('should refuse a duplicate award number next to the field', async () => {
    const { program, recipient, grant } = await makeGrantWithProgram(t);
    const res = await t
      .http()
      .post('/grants')
      .type('form')
      .send(
        grantForm({
          awardNumber: grant.awardNumber.toLowerCase(),
          programId: String(program.id),
          recipientId: String(recipient.id),
        }),
      );
    expect(res.status).toBe(422);
    expect(res.text).toContain(`Award number ${grant.awardNumber} is already used`);
    expect(await rows(t, 'SELECT * FROM grants')).toHaveLength(1);
  });

  /** Posts a new-grant form under an existing program and recipient, with these fields changed. */
  async function postNewGrant(fields: Record<string, string>) {
    const { program, recipient } = await makeGrantWithProgram(t);
    return t
      .http()
      .post('/grants')
      .type('form')
      .send(
        grantForm({ programId: String(program.id), recipientId: String(recipient.id), ...fields }),
      );
  }

  it('should refuse a period of performance longer than a federal award runs, naming its last day', async () => {
    const res = await postNewGrant({ startDate: '2025-04-01', endDate: '9999-12-31' });
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      'A period of performance, extensions included, may run at most 10 years: from Apr 1, 2025 it may end on Mar 31, 2035 at the latest.',
    );
    expect(await rows(t, 'SELECT * FROM grants')).toHaveLength(1);
    expect(await rows(t, 'SELECT * FROM planned_spend')).toEqual([]);
  });

  it('should refuse a title with a control character (U+0001) next to the field, saving nothing', async () => {
    const res = await postNewGrant({ title: 'Rare earths\u0001 from fly ash' });
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      'Remove the control character U+0001 from this field (it takes one line of text).',
    );
    expect(await rows(t, 'SELECT * FROM grants')).toHaveLength(1);
  });

  it('should search, filter, sort and paginate the list', async () => {
    const program = await makeProgram(t);
    const mines = await makeRecipient(t, { name: 'Colorado School of Mines' });
    const ames = await makeRecipient(t, {
      name: 'Ames National Laboratory',
      type: 'national_laboratory',
    });
    for (let i = 0; i < 30; i++) {
      await makeGrant(t, {
        programId: program.id,
        recipientId: i % 2 === 0 ? mines.id : ames.id,
        awardNumber: `DE-SC${String(1000 + i).padStart(7, '0')}`,
        title: i === 7 ? 'Phosphogypsum leaching at 100% yield' : `Project ${i}`,
        status: i < 3 ? 'draft' : 'active',
      });
    }

    const first = await t.http().get('/grants');
    expect(first.status).toBe(200);
    expect(first.text).toContain('30 grants, showing 1–25');
    expect(first.text).toContain('rel="next"');

    const second = await t.http().get('/grants?page=2');
    expect(second.text).toContain('showing 26–30');

    const search = await t.http().get('/grants').query({ q: '100%' });
    expect(search.text).toContain('1 grant, showing 1–1');
    expect(search.text).toContain('Phosphogypsum leaching');

    const byRecipient = await t.http().get('/grants').query({ q: 'ames national' });
    expect(byRecipient.text).toContain('15 grants');

    const drafts = await t.http().get('/grants').query({ status: 'draft' });
    expect(drafts.text).toContain('3 grants');

    const sorted = await t.http().get('/grants').query({ sort: 'awardNumber', dir: 'desc' });
    expect(sorted.text.indexOf('DE-SC0001029')).toBeLessThan(sorted.text.indexOf('DE-SC0001028'));

    const bad = await t.http().get('/grants').query({ sort: 'password' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('sort must be one of');
  });

  it('should answer 404 pages for unknown or malformed ids', async () => {
    for (const path of [
      '/grants/999',
      '/grants/abc',
      '/grants/1.5/edit',
      '/recipients/0',
      '/programs/999',
    ]) {
      const res = await t.http().get(path);
      expect(res.status).toBe(404);
      expect(res.text).toContain('Page not found');
      expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('should edit a grant with its version and refuse a stale one with 409', async () => {
    const { program, recipient, grant } = await makeGrantWithProgram(t);
    const form = grantForm({
      awardNumber: grant.awardNumber,
      programId: String(program.id),
      recipientId: String(recipient.id),
      title: 'Renamed project',
    });

    const ok = await t
      .http()
      .post(`/grants/${grant.id}`)
      .type('form')
      .send({ ...form, version: '1' });
    expect(ok.status).toBe(303);
    const stale = await t
      .http()
      .post(`/grants/${grant.id}`)
      .type('form')
      .send({ ...form, title: 'Lost', version: '1' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('changed by manager@example.gov at');
    expect(stale.text).toContain('value="Lost"');

    const [saved] = await rows<{ title: string; version: number }>(
      t,
      'SELECT title, version FROM grants',
    );
    expect(saved).toEqual({ title: 'Renamed project', version: 2 });
  });

  it('should not let the period of performance shrink past its budget periods', async () => {
    const { program, recipient, grant } = await makeGrantWithProgram(t);
    await makeBudgetPeriods(t, grant.id, [
      { startDate: '2025-04-01', endDate: '2026-09-30' },
      { startDate: '2026-10-01', endDate: '2028-03-31' },
    ]);
    const res = await t
      .http()
      .post(`/grants/${grant.id}`)
      .type('form')
      .send({
        ...grantForm({
          awardNumber: grant.awardNumber,
          programId: String(program.id),
          recipientId: String(recipient.id),
          endDate: '2027-12-31',
        }),
        version: '1',
      });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Budget period 2 ends Mar 31, 2028');
  });

  it('should delete only a draft grant without amendments', async () => {
    const { program, recipient, grant: active } = await makeGrantWithProgram(t);
    const draft = await makeGrant(t, {
      programId: program.id,
      recipientId: recipient.id,
      status: 'draft',
    });
    const fundedDraft = await makeGrant(t, {
      programId: program.id,
      recipientId: recipient.id,
      status: 'draft',
    });
    await makeAmendment(t, { grantId: fundedDraft.id, federalChangeCents: 100_00 });

    const refused = await t.http().post(`/grants/${active.id}/delete`);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('only a draft grant can be deleted');

    const refusedFunded = await t.http().post(`/grants/${fundedDraft.id}/delete`);
    expect(refusedFunded.status).toBe(409);
    expect(refusedFunded.text).toContain('has 1 amendment(s)');

    const deleted = await t.http().post(`/grants/${draft.id}/delete`);
    expect(deleted.status).toBe(303);
    expect(deleted.headers.location).toBe('/grants');
    const left = await rows<{ id: number }>(t, 'SELECT id FROM grants ORDER BY id');
    expect(left.map((g) => g.id)).toEqual([active.id, fundedDraft.id]);
  });
});
