import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor, htmlPage, Key, keyParams, register } from './keyset';

type Row = { name: string; id: number };

/** A register over an in-memory sorted list, fetched the way the SQL does it: after a key. */
function listRegister(all: Row[]) {
  const calls: (Key | null)[] = [];
  const sut = register<Row>(
    'things',
    [{ name: 'name', kind: 'text', value: (r) => r.name }],
    (r) => [r.name, r.id],
    (after, limit) => {
      calls.push(after);
      const from = after
        ? all.findIndex(
            (r) => r.name > after[0] || (r.name === after[0] && r.id > Number(after[1])),
          )
        : 0;
      return Promise.resolve(from < 0 ? [] : all.slice(from, from + limit));
    },
  );
  return { sut, calls };
}

describe(register.name, () => {
  it('should build a row-value condition and its parameters from a key', () => {
    expect(keyParams(['DE-SC1', '2025-01-01', 7])).toEqual({
      placeholders: '(:k0, :k1, :k2)',
      params: { k0: 'DE-SC1', k1: '2025-01-01', k2: 7 },
    });
  });

  it('should round-trip a cursor and refuse one of another shape with a 400', () => {
    const cursor = encodeCursor(['Ünïcode, "quoted"', 42]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, ['string', 'number'])).toEqual(['Ünïcode, "quoted"', 42]);
    expect(() => decodeCursor(cursor, ['number'])).toThrow(BadRequestException);
    expect(() => decodeCursor('not-json', ['number'])).toThrow(BadRequestException);
  });

  it('should stream every row once, in order, in pages that start after the last key', async () => {
    const all = Array.from({ length: 2500 }, (_, i) => ({ name: `n${i % 7}`, id: i }));
    all.sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
    const { sut, calls } = listRegister(all);
    const seen: Row[] = [];
    for await (const page of sut.pages()) seen.push(...page);
    expect(seen).toEqual(all);
    expect(calls[0]).toBeNull();
    expect(calls[1]).toEqual([all[999].name, all[999].id]);
  });

  it('should give an HTML page and the cursor of the next one only when there is more', async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ name: 'a', id: i + 1 }));
    const { sut } = listRegister(all);
    const first = await htmlPage(sut, null, 3);
    expect(first.rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(first.next).not.toBeNull();
    const second = await htmlPage(sut, decodeCursor(first.next as string, ['string', 'number']), 3);
    expect(second.rows.map((r) => r.id)).toEqual([4, 5]);
    expect(second.next).toBeNull();
  });
});
