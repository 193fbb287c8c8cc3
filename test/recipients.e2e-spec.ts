import { makeGrant, makeProgram, makeRecipient } from './helpers/factories';
import { freshAppPerTest, rows } from './helpers/test-app';

describe('Recipients (HTTP)', () => {
  const t = freshAppPerTest();

  it('should create, list and edit a recipient', async () => {
    const created = await t.http().post('/recipients').type('form').send({
      name: 'University of Wyoming',
      type: 'university',
      state: 'WY',
      uei: 'abcd1234efgh',
    });
    expect(created.status).toBe(303);
    const [row] = await rows<{ id: number; uei: string; version: number }>(
      t,
      'SELECT id, uei, version FROM recipients',
    );
    expect(created.headers.location).toBe(`/recipients/${row.id}`);
    expect(row.uei).toBe('ABCD1234EFGH');

    const list = await t.http().get('/recipients');
    expect(list.text).toContain('University of Wyoming');

    const edited = await t.http().post(`/recipients/${row.id}`).type('form').send({
      name: 'University of Wyoming, Laramie',
      type: 'university',
      state: 'WY',
      uei: '',
      version: '1',
    });
    expect(edited.status).toBe(303);
    const [after] = await rows<{ name: string; uei: string | null; version: number }>(
      t,
      'SELECT name, uei, version FROM recipients',
    );
    expect(after).toEqual({ name: 'University of Wyoming, Laramie', uei: null, version: 2 });
  });

  it.each([
    [{ name: '', type: 'university', state: 'WY' }, 'Enter the recipient organisation’s name.'],
    [{ name: 'X', type: 'pirate', state: 'WY' }, 'Choose the kind of organisation.'],
    [{ name: 'X', type: 'university', state: 'ZZ' }, 'Choose a U.S. state or territory.'],
    [
      { name: 'X', type: 'university', state: 'WY', uei: 'SHORT' },
      'A UEI is 12 letters and digits',
    ],
  ])('should refuse %p with 422 and save nothing', async (form, message) => {
    const res = await t.http().post('/recipients').type('form').send(form);
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(await rows(t, 'SELECT * FROM recipients')).toHaveLength(0);
  });

  it('should refuse a UEI that another recipient has', async () => {
    await makeRecipient(t, { name: 'First', uei: 'ABCD1234EFGH' });
    const res = await t
      .http()
      .post('/recipients')
      .type('form')
      .send({ name: 'Second', type: 'industry', state: 'TX', uei: 'abcd1234efgh' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('UEI ABCD1234EFGH already belongs to First.');
  });

  it('should refuse to delete a recipient with grants and say why', async () => {
    const program = await makeProgram(t);
    const recipient = await makeRecipient(t, {
      name: 'Ames National Laboratory',
      type: 'national_laboratory',
    });
    await makeGrant(t, { programId: program.id, recipientId: recipient.id });

    const res = await t.http().post(`/recipients/${recipient.id}/delete`);
    expect(res.status).toBe(409);
    expect(res.text).toContain(
      'Ames National Laboratory is the recipient of 1 grant, so it cannot be deleted',
    );
    expect(await rows(t, 'SELECT * FROM recipients')).toHaveLength(1);
  });

  it('should delete a recipient without grants', async () => {
    const recipient = await makeRecipient(t);
    const res = await t.http().post(`/recipients/${recipient.id}/delete`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/recipients');
    expect(await rows(t, 'SELECT * FROM recipients')).toHaveLength(0);
  });
});
