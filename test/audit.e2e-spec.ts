import { AuditService } from '../src/audit/audit.service';
import { Grant } from '../src/grants/grant.entity';
import { Recipient } from '../src/grants/recipient.entity';
import {
  grantEditForm,
  makeGrant,
  makeGrantWithProgram,
  makeProgram,
  makeRecipient,
  newGrantForm,
} from './helpers/factories';
import { behindTheAppsBack, dropTrigger } from './helpers/test-database';
import { freshAppPerTest, rows, TestApp } from './helpers/test-app';

interface EventRow {
  id: number;
  action: string;
  entity_type: string;
  entity_id: number | null;
  actor_email: string;
  actor_role: string;
  changes: string;
}

const grantEvents = (t: TestApp, grantId: number, action?: string) =>
  rows<EventRow>(
    t,
    `SELECT * FROM audit_events WHERE entity_type = 'grant' AND entity_id = ?${action ? ' AND action = ?' : ''} ORDER BY id`,
    action ? [grantId, action] : [grantId],
  );

const eventCount = async (t: TestApp) =>
  (await rows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM audit_events'))[0].n;

const grantRow = async (t: TestApp, id: number) =>
  (await rows(t, 'SELECT * FROM grants WHERE id = ?', [id]))[0];

/** The ids in the first column of the audit viewer's table, in page order. */
const listedEventIds = (html: string) =>
  [...html.matchAll(/<tr>\s*<td>(\d+)<\/td><td>[A-Z][a-z]{2} \d/g)].map((m) => Number(m[1]));

const verifyResult = (html: string) => {
  const match = /data-testid="verify-result">([^<]*)</.exec(html);
  if (!match) throw new Error('No verify result on the page');
  return match[1];
};

describe('Audit trail (HTTP)', () => {
  const t = freshAppPerTest();

  it('should record a form edit as one update event with the changed field, who and role, and a form create as a create event', async () => {
    const { grant } = await makeGrantWithProgram(t);

    const res = await t
      .http()
      .post(`/grants/${grant.id}`)
      .type('form')
      .send(grantEditForm(t, grant, { title: 'Ion-exchange recovery of scandium' }));
    expect(res.status).toBe(303);

    const updates = await grantEvents(t, grant.id, 'update');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      actor_email: 'manager@example.gov',
      actor_role: 'program_manager',
    });
    expect(JSON.parse(updates[0].changes)).toEqual({
      title: { before: grant.title, after: 'Ion-exchange recovery of scandium' },
    });

    const program = await makeProgram(t);
    const recipient = await makeRecipient(t);
    const created = await t
      .http()
      .post('/grants')
      .type('form')
      .send(newGrantForm({ programId: String(program.id), recipientId: String(recipient.id) }));
    expect(created.status).toBe(303);
    const newId = Number(/\/grants\/(\d+)$/.exec(created.headers.location)?.[1]);
    const creates = await grantEvents(t, newId, 'create');
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({
      actor_email: 'manager@example.gov',
      actor_role: 'program_manager',
    });
    expect(JSON.parse(creates[0].changes)).toMatchObject({
      awardNumber: { before: null, after: 'DE-SC0031987' },
      costShareCommittedCents: { before: null, after: 25_000_000 },
    });
  });

  it('should roll back the audit event with a failed change', async () => {
    const before = await eventCount(t);
    await expect(
      t.writes.transaction(async (m) => {
        await t.audit.insert(m, Recipient, 'recipient', {
          name: 'Rolled-back University',
          type: 'university',
          state: 'WY',
          uei: null,
        });
        throw new Error('fail after writing');
      }),
    ).rejects.toThrow('fail after writing');

    expect(await rows(t, 'SELECT * FROM recipients')).toEqual([]);
    expect(await eventCount(t)).toBe(before);
  });

  it('should roll back a change whose audit event cannot be written', async () => {
    const { grant } = await makeGrantWithProgram(t);
    const stored = await grantRow(t, grant.id);
    const before = await eventCount(t);
    const spy = jest
      .spyOn(AuditService.prototype, 'record')
      .mockRejectedValueOnce(new Error('disk full'));
    try {
      const res = await t
        .http()
        .post(`/grants/${grant.id}`)
        .type('form')
        .send(grantEditForm(t, grant, { title: 'Never saved' }));
      expect(res.status).toBe(500);
      expect(res.text).toContain('Nothing was saved');
      expect(res.text).not.toContain('disk full');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }

    expect(await grantRow(t, grant.id)).toEqual(stored);
    expect(await eventCount(t)).toBe(before);
  });

  it('should refuse UPDATE and DELETE on audit events in the database itself', async () => {
    await makeGrantWithProgram(t);
    const before = await rows(t, 'SELECT * FROM audit_events ORDER BY id');
    expect(before.length).toBeGreaterThan(0);

    await expect(
      t.writes.transaction((m) =>
        m.query(`UPDATE audit_events SET changes = '{}', actor_email = 'x' WHERE id = 1`),
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.writes.transaction((m) => m.query('DELETE FROM audit_events WHERE id = 1')),
    ).rejects.toThrow(/append-only/);
    await expect(t.writes.transaction((m) => m.query('DELETE FROM audit_events'))).rejects.toThrow(
      /append-only/,
    );

    expect(await rows(t, 'SELECT * FROM audit_events ORDER BY id')).toEqual(before);
  });

  it('should report the chain intact, then the first altered event', async () => {
    const { grant } = await makeGrantWithProgram(t);
    for (const title of ['First rename', 'Second rename']) {
      const current = await t.dataSource.getRepository(Grant).findOneByOrFail({ id: grant.id });
      const res = await t
        .http()
        .post(`/grants/${grant.id}`)
        .type('form')
        .send(grantEditForm(t, current, { title }));
      expect(res.status).toBe(303);
    }
    const auditor = await t.as('auditor');

    const intact = await auditor.get('/audit/verify');
    expect(intact.status).toBe(200);
    expect(verifyResult(intact.text)).toMatch(new RegExp(`^Intact, ${await eventCount(t)} events`));

    const [firstRename] = await grantEvents(t, grant.id, 'update');
    const k = firstRename.id;
    await behindTheAppsBack(
      t.databasePath,
      `${dropTrigger('audit_events_no_update', 'audit_events')}; UPDATE audit_events SET changes = '{}' WHERE id = ${k};`,
    );

    const broken = await auditor.get('/audit/verify');
    expect(broken.status).toBe(200);
    const [{ n: verifiedBefore }] = await rows<{ n: number }>(
      t,
      'SELECT COUNT(*) AS n FROM audit_events WHERE id < ?',
      [k],
    );
    expect(verifyResult(broken.text)).toBe(
      `Broken at event ${k}: its content does not match its hash (it was altered). ${verifiedBefore} events before it verified.`,
    );
  });

  it('should refuse an event chained to a predecessor that already has one (a forked chain)', async () => {
    await makeGrantWithProgram(t);
    const [head] = await rows<{ id: number; prev_hash: string }>(
      t,
      'SELECT id, prev_hash FROM audit_events ORDER BY id DESC LIMIT 1',
    );
    const before = await eventCount(t);
    // A second writer that read the chain head before the newest event was appended.
    await expect(
      t.writes.transaction(async (m) => {
        jest.spyOn(m, 'findOne').mockResolvedValueOnce({ id: head.id - 1, hash: head.prev_hash });
        await t.audit.record(m, { action: 'probe', entityType: 'program', entityId: null });
      }),
    ).rejects.toThrow(
      /UNIQUE constraint failed: audit_events\.prev_hash|duplicate key value violates unique constraint ".*prev_hash.*"/,
    );

    expect(await eventCount(t)).toBe(before);
    expect(verifyResult((await t.http().get('/audit/verify')).text)).toMatch(
      new RegExp(`^Intact, ${before} events`),
    );
  });

  it('should report a removed event at the event after it', async () => {
    const { grant } = await makeGrantWithProgram(t);
    const res = await t
      .http()
      .post(`/grants/${grant.id}`)
      .type('form')
      .send(grantEditForm(t, grant, { title: 'Renamed' }));
    expect(res.status).toBe(303);

    const [created] = await grantEvents(t, grant.id, 'create');
    const [{ id: next }] = await rows<{ id: number }>(
      t,
      'SELECT MIN(id) AS id FROM audit_events WHERE id > ?',
      [created.id],
    );
    expect(next).toBeGreaterThan(created.id);
    await behindTheAppsBack(
      t.databasePath,
      `${dropTrigger('audit_events_no_delete', 'audit_events')}; DELETE FROM audit_events WHERE id = ${created.id};`,
    );

    const page = await t.http().get('/audit/verify');
    expect(verifyResult(page.text)).toMatch(
      new RegExp(`^Broken at event ${next}: it does not point at the previous event`),
    );
  });

  it('should let exactly one of 20 concurrent edits from the same version win', async () => {
    const { grant } = await makeGrantWithProgram(t);

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t
          .http()
          .post(`/grants/${grant.id}`)
          .type('form')
          .send(grantEditForm(t, grant, { title: `Concurrent title ${i}`, version: '1' })),
      ),
    );

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const refused of responses.filter((r) => r.status === 409)) {
      expect(refused.text).toContain('changed by manager@example.gov at');
    }

    const winner = responses.findIndex((r) => r.status === 303);
    const saved = await grantRow(t, grant.id);
    expect(saved).toMatchObject({ version: 2, title: `Concurrent title ${winner}` });
    const updates = await grantEvents(t, grant.id, 'update');
    expect(updates).toHaveLength(1);
    expect(JSON.parse(updates[0].changes)).toEqual({
      title: { before: grant.title, after: `Concurrent title ${winner}` },
    });
  });

  it('should let an auditor filter the trail by record, action and date', async () => {
    const { program, recipient, grant } = await makeGrantWithProgram(t);
    const other = await makeGrant(t, { programId: program.id, recipientId: recipient.id });
    const edit = await t
      .http()
      .post(`/grants/${grant.id}`)
      .type('form')
      .send(grantEditForm(t, grant, { title: 'Filtered' }));
    expect(edit.status).toBe(303);
    const auditor = await t.as('auditor');

    const byRecord = await auditor.get(`/audit?entityType=grant&entityId=${grant.id}`);
    expect(byRecord.status).toBe(200);
    const expected = (await grantEvents(t, grant.id)).map((e) => e.id).reverse();
    expect(expected).toHaveLength(2);
    expect(listedEventIds(byRecord.text)).toEqual(expected);
    const otherIds = (await grantEvents(t, other.id)).map((e) => e.id);
    expect(listedEventIds(byRecord.text).filter((id) => otherIds.includes(id))).toEqual([]);
    expect(byRecord.text).toContain('Filtered');

    const logins = await auditor.get('/audit?action=login');
    expect(logins.status).toBe(200);
    const loginIds = (
      await rows<{ id: number }>(
        t,
        "SELECT id FROM audit_events WHERE action = 'login' ORDER BY id DESC",
      )
    ).map((e) => e.id);
    // The test app's manager and approver sessions, and this auditor's.
    expect(loginIds).toHaveLength(3);
    expect(listedEventIds(logins.text)).toEqual(loginIds);
    expect(logins.text).toContain('manager@example.gov');
    expect(logins.text).toContain('approver@example.gov');
    expect(logins.text).toContain('auditor@example.gov');

    const badDate = await auditor.get('/audit?from=2025-13-01');
    expect(badDate.status).toBe(400);
    expect(badDate.text).toContain('from must be a date as YYYY-MM-DD');
    const badId = await auditor.get('/audit?entityId=abc');
    expect(badId.status).toBe(400);
  });

  it('should refuse an auditor’s edit with 403 and change nothing', async () => {
    const { grant } = await makeGrantWithProgram(t);
    const auditor = await t.as('auditor');
    const stored = await grantRow(t, grant.id);
    const before = await eventCount(t);

    const res = await auditor
      .post(`/grants/${grant.id}`)
      .type('form')
      .send(grantEditForm(t, grant, { title: 'Auditors change nothing' }));

    expect(res.status).toBe(403);
    expect(res.text).toContain('may not do this');
    expect(await grantRow(t, grant.id)).toEqual(stored);
    expect(await eventCount(t)).toBe(before);
  });
});
