import { Comparison, reconcile, Subject } from './reconciliation.rules';

const SUBJECTS: Subject[] = [
  { key: 'grant:1', label: 'DE-SC0000001' },
  { key: 'grant:2', label: 'DE-SC0000002' },
  { key: 'program:1', label: 'Program total' },
];

const figures = (entries: [string, number][]) => new Map(entries);

const spent = (left: [string, number][], right: [string, number][]): Comparison => ({
  figure: 'Federal spent',
  left: { source: 'Ledger CSV', values: figures(left) },
  right: { source: 'Burn-down', values: figures(right) },
});

const AGREED: [string, number][] = [
  ['grant:1', 1_250_00],
  ['grant:2', -50_00],
  ['program:1', 1_200_00],
];

describe(reconcile.name, () => {
  it('should say reconciled when every figure agrees to the cent', () => {
    const sut = reconcile(SUBJECTS, [spent(AGREED, AGREED), spent(AGREED, [...AGREED])]);
    expect(sut).toEqual({ subjects: 3, checks: 6, differences: [], reconciled: true });
  });

  it('should list a one-cent difference with both values and the difference', () => {
    const sut = reconcile(SUBJECTS, [
      spent(AGREED, [
        ['grant:1', 1_250_01],
        ['grant:2', -50_00],
        ['program:1', 1_200_00],
      ]),
    ]);
    expect(sut.reconciled).toBe(false);
    expect(sut.differences).toEqual([
      {
        subject: SUBJECTS[0],
        figure: 'Federal spent',
        leftSource: 'Ledger CSV',
        leftCents: 1_250_00,
        rightSource: 'Burn-down',
        rightCents: 1_250_01,
        differenceCents: -1,
      },
    ]);
  });

  it('should list a subject one report does not have at all', () => {
    const sut = reconcile(SUBJECTS, [spent(AGREED, AGREED.slice(0, 2))]);
    expect(sut.differences).toEqual([
      expect.objectContaining({
        subject: SUBJECTS[2],
        leftCents: 1_200_00,
        rightCents: null,
        differenceCents: null,
      }),
    ]);
  });

  it('should check every comparison, listing each difference once per subject and figure', () => {
    const obligated: Comparison = {
      figure: 'Obligated',
      left: { source: 'Grants register', values: figures([['grant:2', 10_00]]) },
      right: { source: 'Burn-down', values: figures([['grant:2', 0]]) },
    };
    const sut = reconcile(SUBJECTS.slice(1, 2), [spent(AGREED, AGREED), obligated]);
    expect(sut.checks).toBe(2);
    expect(sut.differences.map((d) => [d.subject.key, d.figure, d.differenceCents])).toEqual([
      ['grant:2', 'Obligated', 10_00],
    ]);
  });

  it('should check a comparison only for the subjects it is about, counting only those checks', () => {
    const unregistered: Comparison = {
      figure: 'Spent (ledger entries)',
      left: { source: 'Ledger entries', values: figures([['grant:2', 0]]) },
      right: { source: 'Grants register', values: figures([]) },
      subjects: new Set(['grant:2']),
    };
    const sut = reconcile(SUBJECTS, [spent(AGREED, AGREED), unregistered]);
    expect(sut.checks).toBe(4);
    expect(sut.differences).toEqual([
      expect.objectContaining({
        subject: SUBJECTS[1],
        leftCents: 0,
        rightSource: 'Grants register',
        rightCents: null,
        differenceCents: null,
      }),
    ]);
  });

  it('should count no checks only when there is no subject', () => {
    expect(reconcile([], [spent(AGREED, AGREED)])).toEqual({
      subjects: 0,
      checks: 0,
      differences: [],
      reconciled: true,
    });
  });
});
