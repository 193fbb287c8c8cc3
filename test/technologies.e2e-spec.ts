import { GrantTechnologiesService } from '../src/technologies/grant-technologies.service';
import { TrlAssessmentsService } from '../src/technologies/trl-assessments.service';
import { recordingAt } from '../src/common/database/recording-time';
import {
  FIXTURES_RECORDED_AT,
  makeAmendment,
  makeGrant,
  makeGrantWithProgram,
  makeTechnology,
} from './helpers/factories';
import { freshAppPerTest, rows, TestApp } from './helpers/test-app';

/** A form body exactly as a browser sends it: repeated checkbox names, URL-encoded values. */
const formBody = (fields: Record<string, string | string[]>) =>
  Object.entries(fields)
    .flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map(
        (v) => `${encodeURIComponent(name)}=${encodeURIComponent(v)}`,
      ),
    )
    .join('&');

const newTechnologyForm = (overrides: Record<string, string | string[]> = {}) => ({
  name: 'Ionic-liquid extraction of heavy rare earths',
  pathway: 'separation',
  feedstock: 'coal_fly_ash',
  elements: ['Nd', 'Dy'],
  currentTrl: '3',
  targetTrl: '5',
  description: 'Bench-scale extraction from fly ash leachate.',
  assessedOn: '2025-03-01',
  evidence: 'Bench test report BT-12',
  ...overrides,
});

const count = async (t: TestApp, table: string) =>
  Number((await rows<{ n: number }>(t, `SELECT COUNT(*) AS n FROM ${table}`))[0].n);

const eventsOf = (t: TestApp, entityType: string, entityId: number) =>
  rows<{ action: string; changes: string; actor_email: string }>(
    t,
    'SELECT action, changes, actor_email FROM audit_events WHERE entity_type = ? AND entity_id = ? ORDER BY id',
    [entityType, entityId],
  );

/** The text of one table row (`<tr data-key="…">`) inside the table with that data-testid. */
function rowText(html: string, table: string, key: string): string {
  const start = html.indexOf(`data-testid="${table}"`);
  if (start < 0) throw new Error(`No table ${table}`);
  const body = html.slice(start, html.indexOf('</table>', start));
  const match = new RegExp(`<tr data-[a-z]+="${key}">([\\s\\S]*?)</tr>`).exec(body);
  if (!match) throw new Error(`No row ${key} in ${table}`);
  return match[1]
    .replace(/<\/?t[dh][^>]*>/g, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

describe('Technologies (HTTP)', () => {
  const t = freshAppPerTest();

  /** The version of the links a links form edits, as that form carries it. */
  const linksVersion = async (path: string) => {
    const formPage = path.startsWith('/grants/') ? `${path}/edit` : path.replace(/\/grants$/, '');
    const page = await t.http().get(formPage);
    return /name="version" value="([0-9a-f]{16})"/.exec(page.text)?.[1] ?? '';
  };
  const LINKS_FORM = /^\/(technologies\/\d+\/grants|grants\/\d+\/technologies)$/;

  const post = async (path: string, fields: Record<string, string | string[]>) => {
    const body = LINKS_FORM.test(path) ? { ...fields, version: await linksVersion(path) } : fields;
    return t.http().post(path).type('form').send(formBody(body));
  };

  describe('catalogue', () => {
    it('should add a technology with its elements and first assessment, and redirect to it', async () => {
      const res = await post('/technologies', newTechnologyForm());

      expect(res.status).toBe(303);
      const [saved] = await rows<Record<string, unknown>>(t, 'SELECT * FROM technologies');
      expect(res.headers.location).toBe(`/technologies/${saved.id as number}`);
      expect(saved).toMatchObject({
        name: 'Ionic-liquid extraction of heavy rare earths',
        pathway: 'separation',
        feedstock: 'coal_fly_ash',
        current_trl: 3,
        target_trl: 5,
        version: 1,
      });
      expect(await rows(t, 'SELECT element FROM technology_elements ORDER BY element')).toEqual([
        { element: 'Dy' },
        { element: 'Nd' },
      ]);
      expect(
        await rows(t, 'SELECT assessed_on, trl, evidence, recorded_by FROM trl_assessments'),
      ).toEqual([
        {
          assessed_on: '2025-03-01',
          trl: 3,
          evidence: 'Bench test report BT-12',
          recorded_by: 'manager@example.gov',
        },
      ]);
      const events = await eventsOf(t, 'technology', saved.id as number);
      expect(events.map((e) => e.action)).toEqual(['create', 'set_elements']);
      expect(JSON.parse(events[1].changes)).toEqual({
        elements: { before: null, after: 'Nd, Dy' },
      });
      expect(await count(t, "audit_events WHERE entity_type = 'trl_assessment'")).toBe(1);

      const page = await t.http().get(res.headers.location);
      expect(page.text).toContain('added to the catalogue');
      expect(page.text).toContain('Analytical and experimental proof of concept');
      expect(page.text).toContain('Laboratory-scale similar system validated');
    });

    it('should accept a single ticked element, which arrives as a string', async () => {
      const res = await post('/technologies', newTechnologyForm({ elements: 'Dy' }));
      expect(res.status).toBe(303);
      expect(await rows(t, 'SELECT element FROM technology_elements')).toEqual([{ element: 'Dy' }]);
    });

    it('should offer every TRL with its definition and default the assessment date to today', async () => {
      const page = await t.http().get('/technologies/new');
      expect(page.status).toBe(200);
      expect(page.text).toContain(
        '<option value="4">4 — Component and/or system validation in a laboratory environment</option>',
      );
      expect(page.text).toMatch(/name="assessedOn" type="date" value="\d{4}-\d{2}-\d{2}"/);
      expect(page.text).toContain('name="elements" value="graphite"');
    });

    it.each([
      [{ currentTrl: '10' }, 'TRL is a whole number from 1 to 9'],
      [{ targetTrl: '4.5' }, 'TRL is a whole number from 1 to 9'],
      [{ currentTrl: '' }, 'TRL is a whole number from 1 to 9'],
      [
        { currentTrl: '6', targetTrl: '4' },
        'The target TRL (4) cannot be below the current TRL (6).',
      ],
      [{ elements: [] }, 'Choose at least one target element.'],
      [{ elements: ['Nd', 'Xx'] }, 'Choose target elements from the list only.'],
      [{ pathway: 'alchemy' }, 'Choose the pathway.'],
      [{ name: '  ' }, 'Enter the technology’s name.'],
      [{ evidence: '' }, 'Describe the evidence for this TRL'],
      [{ assessedOn: '2025-02-30' }, 'Enter a real date as YYYY-MM-DD.'],
      [{ assessedOn: '2999-01-01' }, 'An assessment cannot be dated in the future'],
    ] as [Record<string, string | string[]>, string][])(
      'should refuse %j with 422 and the message, saving nothing',
      async (overrides, message) => {
        const events = await count(t, 'audit_events');
        const res = await post('/technologies', newTechnologyForm(overrides));
        expect(res.status).toBe(422);
        expect(res.text).toContain(message);
        expect(res.text).toContain('Bench-scale extraction from fly ash leachate.</textarea>');
        for (const table of ['technologies', 'technology_elements', 'trl_assessments']) {
          expect(await count(t, table)).toBe(0);
        }
        expect(await count(t, 'audit_events')).toBe(events);
      },
    );

    it('should keep the ticked elements on a re-rendered form', async () => {
      const res = await post(
        '/technologies',
        newTechnologyForm({ elements: ['Tb', 'Dy'], name: '' }),
      );
      expect(res.status).toBe(422);
      expect(res.text).toContain('name="elements" value="Tb" checked');
      expect(res.text).toContain('name="elements" value="Dy" checked');
      expect(res.text).not.toContain('name="elements" value="Nd" checked');
    });

    it('should refuse a duplicate name whatever its case, next to the field', async () => {
      await makeTechnology(t, { name: 'Magnet-to-magnet recycling' });
      const res = await post(
        '/technologies',
        newTechnologyForm({ name: 'MAGNET-TO-MAGNET RECYCLING' }),
      );
      expect(res.status).toBe(422);
      expect(res.text).toContain('“Magnet-to-magnet recycling” is already in the catalogue');
      expect(await count(t, 'technologies')).toBe(1);
    });

    it('should edit the catalogue fields with the version, but never the current TRL', async () => {
      const technology = await makeTechnology(t, { currentTrl: 4, targetTrl: 6 });
      const form = await t.http().get(`/technologies/${technology.id}/edit`);
      expect(form.status).toBe(200);
      expect(form.text).toContain('name="version" value="1"');
      expect(form.text).toContain('change the TRL by recording an assessment');
      expect(form.text).not.toContain('name="currentTrl"');

      const res = await post(`/technologies/${technology.id}`, {
        name: 'Renamed line',
        pathway: 'recycling',
        feedstock: 'e_waste',
        elements: ['Nd', 'Dy', 'Tb'],
        targetTrl: '7',
        description: 'Now recycling',
        currentTrl: '9',
        version: '1',
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/technologies/${technology.id}`);
      const [saved] = await rows(
        t,
        'SELECT name, pathway, feedstock, current_trl, target_trl, version FROM technologies',
      );
      expect(saved).toEqual({
        name: 'Renamed line',
        pathway: 'recycling',
        feedstock: 'e_waste',
        current_trl: 4,
        target_trl: 7,
        version: 2,
      });
      const events = await eventsOf(t, 'technology', technology.id);
      expect(JSON.parse(events[events.length - 1].changes)).toEqual({
        elements: { before: 'Nd, Dy', after: 'Nd, Tb, Dy' },
      });
    });

    it('should refuse a target below the current TRL on edit', async () => {
      const technology = await makeTechnology(t, { currentTrl: 5, targetTrl: 6 });
      const res = await post(`/technologies/${technology.id}`, {
        name: technology.name,
        pathway: 'separation',
        feedstock: 'coal_fly_ash',
        elements: ['Nd'],
        targetTrl: '4',
        description: '',
        version: '1',
      });
      expect(res.status).toBe(422);
      expect(res.text).toContain('The target TRL (4) cannot be below the current TRL (5).');
      expect(await rows(t, 'SELECT target_trl, version FROM technologies')).toEqual([
        { target_trl: 6, version: 1 },
      ]);
    });

    it('should refuse a stale version with 409, keeping what was typed and writing nothing', async () => {
      const technology = await makeTechnology(t);
      const edit = (name: string) =>
        post(`/technologies/${technology.id}`, {
          name,
          pathway: 'separation',
          feedstock: 'coal_fly_ash',
          elements: ['Nd'],
          targetTrl: '5',
          description: '',
          version: '1',
        });
      expect((await edit('First save')).status).toBe(303);
      const eventsBefore = await count(t, 'audit_events');

      const stale = await edit('Lost edit');
      expect(stale.status).toBe(409);
      expect(stale.text).toContain('changed by manager@example.gov at');
      expect(stale.text).toContain('value="Lost edit"');
      expect(stale.text).toContain('name="version" value="2"');
      expect(await rows(t, 'SELECT name, version FROM technologies')).toEqual([
        { name: 'First save', version: 2 },
      ]);
      expect(await count(t, 'audit_events')).toBe(eventsBefore);
    });

    it('should filter the list by pathway, feedstock, element and TRL, and refuse unknown values', async () => {
      const { grant } = await makeGrantWithProgram(t);
      const fly = await makeTechnology(t, {
        name: 'Fly ash leaching',
        pathway: 'extraction',
        feedstock: 'coal_fly_ash',
        elements: ['Sc', 'Y'],
        currentTrl: 3,
      });
      await makeTechnology(t, {
        name: 'Magnet hydrogen decrepitation',
        pathway: 'recycling',
        feedstock: 'end_of_life_magnets',
        elements: ['Nd', 'Dy'],
        currentTrl: 5,
        targetTrl: 7,
      });
      await makeTechnology(t, {
        name: 'Brine lithium sorbent',
        pathway: 'extraction',
        feedstock: 'brine',
        elements: ['Li'],
        currentTrl: 5,
        targetTrl: 6,
      });
      await t.app.get(GrantTechnologiesService).setGrantsOf(fly.id, [String(grant.id)]);

      const all = await t.http().get('/technologies');
      expect(all.text).toContain('3 technologies, showing 1–3');
      expect(all.text).toMatch(
        /Fly ash leaching<\/a><\/th>[\s\S]*?Sc, Y[\s\S]*?3 → 5[\s\S]*?>1<\/td>/,
      );

      const cases: [Record<string, string>, string[]][] = [
        [{ pathway: 'extraction' }, ['Fly ash leaching', 'Brine lithium sorbent']],
        [{ feedstock: 'end_of_life_magnets' }, ['Magnet hydrogen decrepitation']],
        [{ element: 'Dy' }, ['Magnet hydrogen decrepitation']],
        [{ trl: '5' }, ['Magnet hydrogen decrepitation', 'Brine lithium sorbent']],
        [{ pathway: 'extraction', trl: '5' }, ['Brine lithium sorbent']],
        [{ element: 'Ga' }, []],
      ];
      const names = ['Fly ash leaching', 'Magnet hydrogen decrepitation', 'Brine lithium sorbent'];
      for (const [query, expected] of cases) {
        const res = await t.http().get('/technologies').query(query);
        expect(res.status).toBe(200);
        expect({ query, shown: names.filter((n) => res.text.includes(`${n}</a>`)) }).toEqual({
          query,
          shown: expected,
        });
      }

      const bad = await t.http().get('/technologies').query({ element: 'Kr' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('element must be one of');
      expect((await t.http().get('/technologies').query({ trl: '12' })).status).toBe(400);
    });

    it('should answer 404 for unknown or malformed technology ids', async () => {
      for (const path of ['/technologies/999', '/technologies/abc', '/technologies/0/edit']) {
        expect((await t.http().get(path)).status).toBe(404);
      }
    });
  });

  describe('TRL assessments', () => {
    it('should record an assessment and move the current TRL to it', async () => {
      const technology = await makeTechnology(t, { currentTrl: 3, targetTrl: 6 });
      const res = await post(`/technologies/${technology.id}/assessments`, {
        assessedOn: '2026-01-15',
        trl: '4',
        evidence: 'Integrated bench system test',
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/technologies/${technology.id}#assessments`);
      expect(await rows(t, 'SELECT current_trl, version FROM technologies')).toEqual([
        { current_trl: 4, version: 2 },
      ]);
      expect(
        await rows(t, 'SELECT trl, recorded_by FROM trl_assessments ORDER BY assessed_on'),
      ).toEqual([
        { trl: 3, recorded_by: 'manager@example.gov' },
        { trl: 4, recorded_by: 'manager@example.gov' },
      ]);
      const events = await eventsOf(t, 'technology', technology.id);
      expect(events[events.length - 1]).toMatchObject({ action: 'assess' });
      expect(JSON.parse(events[events.length - 1].changes)).toEqual({
        currentTrl: { before: 3, after: 4 },
      });

      const page = await t.http().get(res.headers.location);
      expect(page.text).toContain('TRL 4 assessment of Jan 15, 2026 recorded.');
      expect(page.text).toMatch(
        /Jan 15, 2026<\/th>\s*<td><strong>4<\/strong> — Component and\/or system validation/,
      );
      expect(page.text).toContain('+1');
      expect(page.text).toContain('Integrated bench system test');
    });

    it('should keep a back-dated assessment in the history without overriding a newer one', async () => {
      const technology = await makeTechnology(t, {
        currentTrl: 5,
        targetTrl: 7,
        assessedOn: '2025-06-01',
      });
      const res = await post(`/technologies/${technology.id}/assessments`, {
        assessedOn: '2025-01-01',
        trl: '2',
        evidence: 'Earlier review, entered late',
      });
      expect(res.status).toBe(303);
      expect(await rows(t, 'SELECT current_trl, version FROM technologies')).toEqual([
        { current_trl: 5, version: 1 },
      ]);
      expect(await count(t, 'trl_assessments')).toBe(2);
      const page = await t.http().get(`/technologies/${technology.id}`);
      expect(page.text).toContain('Earlier review, entered late');
      expect(page.text).toContain('+3'); // 2 on 2025-01-01, then 5 on 2025-06-01
    });

    it.each([
      [{ trl: '0' }, 'TRL is a whole number from 1 to 9'],
      [{ trl: 'four' }, 'TRL is a whole number from 1 to 9'],
      [{ evidence: '   ' }, 'Describe the evidence for this TRL'],
      [{ assessedOn: '2026-13-01' }, 'Enter a real date as YYYY-MM-DD.'],
      [{ assessedOn: '2999-12-31' }, 'An assessment cannot be dated in the future'],
    ] as [Record<string, string>, string][])(
      'should refuse the assessment %j with 422 on the technology page, saving nothing',
      async (overrides, message) => {
        const technology = await makeTechnology(t);
        const before = await count(t, 'audit_events');
        const res = await post(`/technologies/${technology.id}/assessments`, {
          assessedOn: '2025-05-01',
          trl: '4',
          evidence: 'Pilot run',
          ...overrides,
        });
        expect(res.status).toBe(422);
        expect(res.text).toContain(message);
        expect(res.text).toContain(technology.name);
        expect(await count(t, 'trl_assessments')).toBe(1);
        expect(await count(t, 'audit_events')).toBe(before);
      },
    );

    it('should have no way to edit or delete an assessment', async () => {
      const technology = await makeTechnology(t);
      const [{ id }] = await rows<{ id: number }>(t, 'SELECT id FROM trl_assessments');
      for (const path of [
        `/technologies/${technology.id}/assessments/${id}`,
        `/technologies/${technology.id}/assessments/${id}/delete`,
      ]) {
        const res = await post(path, { trl: '9', evidence: 'x', assessedOn: '2025-01-01' });
        expect(res.status).toBe(404);
      }
      expect(await rows(t, 'SELECT trl FROM trl_assessments')).toEqual([{ trl: 3 }]);
    });
  });

  describe('grant links', () => {
    it('should link grants from the technology page, with the change in both histories', async () => {
      const { program, recipient, grant } = await makeGrantWithProgram(t);
      const other = await makeGrant(t, { programId: program.id, recipientId: recipient.id });
      const technology = await makeTechnology(t, { name: 'Fly ash leaching' });

      const page = await t.http().get(`/technologies/${technology.id}`);
      expect(page.text).toContain(`name="grantIds" value="${grant.id}"`);

      const res = await post(`/technologies/${technology.id}/grants`, {
        grantIds: [String(grant.id), String(other.id)],
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/technologies/${technology.id}#grants`);
      expect(
        await rows(t, 'SELECT grant_id, technology_id FROM grant_technologies ORDER BY grant_id'),
      ).toEqual([
        { grant_id: grant.id, technology_id: technology.id },
        { grant_id: other.id, technology_id: technology.id },
      ]);

      const shown = await t.http().get(`/technologies/${technology.id}`);
      expect(shown.text).toContain(`<a href="/grants/${grant.id}">${grant.awardNumber}</a>`);
      expect(shown.text).toContain(recipient.name);

      // Unlink one: only that grant and the technology get an event.
      const unlink = await post(`/technologies/${technology.id}/grants`, {
        grantIds: String(other.id),
      });
      expect(unlink.status).toBe(303);
      const grantEvents = await eventsOf(t, 'grant', grant.id);
      expect(
        grantEvents
          .filter((e) => e.action === 'technology_links')
          .map((e) => JSON.parse(e.changes) as unknown),
      ).toEqual([
        { technologies: { before: null, after: 'Fly ash leaching' } },
        { technologies: { before: 'Fly ash leaching', after: null } },
      ]);
      expect(
        (await eventsOf(t, 'grant', other.id)).filter((e) => e.action === 'technology_links'),
      ).toHaveLength(1);
      const techEvents = (await eventsOf(t, 'technology', technology.id)).filter(
        (e) => e.action === 'grant_links',
      );
      expect(JSON.parse(techEvents[1].changes)).toEqual({
        grants: {
          before: [grant.awardNumber, other.awardNumber].sort().join(', '),
          after: other.awardNumber,
        },
      });

      const grantPage = await t.http().get(`/grants/${grant.id}`);
      expect(grantPage.text).toContain('Technology links');
      expect(grantPage.text).toContain('Fly ash leaching');
    });

    it('should refuse a stale links form on either side with 409 and keep the newer links', async () => {
      const { grant } = await makeGrantWithProgram(t);
      const [a, b] = [
        await makeTechnology(t, { name: 'Alpha' }),
        await makeTechnology(t, { name: 'Beta' }),
      ];
      const fromGrant = await linksVersion(`/grants/${grant.id}/technologies`);
      const fromTechnology = await linksVersion(`/technologies/${b.id}/grants`);
      const saved = await post(`/grants/${grant.id}/technologies`, { technologyIds: String(a.id) });
      expect(saved.status).toBe(303);

      const staleGrant = await t
        .http()
        .post(`/grants/${grant.id}/technologies`)
        .type('form')
        .send(formBody({ technologyIds: String(b.id), version: fromGrant }));
      expect(staleGrant.status).toBe(409);
      expect(staleGrant.text).toContain(
        'This grant’s set of technologies was changed by manager@example.gov',
      );
      expect(staleGrant.text).toContain('Linked now: Alpha.');

      await post(`/technologies/${b.id}/grants`, { grantIds: String(grant.id) });
      const staleTechnology = await t
        .http()
        .post(`/technologies/${b.id}/grants`)
        .type('form')
        .send(formBody({ grantIds: [], version: fromTechnology }));
      expect(staleTechnology.status).toBe(409);
      expect(staleTechnology.text).toContain('This technology’s set of grants was changed by');
      expect(
        await rows(
          t,
          'SELECT grant_id, technology_id FROM grant_technologies ORDER BY technology_id',
        ),
      ).toEqual([
        { grant_id: grant.id, technology_id: a.id },
        { grant_id: grant.id, technology_id: b.id },
      ]);
      const missing = await t.http().post(`/grants/${grant.id}/technologies`).type('form').send('');
      expect(missing.status).toBe(400);
    });

    it('should refuse an unknown grant id with 422 and change nothing', async () => {
      const { grant } = await makeGrantWithProgram(t);
      const technology = await makeTechnology(t);
      const events = await count(t, 'audit_events');
      const res = await post(`/technologies/${technology.id}/grants`, {
        grantIds: [String(grant.id), '9999'],
      });
      expect(res.status).toBe(422);
      expect(res.text).toContain('Grant 9999 does not exist');
      expect(await count(t, 'grant_technologies')).toBe(0);
      expect(await count(t, 'audit_events')).toBe(events);
    });

    it('should link technologies from the grant side, replacing the set', async () => {
      const { grant } = await makeGrantWithProgram(t);
      const a = await makeTechnology(t, { name: 'A: fly ash leaching' });
      const b = await makeTechnology(t, { name: 'B: magnet recycling' });

      const form = await t.http().get(`/grants/${grant.id}/technologies/edit`);
      expect(form.status).toBe(200);
      expect(form.text).toContain(`name="technologyIds" value="${a.id}"`);
      expect(form.text).toContain(`name="technologyIds" value="${b.id}"`);

      const first = await post(`/grants/${grant.id}/technologies`, {
        technologyIds: [String(a.id), String(b.id)],
      });
      expect(first.status).toBe(303);
      expect(first.headers.location).toBe(`/grants/${grant.id}#technologies`);
      const second = await post(`/grants/${grant.id}/technologies`, {
        technologyIds: String(b.id),
      });
      expect(second.status).toBe(303);
      expect(await rows(t, 'SELECT grant_id, technology_id FROM grant_technologies')).toEqual([
        { grant_id: grant.id, technology_id: b.id },
      ]);

      const again = await t.http().get(`/grants/${grant.id}/technologies/edit`);
      expect(again.text).toContain(`name="technologyIds" value="${b.id}" checked`);
      expect(again.text).not.toContain(`name="technologyIds" value="${a.id}" checked`);

      const techPage = await t.http().get(`/technologies/${b.id}`);
      expect(techPage.text).toContain(grant.awardNumber);
      expect(techPage.text).toContain('Grant links');

      const grantEvents = (await eventsOf(t, 'grant', grant.id)).filter(
        (e) => e.action === 'technology_links',
      );
      expect(grantEvents.map((e) => JSON.parse(e.changes) as unknown)).toEqual([
        { technologies: { before: null, after: 'A: fly ash leaching, B: magnet recycling' } },
        {
          technologies: {
            before: 'A: fly ash leaching, B: magnet recycling',
            after: 'B: magnet recycling',
          },
        },
      ]);
      expect(await t.app.get(GrantTechnologiesService).forGrant(grant.id)).toEqual([
        expect.objectContaining({ id: b.id, name: 'B: magnet recycling', elements: ['Nd', 'Dy'] }),
      ]);
    });

    it('should unlink everything when nothing is ticked, and refuse unknown technologies', async () => {
      const { grant } = await makeGrantWithProgram(t);
      const a = await makeTechnology(t);
      await t.app.get(GrantTechnologiesService).setTechnologiesOf(grant.id, [String(a.id)]);

      const bad = await post(`/grants/${grant.id}/technologies`, {
        technologyIds: [String(a.id), '777'],
      });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('Technology 777 does not exist');
      expect(await count(t, 'grant_technologies')).toBe(1);

      const none = await post(`/grants/${grant.id}/technologies`, {});
      expect(none.status).toBe(303);
      expect(await count(t, 'grant_technologies')).toBe(0);
    });

    it('should answer 404 for an unknown grant', async () => {
      expect((await t.http().get('/grants/999/technologies/edit')).status).toBe(404);
      const res = await post('/grants/999/technologies', { technologyIds: [] });
      expect(res.status).toBe(404);
    });
  });

  describe('portfolio', () => {
    /**
     * Hand-computed as of 2025-12-31:
     * grant A (starts 2025-04-01): $1,000,000 (the $500,000 of 2026-04-01 is after the date)
     * grant B (starts 2025-07-01): $2,000,000 + $250,000 = $2,250,000
     * grant C, no technology: $300,000
     * X: separation, coal fly ash, Nd+Dy, TRL 3 (2025-01-10) → 5 (2025-09-01) → 6 (2026-02-01); grants A, B
     * Y: recycling, end-of-life magnets, Dy+Tb, TRL 4 (2025-08-01) → 5 (2025-11-01); grant B
     */
    async function fixture() {
      const {
        program,
        recipient,
        grant: a,
      } = await makeGrantWithProgram(
        t,
        {},
        { awardNumber: 'DE-SC0000001', startDate: '2025-04-01' },
      );
      const b = await makeGrant(t, {
        programId: program.id,
        recipientId: recipient.id,
        awardNumber: 'DE-SC0000002',
        startDate: '2025-07-01',
      });
      const c = await makeGrant(t, {
        programId: program.id,
        recipientId: recipient.id,
        awardNumber: 'DE-SC0000003',
      });
      await makeAmendment(t, {
        grantId: a.id,
        federalChangeCents: 1_000_000_00,
        effectiveDate: '2025-04-01',
      });
      await makeAmendment(t, {
        grantId: a.id,
        federalChangeCents: 500_000_00,
        effectiveDate: '2026-04-01',
      });
      await makeAmendment(t, {
        grantId: b.id,
        federalChangeCents: 2_000_000_00,
        effectiveDate: '2025-07-01',
      });
      await makeAmendment(t, {
        grantId: b.id,
        federalChangeCents: 250_000_00,
        effectiveDate: '2025-10-01',
      });
      await makeAmendment(t, {
        grantId: c.id,
        federalChangeCents: 300_000_00,
        effectiveDate: '2025-05-01',
      });

      const x = await makeTechnology(t, {
        name: 'X separation',
        pathway: 'separation',
        feedstock: 'coal_fly_ash',
        elements: ['Nd', 'Dy'],
        currentTrl: 3,
        targetTrl: 7,
        assessedOn: '2025-01-10',
      });
      const y = await makeTechnology(t, {
        name: 'Y recycling',
        pathway: 'recycling',
        feedstock: 'end_of_life_magnets',
        elements: ['Dy', 'Tb'],
        currentTrl: 4,
        targetTrl: 6,
        assessedOn: '2025-08-01',
      });
      // Recorded with the fixtures, long before any date asked about (a portfolio as of a date shows
      // only what had been recorded by its end).
      await recordingAt(FIXTURES_RECORDED_AT, async () => {
        const assessments = t.app.get(TrlAssessmentsService);
        const assess = (id: number, assessedOn: string, trl: number) =>
          t.writes.transaction((m) =>
            assessments.append(m, id, { assessedOn, trl, evidence: 'Review' }),
          );
        await assess(x.id, '2025-09-01', 5);
        await assess(x.id, '2026-02-01', 6);
        await assess(y.id, '2025-11-01', 5);

        const technologies = t.app.get(GrantTechnologiesService);
        await technologies.setGrantsOf(x.id, [String(a.id), String(b.id)]);
        await technologies.setGrantsOf(y.id, [String(b.id)]);
      });
      return { a, b, c, x, y };
    }

    it('should break obligations down by pathway, element, feedstock and TRL as of a date', async () => {
      const { a, b, c, x, y } = await fixture();
      const res = await t.http().get('/technologies/portfolio').query({ asOf: '2025-12-31' });
      expect(res.status).toBe(200);
      const page = res.text;
      expect(page).toContain('counts, with its whole obligation, in both');

      expect(rowText(page, 'by-pathway', 'separation')).toBe('Separation 1 2 $3,250,000.00');
      expect(rowText(page, 'by-pathway', 'recycling')).toBe('Recycling 1 1 $2,250,000.00');
      expect(rowText(page, 'by-pathway', 'extraction')).toBe('Extraction 0 0 $0.00');
      expect(rowText(page, 'by-pathway', 'none')).toBe('No technology linked — 1 $300,000.00');
      expect(rowText(page, 'by-pathway', 'total')).toBe(
        'All grants, each counted once 3 $3,550,000.00',
      );

      // Which grants target dysprosium? A and B, and B's money counts once although two of its
      // technologies target Dy.
      expect(rowText(page, 'by-element', 'Dy')).toBe(
        'Dy — Dysprosium 2 2 $3,250,000.00 DE-SC0000001, DE-SC0000002',
      );
      expect(page).toContain(`<a href="/grants/${a.id}">DE-SC0000001</a>`);
      expect(rowText(page, 'by-element', 'Tb')).toBe('Tb — Terbium 1 1 $2,250,000.00 DE-SC0000002');
      expect(rowText(page, 'by-element', 'Nd')).toBe(
        'Nd — Neodymium 1 2 $3,250,000.00 DE-SC0000001, DE-SC0000002',
      );
      expect(rowText(page, 'by-element', 'none')).toBe(
        'No technology linked — 1 $300,000.00 DE-SC0000003',
      );
      expect(page).toContain(`<a href="/grants/${c.id}">DE-SC0000003</a>`);

      expect(rowText(page, 'by-feedstock', 'coal_fly_ash')).toBe('Coal fly ash 1 2 $3,250,000.00');
      expect(rowText(page, 'by-feedstock', 'end_of_life_magnets')).toBe(
        'End-of-life magnets 1 1 $2,250,000.00',
      );

      // Both at TRL 5 on 2025-12-31 (X reached 6 only in 2026).
      expect(rowText(page, 'by-trl', '5')).toBe(
        '5 — Laboratory-scale similar system validated in a relevant environment 2 2 $3,250,000.00',
      );
      expect(rowText(page, 'by-trl', '6')).toMatch(/ 0 0 \$0\.00$/);

      // X: 3 on A's start (2025-04-01) → 5. Y: no assessment by B's start, so its first (4) → 5.
      expect(rowText(page, 'trl-gained', String(x.id))).toBe(
        'X separation DE-SC0000001, DE-SC0000002 Apr 1, 2025 3 5 7 +2',
      );
      expect(rowText(page, 'trl-gained', String(y.id))).toBe(
        'Y recycling DE-SC0000002 Jul 1, 2025 4 5 6 +1',
      );
      expect(b.id).toBeGreaterThan(0);
    });

    it('should count later amendments and assessments on a later date', async () => {
      const { x } = await fixture();
      const res = await t.http().get('/technologies/portfolio').query({ asOf: '2026-06-30' });
      expect(rowText(res.text, 'by-pathway', 'separation')).toBe('Separation 1 2 $3,750,000.00');
      expect(rowText(res.text, 'by-trl', '6')).toMatch(/ 1 2 \$3,750,000\.00$/);
      expect(rowText(res.text, 'trl-gained', String(x.id))).toMatch(/ 3 6 7 \+3$/);
    });

    it('should refuse an invalid asOf with 400 and a clear message', async () => {
      const res = await t.http().get('/technologies/portfolio').query({ asOf: '2025-02-30' });
      expect(res.status).toBe(400);
      expect(res.text).toContain('asOf must be a real date as YYYY-MM-DD');
    });
  });

  describe('auditor', () => {
    it('should read every page but change nothing', async () => {
      const { grant } = await makeGrantWithProgram(t);
      const technology = await makeTechnology(t);
      const auditor = await t.as('auditor');
      for (const path of [
        '/technologies',
        `/technologies/${technology.id}`,
        '/technologies/portfolio',
      ]) {
        const res = await auditor.get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        expect(res.text).not.toContain('Record an assessment');
        expect(res.text).not.toContain('Change the linked grants');
      }
      for (const path of [
        '/technologies/new',
        `/technologies/${technology.id}/edit`,
        `/grants/${grant.id}/technologies/edit`,
      ]) {
        expect((await auditor.get(path)).status).toBe(403);
      }

      const events = await count(t, 'audit_events');
      const posts: [string, Record<string, string | string[]>][] = [
        ['/technologies', newTechnologyForm()],
        [`/technologies/${technology.id}`, { ...newTechnologyForm(), version: '1' }],
        [
          `/technologies/${technology.id}/assessments`,
          { assessedOn: '2025-05-01', trl: '9', evidence: 'x' },
        ],
        [`/technologies/${technology.id}/grants`, { grantIds: String(grant.id) }],
        [`/grants/${grant.id}/technologies`, { technologyIds: String(technology.id) }],
      ];
      for (const [path, fields] of posts) {
        const res = await auditor.post(path).type('form').send(formBody(fields));
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
      expect(await count(t, 'audit_events')).toBe(events);
      expect(await count(t, 'technologies')).toBe(1);
      expect(await count(t, 'trl_assessments')).toBe(1);
      expect(await count(t, 'grant_technologies')).toBe(0);
    });
  });
});
