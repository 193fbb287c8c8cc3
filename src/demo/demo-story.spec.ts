import { scheduleStory, STEP_ORDER, StoryStep } from './demo-story';

const step = (day: string, order: StoryStep['order'], what: string): StoryStep => ({
  day,
  order,
  what,
  run: () => Promise.resolve(),
});

const OPTIONS = {
  today: '2026-03-10',
  now: '2026-03-10T14:00:00.000Z',
  timeZone: 'America/New_York',
};

describe(scheduleStory.name, () => {
  it('should order the steps by day, then kind, then as told, times strictly increasing', () => {
    const sut = scheduleStory(
      [
        step('2026-01-05', STEP_ORDER.ledger, 'entries'),
        step('2026-01-05', STEP_ORDER.milestone, 'go decision'),
        step('2025-12-01', STEP_ORDER.setup, 'award'),
        step('2026-01-05', STEP_ORDER.ledger, 'more entries'),
      ],
      OPTIONS,
    );
    expect(sut.map((s) => s.what)).toEqual(['award', 'go decision', 'entries', 'more entries']);
    // The middle of the office day (EST, UTC−5): 17:00 UTC, then a millisecond apart.
    expect(sut.map((s) => s.at)).toEqual([
      '2025-12-01T17:00:00.000Z',
      '2026-01-05T17:00:00.000Z',
      '2026-01-05T17:00:00.001Z',
      '2026-01-05T17:00:00.002Z',
    ]);
  });

  it('should record today’s steps before now, even when the middle of the day is still to come', () => {
    const sut = scheduleStory(
      [step('2026-03-10', STEP_ORDER.ledger, 'a'), step('2026-03-10', STEP_ORDER.ledger, 'b')],
      OPTIONS,
    );
    expect(sut.map((s) => s.at)).toEqual(['2026-03-10T13:59:59.998Z', '2026-03-10T13:59:59.999Z']);
  });

  it('should refuse a step dated after today', () => {
    expect(() => scheduleStory([step('2026-03-11', STEP_ORDER.setup, 'award')], OPTIONS)).toThrow(
      'Demo step dated after today (2026-03-10): award',
    );
  });
});
