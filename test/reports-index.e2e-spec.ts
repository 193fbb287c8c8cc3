import * as ledgerModule from '../src/reports/ledger.report';
import * as routesModule from '../src/reports/report-routes';
import { makeExpenditure, makeGrant, makeGrantWithProgram } from './helpers/factories';
import { expectFieldRefused } from './helpers/filter-forms';
import { pageText } from './helpers/html';
import { freshAppPerTest, TestApp } from './helpers/test-app';

/** Two programs with two grants each, and a ledger entry. */
async function twoPrograms(t: TestApp) {
  const a = await makeGrantWithProgram(t, { name: 'Alpha Program' }, { awardNumber: 'DE-A0001' });
  const a2 = await makeGrant(t, {
    programId: a.program.id,
    recipientId: a.recipient.id,
    awardNumber: 'DE-A0002',
  });
  const b = await makeGrantWithProgram(t, { name: 'Beta Program' }, { awardNumber: 'DE-B0001' });
  await makeExpenditure(t, { grantId: a.grant.id, amountCents: 123_45 });
  return { alpha: a.program, beta: b.program, grants: [a.grant, a2, b.grant] };
}

/*
 * Issue 15, at a department's scale: the index lists every download with its parameters, but works
 * out no manifest (each is a download of its own) and offers grants one program at a time.
 */
describe('The reports index', () => {
  const t = freshAppPerTest();

  afterEach(() => jest.restoreAllMocks());

  it('should read no report to show the index: no manifest, no ledger', async () => {
    await twoPrograms(t);
    const manifests = jest.spyOn(routesModule, 'reportManifest');
    const ledgers = jest.spyOn(ledgerModule, 'ledgerReport');
    const auditor = await t.as('auditor');
    const res = await auditor.get('/reports');
    expect(res.status).toBe(200);
    expect(manifests).not.toHaveBeenCalled();
    expect(ledgers).not.toHaveBeenCalled();
    expect(res.text).not.toContain('manifest-sha256');
    expect(pageText(res.text)).not.toContain('$123.45');
    // The manifest belongs to its download, which reads the whole ledger.
    expect((await auditor.get('/reports/ledger.manifest.json')).status).toBe(200);
    expect(ledgers).toHaveBeenCalled();
  });

  it('should list the grants of the chosen program only, and ask for a program otherwise', async () => {
    const { alpha, grants } = await twoPrograms(t);
    const auditor = await t.as('auditor');

    const none = (await auditor.get('/reports').expect(200)).text;
    for (const grant of grants) expect(none).not.toContain(`>${grant.awardNumber}</option>`);
    expect(none).toContain('data-testid="needs-program"');
    expect(none).not.toContain('action="/reports/for-grant"');
    expect(none).toContain('formaction="/reports/ledger.csv"');

    const chosen = (await auditor.get(`/reports?programId=${alpha.id}`).expect(200)).text;
    expect(pageText(chosen)).toContain('The grant choices below list the grants of Alpha Program');
    expect(chosen).toContain(`<option value="${alpha.id}" selected>Alpha Program</option>`);
    for (const report of ['ledger', 'milestones', 'grant-burndown', 'sf425']) {
      const card = /data-testid="report-([\w-]+)"[\s\S]*?<\/section>/g;
      const section = [...chosen.matchAll(card)].find((m) => m[1] === report)![0];
      expect(section).toContain(`<option value="${grants[0].id}">DE-A0001</option>`);
      expect(section).toContain(`<option value="${grants[1].id}">DE-A0002</option>`);
      expect(section).not.toContain('DE-B0001');
    }
  });

  it('should choose the only program by itself', async () => {
    const { grant } = await makeGrantWithProgram(t, { name: 'Sole Program' });
    const res = await (await t.as('auditor')).get('/reports').expect(200);
    expect(res.text).toContain(`<option value="${grant.id}">${grant.awardNumber}</option>`);
    expect(res.text).not.toContain('data-testid="needs-program"');
  });

  it.each([
    ['html', ''],
    ['csv', '.csv'],
    ['csv-bom', '.csv'],
    ['manifest', '.manifest.json'],
    ['xlsx', '.xlsx'],
    ['xlsx-manifest', '.xlsx.manifest.json'],
  ])(
    'should send the per-grant form (%s) to the report of the grant chosen',
    async (format, ext) => {
      const { alpha, grants } = await twoPrograms(t);
      const auditor = await t.as('auditor');
      const query = `report=sf425&programId=${alpha.id}&grantId=${grants[1].id}&asOf=2026-01-15`;
      const res = await auditor.get(`/reports/for-grant?${query}&format=${format}`);
      const bom = format === 'csv-bom' ? '&bom=1' : '';
      expect({ status: res.status, location: res.headers.location }).toEqual({
        status: 303,
        location: `/grants/${grants[1].id}/sf425${ext}?asOf=2026-01-15${bom}`,
      });
      expect((await auditor.get(res.headers.location)).status).toBe(200);
    },
  );

  it('should answer a grant that is no grant with the index again, 400, and the message in that form', async () => {
    const { alpha } = await twoPrograms(t);
    const auditor = await t.as('auditor');
    const res = await auditor.get(
      `/reports/for-grant?report=grant-burndown&programId=${alpha.id}&grantId=abc&format=csv`,
    );
    expect(res.status).toBe(400);
    expectFieldRefused(res.text, {
      action: '/reports/for-grant',
      name: 'grantId',
      message: 'Choose a grant: grantId must be a grant id, a whole number.',
    });
    expect(res.text).toContain('href="#report-grant-burndown">Grant burn-down</a>');

    const unknown = await auditor.get(
      `/reports/for-grant?report=grant-burndown&programId=${alpha.id}&grantId=99999`,
    );
    expect(unknown.status).toBe(400);
    expectFieldRefused(unknown.text, {
      action: '/reports/for-grant',
      name: 'grantId',
      message: 'Grant 99999 does not exist: choose one from the list.',
    });
  });

  it('should refuse a date after today in the per-grant form, keeping what was typed', async () => {
    const { alpha, grants } = await twoPrograms(t);
    const res = await (
      await t.as('auditor')
    ).get(
      `/reports/for-grant?report=grant-burndown&programId=${alpha.id}&grantId=${grants[0].id}&asOf=2999-01-01`,
    );
    expect(res.status).toBe(400);
    expectFieldRefused(res.text, {
      action: '/reports/for-grant',
      name: 'asOf',
      message: 'asOf must not be after today',
      typed: '2999-01-01',
    });
    expect(res.text).toContain(`<option value="${grants[0].id}" selected>DE-A0001</option>`);
  });

  it('should refuse an unknown report or format at the top of the index', async () => {
    const { grants } = await twoPrograms(t);
    const res = await (
      await t.as('auditor')
    ).get(`/reports/for-grant?report=ledger&grantId=${grants[0].id}&format=pdf`);
    expect(res.status).toBe(400);
    const alert = pageText(/data-testid="refusal"[\s\S]*?<\/div>\s*<\/div>/.exec(res.text)![0]);
    expect(alert).toContain('report must be one of grant-burndown, sf425.');
    expect(alert).toContain('format must be one of html, csv, csv-bom, manifest, xlsx');
  });

  it('should refuse a program that is no program beside the program choice', async () => {
    await twoPrograms(t);
    const auditor = await t.as('auditor');
    const bad = await auditor.get('/reports?programId=abc');
    expect(bad.status).toBe(400);
    expectFieldRefused(bad.text, {
      action: '/reports',
      name: 'programId',
      message: 'programId must be a program id, a whole number.',
    });
    const unknown = await auditor.get('/reports?programId=4242');
    expect(unknown.status).toBe(400);
    expectFieldRefused(unknown.text, {
      action: '/reports',
      name: 'programId',
      message: 'Program 4242 does not exist: choose one from the list.',
    });
  });
});
