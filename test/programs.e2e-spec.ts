import { itSqlite } from './helpers/test-database';
import { Grant } from '../src/grants/grant.entity';
import { makeAmendment, makeGrantWithProgram } from './helpers/factories';
import { freshAppPerTest, rows } from './helpers/test-app';

const programForm = (overrides: Record<string, string> = {}) => ({
  name: 'Critical Minerals and Materials',
  fundingOpportunity: 'DE-FOA-0002483',
  office: 'DOE Office of Science, Basic Energy Sciences',
  ceiling: '$30,000,000.00',
  startDate: '2025-01-01',
  endDate: '2029-12-31',
  costSharePercent: '20',
  ...overrides,
});

describe('Programs and the dashboard (HTTP)', () => {
  const t = freshAppPerTest();

  itSqlite('should open the database with WAL, full sync and foreign keys', async () => {
    // Read on the connection that writes (lone reads have a read-only connection of their own).
    const pragma = (sql: string) => t.writes.transaction((m) => m.query<unknown[]>(sql));
    expect(await pragma('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await pragma('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]);
    expect(await pragma('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
  });

  it('should show the ceiling, obligated and unobligated amounts and the grants on the dashboard', async () => {
    const { grant } = await makeGrantWithProgram(
      t,
      { name: 'Rare Earth Program' },
      { awardNumber: 'DE-SC0031987' },
    );
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 1_250_000_00 });
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 750_000_55 });

    const res = await t.http().get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Rare Earth Program');
    expect(res.text).toMatch(/data-testid="ceiling">\$30,000,000\.00/);
    expect(res.text).toMatch(/data-testid="obligated">\$2,000,000\.55/);
    expect(res.text).toMatch(/data-testid="unobligated">\$27,999,999\.45/);
    expect(res.text).toContain('DE-SC0031987');
    expect(res.text).toContain('/assets/uswds/css/uswds.min.css');
  });

  it('should serve the USWDS stylesheet from node_modules', async () => {
    const res = await t.http().get('/assets/uswds/css/uswds.min.css');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/css');
  });

  it('should create and edit a program, refusing a ceiling below what is obligated', async () => {
    const created = await t.http().post('/programs').type('form').send(programForm());
    expect(created.status).toBe(303);
    const [program] = await rows<{ id: number; ceiling_cents: number }>(
      t,
      'SELECT id, ceiling_cents FROM programs',
    );
    expect(program.ceiling_cents).toBe(3_000_000_000);

    const { grant } = await makeGrantWithProgram(t);
    await t.writes.transaction((m) =>
      t.audit.update(m, Grant, 'grant', grant.id, { programId: program.id }),
    );
    await makeAmendment(t, { grantId: grant.id, federalChangeCents: 5_000_000_00 });

    const tooLow = await t
      .http()
      .post(`/programs/${program.id}`)
      .type('form')
      .send({ ...programForm({ ceiling: '4,999,999.99' }), version: '1' });
    expect(tooLow.status).toBe(422);
    expect(tooLow.text).toContain('cannot be below the $5,000,000.00 already obligated');

    const ok = await t
      .http()
      .post(`/programs/${program.id}`)
      .type('form')
      .send({ ...programForm({ ceiling: '5,000,000' }), version: '1' });
    expect(ok.status).toBe(303);
    const [after] = await rows<{ ceiling_cents: number; version: number }>(
      t,
      'SELECT ceiling_cents, version FROM programs WHERE id = ?',
      [program.id],
    );
    expect(after).toEqual({ ceiling_cents: 500_000_000, version: 2 });
  });

  it.each([
    [{ ceiling: '' }, 'Enter an amount in dollars'],
    [{ ceiling: '30,000,000.001' }, 'two decimal places'],
    [{ costSharePercent: '120' }, 'whole percent from 0 to 100'],
    [{ endDate: '2024-12-31' }, 'The end date must be after the start date.'],
    [{ endDate: '9999-12-31' }, 'A program may run at most 20 years'],
    [{ name: '   ' }, 'Enter the program name.'],
  ])('should refuse %p with 422 and save nothing', async (overrides, message) => {
    const res = await t.http().post('/programs').type('form').send(programForm(overrides));
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(await rows(t, 'SELECT * FROM programs')).toHaveLength(0);
  });

  it('should show a missing edit version as a 400 page, not a crash', async () => {
    const { program } = await makeGrantWithProgram(t);
    const res = await t.http().post(`/programs/${program.id}`).type('form').send(programForm());
    expect(res.status).toBe(400);
    expect(res.text).toContain('missing the record version');
  });
});
