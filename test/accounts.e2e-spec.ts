import request from 'supertest';
import { SessionRecord } from '../src/accounts/session.entity';
import { UsersService } from '../src/accounts/users.service';
import { FormError } from '../src/common/forms';
import { makeGrantWithProgram } from './helpers/factories';
import {
  csrfTokenIn,
  freshAppPerTest,
  rows,
  signInSession,
  TEST_EMAILS,
  TestApp,
} from './helpers/test-app';
import { TEST_PASSWORD } from './helpers/users';

const cookieNamed = (res: request.Response, name: string) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`));

const events = (t: TestApp, action: string) =>
  rows<{ actor_email: string; entity_id: number | null }>(
    t,
    'SELECT actor_email, entity_id FROM audit_events WHERE action = ? ORDER BY id',
    [action],
  );

async function loginForm(t: TestApp) {
  const agent = request.agent(t.app.getHttpServer());
  const form = await agent.get('/login?next=/grants');
  return { agent, form, token: csrfTokenIn(form.text) };
}

describe('Accounts and sessions (HTTP)', () => {
  const t = freshAppPerTest();

  it('should sign in with a new session id, secure cookie flags, and a login event', async () => {
    const { agent, form, token } = await loginForm(t);
    const before = cookieNamed(form, 'sid');
    const res = await agent.post('/login').type('form').send({
      email: 'Manager@Example.gov',
      password: TEST_PASSWORD,
      next: '/grants',
      _csrf: token,
    });

    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/grants');
    const after = cookieNamed(res, 'sid');
    expect(after).toMatch(/HttpOnly/);
    expect(after).toMatch(/SameSite=Lax/);
    expect(after).not.toMatch(/Secure/);
    expect(after?.split(';')[0]).not.toBe(before?.split(';')[0]);
    expect(await events(t, 'login')).toContainEqual({
      actor_email: TEST_EMAILS.program_manager,
      entity_id: expect.any(Number),
    });
    expect((await agent.get('/grants')).status).toBe(200);
  });

  it('should never send a visitor to another site after sign-in', async () => {
    const { agent, token } = await loginForm(t);
    const res = await agent.post('/login').type('form').send({
      email: TEST_EMAILS.auditor,
      password: TEST_PASSWORD,
      next: '//evil.example/x',
      _csrf: token,
    });
    expect(res.headers.location).toBe('/');
  });

  it('should refuse a wrong password with 401, record it, and keep the form usable', async () => {
    const { agent, token } = await loginForm(t);
    const res = await agent.post('/login').type('form').send({
      email: TEST_EMAILS.program_manager,
      password: 'not the password at all',
      _csrf: token,
    });
    expect(res.status).toBe(401);
    expect(res.text).toContain('That email and password do not match an active account.');
    expect(csrfTokenIn(res.text)).toBe(token);
    expect(await events(t, 'login_failed')).toEqual([
      { actor_email: TEST_EMAILS.program_manager, entity_id: expect.any(Number) },
    ]);
  });

  it('should answer 429 after repeated failures for one account, even with the right password', async () => {
    const { agent, token } = await loginForm(t);
    const attempt = (password: string) =>
      agent
        .post('/login')
        .type('form')
        .send({ email: TEST_EMAILS.auditor, password, _csrf: token });
    for (let i = 0; i < 5; i++)
      expect((await attempt('wrong password number ' + i)).status).toBe(401);
    const blocked = await attempt(TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toMatch(/Too many failed sign-ins. Try again in 15 minutes/);
    expect(await events(t, 'login_throttled')).toHaveLength(1);
  });

  it('should let at most the allowed number of 20 simultaneous wrong passwords reach the password check', async () => {
    const { agent, token } = await loginForm(t);
    const checked = jest.spyOn(UsersService.prototype, 'authenticate');
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        agent
          .post('/login')
          .type('form')
          .send({ email: TEST_EMAILS.auditor, password: `wrong password ${i}`, _csrf: token })
          .then((res) => res.status),
      ),
    );
    expect(checked.mock.calls.length).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status === 401)).toHaveLength(checked.mock.calls.length);
    expect(statuses.filter((status) => status === 429)).toHaveLength(
      20 - checked.mock.calls.length,
    );
  });

  it('should store no session for anonymous visits to the sign-in form, and still refuse a forged form', async () => {
    const before = await rows(t, 'SELECT sid FROM sessions ORDER BY sid');
    for (let i = 0; i < 50; i++) {
      const page = await t.anonymous().get('/login');
      expect(page.status).toBe(200);
      expect(cookieNamed(page, 'sid')).toBeUndefined();
    }
    expect(await rows(t, 'SELECT sid FROM sessions ORDER BY sid')).toEqual(before);

    const mine = await loginForm(t);
    const theirs = await loginForm(t);
    const forged = await mine.agent
      .post('/login')
      .type('form')
      .send({ email: TEST_EMAILS.auditor, password: TEST_PASSWORD, _csrf: theirs.token });
    expect(forged.status).toBe(403);
    const signedIn = await mine.agent
      .post('/login')
      .type('form')
      .send({ email: TEST_EMAILS.auditor, password: TEST_PASSWORD, _csrf: mine.token });
    expect(signedIn.status).toBe(303);
    expect(cookieNamed(signedIn, 'sid')).toBeDefined();
  });

  it('should add one summary event, not one per attempt, for 1,000 throttled attempts from one address', async () => {
    const { agent, token } = await loginForm(t);
    const attempt = () =>
      agent
        .post('/login')
        .type('form')
        .send({ email: TEST_EMAILS.auditor, password: 'not the password', _csrf: token })
        .then((res) => res.status);
    for (let i = 0; i < 5; i++) expect(await attempt()).toBe(401);
    const eventsBefore = await rows(t, 'SELECT COUNT(*) AS n FROM audit_events');
    const statuses: number[] = [];
    for (let batch = 0; batch < 50; batch++) {
      statuses.push(...(await Promise.all(Array.from({ length: 20 }, attempt))));
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(1_000);
    const throttled = await rows<{ changes: string }>(
      t,
      "SELECT changes FROM audit_events WHERE action = 'login_throttled'",
    );
    expect(throttled).toHaveLength(1);
    expect(JSON.parse(throttled[0].changes)).toMatchObject({ refused: { after: 1 } });
    const [{ n: added }] = await rows<{ n: number }>(
      t,
      'SELECT COUNT(*) - ? AS n FROM audit_events',
      [(eventsBefore[0] as { n: number }).n],
    );
    expect(added).toBe(1);
  });

  it('should sign out: the session row is gone and pages send you to the login form', async () => {
    const { agent, token } = await signInSession(t.app, TEST_EMAILS.auditor);
    const sessionsBefore = await rows(t, 'SELECT sid FROM sessions WHERE user_id IS NOT NULL');
    const res = await agent.post('/logout').type('form').send({ _csrf: token });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect(await rows(t, 'SELECT sid FROM sessions WHERE user_id IS NOT NULL')).toHaveLength(
      sessionsBefore.length - 1,
    );
    expect((await agent.get('/grants')).status).toBe(303);
    expect(await events(t, 'logout')).toEqual([
      { actor_email: TEST_EMAILS.auditor, entity_id: expect.any(Number) },
    ]);
  });

  it('should end a session after the idle timeout and after the absolute timeout', async () => {
    const idle = await signInSession(t.app, TEST_EMAILS.auditor);
    const long = await signInSession(t.app, TEST_EMAILS.admin);
    const sessions = await rows<{ sid: string; user_id: number; data: string }>(
      t,
      'SELECT sid, user_id, data FROM sessions WHERE user_id IS NOT NULL',
    );
    const auditorId = (
      await rows<{ id: number }>(t, 'SELECT id FROM users WHERE email = ?', [TEST_EMAILS.auditor])
    )[0].id;
    await t.writes.transaction(async (m) => {
      for (const s of sessions) {
        if (s.user_id === auditorId) {
          await m.update(SessionRecord, { sid: s.sid }, { expiresAt: '2000-01-01T00:00:00.000Z' });
        } else {
          const data = { ...JSON.parse(s.data), signedInAt: Date.now() - 13 * 3_600_000 };
          await m.update(SessionRecord, { sid: s.sid }, { data: JSON.stringify(data) });
        }
      }
    });
    expect((await idle.agent.get('/grants')).status).toBe(303);
    expect((await long.agent.get('/grants')).status).toBe(303);
    expect((await t.http().get('/grants')).status).toBe(303); // the manager's session was 13 hours old too
  });

  it('should end every session of a user who is deactivated', async () => {
    const admin = await t.as('admin');
    const manager = await rows<{ id: number }>(t, 'SELECT id FROM users WHERE email = ?', [
      TEST_EMAILS.program_manager,
    ]);
    expect((await t.http().get('/grants')).status).toBe(200);

    const res = await admin.post(`/admin/users/${manager[0].id}/deactivate`).type('form').send({});
    expect(res.status).toBe(303);
    expect(await rows(t, 'SELECT sid FROM sessions WHERE user_id = ?', [manager[0].id])).toEqual(
      [],
    );
    expect((await t.http().get('/grants')).status).toBe(303);
    expect(await events(t, 'deactivate')).toEqual([
      { actor_email: TEST_EMAILS.admin, entity_id: manager[0].id },
    ]);
  });

  it('should keep the CSRF token in a form re-rendered after a refused POST', async () => {
    const { grant } = await makeGrantWithProgram(t);
    const { agent, token } = await signInSession(t.app, TEST_EMAILS.program_manager);
    const res = await agent
      .post(`/grants/${grant.id}/amendments`)
      .type('form')
      .send({ effectiveDate: 'soon', kind: 'initial', federalChange: '1', _csrf: token });
    expect(res.status).toBe(422);
    expect(csrfTokenIn(res.text)).toBe(token);
  });
});

describe('User administration (HTTP)', () => {
  const t = freshAppPerTest();

  it('should create an account, refusing common and short passwords', async () => {
    const admin = await t.as('admin');
    const form = { email: 'new.pm@example.gov', name: 'New PM', role: 'program_manager' };
    const common = await admin
      .post('/admin/users')
      .type('form')
      .send({ ...form, password: 'qwerty123456' });
    expect(common.status).toBe(422);
    expect(common.text).toContain('too common');
    expect(common.text).not.toContain('qwerty123456');
    const short = await admin
      .post('/admin/users')
      .type('form')
      .send({ ...form, password: 'short' });
    expect(short.text).toContain('Use at least 12 characters.');
    expect(await rows(t, 'SELECT * FROM users WHERE email = ?', [form.email])).toEqual([]);

    const ok = await admin
      .post('/admin/users')
      .type('form')
      .send({ ...form, password: 'tidal quartz lantern meadow' });
    expect(ok.status).toBe(303);
    const [user] = await rows<{ role: string; password_hash: string }>(
      t,
      'SELECT role, password_hash FROM users WHERE email = ?',
      [form.email],
    );
    expect(user.role).toBe('program_manager');
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    const [event] = await rows<{ changes: string }>(
      t,
      "SELECT changes FROM audit_events WHERE action = 'create' AND entity_type = 'user' ORDER BY id DESC LIMIT 1",
    );
    expect(event.changes).not.toContain('argon2');
  });

  it('should change a role with an audit event and never demote the last admin', async () => {
    const admin = await t.as('admin');
    const ids = Object.fromEntries(
      (await rows<{ id: number; email: string }>(t, 'SELECT id, email FROM users')).map((u) => [
        u.email,
        u.id,
      ]),
    );
    const promoted = await admin
      .post(`/admin/users/${ids[TEST_EMAILS.auditor]}/role`)
      .type('form')
      .send({ role: 'program_manager', version: '1' });
    expect(promoted.status).toBe(303);
    expect(await rows(t, "SELECT changes FROM audit_events WHERE action = 'role_change'")).toEqual([
      { changes: JSON.stringify({ role: { before: 'auditor', after: 'program_manager' } }) },
    ]);

    const demoteSelf = await admin
      .post(`/admin/users/${ids[TEST_EMAILS.admin]}/role`)
      .type('form')
      .send({ role: 'auditor', version: '1' });
    expect(demoteSelf.status).toBe(422);
    expect(demoteSelf.text).toContain('is the last active admin');
    expect(
      (
        await rows<{ role: string }>(t, 'SELECT role FROM users WHERE id = ?', [
          ids[TEST_EMAILS.admin],
        ])
      )[0].role,
    ).toBe('admin');
  });
});

describe('Sessions over HTTPS (HTTP)', () => {
  const t = freshAppPerTest({ COOKIE_SECURE: true, TRUST_PROXY: true });

  it('should mark the session cookie Secure and send HSTS when configured for HTTPS', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const form = await agent.get('/login').set('X-Forwarded-Proto', 'https');
    // Before signing in, the form's CSRF token is tied to a cookie of its own, not a session.
    const cookie = cookieNamed(form, '__Host-csrf') ?? '';
    expect(cookie).toMatch(/; Secure/);
    const res = await request(t.app.getHttpServer())
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', cookie.split(';')[0])
      .type('form')
      .send({ email: TEST_EMAILS.auditor, password: TEST_PASSWORD, _csrf: csrfTokenIn(form.text) });
    expect(res.status).toBe(303);
    expect(cookieNamed(res, 'sid')).toMatch(/; Secure/);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });
});

describe('The first admin (start-up)', () => {
  const t = freshAppPerTest();

  it('should create the ADMIN_EMAIL account once and leave it alone afterwards', async () => {
    const users = t.app.get(UsersService);
    const created = await users.ensureAdmin('Chief@Agency.gov', 'granite osprey lantern fjord');
    expect(created).toMatchObject({ email: 'chief@agency.gov', role: 'admin', active: true });
    await expect(
      users.ensureAdmin('chief@agency.gov', 'another long phrase entirely'),
    ).resolves.toBeNull();
    await expect(users.ensureAdmin('weak@agency.gov', 'password1234')).rejects.toThrow(FormError);
    expect(await rows(t, "SELECT email FROM users WHERE role = 'admin' ORDER BY email")).toEqual([
      { email: 'admin@example.gov' },
      { email: 'chief@agency.gov' },
    ]);
  });
});
