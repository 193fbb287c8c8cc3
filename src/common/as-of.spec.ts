import { asOfParams } from './as-of';

describe('asOfParams', () => {
  it("should end the as-of day at midnight in the office's time zone, not UTC", () => {
    expect(asOfParams('2026-11-27', 'America/New_York')).toEqual({
      asOf: '2026-11-27',
      asOfEnd: '2026-11-28T05:00:00.000Z',
    });
    // Daylight saving time: New York is UTC-4 in July.
    expect(asOfParams('2026-07-04', 'America/New_York').asOfEnd).toBe('2026-07-05T04:00:00.000Z');
    expect(asOfParams('2026-07-04', 'UTC').asOfEnd).toBe('2026-07-05T00:00:00.000Z');
  });
});
