import { endOfDayUtc, startOfDayUtc } from './office-day';

describe(startOfDayUtc.name, () => {
  it('should turn an office day into the UTC instant it begins, in winter and in summer', () => {
    expect(startOfDayUtc('2026-01-15', 'America/New_York')).toBe('2026-01-15T05:00:00.000Z');
    expect(startOfDayUtc('2026-07-15', 'America/New_York')).toBe('2026-07-15T04:00:00.000Z');
    expect(startOfDayUtc('2026-07-15', 'UTC')).toBe('2026-07-15T00:00:00.000Z');
    expect(startOfDayUtc('2026-07-15', 'Asia/Tokyo')).toBe('2026-07-14T15:00:00.000Z');
  });

  it('should follow the daylight-saving change within a day', () => {
    // Clocks move forward at 02:00 on March 8, 2026 in New York: that day begins at 05:00Z.
    expect(startOfDayUtc('2026-03-08', 'America/New_York')).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfDayUtc('2026-03-09', 'America/New_York')).toBe('2026-03-09T04:00:00.000Z');
    expect(startOfDayUtc('2026-11-01', 'America/New_York')).toBe('2026-11-01T04:00:00.000Z');
    expect(startOfDayUtc('2026-11-02', 'America/New_York')).toBe('2026-11-02T05:00:00.000Z');
  });
});

describe(endOfDayUtc.name, () => {
  it('should be the start of the next office day', () => {
    expect(endOfDayUtc('2026-03-09', 'America/New_York')).toBe('2026-03-10T04:00:00.000Z');
    expect(endOfDayUtc('2026-12-31', 'America/Los_Angeles')).toBe('2027-01-01T08:00:00.000Z');
  });
});
