import { idsAscending, ledgerLinePage, LedgerRun } from './ledger.report';

describe('ledger CSV pages', () => {
  describe(idsAscending.name, () => {
    it('should accept ids in increasing order, gaps included', () => {
      expect(idsAscending('7')).toBe(true);
      expect(idsAscending('1,2,3')).toBe(true);
      expect(idsAscending('9,10,99,100,1000001')).toBe(true);
    });

    it('should refuse ids out of order or repeated', () => {
      expect(idsAscending('2,1')).toBe(false);
      expect(idsAscending('10,9')).toBe(false);
      expect(idsAscending('1,3,2,4')).toBe(false);
      expect(idsAscending('5,5')).toBe(false);
      expect(idsAscending('100,20')).toBe(false);
    });
  });

  describe(ledgerLinePage.name, () => {
    const params = { after: 0, upto: 10, limit: 10 };
    const page = (ids: string | null, text: string) => ({
      text: Buffer.from(text),
      ids,
      n: 2,
      cents: 300,
    });

    /** A connection that answers each query in turn and remembers the SQL it was sent. */
    function fakeRun(...answers: ReturnType<typeof page>[]) {
      const sent: string[] = [];
      const run = ((sql: string) => {
        sent.push(sql);
        return Promise.resolve([answers[sent.length - 1]]);
      }) as LedgerRun;
      return { run, sent };
    }

    it('should keep a page whose lines came in id order, in one query', async () => {
      const { run, sent } = fakeRun(page('1,2', 'a\r\nb\r\n'));
      const sut = await ledgerLinePage(run, 'e.incurred_on <= :asOf', params);
      expect(sut.text?.toString()).toBe('a\r\nb\r\n');
      expect(sent).toHaveLength(1);
      expect(sent[0]).not.toMatch(/ORDER BY p\.id/);
    });

    it('should read a page again, sorted in the aggregate, when its lines came out of order', async () => {
      const { run, sent } = fakeRun(page('2,1', 'b\r\na\r\n'), page(null, 'a\r\nb\r\n'));
      const sut = await ledgerLinePage(run, 'e.incurred_on <= :asOf', params);
      expect(sut.text?.toString()).toBe('a\r\nb\r\n');
      expect(sent).toHaveLength(2);
      expect(sent[1]).toMatch(/group_concat\(p\.line, '' ORDER BY p\.id\)/);
    });
  });
});
