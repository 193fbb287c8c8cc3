import { bucket, GrantFacts, grantDeadlines, quarterEnds, requestDeadline } from './deadline.rules';

const grant = (overrides: Partial<GrantFacts> = {}): GrantFacts => ({
  id: 7,
  awardNumber: 'DE-SC0000007',
  status: 'active',
  startDate: '2025-04-01',
  endDate: '2026-12-31',
  periods: [
    { number: 1, endDate: '2026-03-31' },
    { number: 2, endDate: '2026-12-31' },
  ],
  milestones: [],
  ...overrides,
});

describe('deadline rules', () => {
  it('should list the quarter ends from the start to the end', () => {
    expect(quarterEnds('2025-04-01', '2025-12-31')).toEqual([
      '2025-06-30',
      '2025-09-30',
      '2025-12-31',
    ]);
    expect(quarterEnds('2025-02-15', '2025-04-01')).toEqual(['2025-03-31', '2025-06-30']);
  });

  it('should date SF-425s 30 days after each quarter, and the final reports, extension notice and close-out from the end date', () => {
    const byKey = Object.fromEntries(grantDeadlines(grant(), '2026-06-01').map((d) => [d.key, d]));
    expect(byKey['sf425-7-2025-06'].dueDate).toBe('2025-07-30');
    expect(byKey['sf425-7-2026-09'].dueDate).toBe('2026-10-30');
    // The last quarter's SF-425 is the final one, due with the final reports.
    expect(byKey['sf425-7-2026-12']).toBeUndefined();
    expect(byKey['final-7'].dueDate).toBe('2027-04-30');
    expect(byKey['nce-7'].dueDate).toBe('2026-12-21');
    expect(byKey['closeout-7'].dueDate).toBe('2027-12-31');
    // BP1 has no gate milestone: its review still falls on its last day.
    expect(byKey['review-7-bp1']).toMatchObject({ kind: 'go_no_go_review', dueDate: '2026-03-31' });
  });

  it('should take a milestone’s due date, done once completed by the date, and no reports for a draft', () => {
    const milestones = [
      {
        id: 3,
        title: 'Gate',
        kind: 'go_no_go',
        budgetPeriod: 1,
        dueDate: '2026-03-15',
        status: 'complete',
        completedOn: '2026-03-20',
        decision: 'go',
      },
    ];
    const before = grantDeadlines(grant({ milestones }), '2026-03-19');
    const gate = before.find((d) => d.key === 'milestone-3')!;
    expect(gate).toMatchObject({ kind: 'go_no_go_review', done: false, href: '/milestones/3' });
    expect(before.find((d) => d.key === 'review-7-bp1')).toBeUndefined();
    expect(grantDeadlines(grant({ milestones }), '2026-03-20')[0].done).toBe(true);
    expect(grantDeadlines(grant({ status: 'draft', milestones }), '2026-03-20')).toHaveLength(1);
  });

  it('should bucket open deadlines into overdue and the next 30, 60 and 90 days', () => {
    const deadlines = grantDeadlines(grant(), '2026-10-15');
    const buckets = bucket(deadlines, '2026-10-15');
    expect(buckets.next30.map((d) => d.key)).toEqual(['sf425-7-2026-09']);
    expect(buckets.next60.map((d) => d.key)).toEqual([]);
    expect(buckets.next90.map((d) => d.key)).toEqual(['nce-7']);
    // The review is tracked work: overdue until it is done; old SF-425s drop off after 30 days.
    expect(buckets.overdue.map((d) => d.key)).toEqual(['review-7-bp1']);
    const request = requestDeadline(
      {
        id: 9,
        grantId: 7,
        awardNumber: 'DE-SC0000007',
        summary: 'Rebudget',
        requestedOn: '2026-10-01',
      },
      5,
    );
    expect(request.dueDate).toBe('2026-10-06');
    expect(bucket([request], '2026-10-15').overdue).toEqual([request]);
  });
});
