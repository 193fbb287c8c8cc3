import { shownStatus, StatusFacts } from './milestone-status';

const ASOF = '2026-06-15';
const milestone = (overrides: Partial<StatusFacts> = {}): StatusFacts => ({
  status: 'planned',
  dueDate: '2026-06-30',
  completedOn: null,
  ...overrides,
});

describe(shownStatus.name, () => {
  it('should show the stored status of an open milestone not yet due', () => {
    const sut = shownStatus(milestone({ status: 'in_progress' }), ASOF);
    expect(sut).toEqual({ status: 'in_progress', late: false, overdue: false, daysOverdue: 0 });
  });

  it('should not call a milestone due on asOf itself overdue', () => {
    expect(shownStatus(milestone({ dueDate: ASOF }), ASOF).status).toBe('planned');
  });

  it('should show a past-due open milestone as missed and overdue by whole days', () => {
    const sut = shownStatus(milestone({ status: 'in_progress', dueDate: '2026-06-01' }), ASOF);
    expect(sut).toEqual({ status: 'missed', late: false, overdue: true, daysOverdue: 14 });
  });

  it('should show a milestone completed on time as complete, not late', () => {
    const sut = shownStatus(
      milestone({ status: 'complete', dueDate: '2026-06-01', completedOn: '2026-06-01' }),
      ASOF,
    );
    expect(sut).toEqual({ status: 'complete', late: false, overdue: false, daysOverdue: 0 });
  });

  it('should flag a completion after the due date as late', () => {
    const sut = shownStatus(
      milestone({ status: 'complete', dueDate: '2026-06-01', completedOn: '2026-06-10' }),
      ASOF,
    );
    expect(sut).toMatchObject({ status: 'complete', late: true, overdue: false });
  });

  it('should not count a completion dated after asOf: the milestone was open then', () => {
    const completedLater = milestone({
      status: 'complete',
      dueDate: '2026-06-01',
      completedOn: '2026-07-01',
    });
    expect(shownStatus(completedLater, ASOF)).toEqual({
      status: 'missed',
      late: false,
      overdue: true,
      daysOverdue: 14,
    });
    expect(shownStatus({ ...completedLater, dueDate: '2026-06-30' }, ASOF).status).toBe('planned');
    expect(shownStatus(completedLater, '2026-07-01')).toMatchObject({
      status: 'complete',
      late: true,
    });
  });

  it('should keep a waived milestone waived, even past due', () => {
    const sut = shownStatus(milestone({ status: 'waived', dueDate: '2026-01-01' }), ASOF);
    expect(sut).toEqual({ status: 'waived', late: false, overdue: false, daysOverdue: 0 });
  });

  it('should keep a milestone recorded as missed missed before its due date, without calling it overdue', () => {
    const sut = shownStatus(milestone({ status: 'missed' }), ASOF);
    expect(sut).toEqual({ status: 'missed', late: false, overdue: false, daysOverdue: 0 });
  });
});
