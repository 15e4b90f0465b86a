// An iCalendar file (RFC 5545) for the invitation to a scheduled game day: one VEVENT with its
// UID, DTSTAMP, DTSTART in the schedule's zone (TZID, with a VTIMEZONE built from the runtime's
// tz database), DURATION, an RRULE for a recurring schedule, SUMMARY and a DESCRIPTION with the
// join link. Lines end with CRLF and are folded at 75 octets; text is escaped. Pure: `now` (for
// DTSTAMP) is an argument.
import { localAt, offsetMinutes, transitions, type LocalDateTime } from './schedule.ts';

export interface IcsEvent {
  /** Globally unique and stable across downloads: `<schedule id>@<host>`. */
  uid: string;
  /** The first game day's local start, in `timeZone`. */
  start: LocalDateTime;
  timeZone: string;
  durationMinutes: number;
  /** The RRULE value (without `RRULE:`), for a recurring schedule. */
  rrule?: string;
  summary: string;
  description: string;
  url?: string;
  /** Occurrence starts that will not happen (epoch ms; written as EXDATE in the zone). */
  exdates?: readonly number[];
  /** How many years of time-zone rules the VTIMEZONE covers (a recurring schedule: 10). */
  zoneYears?: number;
}

/** Escapes a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 §3.3.11). */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * Folds one content line at 75 octets (RFC 5545 §3.1): continuation lines start with a space
 * (which counts), and a UTF-8 character is never split.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const cp = ch.codePointAt(0)!;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (octets + size > limit) {
      out.push(current);
      current = ' ';
      octets = 1;
      limit = 75;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n');
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

function localStamp(l: LocalDateTime & { second?: number }): string {
  return `${pad(l.year, 4)}${pad(l.month)}${pad(l.day)}T${pad(l.hour)}${pad(l.minute)}${pad(l.second ?? 0)}`;
}

export function utcStamp(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

function offsetText(minutes: number): string {
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`;
}

/** `PT1H30M`, `PT45M`, `PT2H`. */
export function durationText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `PT${h ? `${h}H` : ''}${m || !h ? `${m}M` : ''}`;
}

/**
 * A VTIMEZONE for `timeZone` from the start of `fromYear` for `years` years: one observance for
 * the offset in force at the start, then one per change of offset (DAYLIGHT when the clocks go
 * forward, STANDARD when they go back), each with its onset in the local time before the change.
 */
export function vtimezone(timeZone: string, fromYear: number, years: number): string[] {
  const from = Date.UTC(fromYear, 0, 1) - offsetMinutes(Date.UTC(fromYear, 0, 1), timeZone) * 60_000;
  const to = Date.UTC(fromYear + years, 0, 1);
  const changes = transitions(timeZone, from, to);
  const initial = offsetMinutes(from, timeZone);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`];
  const observance = (kind: 'STANDARD' | 'DAYLIGHT', onset: string, fromOffset: number, toOffset: number) => {
    lines.push(`BEGIN:${kind}`, `DTSTART:${onset}`, `TZOFFSETFROM:${offsetText(fromOffset)}`, `TZOFFSETTO:${offsetText(toOffset)}`, `END:${kind}`);
  };
  // In force at the start: daylight when a later change in the range goes back from it.
  const firstBack = changes.find((c) => c.from === initial);
  observance(firstBack && firstBack.to < initial ? 'DAYLIGHT' : 'STANDARD', localStamp({ ...localAt(from, timeZone), second: 0 }), initial, initial);
  for (const c of changes) {
    // The onset is written in the local time of the offset in force before the change.
    const before = new Date(c.at + c.from * 60_000);
    const onset = { year: before.getUTCFullYear(), month: before.getUTCMonth() + 1, day: before.getUTCDate(), hour: before.getUTCHours(), minute: before.getUTCMinutes(), second: 0 };
    observance(c.to > c.from ? 'DAYLIGHT' : 'STANDARD', localStamp(onset), c.from, c.to);
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

/** The whole .ics file, CRLF line endings, folded. `now` is the DTSTAMP. */
export function buildIcs(event: IcsEvent, now: number): string {
  const utc = event.timeZone === 'UTC' || event.timeZone === 'Etc/UTC';
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//firedrill//game days//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH'];
  if (!utc) lines.push(...vtimezone(event.timeZone, event.start.year, event.zoneYears ?? (event.rrule ? 10 : 1)));
  const start = utc ? `DTSTART:${localStamp(event.start)}Z` : `DTSTART;TZID=${event.timeZone}:${localStamp(event.start)}`;
  lines.push('BEGIN:VEVENT', `UID:${event.uid}`, `DTSTAMP:${utcStamp(now)}`, start, `DURATION:${durationText(event.durationMinutes)}`);
  if (event.rrule) lines.push(`RRULE:${event.rrule}`);
  for (const ms of event.exdates ?? []) {
    lines.push(utc ? `EXDATE:${utcStamp(ms)}` : `EXDATE;TZID=${event.timeZone}:${localStamp({ ...localAt(ms, event.timeZone), second: 0 })}`);
  }
  lines.push(`SUMMARY:${escapeText(event.summary)}`, `DESCRIPTION:${escapeText(event.description)}`);
  if (event.url) lines.push(`URL:${event.url}`);
  lines.push('END:VEVENT', 'END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
