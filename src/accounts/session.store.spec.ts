import type { DataSource } from 'typeorm';
import type { ReadCache } from '../common/database/read-cache';
import type { WritePath } from '../common/database/write-path';
import { DatabaseSessionStore, TOUCHED_SESSIONS } from './session.store';

describe(DatabaseSessionStore.name, () => {
  const writes = { transaction: () => Promise.resolve() } as unknown as WritePath;
  const sut = () => new DatabaseSessionStore({} as DataSource, writes, {} as ReadCache);
  const data = { cookie: { originalMaxAge: null } };

  afterEach(() => jest.restoreAllMocks());

  it('should remember at most its limit of recently touched sessions', () => {
    const store = sut();
    for (let i = 0; i < TOUCHED_SESSIONS * 2; i++) store.set(`sid-${i}`, data);
    expect(store.remembered).toBe(TOUCHED_SESSIONS);
  });

  it('should forget touches older than a minute, which no longer hold back a write', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const store = sut();
    for (let i = 0; i < 100; i++) store.set(`sid-${i}`, data);
    now.mockReturnValue(1_000_000 + 61_000);
    store.set('sid-new', data);
    expect(store.remembered).toBe(1);
  });
});
