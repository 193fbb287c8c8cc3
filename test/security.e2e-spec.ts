import type { Role } from '../src/accounts/user.entity';
import { isMiddleware } from '../src/common/http/allowed-methods';
import {
  makeAmendment,
  makeExpenditure,
  makeGrant,
  makeGrantWithProgram,
  makeMilestone,
  makeTechnology,
} from './helpers/factories';
import {
  Agent,
  freshAppPerTest,
  rows,
  signInSession,
  TEST_EMAILS,
  TestApp,
} from './helpers/test-app';
import { makeUser } from './helpers/users';
import { JUSTIFICATION, requestIdOf } from './helpers/approvals';

type Access = 'public' | 'read' | 'manager' | 'approver' | 'admin';

/** Who may use each route. A route missing here fails the build: every new route needs a rule. */
const MATRIX: Record<string, Access> = {
  'GET /': 'read',
  'GET /login': 'public',
  'POST /login': 'public',
  'POST /logout': 'read',
  'GET /programs': 'read',
  'GET /programs/new': 'manager',
  'POST /programs': 'manager',
  'GET /programs/:id': 'read',
  'GET /programs/:id/edit': 'manager',
  'POST /programs/:id': 'manager',
  'GET /recipients': 'read',
  'GET /recipients/new': 'manager',
  'POST /recipients': 'manager',
  'GET /recipients/:id': 'read',
  'GET /recipients/:id/edit': 'manager',
  'POST /recipients/:id': 'manager',
  'POST /recipients/:id/delete': 'manager',
  'GET /grants': 'read',
  'GET /grants/new': 'manager',
  'POST /grants': 'manager',
  'GET /grants/:id': 'read',
  'GET /grants/:id/edit': 'manager',
  'POST /grants/:id': 'manager',
  'POST /grants/:id/delete': 'manager',
  'GET /grants/:id/amendments/new': 'manager',
  'POST /grants/:id/amendments': 'manager',
  'GET /grants/:id/budget-periods/edit': 'manager',
  'POST /grants/:id/budget-periods': 'manager',
  'GET /grants/:id/budget': 'read',
  'GET /grants/:id/budget/edit': 'manager',
  'POST /grants/:id/budget': 'manager',
  'GET /budgets/rebudget': 'read',
  'GET /grants/:id/milestones': 'read',
  'GET /grants/:id/milestones/new': 'manager',
  'POST /grants/:id/milestones': 'manager',
  'GET /milestones': 'read',
  'GET /milestones/dashboard': 'read',
  'GET /milestones/:id': 'read',
  'GET /milestones/:id/edit': 'manager',
  'POST /milestones/:id': 'manager',
  'POST /milestones/:id/decision': 'manager',
  'POST /milestones/:id/complete': 'manager',
  'GET /grants/:id/technologies/edit': 'manager',
  'POST /grants/:id/technologies': 'manager',
  'GET /technologies': 'read',
  'GET /technologies/new': 'manager',
  'POST /technologies': 'manager',
  'GET /technologies/portfolio': 'read',
  'GET /technologies/:id': 'read',
  'GET /technologies/:id/edit': 'manager',
  'POST /technologies/:id': 'manager',
  'POST /technologies/:id/assessments': 'manager',
  'POST /technologies/:id/grants': 'manager',
  'GET /ledger': 'read',
  'GET /ledger/new': 'manager',
  'POST /ledger': 'manager',
  'GET /ledger/import': 'manager',
  'GET /ledger/import/template.csv': 'manager',
  'POST /ledger/import': 'manager',
  'POST /ledger/import/commit': 'manager',
  'GET /ledger/:id': 'read',
  'POST /ledger/:id/reverse': 'manager',
  'POST /ledger/:id/reverse/confirm': 'manager',
  'GET /reports': 'read',
  'GET /reports/for-grant': 'read',
  'GET /reports/ledger': 'read',
  'GET /reports/ledger.csv': 'read',
  'GET /reports/ledger.manifest.json': 'read',
  'GET /reports/ledger.xlsx': 'read',
  'GET /reports/ledger.xlsx.manifest.json': 'read',
  'GET /reports/grants': 'read',
  'GET /reports/grants.csv': 'read',
  'GET /reports/grants.manifest.json': 'read',
  'GET /reports/grants.xlsx': 'read',
  'GET /reports/grants.xlsx.manifest.json': 'read',
  'GET /reports/amendments': 'read',
  'GET /reports/amendments.csv': 'read',
  'GET /reports/amendments.manifest.json': 'read',
  'GET /reports/amendments.xlsx': 'read',
  'GET /reports/amendments.xlsx.manifest.json': 'read',
  'GET /reports/budget-lines': 'read',
  'GET /reports/budget-lines.csv': 'read',
  'GET /reports/budget-lines.manifest.json': 'read',
  'GET /reports/budget-lines.xlsx': 'read',
  'GET /reports/budget-lines.xlsx.manifest.json': 'read',
  'GET /reports/burndown': 'read',
  'GET /reports/burndown.svg': 'read',
  'GET /grants/:id/burndown': 'read',
  'GET /grants/:id/burndown.svg': 'read',
  'GET /reports/reconciliation': 'read',
  'GET /reports/reconciliation.csv': 'read',
  'GET /reports/reconciliation.manifest.json': 'read',
  'GET /reports/reconciliation.xlsx': 'read',
  'GET /reports/reconciliation.xlsx.manifest.json': 'read',
  'GET /grants/:id/sf425': 'read',
  'GET /grants/:id/sf425.csv': 'read',
  'GET /grants/:id/sf425.manifest.json': 'read',
  'GET /grants/:id/sf425.xlsx': 'read',
  'GET /grants/:id/sf425.xlsx.manifest.json': 'read',
  'GET /reports/milestones': 'read',
  'GET /reports/milestones.csv': 'read',
  'GET /reports/milestones.manifest.json': 'read',
  'GET /reports/milestones.xlsx': 'read',
  'GET /reports/milestones.xlsx.manifest.json': 'read',
  'GET /reports/technologies': 'read',
  'GET /reports/technologies.csv': 'read',
  'GET /reports/technologies.manifest.json': 'read',
  'GET /reports/technologies.xlsx': 'read',
  'GET /reports/technologies.xlsx.manifest.json': 'read',
  'GET /reports/cost-share': 'read',
  'GET /reports/cost-share.csv': 'read',
  'GET /reports/cost-share.manifest.json': 'read',
  'GET /reports/cost-share.xlsx': 'read',
  'GET /reports/cost-share.xlsx.manifest.json': 'read',
  'GET /reports/audit': 'read',
  'GET /reports/audit.csv': 'read',
  'GET /reports/audit.manifest.json': 'read',
  'GET /reports/audit.xlsx': 'read',
  'GET /reports/audit.xlsx.manifest.json': 'read',
  'GET /reports/approvals': 'read',
  'GET /reports/approvals.csv': 'read',
  'GET /reports/approvals.manifest.json': 'read',
  'GET /reports/approvals.xlsx': 'read',
  'GET /reports/approvals.xlsx.manifest.json': 'read',
  'GET /reports/segregation-of-duties': 'read',
  'GET /reports/segregation-of-duties.csv': 'read',
  'GET /reports/segregation-of-duties.manifest.json': 'read',
  'GET /reports/segregation-of-duties.xlsx': 'read',
  'GET /reports/segregation-of-duties.xlsx.manifest.json': 'read',
  'GET /reports/unapproved-amendments': 'read',
  'GET /reports/unapproved-amendments.csv': 'read',
  'GET /reports/unapproved-amendments.manifest.json': 'read',
  'GET /reports/unapproved-amendments.xlsx': 'read',
  'GET /reports/unapproved-amendments.xlsx.manifest.json': 'read',
  'GET /reports/burndown.csv': 'read',
  'GET /reports/burndown.manifest.json': 'read',
  'GET /reports/burndown.xlsx': 'read',
  'GET /reports/burndown.xlsx.manifest.json': 'read',
  'GET /grants/:id/burndown.csv': 'read',
  'GET /grants/:id/burndown.manifest.json': 'read',
  'GET /grants/:id/burndown.xlsx': 'read',
  'GET /grants/:id/burndown.xlsx.manifest.json': 'read',
  'GET /audit': 'read',
  'GET /audit/verify': 'read',
  'GET /admin/users': 'admin',
  'GET /admin/users/new': 'admin',
  'POST /admin/users': 'admin',
  'GET /admin/users/:id': 'admin',
  'POST /admin/users/:id/role': 'admin',
  'POST /admin/users/:id/deactivate': 'admin',
  'POST /admin/users/:id/activate': 'admin',
  'GET /approvals': 'read',
  'GET /approvals/:id': 'read',
  'POST /approvals/:id/approve': 'approver',
  'POST /approvals/:id/reject': 'approver',
  'POST /approvals/:id/withdraw': 'manager',
  'GET /calendar': 'read',
  'GET /deadlines': 'read',
  'GET /inbox': 'read',
  'POST /inbox/read': 'read',
  'POST /inbox/digest': 'read',
  'POST /calendar/token': 'read',
  'POST /calendar/token/revoke': 'read',
  // The feed is read by calendar apps with the token in its address, never with a session.
  'GET /calendar/:token.ics': 'public',
};

const ROLES_ALLOWED: Record<Access, Role[]> = {
  public: ['admin', 'program_manager', 'approving_official', 'auditor'],
  read: ['admin', 'program_manager', 'approving_official', 'auditor'],
  manager: ['program_manager'],
  approver: ['approving_official'],
  admin: ['admin'],
};

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route the running app registered, as `METHOD /path`. */
function registeredRoutes(t: TestApp): string[] {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
  return express.router.stack
    .filter((layer) => layer.route && !isMiddleware(layer.route.methods))
    .flatMap((layer) =>
      Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`),
    );
}

const auditCount = async (t: TestApp) =>
  Number((await rows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM audit_events'))[0].n);

describe('Access rules, CSRF and headers (HTTP)', () => {
  const t = freshAppPerTest();

  /** Real ids for every `:id`; the grant has amendments so no delete can succeed by accident. */
  async function fixtures() {
    const { program, recipient, grant } = await makeGrantWithProgram(t);
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 100_00 });
    await makeGrant(t, { programId: program.id, recipientId: recipient.id });
    const target = await makeUser(t, { role: 'auditor', email: 'target@example.gov' });
    const technology = await makeTechnology(t);
    const milestone = await makeMilestone(t, { grantId: grant.id });
    const expenditure = await makeExpenditure(t, { grantId: grant.id, amountCents: 10_00 });
    // A session of its own: earlier tests here sign the shared one out.
    const manager = await t.as('program_manager');
    const request = requestIdOf(
      await manager.post(`/grants/${grant.id}/amendments`).type('form').send({
        effectiveDate: '2025-06-01',
        kind: 'incremental_funding',
        federalChange: '10.00',
        justification: JUSTIFICATION,
      }),
    );
    const ids: [string, number][] = [
      ['/approvals', request],
      ['/programs', program.id],
      ['/recipients', recipient.id],
      ['/admin', target.id],
      ['/technologies', technology.id],
      ['/milestones', milestone.id],
      ['/ledger', expenditure.id],
    ];
    return (route: string) => {
      const [, path] = route.split(' ');
      // The index's per-grant form answers with a redirect to the report it names.
      if (path === '/reports/for-grant') return `${path}?report=sf425&grantId=${grant.id}`;
      const id = ids.find(([prefix]) => path.startsWith(prefix))?.[1] ?? grant.id;
      return path.replace(':id', String(id));
    };
  }

  /** GET routes whose answer, when allowed, is a redirect rather than a page. */
  const REDIRECTS = ['GET /reports/for-grant'];

  it('should have a rule in the matrix for every registered route, and no stale entries', () => {
    const routes = registeredRoutes(t).sort();
    expect(routes).toEqual(Object.keys(MATRIX).sort());
  });

  it('should let each role use exactly the routes its rule allows, and change nothing on a refusal', async () => {
    const pathOf = await fixtures();
    const sessions: Record<Role, Agent> = {
      admin: await t.as('admin'),
      program_manager: t.http(),
      approving_official: await t.as('approving_official'),
      auditor: await t.as('auditor'),
    };
    for (const [route, access] of Object.entries(MATRIX)) {
      if (access === 'public') continue;
      const [method] = route.split(' ');
      const path = pathOf(route);
      for (const role of Object.keys(sessions) as Role[]) {
        const allowed = ROLES_ALLOWED[access].includes(role);
        if (method === 'GET') {
          const res = await sessions[role].get(path);
          expect({ route, role, status: res.status }).toEqual({
            route,
            role,
            status: allowed ? (REDIRECTS.includes(route) ? 303 : 200) : 403,
          });
        } else if (!allowed) {
          const before = await auditCount(t);
          const res = await sessions[role]
            .post(path)
            .type('form')
            .send({ role: 'admin', name: 'x' });
          expect({ route, role, status: res.status }).toEqual({ route, role, status: 403 });
          expect(await auditCount(t)).toBe(before);
        }
      }
    }
  });

  it('should send anonymous visitors to the login page and refuse their posts', async () => {
    const pathOf = await fixtures();
    for (const [route, access] of Object.entries(MATRIX)) {
      if (access === 'public') continue;
      const [method] = route.split(' ');
      const path = pathOf(route);
      if (method === 'GET') {
        const res = await t.anonymous().get(path);
        expect({ route, status: res.status, location: res.headers.location }).toEqual({
          route,
          status: 303,
          location: `/login?next=${encodeURIComponent(path)}`,
        });
      } else {
        const before = await auditCount(t);
        const res = await t.anonymous().post(path).type('form').send({});
        expect({ route, status: res.status }).toEqual({ route, status: 403 }); // no session, so no CSRF token
        expect(await auditCount(t)).toBe(before);
      }
    }
  });

  it('should answer hostile input on every POST route with a 4xx or a redirect, never a 5xx', async () => {
    const pathOf = await fixtures();
    const admin = await t.as('admin');
    const fields = [
      'name',
      'title',
      'awardNumber',
      'piName',
      'piEmail',
      'status',
      'startDate',
      'endDate',
      'costShareCommitted',
      'programId',
      'recipientId',
      'federalChange',
      'effectiveDate',
      'kind',
      'newEndDate',
      'note',
      'amount',
      'incurredOn',
      'share',
      'category',
      'budgetPeriod',
      'reference',
      'memo',
      'grantId',
      'reason',
      'version',
      'role',
      'email',
      'password',
      'ceiling',
      'costSharePercent',
      'fundingOpportunity',
      'office',
      'type',
      'state',
      'uei',
      'pathway',
      'feedstock',
      'elements',
      'currentTrl',
      'targetTrl',
      'description',
      'trl',
      'assessedOn',
      'evidence',
      'dueDate',
      'completedOn',
      'decision',
      'decidedOn',
      'rationale',
      'grantIds',
      'technologyIds',
      'periods',
      'next',
      'sha256',
      'csv',
      'fileName',
      'token',
    ];
    const values = [
      '',
      '-1',
      '0',
      '99999999999999999999',
      '1e5',
      'NaN',
      '2026-02-30',
      '9999-12-31',
      '\u0000',
      '\u0001',
      '<script>alert(1)</script>',
      '$1,000.001',
      "'; DROP TABLE grants; --",
      'x'.repeat(5_000),
    ];
    const form = (value: string) =>
      fields.map((f) => `${f}=${encodeURIComponent(value)}`).join('&');
    const bodies = [
      '',
      'unknown=1',
      Array.from({ length: 1_200 }, (_, i) => `f${i}=1`).join('&'),
      ...values.map(form),
      fields.map((f) => `${f}[]=1&${f}[]=2`).join('&'),
      fields.map((f) => `${f}[a][b]=1`).join('&'),
      fields.map((f) => `${f}[0][startDate]=x&${f}[1][endDate]=`).join('&'),
    ];
    const posts = Object.keys(MATRIX).filter((route) => route.startsWith('POST '));
    const failures: string[] = [];
    for (const route of posts) {
      const session = MATRIX[route] === 'admin' ? admin : t.http();
      const paths = route.includes(':id')
        ? [
            pathOf(route),
            ...['0', '99999999', 'abc', '1.5'].map((id) => route.split(' ')[1].replace(':id', id)),
          ]
        : [pathOf(route)];
      for (const path of paths) {
        for (const body of path === pathOf(route) ? bodies : bodies.slice(0, 4)) {
          const res = await session.post(path).type('form').send(body);
          if (res.status >= 500)
            failures.push(`${route} ${path} ${body.slice(0, 60)}: ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('should refuse every POST without a token, with another session’s token, or as a GET', async () => {
    const pathOf = await fixtures();
    const mine = await signInSession(t.app, TEST_EMAILS.program_manager);
    const admin = await signInSession(t.app, TEST_EMAILS.admin);
    const theirs = await signInSession(t.app, TEST_EMAILS.admin);
    const posts = Object.keys(MATRIX).filter((route) => route.startsWith('POST '));
    expect(posts.length).toBeGreaterThan(10);

    for (const route of posts) {
      const path = pathOf(route);
      const session = MATRIX[route] === 'admin' ? admin : mine;
      const before = await auditCount(t);

      const missing = await session.agent.post(path).type('form').send({ name: 'x' });
      expect({ route, status: missing.status }).toEqual({ route, status: 403 });
      const foreign = await session.agent
        .post(path)
        .type('form')
        .send({ name: 'x', _csrf: theirs.token });
      expect({ route, status: foreign.status }).toEqual({ route, status: 403 });
      const asGet = await session.agent.get(path);
      if (!Object.keys(MATRIX).includes(`GET ${route.split(' ')[1]}`)) {
        expect({ route, status: asGet.status }).toEqual({ route, status: 405 });
        expect(asGet.headers.allow).toBe('POST');
      }
      expect(await auditCount(t)).toBe(before);
    }
  });

  it('should send a strict content security policy and no-store on pages', async () => {
    const res = await t.http().get('/grants');
    const csp = res.headers['content-security-policy'];
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-powered-by']).toBeUndefined();
    // The rest of helmet's set, recorded once at start-up (fixedHeaders in app.setup.ts).
    expect(res.headers).toMatchObject({
      'x-frame-options': 'SAMEORIGIN',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    });
  });
});
