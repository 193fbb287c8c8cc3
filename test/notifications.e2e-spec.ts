import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { AppConfig } from '../src/common/config';
import { addDays, todayIn } from '../src/common/dates';
import { WritePath } from '../src/common/database/write-path';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DigestService } from '../src/notifications/digest.service';
import { ScheduledRun } from '../src/notifications/notification.entity';
import { NotificationsService } from '../src/notifications/notifications.service';
import { JUSTIFICATION, decide, requestIdOf } from './helpers/approvals';
import { makeBudgetPeriods, makeGrantWithProgram, makeMilestone } from './helpers/factories';
import { freshAppPerTest, rows, TestApp } from './helpers/test-app';

/** An SMTP server in this process that keeps every message it is sent. */
async function mailbox() {
  const messages: { to: string[]; data: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        messages.push({ to: session.envelope.rcptTo.map((r) => r.address), data: decodeQp(data) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    messages,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Quoted-printable as nodemailer writes a long text part: soft breaks and =XX escapes. */
const decodeQp = (text: string) =>
  text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

const unread = async (t: TestApp, email: string) =>
  rows<{ kind: string; title: string; href: string }>(
    t,
    `SELECT n.kind, n.title, n.href FROM notifications n JOIN users u ON u.id = n.user_id
      WHERE u.email = ? AND n.read_at IS NULL ORDER BY n.id`,
    [email],
  );

/** 8:00 in the office on `day`: after DIGEST_HOUR (7). */
const morningOf = (t: TestApp, day: string) => {
  const zone = t.app.get(AppConfig).APP_TIME_ZONE;
  for (let hour = 0; hour < 36; hour++) {
    const at = new Date(Date.parse(`${day}T00:00:00Z`) + hour * 3_600_000);
    const local = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hour: 'numeric',
      hourCycle: 'h23',
    }).format(at);
    if (todayIn(zone, at) === day && Number(local) === 8) return at;
  }
  throw new Error(`No 8:00 on ${day}`);
};

describe('Inbox, daily digest (HTTP)', () => {
  const t = freshAppPerTest();
  const today = () => todayIn(t.app.get(AppConfig).APP_TIME_ZONE);

  async function grantWithGate(dueInDays: number) {
    const { grant } = await makeGrantWithProgram(t, { ceilingCents: 5_000_000_00 });
    await makeBudgetPeriods(t, grant.id, [
      { startDate: '2025-04-01', endDate: '2026-03-31' },
      { startDate: '2026-04-01', endDate: '2028-03-31' },
    ]);
    const milestone = await makeMilestone(t, {
      grantId: grant.id,
      budgetPeriod: 2,
      kind: 'deliverable',
      title: 'Pilot-scale leach report',
      dueDate: addDays(today(), dueInDays),
    });
    return { grant, milestone };
  }

  const fileAmendment = (grantId: number) =>
    t.http().post(`/grants/${grantId}/amendments`).type('form').send({
      justification: JUSTIFICATION,
      kind: 'initial',
      effectiveDate: '2025-04-01',
      federalChange: '400,000.00',
    });

  it('should put a request in its approvers’ inboxes, settle it when decided, and tell the requester', async () => {
    const { grant } = await grantWithGate(60);
    const id = requestIdOf(await fileAmendment(grant.id));

    const waiting = await unread(t, 'approver@example.gov');
    expect(waiting).toEqual([
      expect.objectContaining({ kind: 'request_waiting', href: `/approvals/${id}` }),
    ]);
    expect(await unread(t, 'manager@example.gov')).toEqual([]);
    const header = await t.approver().get('/inbox');
    expect(header.text).toMatch(/data-testid="inbox-link">Inbox <span class="app-count">1</);
    expect(header.text).toContain(`href="/approvals/${id}"`);

    expect((await decide(t, id, 'reject', 'Attach the negotiation memo.')).status).toBe(303);
    expect(await unread(t, 'approver@example.gov')).toEqual([]);
    const [decided] = await unread(t, 'manager@example.gov');
    expect(decided.kind).toBe('request_decided');
    expect(decided.title).toContain(`Request #${id} rejected by`);
    expect(decided.title).toContain('Attach the negotiation memo.');
  });

  it('should mark the ticked lines read, or all, and never another user’s', async () => {
    const { grant } = await grantWithGate(60);
    requestIdOf(await fileAmendment(grant.id));
    requestIdOf(await fileAmendment(grant.id));
    const [first, second] = await rows<{ id: number }>(
      t,
      "SELECT id FROM notifications WHERE kind = 'request_waiting' ORDER BY id",
    );
    // The manager cannot mark the approver's lines.
    await t
      .http()
      .post('/inbox/read')
      .type('form')
      .send({ ids: String(first.id) });
    expect(await unread(t, 'approver@example.gov')).toHaveLength(2);

    const marked = await t
      .approver()
      .post('/inbox/read')
      .type('form')
      .send({ ids: String(first.id) });
    expect(marked.status).toBe(303);
    expect(await unread(t, 'approver@example.gov')).toHaveLength(1);
    expect((await unread(t, 'approver@example.gov'))[0].href).toBe(
      (
        await rows<{ href: string }>(t, 'SELECT href FROM notifications WHERE id = ?', [second.id])
      )[0].href,
    );
    await t.approver().post('/inbox/read').type('form').send({ all: '1' });
    expect(await unread(t, 'approver@example.gov')).toEqual([]);
  });

  describe('the daily digest', () => {
    let mail: Awaited<ReturnType<typeof mailbox>>;
    beforeEach(async () => {
      mail = await mailbox();
      t.app.get(AppConfig).SMTP_URL = mail.url;
    });
    afterEach(async () => {
      t.app.get(AppConfig).SMTP_URL = undefined;
      await mail.close();
    });

    it('should e-mail each user who wants it their new lines once a day, with the deadlines due within a week', async () => {
      const { grant, milestone } = await grantWithGate(3);
      const id = requestIdOf(await fileAmendment(grant.id));
      // The auditor chose no digest.
      const auditor = await t.as('auditor');
      expect(
        (await auditor.post('/inbox/digest').type('form').send({ digest: 'none' })).status,
      ).toBe(303);

      const digest = t.app.get(DigestService);
      const [run] = await digest.runDue(morningOf(t, today()));
      expect(run).toMatchObject({ day: today(), claimed: true });

      const to = (email: string) => mail.messages.filter((m) => m.to.includes(email));
      const [managerMail] = to('manager@example.gov');
      expect(managerMail.data).toContain('Pilot-scale leach report');
      expect(managerMail.data).toContain(`/milestones/${milestone.id}`);
      const [approverMail] = to('approver@example.gov');
      expect(approverMail.data).toContain(`Request #${id}`);
      expect(to('auditor@example.gov')).toEqual([]);
      expect(to('manager@example.gov')).toHaveLength(1);
      // The deadline is in the inbox too.
      expect((await unread(t, 'manager@example.gov')).map((n) => n.kind)).toContain('deadline');

      // The same day again, from this instance or another: nothing more is sent.
      const sent = mail.messages.length;
      expect(await digest.runDue(morningOf(t, today()))).toEqual([]);
      expect(await digest.runDay(today())).toMatchObject({ claimed: false });
      expect(mail.messages).toHaveLength(sent);
      const [claim] = await rows<{ sent: number; finished_at: string | null }>(
        t,
        "SELECT sent, finished_at FROM scheduled_runs WHERE job = 'digest'",
      );
      expect(Number(claim.sent)).toBe(sent);
      expect(claim.finished_at).not.toBeNull();
    });

    it('should send a day once when two instances run it at the same moment', async () => {
      await grantWithGate(2);
      const digest = t.app.get(DigestService);
      const day = today();
      // A second DigestService stands for a second instance (its own claim id).
      const other = new DigestService(
        t.app.get<Repository<ScheduledRun>>(getRepositoryToken(ScheduledRun)),
        t.app.get(WritePath),
        t.app.get(AppConfig),
        t.app.get(NotificationsService),
      );
      const runs = await Promise.all([digest.runDay(day), other.runDay(day)]);
      expect(runs.filter((r) => r.claimed)).toHaveLength(1);
      expect(mail.messages.filter((m) => m.to.includes('manager@example.gov'))).toHaveLength(1);
    });

    it('should catch up the days no instance ran, each once', async () => {
      await grantWithGate(2);
      const digest = t.app.get(DigestService);
      const day = today();
      await digest.runDay(addDays(day, -3));
      const runs = await digest.runDue(morningOf(t, day));
      expect(runs.map((r) => r.day)).toEqual([addDays(day, -2), addDays(day, -1), day]);
      expect(runs.every((r) => r.claimed)).toBe(true);
    });

    it('should write the lines but send nothing without SMTP_URL', async () => {
      await grantWithGate(2);
      t.app.get(AppConfig).SMTP_URL = undefined;
      const [run] = await t.app.get(DigestService).runDue(morningOf(t, today()));
      expect(run).toMatchObject({ claimed: true, sent: 0 });
      expect(mail.messages).toEqual([]);
      const lines = await unread(t, 'manager@example.gov');
      expect(new Set(lines.map((n) => n.kind))).toEqual(new Set(['deadline']));
      expect(lines.map((n) => n.title).join('\n')).toContain('Pilot-scale leach report');
      const [claim] = await rows<{ note: string }>(t, 'SELECT note FROM scheduled_runs');
      expect(claim.note).toContain('SMTP_URL is not set');
    });
  });

  it('should refuse a digest choice that is neither daily nor none', async () => {
    const res = await t.http().post('/inbox/digest').type('form').send({ digest: 'weekly' });
    expect(res.status).toBe(400);
  });
});
