import type { Deadline } from '../deadlines/deadline.rules';
import { deadlinesCalendar, feedDeadlines, feedWindow } from './calendar-feed';

const deadline = (overrides: Partial<Deadline> = {}): Deadline => ({
  key: 'milestone-7',
  kind: 'milestone',
  grantId: 3,
  awardNumber: 'DE-SC0031981',
  title: 'Leach-test report',
  dueDate: '2026-12-31',
  done: false,
  href: '/milestones/7',
  basis: 'Due in BP1.',
  ...overrides,
});

/** The feed's lines with RFC 5545 folding undone. */
const unfolded = (ics: string) => ics.replace(/\r\n /g, '').split('\r\n');

describe(deadlinesCalendar.name, () => {
  const today = '2026-12-03';
  const options = {
    today,
    appUrl: 'https://tracker.example.gov/',
    programName: 'Critical Minerals Program',
    now: new Date('2026-12-03T15:04:05Z'),
  };

  it('should cover 60 days back and 400 ahead, both ends included, and leave out met deadlines', () => {
    expect(feedWindow(today)).toEqual({ from: '2026-10-04', to: '2028-01-07' });
    const kept = feedDeadlines(
      [
        deadline({ key: 'a', dueDate: '2026-10-03' }),
        deadline({ key: 'b', dueDate: '2026-10-04' }),
        deadline({ key: 'c', dueDate: '2028-01-07' }),
        deadline({ key: 'd', dueDate: '2028-01-08' }),
        deadline({ key: 'e', dueDate: '2026-12-10', done: true }),
      ],
      today,
    );
    expect(kept.map((d) => d.key)).toEqual(['b', 'c']);
  });

  it('should write one all-day event per deadline with a stable UID and absolute links', () => {
    const lines = unfolded(deadlinesCalendar({ ...options, deadlines: [deadline()] }));
    expect(lines).toEqual(
      expect.arrayContaining([
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//Critical Minerals Grant Tracker//Deadlines//EN',
        'X-WR-CALNAME:Grant deadlines — Critical Minerals Program',
        'X-PUBLISHED-TTL:PT1H',
        'UID:milestone-7@tracker.example.gov',
        'DTSTAMP:20261203T150405Z',
        'DTSTART;VALUE=DATE:20261231',
        'DTEND;VALUE=DATE:20270101',
        'SUMMARY:DE-SC0031981: Leach-test report',
        'DESCRIPTION:Milestone. Due in BP1.\\nhttps://tracker.example.gov/milestones/7',
        'URL;VALUE=URI:https://tracker.example.gov/milestones/7',
        'TRANSP:TRANSPARENT',
      ]),
    );
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
  });

  it('should keep the date whatever the process time zone', () => {
    const zone = process.env.TZ;
    try {
      for (const tz of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
        process.env.TZ = tz;
        const ics = deadlinesCalendar({ ...options, deadlines: [deadline()] });
        expect(ics).toContain('DTSTART;VALUE=DATE:20261231\r\n');
      }
    } finally {
      process.env.TZ = zone;
    }
  });

  it('should end lines with CRLF and fold them at 75 octets, counting multi-byte characters', () => {
    const title = 'Séparation sélective — terres rares lourdes '.repeat(6);
    const ics = deadlinesCalendar({ ...options, deadlines: [deadline({ title })] });
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(unfolded(ics)).toContain(`SUMMARY:DE-SC0031981: ${title}`);
  });
});
