// Scheduled game days, the pure part: local times in IANA zones across DST changes (both
// hemispheres, a half-hour zone), recurrence rules over a year, months without a "fifth Friday",
// the gap and the overlap, rotation, and the .ics file byte for byte where it matters.
import { describe, expect, it } from 'vitest';
import {
  describeRecurrence,
  localAt,
  nthWeekday,
  occurrence,
  occurrences,
  offsetMinutes,
  parseLocal,
  parseRecurrence,
  pickScenario,
  rrule,
  nextOccurrence,
  zonedInstant,
  isTimeZone,
  type LocalDateTime,
} from '../../server/learning/schedule.ts';
import { buildIcs, durationText, escapeText, foldLine, vtimezone } from '../../server/learning/ics.ts';

const at = (text: string): LocalDateTime => parseLocal(text);
const utc = (ms: number) => new Date(ms).toISOString();

describe('local time in a zone', () => {
  it('Europe/London: GMT in winter, BST in summer, both changes of 2026', () => {
    expect(utc(zonedInstant(at('2026-01-15T10:00'), 'Europe/London').ms)).toBe('2026-01-15T10:00:00.000Z');
    expect(utc(zonedInstant(at('2026-07-15T10:00'), 'Europe/London').ms)).toBe('2026-07-15T09:00:00.000Z');
    // The day before and after the spring change (29 March, 01:00 GMT → 02:00 BST).
    expect(utc(zonedInstant(at('2026-03-28T10:00'), 'Europe/London').ms)).toBe('2026-03-28T10:00:00.000Z');
    expect(utc(zonedInstant(at('2026-03-29T10:00'), 'Europe/London').ms)).toBe('2026-03-29T09:00:00.000Z');
    // And the autumn change (25 October, 02:00 BST → 01:00 GMT).
    expect(utc(zonedInstant(at('2026-10-24T10:00'), 'Europe/London').ms)).toBe('2026-10-24T09:00:00.000Z');
    expect(utc(zonedInstant(at('2026-10-25T10:00'), 'Europe/London').ms)).toBe('2026-10-25T10:00:00.000Z');
    expect(offsetMinutes(Date.UTC(2026, 6, 1), 'Europe/London')).toBe(60);
  });

  it('a time in the spring-forward gap moves to the first valid instant (the change itself)', () => {
    const london = zonedInstant(at('2026-03-29T01:30'), 'Europe/London');
    expect(london.resolution).toBe('gap');
    expect(utc(london.ms)).toBe('2026-03-29T01:00:00.000Z'); // 02:00 BST
    expect(localAt(london.ms, 'Europe/London')).toMatchObject({ hour: 2, minute: 0 });
    const ny = zonedInstant(at('2026-03-08T02:30'), 'America/New_York');
    expect(ny.resolution).toBe('gap');
    expect(utc(ny.ms)).toBe('2026-03-08T07:00:00.000Z'); // 03:00 EDT
  });

  it('a time that happens twice takes the first occurrence (summer time)', () => {
    const london = zonedInstant(at('2026-10-25T01:30'), 'Europe/London');
    expect(london.resolution).toBe('ambiguous');
    expect(utc(london.ms)).toBe('2026-10-25T00:30:00.000Z'); // 01:30 BST, not 01:30 GMT
    const ny = zonedInstant(at('2026-11-01T01:30'), 'America/New_York');
    expect(utc(ny.ms)).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT (−4)
    // Just outside the overlap: exact.
    expect(zonedInstant(at('2026-10-25T02:00'), 'Europe/London')).toEqual({ ms: Date.parse('2026-10-25T02:00:00Z'), resolution: 'exact' });
  });

  it('America/New_York: −5 in winter, −4 in summer', () => {
    expect(utc(zonedInstant(at('2026-02-03T09:00'), 'America/New_York').ms)).toBe('2026-02-03T14:00:00.000Z');
    expect(utc(zonedInstant(at('2026-06-02T09:00'), 'America/New_York').ms)).toBe('2026-06-02T13:00:00.000Z');
  });

  it('Australia/Sydney: southern summer time, gap in October and overlap in April', () => {
    expect(utc(zonedInstant(at('2026-01-15T09:00'), 'Australia/Sydney').ms)).toBe('2026-01-14T22:00:00.000Z'); // +11
    expect(utc(zonedInstant(at('2026-07-15T09:00'), 'Australia/Sydney').ms)).toBe('2026-07-14T23:00:00.000Z'); // +10
    const overlap = zonedInstant(at('2026-04-05T02:30'), 'Australia/Sydney');
    expect([overlap.resolution, utc(overlap.ms)]).toEqual(['ambiguous', '2026-04-04T15:30:00.000Z']); // 02:30 AEDT
    const gap = zonedInstant(at('2026-10-04T02:30'), 'Australia/Sydney');
    expect([gap.resolution, utc(gap.ms)]).toEqual(['gap', '2026-10-03T16:00:00.000Z']); // 03:00 AEDT
  });

  it('Asia/Kolkata: +05:30 all year', () => {
    expect(utc(zonedInstant(at('2026-01-06T10:00'), 'Asia/Kolkata').ms)).toBe('2026-01-06T04:30:00.000Z');
    expect(utc(zonedInstant(at('2026-07-07T10:00'), 'Asia/Kolkata').ms)).toBe('2026-07-07T04:30:00.000Z');
    expect(offsetMinutes(Date.UTC(2026, 3, 1), 'Asia/Kolkata')).toBe(330);
  });

  it('knows zone names and refuses others; refuses impossible local times by name', () => {
    expect(isTimeZone('Europe/London')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(() => parseLocal('2026-02-30T10:00')).toThrow('start 2026-02-30T10:00 is not a calendar day');
    expect(() => parseLocal('2026-02-03 25:00')).toThrow(/not a time of day/);
    expect(() => parseLocal('tomorrow')).toThrow(/YYYY-MM-DDTHH:MM/);
  });
});

describe('recurrence rules', () => {
  it('reads the rules in words and writes them back canonically and as RRULE', () => {
    const cases: [string, string, string][] = [
      ['first Tuesday monthly', 'first Tuesday monthly', 'FREQ=MONTHLY;BYDAY=1TU'],
      ['monthly on the first tuesday', 'first Tuesday monthly', 'FREQ=MONTHLY;BYDAY=1TU'],
      ['every 2 weeks on Thursday', 'every 2 weeks on Thursday', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TH'],
      ['every other week on thu', 'every 2 weeks on Thursday', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TH'],
      ['Every Monday', 'weekly on Monday', 'FREQ=WEEKLY;BYDAY=MO'],
      ['monthly on day 15', 'monthly on day 15', 'FREQ=MONTHLY;BYMONTHDAY=15'],
      ['every 3 months on the 1st', 'every 3 months on day 1', 'FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1'],
      ['last Friday of every month', 'last Friday monthly', 'FREQ=MONTHLY;BYDAY=-1FR'],
      ['fifth Friday monthly', 'fifth Friday monthly', 'FREQ=MONTHLY;BYDAY=5FR'],
    ];
    for (const [text, words, rule] of cases) {
      const r = parseRecurrence(text);
      expect([describeRecurrence(r), rrule(r)], text).toEqual([words, rule]);
      expect(parseRecurrence(describeRecurrence(r))).toEqual(r);
    }
    expect(() => parseRecurrence('whenever we feel like it')).toThrow(/cannot read the recurrence "whenever we feel like it": write e.g./);
    expect(() => parseRecurrence('monthly on day 32')).toThrow('day of the month must be 1 to 31, got 32');
    expect(() => parseRecurrence('every 0 weeks on Monday')).toThrow('the interval must be 1 to 52, got 0');
  });

  it('"first Tuesday monthly" over a year in London: the right days, 10:00 local through both DST changes', () => {
    const timing = { start: at('2026-01-01T10:00'), timeZone: 'Europe/London', recurrence: parseRecurrence('first Tuesday monthly') };
    const year = occurrences(timing, 12);
    expect(year.map((o) => `${o.local.month}-${o.local.day}`)).toEqual(['1-6', '2-3', '3-3', '4-7', '5-5', '6-2', '7-7', '8-4', '9-1', '10-6', '11-3', '12-1']);
    // 10:00 GMT = 10:00Z in winter, 10:00 BST = 09:00Z from April to October.
    expect(year.map((o) => new Date(o.startsAt).getUTCHours())).toEqual([10, 10, 10, 9, 9, 9, 9, 9, 9, 9, 10, 10]);
    expect(year.every((o) => localAt(o.startsAt, 'Europe/London').hour === 10 && o.resolution === 'exact')).toBe(true);
  });

  it('"fifth Friday" skips the months without one', () => {
    expect(nthWeekday(2026, 2, 5, 5)).toBeUndefined();
    expect(nthWeekday(2026, 1, 5, 5)).toBe(30);
    const timing = { start: at('2026-01-01T14:00'), timeZone: 'America/New_York', recurrence: parseRecurrence('fifth Friday monthly') };
    expect(occurrences(timing, 5).map((o) => formatDay(o.local))).toEqual(['2026-01-30', '2026-05-29', '2026-07-31', '2026-10-30', '2027-01-29']);
    // 14:00 in New York: EST (19:00Z) in January and October's 30th is still EDT (18:00Z).
    expect(occurrences(timing, 4).map((o) => new Date(o.startsAt).getUTCHours())).toEqual([19, 18, 18, 18]);
  });

  it('"every 2 weeks on Thursday" starts on the first Thursday on or after the start day', () => {
    const timing = { start: at('2026-03-16T09:30'), timeZone: 'Australia/Sydney', recurrence: parseRecurrence('every 2 weeks on Thursday') };
    const os = occurrences(timing, 4);
    expect(os.map((o) => formatDay(o.local))).toEqual(['2026-03-19', '2026-04-02', '2026-04-16', '2026-04-30']);
    // Sydney leaves summer time on 5 April: 09:30 is 22:30Z the day before, then 23:30Z.
    expect(os.map((o) => utc(o.startsAt))).toEqual(['2026-03-18T22:30:00.000Z', '2026-04-01T22:30:00.000Z', '2026-04-15T23:30:00.000Z', '2026-04-29T23:30:00.000Z']);
  });

  it('"monthly on day 31" skips short months; "monthly on day 15" in Kolkata', () => {
    const t31 = { start: at('2026-01-01T08:00'), timeZone: 'UTC', recurrence: parseRecurrence('monthly on day 31') };
    expect(occurrences(t31, 4).map((o) => formatDay(o.local))).toEqual(['2026-01-31', '2026-03-31', '2026-05-31', '2026-07-31']);
    const t15 = { start: at('2026-01-20T10:00'), timeZone: 'Asia/Kolkata', recurrence: parseRecurrence('monthly on day 15') };
    expect(occurrences(t15, 2).map((o) => utc(o.startsAt))).toEqual(['2026-02-15T04:30:00.000Z', '2026-03-15T04:30:00.000Z']);
  });

  it('a single game day has one occurrence; an occurrence in a gap is moved like any local time', () => {
    const once = { start: at('2026-03-29T01:30'), timeZone: 'Europe/London', recurrence: null };
    expect(occurrences(once, 5)).toHaveLength(1);
    expect(occurrence(once, 0)).toMatchObject({ resolution: 'gap', startsAt: Date.parse('2026-03-29T01:00:00Z') });
    expect(occurrence(once, 1)).toBeUndefined();
  });

  it('the next occurrence is the first whose window has not closed', () => {
    const timing = { start: at('2026-01-01T10:00'), timeZone: 'Europe/London', recurrence: parseRecurrence('first Tuesday monthly') };
    const hour = 3_600_000;
    // 6 Jan 10:00Z + 90 min: at 11:00Z it is still open; at 11:31Z the next is February's.
    expect(nextOccurrence(timing, 1.5 * hour, Date.parse('2026-01-06T11:00:00Z'))!.n).toBe(0);
    expect(nextOccurrence(timing, 1.5 * hour, Date.parse('2026-01-06T11:31:00Z'))!.n).toBe(1);
    expect(nextOccurrence({ ...timing, recurrence: null }, hour, Date.parse('2026-02-01T00:00:00Z'))).toBeUndefined();
  });
});

function formatDay(l: LocalDateTime): string {
  return `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
}

describe('scenario rotation', () => {
  const candidates = ['cache-stampede', 'friday-deploy', 'payments-provider-outage', 'slow-query'];

  it('never picks a scenario the teams played, and is the same pick for the same schedule and occurrence', () => {
    const played = new Map([['friday-deploy', 1], ['slow-query', 2]]);
    const picks = Array.from({ length: 40 }, (_, n) => pickScenario({ candidates, played, scheduleId: 'sch-1', n }));
    expect(new Set(picks)).toEqual(new Set(['cache-stampede', 'payments-provider-outage']));
    expect(Array.from({ length: 40 }, (_, n) => pickScenario({ candidates: [...candidates].reverse(), played, scheduleId: 'sch-1', n }))).toEqual(picks);
  });

  it('with allowRepeats, played scenarios come back into the pool', () => {
    const played = new Map([['friday-deploy', 1], ['slow-query', 2], ['cache-stampede', 3]]);
    const picks = new Set(Array.from({ length: 60 }, (_, n) => pickScenario({ candidates, played, scheduleId: 'sch-2', n, allowRepeats: true })));
    expect(picks).toEqual(new Set(candidates));
    expect(new Set(Array.from({ length: 60 }, (_, n) => pickScenario({ candidates, played, scheduleId: 'sch-2', n })))).toEqual(new Set(['payments-provider-outage']));
  });

  it('when every scenario was played, picks among those played longest ago', () => {
    const played = new Map([['friday-deploy', 5], ['slow-query', 2], ['cache-stampede', 2], ['payments-provider-outage', 9]]);
    const picks = new Set(Array.from({ length: 30 }, (_, n) => pickScenario({ candidates, played, scheduleId: 'x', n })));
    expect(picks).toEqual(new Set(['cache-stampede', 'slow-query']));
    expect(() => pickScenario({ candidates: [], played, scheduleId: 'x', n: 0 })).toThrow(/no scenario to pick from/);
  });
});

describe('iCalendar (.ics)', () => {
  it('escapes text and folds long lines at 75 octets without splitting a character', () => {
    expect(escapeText('a\\b; c, d\ne')).toBe('a\\\\b\\; c\\, d\\ne');
    const line = 'DESCRIPTION:' + 'é'.repeat(40);
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.map((p) => Buffer.byteLength(p))).toEqual([74, 19]); // 12 + 31×2 = 74 (one more é would make 76), then ' ' + 9×2
    expect(parts[1].startsWith(' ')).toBe(true);
    expect(parts.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(line);
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
    expect(foldLine('x'.repeat(76)).split('\r\n')).toEqual(['x'.repeat(75), ' x']);
    expect(foldLine('x'.repeat(75 + 74 + 1)).split('\r\n').map((p) => p.length)).toEqual([75, 75, 2]);
  });

  it('writes durations as RFC 5545 durations', () => {
    expect([durationText(90), durationText(45), durationText(120), durationText(0)]).toEqual(['PT1H30M', 'PT45M', 'PT2H', 'PT0M']);
  });

  it('golden: a monthly game day in London', () => {
    const ics = buildIcs(
      {
        uid: 'sch-1@firedrill.example',
        start: at('2026-01-06T10:00'),
        timeZone: 'Europe/London',
        durationMinutes: 90,
        rrule: 'FREQ=MONTHLY;BYDAY=1TU',
        summary: 'Game day: checkout, payments; the usual',
        description: 'Teams: blue, red.\nJoin: http://localhost:3000/?code=ABCDEFGHJK (the lobby opens at 2026-01-06 10:00 Europe/London).',
        url: 'http://localhost:3000/?code=ABCDEFGHJK',
        zoneYears: 1,
      },
      Date.parse('2025-12-01T08:09:10Z'),
    );
    expect(ics).toBe(
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//firedrill//game days//EN',
        'CALSCALE:GREGORIAN',
        'METHOD:PUBLISH',
        'BEGIN:VTIMEZONE',
        'TZID:Europe/London',
        'BEGIN:STANDARD',
        'DTSTART:20260101T000000',
        'TZOFFSETFROM:+0000',
        'TZOFFSETTO:+0000',
        'END:STANDARD',
        'BEGIN:DAYLIGHT',
        'DTSTART:20260329T010000',
        'TZOFFSETFROM:+0000',
        'TZOFFSETTO:+0100',
        'END:DAYLIGHT',
        'BEGIN:STANDARD',
        'DTSTART:20261025T020000',
        'TZOFFSETFROM:+0100',
        'TZOFFSETTO:+0000',
        'END:STANDARD',
        'END:VTIMEZONE',
        'BEGIN:VEVENT',
        'UID:sch-1@firedrill.example',
        'DTSTAMP:20251201T080910Z',
        'DTSTART;TZID=Europe/London:20260106T100000',
        'DURATION:PT1H30M',
        'RRULE:FREQ=MONTHLY;BYDAY=1TU',
        'SUMMARY:Game day: checkout\\, payments\\; the usual',
        'DESCRIPTION:Teams: blue\\, red.\\nJoin: http://localhost:3000/?code=ABCDEFGHJ',
        ' K (the lobby opens at 2026-01-06 10:00 Europe/London).',
        'URL:http://localhost:3000/?code=ABCDEFGHJK',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );
    // Every line within 75 octets, CRLF only.
    expect(ics.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('VTIMEZONE: Sydney goes back in April and forward in October; Kolkata has one observance; UTC needs none', () => {
    const sydney = vtimezone('Australia/Sydney', 2026, 1).join('\n');
    expect(sydney).toContain('BEGIN:DAYLIGHT\nDTSTART:20260101T000000\nTZOFFSETFROM:+1100\nTZOFFSETTO:+1100');
    expect(sydney).toContain('BEGIN:STANDARD\nDTSTART:20260405T030000\nTZOFFSETFROM:+1100\nTZOFFSETTO:+1000');
    expect(sydney).toContain('BEGIN:DAYLIGHT\nDTSTART:20261004T020000\nTZOFFSETFROM:+1000\nTZOFFSETTO:+1100');
    expect(vtimezone('Asia/Kolkata', 2026, 10)).toEqual(['BEGIN:VTIMEZONE', 'TZID:Asia/Kolkata', 'BEGIN:STANDARD', 'DTSTART:20260101T000000', 'TZOFFSETFROM:+0530', 'TZOFFSETTO:+0530', 'END:STANDARD', 'END:VTIMEZONE']);
    const utcIcs = buildIcs({ uid: 'u@x', start: at('2026-05-01T12:00'), timeZone: 'UTC', durationMinutes: 60, summary: 's', description: 'd' }, 0);
    expect(utcIcs).not.toContain('VTIMEZONE');
    expect(utcIcs).toContain('\r\nDTSTART:20260501T120000Z\r\n');
    expect(utcIcs).not.toContain('RRULE');
  });

  it('New York: the recurring VTIMEZONE covers ten years of changes (two a year)', () => {
    const lines = vtimezone('America/New_York', 2026, 10);
    expect(lines.filter((l) => l === 'BEGIN:DAYLIGHT')).toHaveLength(10);
    expect(lines.filter((l) => l === 'BEGIN:STANDARD')).toHaveLength(11);
    expect(lines).toContain('DTSTART:20260308T020000');
    expect(lines).toContain('DTSTART:20261101T020000');
  });
});
