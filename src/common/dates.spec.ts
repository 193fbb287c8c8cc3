import {
  addDays,
  addMonths,
  daysBetween,
  formatDate,
  formatTimestamp,
  isIsoDate,
  todayIn,
} from './dates';

describe('dates', () => {
  it('should accept only real calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-13-01')).toBe(false);
    expect(isIsoDate('2024-1-01')).toBe(false);
    expect(isIsoDate('01/02/2024')).toBe(false);
    expect(isIsoDate(20240101)).toBe(false);
  });

  it('should add days across month, year and leap-day boundaries', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
  });

  it('should count days between dates', () => {
    expect(daysBetween('2025-01-01', '2025-12-31')).toBe(364);
    expect(daysBetween('2025-03-10', '2025-03-01')).toBe(-9);
  });

  it('should clamp month arithmetic to the end of the month', () => {
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2025-03-27', -20)).toBe('2023-07-27');
  });

  it('should take today in the office time zone, not UTC', () => {
    const lateEveningInWashington = new Date('2026-11-28T03:30:00Z');
    expect(todayIn('America/New_York', lateEveningInWashington)).toBe('2026-11-27');
    expect(todayIn('UTC', lateEveningInWashington)).toBe('2026-11-28');
  });

  it('should turn the day at midnight to the millisecond, however often it is asked', () => {
    // Midnight in Washington is 05:00 UTC in winter; the same second asked twice, then the next.
    for (let i = 0; i < 3; i++) {
      expect(todayIn('America/New_York', new Date('2026-12-04T04:59:59.000Z'))).toBe('2026-12-03');
      expect(todayIn('America/New_York', new Date('2026-12-04T04:59:59.999Z'))).toBe('2026-12-03');
      expect(todayIn('America/New_York', new Date('2026-12-04T05:00:00.000Z'))).toBe('2026-12-04');
    }
    // One zone's answer is not another's.
    expect(todayIn('Asia/Tokyo', new Date('2026-12-04T05:00:00.000Z'))).toBe('2026-12-04');
    expect(todayIn('Pacific/Honolulu', new Date('2026-12-04T05:00:00.000Z'))).toBe('2026-12-03');
  });

  it('should format a date without shifting it, the same each time', () => {
    expect(formatDate('2025-01-01')).toBe('Jan 1, 2025');
    expect(formatDate('2025-01-01')).toBe('Jan 1, 2025');
    expect(formatDate('2025-01-02')).toBe('Jan 2, 2025');
    // Not a calendar date: shown as it is, twice.
    expect(formatDate('2025-02-30')).toBe('2025-02-30');
    expect(formatDate('2025-02-30')).toBe('2025-02-30');
  });

  it("should show a timestamp in the office's zone, labelled, in the dates' style", () => {
    // 03:30 UTC is the evening before in Washington: the day shown is the office's day.
    expect(formatTimestamp('2026-11-28T03:30:05.123Z', 'America/New_York')).toBe(
      'Nov 27, 2026, 10:30:05 PM EST',
    );
    expect(formatTimestamp('2026-07-04T16:00:00.000Z', 'America/New_York')).toBe(
      'Jul 4, 2026, 12:00:00 PM EDT',
    );
    expect(formatTimestamp('2026-07-04T16:00:00.000Z', 'America/Denver')).toBe(
      'Jul 4, 2026, 10:00:00 AM MDT',
    );
    expect(formatTimestamp('not a time', 'America/New_York')).toBe('not a time');
  });
});
