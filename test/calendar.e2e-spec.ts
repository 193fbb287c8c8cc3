import { randomBytes } from 'node:crypto';
import { UsersService } from '../src/accounts/users.service';
import { hashToken } from '../src/calendar/calendar.service';
import { Clock } from '../src/common/clock';
import { addDays } from '../src/common/dates';
import { makeBudgetPeriods, makeGrantWithProgram, makeMilestone } from './helpers/factories';
import { submitPageForm } from './helpers/forms';
import { pageText } from './helpers/html';
import { Agent, freshAppPerTest, rows, TEST_EMAILS, TestApp } from './helpers/test-app';

const APP_URL = 'https://tracker.example.gov';

/** The feed's events, folding undone, as their properties by name (parameters kept in the name). */
function events(ics: string): Record<string, string>[] {
  const lines = ics.replace(/\r\n /g, '').split('\r\n');
  const found: Record<string, string>[] = [];
  let current: Record<string, string> | null = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) {
      found.push(current);
      current = null;
    } else if (current) {
      const colon = line.indexOf(':');
      current[line.slice(0, colon)] = line.slice(colon + 1);
    }
  }
  return found;
}

/** The feed address on the page the create form answers with. */
function feedUrlIn(html: string): string {
  const match = /data-testid="feed-url">([^<]+)</.exec(html);
  if (!match) throw new Error('No feed address on the page');
  return match[1];
}

const pathOf = (url: string) => new URL(url).pathname;

const userId = async (t: TestApp, role: keyof typeof TEST_EMAILS) =>
  Number(
    (await rows<{ id: number }>(t, 'SELECT id FROM users WHERE email = ?', [TEST_EMAILS[role]]))[0]
      .id,
  );

describe('Calendar feed (HTTP)', () => {
  const t = freshAppPerTest({ APP_URL });

  /** An active grant running a year either side of today, in one budget period. */
  async function grantAroundToday() {
    const today = t.app.get(Clock).today();
    const period = { startDate: addDays(today, -365), endDate: addDays(today, 700) };
    const { program, grant } = await makeGrantWithProgram(
      t,
      { name: 'Rare Earth Recovery Program' },
      period,
    );
    await makeBudgetPeriods(t, grant.id, [period]);
    return { today, program, grant };
  }

  const createFeed = (agent: Agent) => submitPageForm(agent, '/calendar', '/calendar/token');

  it('should serve the feed by its address alone, with no cookie, as one all-day event per deadline', async () => {
    const { today, grant } = await grantAroundToday();
    const due = addDays(today, 30);
    const milestone = await makeMilestone(t, {
      grantId: grant.id,
      title: 'Leach-test report',
      dueDate: due,
    });
    await makeMilestone(t, {
      grantId: grant.id,
      title: 'Met already',
      dueDate: addDays(today, 10),
      status: 'complete',
      completedOn: addDays(today, -5),
    });
    await makeMilestone(t, { grantId: grant.id, title: 'Too far', dueDate: addDays(today, 401) });

    const created = await createFeed(t.http());
    expect(created.status).toBe(200);
    const url = feedUrlIn(created.text);
    expect(url).toMatch(/^https:\/\/tracker\.example\.gov\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    expect(pageText(created.text)).toContain('Copy it now: it is shown only this once.');
    const sessionsBefore = await rows(t, 'SELECT sid FROM sessions ORDER BY sid');

    const res = await t.anonymous().get(pathOf(url));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const ics = res.text;
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:')).toBe(true);
    expect(ics).toContain('X-WR-CALNAME:Grant deadlines — Rare Earth Recovery Program\r\n');
    expect(ics).toContain('X-PUBLISHED-TTL:PT1H\r\n');
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);

    const all = events(ics);
    const event = all.find((e) => e.UID === `milestone-${milestone.id}@tracker.example.gov`);
    expect(event).toMatchObject({
      'DTSTART;VALUE=DATE': due.replaceAll('-', ''),
      SUMMARY: `${grant.awardNumber}: Leach-test report`,
      DESCRIPTION: `Milestone. Due in BP1.\\n${APP_URL}/milestones/${milestone.id}`,
      'URL;VALUE=URI': `${APP_URL}/milestones/${milestone.id}`,
    });
    expect(event?.DTSTAMP).toMatch(/^\d{8}T\d{6}Z$/);
    expect(all.every((e) => e.DTSTAMP && e['DTSTART;VALUE=DATE'])).toBe(true);
    const summaries = all.map((e) => e.SUMMARY);
    expect(summaries).not.toContain(`${grant.awardNumber}: Met already`);
    expect(summaries).not.toContain(`${grant.awardNumber}: Too far`);
    // The grant's other deadlines are there too: its SF-425s in the window, say.
    expect(all.some((e) => e.UID.startsWith(`sf425-${grant.id}-`))).toBe(true);
    // A calendar app's fetch starts no session.
    const cookies = [res.headers['set-cookie'] ?? []].flat();
    expect(cookies.filter((c) => c.startsWith('sid='))).toEqual([]);
    expect(await rows(t, 'SELECT sid FROM sessions ORDER BY sid')).toEqual(sessionsBefore);
  });

  it('should keep the event’s UID when its milestone moves, and move its date', async () => {
    const { today, grant } = await grantAroundToday();
    const milestone = await makeMilestone(t, { grantId: grant.id, dueDate: addDays(today, 30) });
    const path = pathOf(feedUrlIn((await createFeed(t.http())).text));
    const uid = `milestone-${milestone.id}@tracker.example.gov`;
    const find = async () =>
      events((await t.anonymous().get(path)).text).filter((e) => e.UID === uid);
    expect(await find()).toHaveLength(1);

    const moved = addDays(today, 45);
    const edit = await submitPageForm(
      t.http(),
      `/milestones/${milestone.id}/edit`,
      `/milestones/${milestone.id}`,
      { dueDate: moved },
    );
    expect(edit.status).toBe(303);

    expect(await find()).toEqual([
      expect.objectContaining({ 'DTSTART;VALUE=DATE': moved.replaceAll('-', '') }),
    ]);
  });

  it('should stop the old address when the feed is replaced, and every address when it is stopped', async () => {
    await grantAroundToday();
    const first = pathOf(feedUrlIn((await createFeed(t.http())).text));
    const page = await t.http().get('/calendar');
    expect(pageText(page.text)).toContain('You have a calendar feed');
    expect(page.text).toContain('Replace my feed address');
    expect(page.text).not.toContain('data-testid="feed-url"');

    const replaced = await createFeed(t.http());
    expect(pageText(replaced.text)).toContain('The old address no longer works.');
    const second = pathOf(feedUrlIn(replaced.text));
    expect(second).not.toBe(first);
    const gone = await t.anonymous().get(first);
    expect(gone.status).toBe(404);
    expect(gone.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(gone.text).toBe('Not found.');
    expect((await t.anonymous().get(second)).status).toBe(200);

    const stopped = await submitPageForm(t.http(), '/calendar', '/calendar/token/revoke');
    expect(stopped.status).toBe(303);
    expect(stopped.headers.location).toBe('/calendar');
    expect((await t.anonymous().get(second)).status).toBe(404);
    const after = await t.http().get('/calendar');
    expect(pageText(after.text)).toContain('Your calendar feed is stopped');
    expect(pageText(after.text)).toContain('You have no calendar feed.');
    expect(after.text).toContain('Create my calendar feed');
    expect(
      await rows(t, 'SELECT calendar_token_hash FROM users WHERE id = ?', [
        await userId(t, 'program_manager'),
      ]),
    ).toEqual([{ calendar_token_hash: null }]);
  });

  it('should answer 404 with no details for a random, malformed or deactivated user’s token', async () => {
    const auditor = await t.as('auditor');
    const path = pathOf(feedUrlIn((await createFeed(auditor)).text));
    expect((await t.anonymous().get(path)).status).toBe(200);

    for (const probe of [
      `/calendar/${randomBytes(32).toString('base64url')}.ics`,
      '/calendar/not-a-token.ics',
      `/calendar/${'A'.repeat(500)}.ics`,
    ]) {
      const res = await t.anonymous().get(probe);
      expect({ probe, status: res.status, body: res.text }).toEqual({
        probe,
        status: 404,
        body: 'Not found.',
      });
    }

    await t.app.get(UsersService).setActive(await userId(t, 'auditor'), false);
    expect((await t.anonymous().get(path)).status).toBe(404);
  });

  it('should audit making, replacing and stopping a feed without the token or its hash', async () => {
    const id = await userId(t, 'program_manager');
    const first = feedUrlIn((await createFeed(t.http())).text);
    const firstHash = (
      await rows<{ calendar_token_hash: string }>(
        t,
        'SELECT calendar_token_hash FROM users WHERE id = ?',
        [id],
      )
    )[0].calendar_token_hash;
    const token = (url: string) => /\/calendar\/([^/.]+)\.ics$/.exec(url)![1];
    expect(firstHash).toBe(hashToken(token(first)));
    const second = feedUrlIn((await createFeed(t.http())).text);
    await submitPageForm(t.http(), '/calendar', '/calendar/token/revoke');
    // A second stop changes nothing and records nothing.
    await t.http().post('/calendar/token/revoke').type('form').send({});

    const audited = await rows<{
      action: string;
      entity_type: string;
      entity_id: number;
      actor_email: string;
      changes: string;
    }>(
      t,
      "SELECT action, entity_type, entity_id, actor_email, changes FROM audit_events WHERE action LIKE 'calendar_feed_%' ORDER BY id",
    );
    expect(audited.map((e) => ({ ...e, changes: JSON.parse(e.changes) as unknown }))).toEqual([
      {
        action: 'calendar_feed_create',
        entity_type: 'user',
        entity_id: id,
        actor_email: TEST_EMAILS.program_manager,
        changes: { calendarFeed: { before: 'none', after: 'active' } },
      },
      {
        action: 'calendar_feed_replace',
        entity_type: 'user',
        entity_id: id,
        actor_email: TEST_EMAILS.program_manager,
        changes: { calendarFeed: { before: 'active', after: 'active' } },
      },
      {
        action: 'calendar_feed_revoke',
        entity_type: 'user',
        entity_id: id,
        actor_email: TEST_EMAILS.program_manager,
        changes: { calendarFeed: { before: 'active', after: 'none' } },
      },
    ]);
    const trail = JSON.stringify(await rows(t, 'SELECT * FROM audit_events'));
    for (const secret of [token(first), token(second), firstHash, hashToken(token(second))]) {
      expect(trail).not.toContain(secret);
    }
    // The account's version is the admin's to move: a feed change leaves it alone.
    expect(await rows(t, 'SELECT version FROM users WHERE id = ?', [id])).toEqual([{ version: 1 }]);
  });

  it('should never show the stored hash, and show the address only in the answer that made it', async () => {
    const created = await createFeed(t.http());
    const url = feedUrlIn(created.text);
    const hash = hashToken(/\/calendar\/([^/.]+)\.ics$/.exec(url)![1]);
    expect(created.text).not.toContain(hash);
    const page = await t.http().get('/calendar');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(hash);
    expect(page.text).not.toContain(url);
    expect(pageText(page.text)).toContain('cannot be shown again');
  });

  it('should let every signed-in role make a feed, and send anonymous visitors to sign in', async () => {
    for (const role of ['admin', 'approving_official', 'auditor'] as const) {
      const agent = await t.as(role);
      const page = await agent.get('/calendar');
      expect({ role, status: page.status }).toEqual({ role, status: 200 });
      expect(pageText(page.text)).toContain('every grant of the program');
      expect((await createFeed(agent)).status).toBe(200);
    }
    const anonymous = await t.anonymous().get('/calendar');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fcalendar');
    expect((await t.anonymous().post('/calendar/token').type('form').send({})).status).toBe(403);
  });
});
