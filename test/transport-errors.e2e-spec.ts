import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { csrfTokenIn, freshAppPerTest, rows, TestApp } from './helpers/test-app';

/** A session with its CSRF token: anonymous on the sign-in form, or the signed-in manager's. */
async function sender(t: TestApp, who: 'anonymous' | 'manager') {
  if (who === 'manager') return { agent: t.http(), path: '/programs' };
  const agent = request.agent(t.app.getHttpServer());
  const form = await agent.get('/login');
  agent.set('X-CSRF-Token', csrfTokenIn(form.text));
  return { agent, path: '/login' };
}

const form = 'application/x-www-form-urlencoded';

const CASES: [string, number, RegExp, (r: request.Test) => request.Test][] = [
  [
    'more than 1,000 fields',
    413,
    /more fields than this app accepts/,
    (r) =>
      r
        .set('Content-Type', form)
        .send(Array.from({ length: 1_200 }, (_, i) => `f${i}=1`).join('&')),
  ],
  [
    'a body over the limit',
    413,
    /larger than this app accepts/,
    (r) => r.set('Content-Type', form).send(`name=${'a'.repeat(1_100_000)}`),
  ],
  [
    'an unsupported charset',
    415,
    /character set this app does not read/,
    (r) => r.set('Content-Type', `${form}; charset=klingon`).send('name=a'),
  ],
  [
    'an unsupported content encoding',
    415,
    /content encoding this app does not read/,
    (r) => r.set('Content-Type', form).set('Content-Encoding', 'x-bogus').send('name=a'),
  ],
  [
    'corrupt gzip',
    400,
    /could not be read/,
    (r) =>
      r
        .set('Content-Type', form)
        .set('Content-Encoding', 'gzip')
        .send(gzipSync('name=a').subarray(0, 12)),
  ],
  [
    'deeply nested JSON',
    415,
    /HTML forms only/,
    (r) =>
      r
        .set('Content-Type', 'application/json')
        .send(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`),
  ],
];

describe('Requests the app cannot read (HTTP)', () => {
  const t = freshAppPerTest();

  describe.each(['anonymous', 'manager'] as const)('sent by %s', (who) => {
    it.each(CASES)(
      'should answer %s with %i and the HTML error page, saving nothing',
      async (_what, status, message, send) => {
        const before = await rows(t, 'SELECT COUNT(*) AS n FROM programs');
        const { agent, path } = await sender(t, who);
        const res = await send(agent.post(path));
        expect(res.status).toBe(status);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toMatch(message);
        expect(res.text).not.toMatch(/at .*\.js:\d+|node_modules/);
        expect(await rows(t, 'SELECT COUNT(*) AS n FROM programs')).toEqual(before);
      },
    );
  });

  it('should read a sign-in with no body at all as an empty form (401, not 500)', async () => {
    const { agent } = await sender(t, 'anonymous');
    const res = await agent.post('/login');
    expect(res.status).toBe(401);
    expect(res.text).toContain('That email and password do not match an active account.');
  });
});
